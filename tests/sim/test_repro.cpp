/* The reproducers of tests/repro/ (copied from shared/repro): each once crashed, hung or answered wrong in silence.
 * Every test names the file it runs and what the simulator did before it was fixed. */
#include "plan_checker.hpp"
#include "platform_builder.hpp"
#include "sim_test_util.hpp"

#include <algorithm>

using namespace ibmig;
using namespace ibmig::test;
using nlohmann::json;

namespace {
int count_events(const Report& r, const std::string& kind)
{
  return static_cast<int>(std::count_if(r.events.begin(), r.events.end(), [&](auto& e) { return e.kind == kind; }));
}
} // namespace

// sim-uaf-heal.json: n1 crashes at 0 s while self-heal flows run; the actors used to walk shared flow lists across
// simcalls and free a cancelled heal's Exec under another actor's pending simcall (signal 11). Wrong if the run
// throws (a crashed child) or ends early.
TEST(Repro, CrashDuringHealsGivesAReport)
{
  Scenario sc = load_scenario(std::string(IBMIG_SOURCE_DIR) + "/tests/repro/sim-uaf-heal.json");
  Report r    = sim::simulate(sc);
  EXPECT_EQ(r.steps.size(), sc.plan.steps.size());
  EXPECT_EQ(count_events(r, "fault"), 1);
  ASSERT_FALSE(r.phases.empty());
  EXPECT_EQ(r.phases.back().name, "after");
  // Its plan powers n1 off while other bricks still have writes to heal: the verdict must say so.
  EXPECT_GT(verdict(r).unserved_write_events, 0);
  EXPECT_FALSE(verdict(r).ok());
}

// sim-deadlock-min.json: workload.after "0s" lost the last wakeup; SimGrid reported a deadlock and the answer was
// truncated (exit 0). Wrong if the run throws or the after phase is missing.
TEST(Repro, AfterPhaseOfZeroSecondsEndsCleanly)
{
  Report r = sim::simulate(load_scenario(std::string(IBMIG_SOURCE_DIR) + "/tests/repro/sim-deadlock-min.json"));
  ASSERT_GE(r.phases.size(), 2u);
  EXPECT_EQ(r.phases.front().name, "before");
  EXPECT_EQ(r.phases.back().name, "after");
  EXPECT_TRUE(verdict(r).ok()) << verdict(r).summary();
}

// The same lost wakeup on the reference cluster (--set workload.after=0s): every step still runs and the
// before-phase figure is the usual one. Wrong if the run deadlocks or the plan is cut short.
TEST(Repro, ReferenceWithNoAfterPhaseRunsEveryStep)
{
  json doc                  = read_json("scenarios/reference.json");
  doc["workload"]["after"]  = "0s";
  doc["workload"]["before"] = "0s";
  Report r                  = simulate_doc(doc);
  EXPECT_EQ(r.steps.size(), doc["plan"]["steps"].size());
  EXPECT_NEAR(r.plan_duration_s, 4840.0, 1.0);
  EXPECT_TRUE(verdict(r).ok()) << verdict(r).summary();
}

// sim-link-name-collision.json: node "a" with NIC "b-eth0" and node "a-b" with NIC "eth0" both made the SimGrid link
// "a-b-eth0" (abort: declared several times); "x" and "x_UP" made "x_UP" twice through the split-duplex suffix.
// SimGrid names are built from escaped parts, so distinct objects give distinct names.
TEST(Repro, SimGridNamesOfDistinctObjectsDiffer)
{
  using sim::Platform;
  EXPECT_NE(Platform::sg_name("link", "a", "b-eth0"), Platform::sg_name("link", "a-b", "eth0"));
  EXPECT_NE(Platform::sg_name("link", "a", "b/c"), Platform::sg_name("link", "a/b", "c"));
  EXPECT_NE(Platform::sg_name("link", "n1", "x") + "_UP", Platform::sg_name("link", "n1", "x_UP"));
  EXPECT_NE(Platform::sg_name("link", "n1", "x%2F"), Platform::sg_name("link", "n1", "x/"));
  EXPECT_NE(Platform::sg_name("disk", "n1"), Platform::sg_name("fuse", "n1"));
}

// Two networks whose switches share a name (sim-duplicate-switch-name.json): the loader refuses that file now
// (tests/models), and the simulator no longer depends on it either: its switch links are named after their
// networks. The name is changed behind the loader's back here. Wrong if SimGrid aborts (the child dies).
TEST(Repro, SwitchesWithOneNameStillBuild)
{
  Scenario sc            = parse_scenario(read_json("scenarios/reference.json"), "reference.json");
  sc.networks[1].sw.name = sc.networks[0].sw.name;
  Report r               = sim::simulate(sc);
  EXPECT_EQ(r.steps.size(), sc.plan.steps.size());
}

// rolling-6node-repoint-inside.json: the plan re-points each node's names inside its rolling block. `check` said
// "no problems" and `simulate` (names switched cluster-wide at the first node) failed five heals, both exit 0. With
// one cluster model both give one answer: each node's hosts file points its own mounts at IB while the others are
// not on IB yet, so the VMs moved back to that node cannot reach their replica sets (VM_CANNOT_WRITE), and the
// heals that wait on them time out. Wrong if either calls the plan OK.
TEST(Repro, RollingRepointInsideIsAFailedPlanForCheckAndSimulate)
{
  Scenario sc   = load_scenario(std::string(IBMIG_SOURCE_DIR) + "/tests/repro/rolling-6node-repoint-inside.json");
  auto findings = check_plan(sc);
  EXPECT_TRUE(has_errors(findings));
  EXPECT_TRUE(std::any_of(findings.begin(), findings.end(), [](auto& f) { return f.rule == "VM_CANNOT_WRITE"; }));
  Report r  = sim::simulate(sc);
  Verdict v = verdict(r);
  EXPECT_FALSE(v.ok());
  EXPECT_GE(v.failed_steps, 1);
  int failed_heals = static_cast<int>(std::count_if(r.steps.begin(), r.steps.end(), [](auto& s) {
    return s.action == "wait_heal" && s.outcome == StepOutcome::Failed;
  }));
  EXPECT_EQ(failed_heals, v.failed_steps) << "only wait_heal steps fail in this plan";
  EXPECT_GT(v.checker_errors, 0);
  EXPECT_NE(v.summary().find("steps failed"), std::string::npos) << v.summary();
}

// --runs N counts the sampled runs in which a step failed: a CI job running a Monte Carlo must see them. The
// rolling-before-heal plan fails its heal wait in every run; the reference plan in none.
TEST(MonteCarlo, CountsRunsWithAFailedStep)
{
  sim::SimOptions opt;
  opt.runs = 3;
  Report bad =
      sim::simulate(load_scenario(std::string(IBMIG_SOURCE_DIR) + "/scenarios/broken/rolling-before-heal.json"), opt);
  ASSERT_TRUE(bad.runs_with_failed_steps.has_value());
  EXPECT_EQ(*bad.runs_with_failed_steps, 3);
  Report good = sim::simulate(load_scenario(std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json"), opt);
  ASSERT_TRUE(good.runs_with_failed_steps.has_value());
  EXPECT_EQ(*good.runs_with_failed_steps, 0);
  EXPECT_TRUE(verdict(good).ok());
  EXPECT_FALSE(verdict(bad).ok());
}
