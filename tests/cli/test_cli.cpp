/* The ibmig command as a user runs it: exit statuses, messages naming the file and JSON path, --json output. */
#include "run_ibmig.hpp"

#include "scenario_loader.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

namespace {

using ibmig::test::Result;
using ibmig::test::run;

std::string temp_file(const std::string& name, const std::string& content)
{
  std::string path = testing::TempDir() + name;
  std::ofstream(path) << content;
  return path;
}

} // namespace

// The README's main command: prints per-phase throughput, steps, downtime and the checker's verdict.
TEST(Cli, SimulateReferencePrintsTheReport)
{
  Result r = run("simulate scenarios/reference.json");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* s : {"Phases", "before", "after", "Steps", "Volume downtime", "VM downtime", "Plan check"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

// --json writes the documented fields.
TEST(Cli, SimulateJsonHasDocumentedFields)
{
  std::string out = testing::TempDir() + "ref.report.json";
  Result r        = run("simulate scenarios/reference.json --runs 20 --seed 7 --json " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(std::ifstream(out));
  for (const char* k : {"phases", "nics", "downtime", "steps", "checks", "plan_duration_p50_s"})
    EXPECT_TRUE(j.contains(k)) << k;
  auto const& c = j["phases"][0]["clients"][0];
  for (const char* k : {"name", "write_MBps", "read_MBps", "replicas_local", "nic_bytes_per_byte_written"})
    EXPECT_TRUE(c.contains(k)) << k;
  EXPECT_TRUE(j["downtime"]["vms"][0]["p95_s"].is_number());
  EXPECT_EQ(j["runs"], 20);
}

// Bad input: exit status 2, one message with the file and the JSON path, no crash.
TEST(Cli, BadScenarioGivesStatus2WithFileAndPath)
{
  nlohmann::json doc =
      ibmig::expand_scenario(nlohmann::json::parse(std::ifstream("scenarios/reference.json")), "r.json").document;
  doc["nodes"][1]["disk"]["write"] = "200";
  std::string f                    = temp_file("bad-unit.json", doc.dump());
  Result r                         = run("simulate " + f);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(f + ": nodes[1].disk.write: \"200\" has no unit"), std::string::npos) << r.out;
}

TEST(Cli, MissingFileAndMalformedJsonGiveStatus2)
{
  Result r = run("simulate /nonexistent/x.json");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("/nonexistent/x.json: cannot open the file"), std::string::npos) << r.out;
  std::string f = temp_file("malformed.json", "{\n \"schemaVersion\": 1,\n \"name\": \n}");
  r             = run("check " + f);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("not valid JSON at line 4"), std::string::npos) << r.out;
}

TEST(Cli, BadCommandLineGivesStatus2)
{
  EXPECT_EQ(run("frobnicate").status, 2);
  EXPECT_EQ(run("simulate").status, 2);
  EXPECT_EQ(run("simulate scenarios/reference.json --runs zero").status, 2);
  EXPECT_EQ(run("simulate scenarios/reference.json --bogus").status, 2);
  Result r = run("simulate scenarios/reference.json --set workload.nosuch=3");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("workload.nosuch"), std::string::npos) << r.out;
  // Beyond what the generator can address, or longer than a workload phase may be: refused before any work.
  EXPECT_EQ(run("generate --nodes 62502 --vms-per-node 1").status, 2);
  r = run("generate --nodes 4 --vms-per-node 1 --duration 100000h");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--duration"), std::string::npos) << r.out;
}

