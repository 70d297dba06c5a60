/* `ibmig sweep` as a user runs it: exit statuses, messages, invalid and failed points as rows, resume, shards and
 * merge. The grid is the shipped fabric x mode x replica study (12 points, about 0.1 s), so these stay cheap. */
#include "run_ibmig.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

using ibmig::test::Result;
using ibmig::test::run;

const std::string kSweep = "--sweep scenarios/sweeps/fabric-mode-replica.json";

std::string out_file(const std::string& name)
{
  std::string f = testing::TempDir() + "sweep-" + name;
  std::filesystem::remove(f);
  return f;
}

std::string read(const std::string& file)
{
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<nlohmann::json> rows(const std::string& file)
{
  std::vector<nlohmann::json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    out.push_back(nlohmann::json::parse(line));
  return out;
}

std::string result_line(const std::string& out)
{
  auto at = out.rfind("Result: ");
  return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
}

} // namespace

// The 12-point study in one command: exit 0, one row a point in point order, every row ok, and the summary says so.
TEST(CliSweep, TwelvePointStudy)
{
  std::string f = out_file("twelve.jsonl");
  Result r      = run("sweep " + kSweep + " -o " + f + " -j 2");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(result_line(r.out), "Result: 12 rows in " + f + ": 12 ok, 0 failed, 0 invalid");
  auto rs = rows(f);
  ASSERT_EQ(rs.size(), 12u);
  for (std::size_t i = 0; i < rs.size(); i++)
    EXPECT_EQ(rs[i]["point"], i);
  EXPECT_EQ(rs[11]["axes"], (nlohmann::json{{"fabric", "QDR"}, {"mode", "connected"}, {"volumes[0].replica", "3"}}));
  // The fabric must matter: QDR moves more than SDR for the same mode and replica.
  EXPECT_GT(rs[10]["figures"]["aggregate.write_MBps.after"].get<double>(),
            rs[2]["figures"]["aggregate.write_MBps.after"].get<double>());
}

// A value the loader refuses (replica 4 on 6 bricks) is a row with its message, and the sweep goes on: exit 0.
TEST(CliSweep, InvalidPointsAreRows)
{
  std::string f = out_file("invalid.csv");
  Result r      = run("sweep " + kSweep + " --vary volumes[0].replica=2,3,4 -o " + f);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(result_line(r.out).find("12 ok, 0 failed, 6 invalid"), std::string::npos) << r.out;
  std::string csv = read(f);
  EXPECT_NE(csv.find("2,SDR,datagram,4,invalid,scenarios/sweeps/six-node.json: volumes[0].replica: replica 4 does not "
                     "divide the 6 bricks"),
            std::string::npos)
      << csv.substr(0, 2000);
}

// A plan the checker refuses is a "failed" row with the verdict and its error count: the study sees it.
TEST(CliSweep, FailedPlansAreRows)
{
  std::string f = out_file("failed.jsonl");
  Result r      = run("sweep scenarios/broken/names-not-repointed.json --vary workload.before=30s,60s -o " + f);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(result_line(r.out).find("0 ok, 2 failed"), std::string::npos) << r.out;
  auto rs = rows(f);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0]["status"], "failed");
  EXPECT_NE(rs[0]["error"].get<std::string>().find("plan check error"), std::string::npos) << rs[0];
  EXPECT_GT(rs[0]["figures"]["checker_errors"].get<double>(), 0);
}

