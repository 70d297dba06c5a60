/* Exit statuses a CI job can trust: `ibmig simulate` exits 1 when the plan fails (a failed step, a plan check
 * error, writes left with no serving copy), says why in one "Result:" line, and never exits 0 on a crash or a
 * SimGrid deadlock. */
#include "run_ibmig.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using ibmig::test::Result;
using ibmig::test::run;

std::string result_line(const std::string& out)
{
  auto at = out.rfind("Result: ");
  return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
}

} // namespace

// The reference plan works: exit 0 and an OK result line.
TEST(CliExit, WorkingPlanExitsZero)
{
  Result r = run("simulate scenarios/reference.json");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(result_line(r.out).rfind("Result: OK", 0), 0u) << result_line(r.out);
}

// The 6-node rolling plan that re-points names inside its rolling block: VMs cannot write (a check error) and heals
// time out (failed steps). It used to exit 0; a CI job must see a failure and why.
TEST(CliExit, FailedStepsExitOneAndSayWhy)
{
  Result r = run("simulate tests/repro/rolling-6node-repoint-inside.json");
  EXPECT_EQ(r.status, 1) << r.out;
  std::string line = result_line(r.out);
  EXPECT_NE(line.find("FAILED"), std::string::npos) << line;
  EXPECT_NE(line.find("steps failed"), std::string::npos) << line;
  EXPECT_NE(line.find("plan check errors"), std::string::npos) << line;
}

// A plan check error alone fails the run too (the checker and simulate answer alike for a CI job).
TEST(CliExit, PlanCheckErrorExitsOne)
{
  Result r = run("simulate scenarios/broken/names-not-repointed.json");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(result_line(r.out).find("plan check error"), std::string::npos) << result_line(r.out);
}

// The verdict is in the JSON report, for a job that reads the file rather than the status.
TEST(CliExit, JsonCarriesTheVerdict)
{
  std::string out = testing::TempDir() + "verdict.json";
  Result r        = run("simulate tests/repro/rolling-6node-repoint-inside.json --json " + out);
  ASSERT_EQ(r.status, 1) << r.out;
  nlohmann::json j = nlohmann::json::parse(std::ifstream(out));
  EXPECT_FALSE(j.at("verdict").at("ok").get<bool>());
  EXPECT_GE(j.at("verdict").at("failed_steps").get<int>(), 1);
  EXPECT_GT(j.at("verdict").at("checker_errors").get<int>(), 0);
  EXPECT_TRUE(j.at("verdict").contains("unserved_write_events"));
}

// --runs N: the count of sampled runs with a failed step is printed and fails the run.
TEST(CliExit, MonteCarloReportsRunsWithFailedSteps)
{
  Result r = run("simulate scenarios/broken/rolling-before-heal.json --runs 3");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("3 of 3 runs had a failed step"), std::string::npos) << r.out;
  EXPECT_NE(result_line(r.out).find("3 Monte Carlo runs had a failed step"), std::string::npos);
}

// The inputs that crashed (signal 11) or deadlocked the simulator now give a report; never "Deadlock detected",
// never the internal-failure status.
TEST(CliExit, FormerCrashAndDeadlockGiveReports)
{
  Result uaf = run("simulate tests/repro/sim-uaf-heal.json");
  EXPECT_EQ(uaf.status, 1) << uaf.out; // its plan leaves writes with no serving copy: a failed plan, not a crash
  EXPECT_EQ(uaf.out.find("signal"), std::string::npos) << uaf.out;
  for (const char* args :
       {"simulate tests/repro/sim-deadlock-min.json", "simulate scenarios/reference.json --set workload.after=0s"}) {
    Result r = run(args);
    EXPECT_EQ(r.status, 0) << args << "\n" << r.out;
    EXPECT_EQ(r.out.find("Deadlock"), std::string::npos) << args << "\n" << r.out;
    EXPECT_EQ(result_line(r.out).rfind("Result: OK", 0), 0u) << args;
  }
}

// Issue 10: if this fails, `ibmig emulate` would replay a live migration with the VMs' I/O left on their old nodes
// (a silently wrong measurement) instead of saying, before it builds anything, that it does not replay it.
// A live migration in a scenario with faults: the writers that run through such a replay do not follow a VM to its
// target, so emulate refuses the plan before building anything (exit 2, naming the step), rather than replay it
// with the VM's I/O on the wrong node.
TEST(CliExit, EmulateRefusesALiveMigrationWithFaults)
{
  std::ifstream in("scenarios/reference-rolling-live.json");
  nlohmann::json sc = nlohmann::json::parse(in);
  sc["faults"] = {{{"kind", "node_crash"}, {"node", "n2"}, {"after_step", "Large ping over IB"}, {"down_for", "20s"}}};
  const std::string file = "/tmp/ibmig-live-with-faults-" + std::to_string(::getpid()) + ".json";
  std::ofstream(file) << sc.dump(2);
  Result r = run("emulate " + file);
  std::remove(file.c_str());
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("migrate_vms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("plan.steps[0].rolling.steps[0]"), std::string::npos) << r.out;
}
