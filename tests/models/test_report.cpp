/* The report: printed, what an admin reads, so nothing may be cut off or run into the next line; and as JSON, read
 * back whole. */
#include "report.hpp"

#include <gtest/gtest.h>
#include <sstream>
#include <stdexcept>

using namespace ibmig;

// A failed check on a large cluster explains itself at length; it must be printed whole, on its own line.
TEST(Report, LongDetailsAndNamesArePrintedWhole)
{
  Report r;
  r.tool = "simulate";
  StepReport failed;
  failed.name    = "Check peers";
  failed.outcome = StepOutcome::Failed;
  failed.detail  = std::string(2000, 'x') + " END";
  StepReport next;
  next.name = "Start VMs";
  r.steps   = {failed, next};
  DowntimeEntry vm;
  vm.name       = std::string(3000, 'v');
  vm.seconds    = 10;
  r.vm_downtime = {vm};
  std::ostringstream out;
  print_report(r, out);
  std::string text = out.str();
  EXPECT_NE(text.find(std::string(2000, 'x') + " END\n"), std::string::npos);
  EXPECT_NE(text.find("\n  " + std::string(9 - 3, ' ') + "0.0-      0.0 s  Start VMs"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string(3000, 'v') + ": 10.0 s\n"), std::string::npos);
}

namespace {
/* A report with every section the two tools write, each closed vocabulary at a value other than its default. */
Report every_section()
{
  Report r;
  r.tool                   = "emulate";
  r.scenario               = "reference";
  r.scenario_file          = "scenarios/reference.json";
  r.runs                   = 3;
  r.seed                   = 7;
  r.plan_duration_s        = 4000;
  r.plan_duration_p50_s    = 3990;
  r.plan_duration_p95_s    = 4100;
  r.runs_with_failed_steps = 1;
  r.phases                 = {{"before",
                               0,
                               10,
                               90.5,
                               40.25,
                               "NIC n1-eth1",
                               {{"vm1", "n1", 45, 20, 12.5, 2, 1, 2.0, "NIC n1-eth1", "assumption: a test's"}}}};
  r.nics                   = {{"n1", "eth1", "storage", {{"before", 1e9, 2e9}}}};
  r.volume_downtime        = {{"vmstore", 120, 110.0, 130.0, {{"Power off", 60}}, {{10, 130, "quorum lost"}}}};
  r.vm_downtime            = {{"vm1", 60, std::nullopt, std::nullopt, {}, {}}};
  r.steps      = {{"Power off", "power_off", 10, 70, StepOutcome::Failed, "n1 did not stop", StepTiming::EmulatedWait,
                   std::nullopt, ""},
                  {"Start glusterd", "start_service", 70, 80, StepOutcome::Ok, "", StepTiming::Measured, 3.5,
                   "its machine time: glusterd_start_s: assumption (test)"}};
  r.checks     = {{"NO_LARGE_PING", Severity::Warning, "no large ping", "Start glusterd", FindingOrigin::Check},
                  {"EMULATION_DIFFERS", Severity::Error, "n1 still up", "Power off", FindingOrigin::Emulation},
                  {"HEAL_TIMEOUT", Severity::Error, "heal too long", "Wait", FindingOrigin::Simulation}};
  r.events     = {{12, "check-failed", "Power off: n1 did not stop"}};
  r.faults     = {{"n2", "faults[0]", 18, 40, 44.5, 4.5, {}},
                  {"n1", "faults[1]", 50, std::nullopt, std::nullopt, std::nullopt, {"vmstore:/vm3-plan.qcow2"}}};
  r.migrations = {{"vm1", "Migrate away", "n1", "n2", "vmbridge", 3, 4.4e9, 36.5, 0.21, true, ""},
                  {"vm2", "Migrate away", "n1", "n3", "vmbridge", 30, 9e10, 700, 0, false, "does not converge: x"}};
  EmulationSections& e = r.emulation.emplace();
  e.run                = {0.01,     Bytes{256.0 * 1024 * 1024},    Bytes{32.0 * 1024 * 1024}, 200, "in memory",
                          "r1a2b3", "/run/ibmig/ibmig-r1a2b3.json"};
  e.run.rate_scale     = 0.1;
  e.workload_mode      = "VMs of a phase run one at a time";
  e.plan_checker       = PlanCheckerInfo{{"names-not-repointed"},
                                   true,
                                   {{"NAMES_NOT_REPOINTED", Severity::Error, "names still old", "Start glusterd"}},
                                   "the static plan checker flags it too"};
  e.verification       = {4, 8192, 1000, {"vmstore:vm1.img on n2: 1000 bytes missing or different"}, "read back"};
  e.failed             = true;
  e.comparison         = std::vector<ComparisonRow>{{"before: vm1 write MB/s", 58.8, 47, -20.1, 15, false, "note"},
                                                    {"volume vmstore downtime s", 3970, 3990, 0.5, 5, true, "clocks"}};
  e.rdma               = {{"ok", false}, {"findings", {{{"explanation", "rping failed"}}}}};
  return r;
}
} // namespace