// Bad input: one line naming the option or the file and the path, exit 2, before any point runs.
TEST(CliSweep, BadInputExitsTwo)
{
  std::string f = out_file("bad.csv");
  struct Case {
    std::string args, message;
  };
  std::string sweep_file = testing::TempDir() + "bad-sweep.json";
  std::ofstream(sweep_file) << R"({"scenario": "x.json", "axes": [{"path": "a", "values": 3}]})";
  for (auto const& c : std::vector<Case>{
           {kSweep, "sweep needs -o FILE.csv or -o FILE.jsonl"},
           {kSweep + " -o rows.txt", "must end in .csv or .jsonl"},
           {"scenarios/reference.json --vary workload.before -o " + f, "--vary: expected PATH=V1,V2"},
           {"scenarios/reference.json --vary workload.before=60s:5min:60s -o " + f, "need one unit"},
           {"scenarios/reference.json --vary workload.bfore=60s -o " + f, "axis workload.bfore = 60s"},
           {"scenarios/reference.json --vary volumes[0].replica=two -o " + f, "expected a number"},
           {"--sweep " + sweep_file + " -o " + f, "bad-sweep.json: axes[0].values: expected a list"},
           {kSweep + " --shard 5/4 -o " + f, "--shard: I must be at most N"},
           {"-o " + f, "sweep needs a scenario file"},
       }) {
    Result r = run("sweep " + c.args);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << c.args << "\n" << r.out;
  }
  EXPECT_FALSE(std::filesystem::exists(f)) << "no output for refused input";
}

// Resuming: a second run skips the rows already there and ends with the same file a single run writes; a file of
// another grid is refused rather than mixed.
TEST(CliSweep, ResumeSkipsDoneRowsAndRefusesAnotherGrid)
{
  std::string whole = out_file("whole.csv"), resumed = out_file("resumed.csv");
  ASSERT_EQ(run("sweep " + kSweep + " -o " + whole).status, 0);
  Result first = run("sweep " + kSweep + " --shard 1/3 -o " + resumed);
  ASSERT_EQ(first.status, 0) << first.out;
  Result second = run("sweep " + kSweep + " -o " + resumed);
  ASSERT_EQ(second.status, 0) << second.out;
  EXPECT_NE(second.out.find("(4 already in"), std::string::npos) << second.out;
  EXPECT_EQ(read(resumed), read(whole));
  Result other = run("sweep " + kSweep + " --vary workload.before=30s -o " + resumed);
  EXPECT_EQ(other.status, 2) << other.out;
  EXPECT_NE(other.out.find("its columns are not this sweep's"), std::string::npos) << other.out;
  Result values = run("sweep " + kSweep + " --vary volumes[0].replica=3,2 -o " + resumed);
  EXPECT_EQ(values.status, 2) << values.out;
  EXPECT_NE(values.out.find("point 0 has axes (SDR, datagram, 2), this grid's point 0 is (SDR, datagram, 3)"),
            std::string::npos)
      << values.out;
}

// Merging shards: sorted by point, equal to the whole sweep; a missing shard is named (exit 1), a duplicate said.
TEST(CliSweep, MergeJoinsShardsAndNamesMissingPoints)
{
  std::string whole = out_file("m-whole.jsonl"), merged = out_file("merged.jsonl");
  ASSERT_EQ(run("sweep " + kSweep + " -o " + whole).status, 0);
  std::vector<std::string> parts;
  for (int i = 1; i <= 3; i++) {
    parts.push_back(out_file("part" + std::to_string(i) + ".jsonl"));
    ASSERT_EQ(run("sweep " + kSweep + " -j 1 --shard " + std::to_string(i) + "/3 -o " + parts.back()).status, 0);
  }
  Result m = run("sweep --merge " + merged + " " + parts[2] + " " + parts[0] + " " + parts[1] + " " + parts[0]);
  ASSERT_EQ(m.status, 0) << m.out;
  EXPECT_NE(m.out.find("4 duplicate(s), the same rows, kept once: 0, 3, 6, 9"), std::string::npos) << m.out;
  EXPECT_EQ(read(merged), read(whole));
  Result missing = run("sweep --merge " + merged + " " + parts[0] + " " + parts[1] + " " + kSweep);
  EXPECT_EQ(missing.status, 1) << missing.out;
  EXPECT_NE(missing.out.find("4 missing: 2, 5, 8, 11 (of the grid's 12)"), std::string::npos) << missing.out;
}