// An unwritable --json is an I/O error after the report: one line saying why, not the usage text.
TEST(Cli, UnwritableJsonIsOneClearLine)
{
  Result r = run("simulate scenarios/reference.json --json /nonexistent-dir/out.json");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("--json: cannot write \"/nonexistent-dir/out.json\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("usage:"), std::string::npos) << r.out;
}

// --set changes the answer: a faster storage network before the migration doubles nothing but the NIC limit.
TEST(Cli, SetOverridesAScalar)
{
  std::string a = testing::TempDir() + "a.json", b = testing::TempDir() + "b.json";
  ASSERT_EQ(run("simulate scenarios/reference.json --json " + a).status, 0);
  ASSERT_EQ(run("simulate scenarios/reference.json --set networks[1].technology=10GbE --json " + b).status, 0);
  auto ja = nlohmann::json::parse(std::ifstream(a)), jb = nlohmann::json::parse(std::ifstream(b));
  double before_a = ja["phases"][0]["clients"][1]["write_MBps"], before_b = jb["phases"][0]["clients"][1]["write_MBps"];
  EXPECT_GT(before_b, 2 * before_a);
}

// ibmig check: status 0 for the reference plan, 1 for a broken one, with the rule named.
TEST(Cli, CheckExitStatus)
{
  Result ok = run("check scenarios/reference.json");
  EXPECT_EQ(ok.status, 0) << ok.out;
  Result bad = run("check scenarios/broken/names-not-repointed.json");
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_NE(bad.out.find("NAMES_NOT_REPOINTED"), std::string::npos) << bad.out;
}

// ibmig generate writes a scenario that loads and simulates.
TEST(Cli, GenerateWritesAValidScenario)
{
  std::string f = testing::TempDir() + "gen.json";
  Result g      = run("generate --nodes 8 --vms-per-node 3 --replica 2 --duration 30s -o " + f);
  ASSERT_EQ(g.status, 0) << g.out;
  ibmig::Scenario sc = ibmig::load_scenario(f);
  EXPECT_EQ(sc.nodes.size(), 8u);
  EXPECT_EQ(sc.workload.vms.size(), 24u);
  EXPECT_EQ(run("simulate " + f).status, 0);
  EXPECT_EQ(run("generate --nodes 7 --vms-per-node 1 --replica 2").status, 2); // 7 nodes cannot hold replica 2 sets
}

// A directory or a bench size the generator cannot build is bad input, not an internal failure.
TEST(Cli, DirectoryAndOddBenchSizeGiveStatus2)
{
  Result r = run("simulate scenarios");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("scenarios: is a directory"), std::string::npos) << r.out;
  Result b = run("bench --nodes 3");
  EXPECT_EQ(b.status, 2);
  EXPECT_NE(b.out.find("multiple of the replica count"), std::string::npos) << b.out;
}

// Help is asked for, not an error: status 0 and the whole usage text, however it is asked.
TEST(Cli, HelpExitsZeroWithTheUsage)
{
  for (const char* args : {"", "help", "--help", "-h", "simulate --help", "generate -h"}) {
    Result r = run(args);
    EXPECT_EQ(r.status, 0) << args << "\n" << r.out;
    EXPECT_EQ(r.out.rfind("usage:", 0), 0u) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("ibmig generate --nodes N --vms-per-node M"), std::string::npos) << args;
    EXPECT_NE(r.out.find("exit status: 0 ok"), std::string::npos) << args;
  }
}

// Each command takes its own options; a bad value is one line naming the option. Wrong if an option of another
// command is silently ignored (emulate's --time-scale on simulate) or a message loses the option's name.
TEST(Cli, UsageErrorsNameTheOption)
{
  struct Case {
    std::string args, message;
  };
  for (const Case& c : std::vector<Case>{
           {"simulate scenarios/reference.json --time-scale 0.5", "unknown option \"--time-scale\" for simulate"},
           {"simulate scenarios/reference.json --runs zero",
            "--runs: expected a whole number from 1 to 1000000, got \"zero\""},
           {"simulate scenarios/reference.json --seed 0x10", "--seed: expected a whole number"},
           {"check scenarios/reference.json --json", "--json needs a value"},
           {"check scenarios/reference.json other.json", "unexpected argument \"other.json\" for check"},
           {"emulate scenarios/reference.json --time-scale 2",
            "--time-scale: expected a number from 0 to 1, got \"2\""},
           {"generate --nodes 4 --vms-per-node 1 --duration 10", "--duration: \"10\" has no unit"},
           {"generate --nodes 4", "generate needs --nodes N and --vms-per-node M"},
           {"check scenarios/reference.json --set workload.before", "--set: expected PATH=VALUE"},
           {"--bogus", "unknown command \"--bogus\""},
       }) {
    Result r = run(c.args);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.out;
    EXPECT_EQ(r.out.rfind("ibmig: " + c.message, 0), 0u) << c.args << "\n" << r.out;
  }
}

// A number is read in base 10 as written ("010" is ten, not CLI11's octal eight), and --opt=value works.
TEST(Cli, NumbersAreReadAsWritten)
{
  std::string out = testing::TempDir() + "runs-010.json";
  Result r        = run("simulate scenarios/reference.json --runs=010 --seed 3 --json " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(std::ifstream(out))["runs"], 10);
}