// Every section survives the JSON round trip the emulator's comparison relies on (sim/simulation.cpp also reads its
// child's report back this way): if this fails, a section is dropped, renamed or reshaped when a report is reloaded.
TEST(Report, EverySectionSurvivesTheJsonRoundTrip)
{
  nlohmann::json j = to_json(every_section());
  for (const char* key : {"verification", "failed", "comparison", "run", "rdma", "workload_mode", "plan_checker"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["steps"][0]["outcome"], "failed");
  EXPECT_EQ(j["steps"][0]["timing"], "emulated-wait");
  EXPECT_EQ(j["checks"][1]["origin"], "emulation");
  EXPECT_EQ(j["checks"][0]["severity"], "warning");
  EXPECT_EQ(j["comparison"][0]["verdict"], "DISAGREE: off by more than the tolerance");
  EXPECT_EQ(j["run"]["rate_scale"], 0.1);
  EXPECT_EQ(j["steps"][1]["rests_on_assumption"], true);
  EXPECT_FALSE(j["plan_checker"]["new_findings"][0].contains("origin"));
  EXPECT_EQ(j["faults"][0]["heal_s"], 4.5);
  EXPECT_TRUE(j["faults"][1]["back_s"].is_null()) << "a node that stayed down";
  EXPECT_EQ(j["faults"][1]["split_brain"][0], "vmstore:/vm3-plan.qcow2");
  EXPECT_EQ(to_json(report_from_json(j)), j);
  EXPECT_EQ(j["migrations"][0]["pause_s"], 0.21);
  EXPECT_EQ(j["migrations"][1]["completed"], false);
  nlohmann::json old = j; // written before faults and migrations existed: still read
  old.erase("faults");
  old.erase("migrations");
  EXPECT_TRUE(report_from_json(old).faults.empty());
  EXPECT_TRUE(report_from_json(old).migrations.empty());
  // A simulate report has none of the emulate sections, and gets none back.
  Report sim        = every_section();
  sim.tool          = "simulate";
  sim.emulation     = std::nullopt;
  nlohmann::json js = to_json(sim);
  EXPECT_FALSE(js.contains("verification"));
  EXPECT_FALSE(report_from_json(js).emulation.has_value());
  EXPECT_EQ(to_json(report_from_json(js)), js);
}

// The report's words are a closed vocabulary: a misspelt one is refused with its place, not read as a failure (or a
// success) nobody wrote; so is a section nobody reads.
TEST(Report, UnknownWordsAreRefused)
{
  struct Bad {
    const char* pointer; // JSON pointer into a report with every section
    const char* word;
    const char* message;
  };
  const Bad cases[] = {
      {"/steps/1/outcome", "okay", "steps[1].outcome: unknown step outcome \"okay\" (expected \"ok\", \"failed\")"},
      {"/steps/0/timing", "emulated", "steps[0].timing: unknown step timing \"emulated\""},
      {"/checks/2/severity", "fatal", "checks[2].severity: unknown severity \"fatal\""},
      {"/checks/0/origin", "checker", "checks[0].origin: unknown finding origin \"checker\""},
      {"/plan_checker/new_findings/0/severity", "Error", "plan_checker.new_findings[0].severity"},
      {"/comparison/1/verdict", "fine", "comparison[1].verdict: unknown comparison verdict \"fine\""},
      {"/extra_section", "x", "report: unknown key \"extra_section\""},
  };
  for (auto const& c : cases) {
    nlohmann::json j                           = to_json(every_section());
    j[nlohmann::json::json_pointer(c.pointer)] = c.word;
    std::string message                        = "accepted";
    try {
      report_from_json(j);
    } catch (const std::invalid_argument& e) {
      message = e.what();
    }
    EXPECT_EQ(message.rfind(c.message, 0), 0u) << c.pointer << ": " << message;
  }
  EXPECT_THROW(parse_step_outcome("OK"), std::invalid_argument);
  EXPECT_EQ(parse_step_timing(to_string(StepTiming::EmulatedWait)), StepTiming::EmulatedWait);
}

// Data with no consistent copy is never OK: a split-brain the simulator predicts (split-brain-risk) or the emulator
// finds (split-brain) fails the verdict, and a SPLIT_BRAIN finding is not counted as a difference from the model.
TEST(Report, SplitBrainFailsTheVerdict)
{
  Report r;
  EXPECT_TRUE(verdict(r).ok());
  for (const char* kind : {"split-brain-risk", "split-brain"}) {
    Report s = r;
    s.events = {{1, kind, "vmstore:/a in split-brain"}};
    EXPECT_FALSE(verdict(s).ok()) << kind;
    EXPECT_EQ(verdict(s).split_brain, 1) << kind;
    EXPECT_NE(verdict(s).summary().find("split-brain"), std::string::npos) << verdict(s).summary();
  }
  r.checks = {{"SPLIT_BRAIN", Severity::Error, "vmstore:/a", "", FindingOrigin::Emulation}};
  EXPECT_EQ(verdict(r).model_differences, 0);
}
