/* A figure set by a parameter nobody measured says so: the report names the limit behind each client's figure and
 * where its value comes from, and flags those that rest on an assumption (issue 9: "a user must see which answers
 * to re-measure"). */
#include "sim_test_util.hpp"

#include <sstream>

using namespace ibmig;
using namespace ibmig::test;

// The reference's after-migration vm2 is limited by an assumed brick disk; before, by the 1GbE data rate (a
// documented figure): only the first rests on an assumption.
TEST(Assumptions, TheReportSaysWhichFiguresRestOnOne)
{
  Report r                    = simulate_doc(read_json("scenarios/reference.json"));
  const ClientFigures& before = client(phase(r, "before"), "vm2");
  const ClientFigures& after  = client(phase(r, "after"), "vm2");
  EXPECT_NE(before.bottleneck.find("client NIC"), std::string::npos) << before.bottleneck;
  EXPECT_FALSE(before.rests_on_assumption()) << before.bottleneck_source;
  EXPECT_NE(after.bottleneck.find("brick disk"), std::string::npos) << after.bottleneck;
  EXPECT_TRUE(after.rests_on_assumption()) << after.bottleneck_source;

  std::ostringstream text;
  print_report(r, text);
  EXPECT_NE(text.str().find("re-measure"), std::string::npos);
  EXPECT_NE(text.str().find("brick disk (n3): assumption"), std::string::npos) << text.str();

  // Measured disks: the same figure no longer rests on an assumption.
  auto doc = read_json("scenarios/reference.json");
  for (auto& n : doc["nodes"])
    n["disk"]["source"] = "measured: fio --rw=write --bs=1M on the brick, 2026-12-01";
  Report m = simulate_doc(doc);
  EXPECT_FALSE(client(phase(m, "after"), "vm2").rests_on_assumption());

  // The flag survives the JSON report.
  Report back = report_from_json(to_json(r));
  EXPECT_TRUE(client(phase(back, "after"), "vm2").rests_on_assumption());
}

// A heal that outlasts the runbook's wait is as long as the simulated heal, which rests on heal_MBps (an
// assumption by default): the step says so, in the text and the JSON report.
TEST(Assumptions, AHealLongerThanItsWaitSaysWhatItRestsOn)
{
  Report r               = simulate_doc(read_json("scenarios/reference-rolling.json"));
  const StepReport* heal = nullptr;
  for (auto const& s : r.steps)
    if (s.action == "wait_heal" && s.end_s - s.start_s > 1.0 + 1e-6 && !s.duration_source.empty()) heal = &s;
  ASSERT_NE(heal, nullptr) << "the rolling plan heals after each node";
  EXPECT_NE(heal->duration_source.find("heal_MBps"), std::string::npos) << heal->duration_source;
  EXPECT_TRUE(heal->rests_on_assumption());
  std::ostringstream text;
  print_report(r, text);
  EXPECT_NE(text.str().find("re-measure it to trust the downtime"), std::string::npos) << text.str();
  Report back = report_from_json(to_json(r));
  EXPECT_TRUE(back.steps.at(static_cast<size_t>(heal - r.steps.data())).rests_on_assumption());

  // A step held by a measured machine time names it, and is no assumption.
  auto doc                               = read_json("scenarios/reference.json");
  doc["calibration"]["glusterd_start_s"] = {{"value", 600}, {"source", "measured: test"}};
  Report m                               = simulate_doc(doc);
  for (auto const& s : m.steps)
    if (s.action == "start_service") {
      EXPECT_EQ(s.duration_source, "its machine time: glusterd_start_s: measured: test");
      EXPECT_FALSE(s.rests_on_assumption());
    }
}
