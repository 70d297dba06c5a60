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
