/* ibmig report, --html of simulate, and ibmig compare as a user runs them: exit statuses, the files they write, bad
 * input named by file and JSON path, a missing dot or gnuplot. */
#include "run_ibmig.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

using ibmig::test::Result;
using ibmig::test::run;

std::string slurp(const std::string& file)
{
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string temp(const std::string& name)
{
  return testing::TempDir() + name;
}

const std::string kSweep = IBMIG_SOURCE_DIR "/tests/cli/inputs/sweep-sample.jsonl";

} // namespace

// One self-contained page: inline SVG (the diagram and the charts), nothing fetched; report of the --json output
// writes the same page.
TEST(CliReport, SimulateHtmlIsSelfContainedAndReportRedrawsIt)
{
  std::string html = temp("ref.html"), json = temp("ref.json"), again = temp("again.html");
  Result r = run("simulate scenarios/reference.json --json " + json + " --html " + html);
  ASSERT_EQ(r.status, 0) << r.out;
  std::string page = slurp(html);
  EXPECT_GE(std::count(page.begin(), page.end(), '\n'), 100);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("id=\"topology-diagram\""), std::string::npos);
  for (const char* external : {"<script", "<link", "src=", "@import", "url(http"})
    EXPECT_EQ(page.find(external), std::string::npos) << external << ": the page must open without a network";
  EXPECT_TRUE(nlohmann::json::parse(slurp(json)).contains("topology")) << "the report carries its topology";
  r = run("report " + json + " --html " + again);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(slurp(again), page) << "the page is drawn from the report alone";
  r = run("report " + json);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Plan duration: 4840.0 s"), std::string::npos) << r.out;
}

// A sweep's lines: one chart per figure, the points that did not run with their errors.
TEST(CliReport, SweepPage)
{
  std::string html = temp("sweep.html");
  Result r         = run("report " + kSweep + " --html " + html);
  ASSERT_EQ(r.status, 0) << r.out;
  std::string page = slurp(html);
  for (const char* figure :
       {"vm2.write_MBps.after", "aggregate.write_MBps.after", "plan_duration_s", "vm_downtime_s.p50"})
    EXPECT_NE(page.find("data-figure=\"" + std::string(figure) + "\"><svg"), std::string::npos) << figure;
  EXPECT_NE(page.find("unknown technology &quot;IB-XDR&quot;"), std::string::npos);
  EXPECT_NE(page.find("simulation crashed &lt;signal 11&gt;"), std::string::npos);
  r = run("report " + kSweep);
  EXPECT_EQ(r.status, 2) << "a sweep has no text form";
  EXPECT_NE(r.out.find("needs --html FILE"), std::string::npos) << r.out;
}

// sweep --html: the page of the rows it wrote, a CSV output too (the invalid points listed with their errors), the
// same page as report of the JSON lines; --merge --html draws the merged rows.
TEST(CliReport, SweepHtmlDrawsItsOwnRows)
{
  std::string csv = temp("study.csv"), jsonl = temp("study.jsonl"), merged = temp("merged.jsonl");
  std::string page = temp("study.html"), again = temp("again.html"), merged_page = temp("merged.html");
  for (auto const& f : {csv, jsonl, merged})
    std::filesystem::remove(f);
  const std::string grid = " --sweep scenarios/sweeps/fabric-mode-replica.json --vary volumes[0].replica=2,4";
  Result r               = run("sweep" + grid + " -o " + csv + " --html " + page);
  ASSERT_EQ(r.status, 0) << r.out;
  std::string html = slurp(page);
  EXPECT_NE(html.find("data-figure=\"aggregate.write_MBps.after\"><svg"), std::string::npos);
  EXPECT_NE(html.find("replica 4 does not divide the 6 bricks"), std::string::npos) << "invalid points are listed";
  r = run("sweep" + grid + " -o " + jsonl);
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_EQ(run("report " + jsonl + " --html " + again).status, 0);
  std::string from_jsonl = slurp(again);
  for (auto at = from_jsonl.find(jsonl); at != std::string::npos; at = from_jsonl.find(jsonl, at))
    from_jsonl.replace(at, jsonl.size(), csv);
  EXPECT_EQ(from_jsonl, html) << "the same rows draw the same page, whatever the file's format";
  r = run("sweep --merge " + merged + " " + jsonl + " --html " + merged_page);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(slurp(merged_page).find("data-figure=\"aggregate.write_MBps.after\"><svg"), std::string::npos);
}

// Bad input: exit 2, one message with the file and the JSON path (or line), no page written.
TEST(CliReport, BadInputGivesStatus2NamingTheFile)
{
  std::string json = temp("bad.json"), html = temp("bad.html");
  ASSERT_EQ(run("simulate scenarios/reference.json --json " + json).status, 0);
  nlohmann::json doc                          = nlohmann::json::parse(slurp(json));
  doc["phases"][3]["clients"][1]["read_MBps"] = "fast";
  std::ofstream(json) << doc.dump();
  Result r = run("report " + json + " --html " + html);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(json + ": phases[3].clients[1].read_MBps: expected a number, got \"fast\""), std::string::npos)
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(html));
  std::string lines = temp("bad.jsonl");
  std::ofstream(lines) << slurp(kSweep)
                       << "{\"point\": 9, \"axes\": [], \"status\": \"ok\", \"error\": null, "
                          "\"figures\": {}}\n";
  r = run("report " + lines + " --html " + html);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(lines + ": line 7: axes: expected an object, got []"), std::string::npos) << r.out;
  r = run("report /nonexistent/r.json --html " + html);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("/nonexistent/r.json: cannot open the file"), std::string::npos) << r.out;
  EXPECT_EQ(run("report").status, 2);
}

// Without dot or gnuplot on PATH: a clear message naming the packages and exit 2, before the simulation runs.
TEST(CliReport, MissingToolsAreAClearError)
{
  std::string html = temp("nodot.html");
  Result r         = run("simulate scenarios/reference.json --html " + html, "PATH=/nonexistent ");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--html needs dot (Debian package graphviz)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gnuplot-nox"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Plan duration"), std::string::npos) << "refused before the run";
  EXPECT_FALSE(std::filesystem::exists(html));
  r = run("report " + kSweep + " --html " + html, "PATH=/nonexistent ");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_EQ(run("simulate scenarios/reference.json", "PATH=/nonexistent ").status, 0) << "only --html needs them";
}

// Plan A vs plan B from two scenarios: a pure distributed volume doubles vm2's write before the migration (one copy
// crosses its 1 Gbit/s NIC instead of two); vm1's reads are the same.
TEST(CliCompare, TwoScenariosSideBySide)
{
  std::string json = temp("cmp.json");
  Result r         = run("compare scenarios/reference.json scenarios/reference-distributed.json --json " + json);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("A: scenarios/reference.json"), std::string::npos) << r.out;
  auto line_of = [&](const std::string& text) {
    size_t at = r.out.find(text);
    return at == std::string::npos ? std::string() : r.out.substr(at, r.out.find('\n', at) - at);
  };
  std::string vm2 = line_of("before / vm2");
  EXPECT_NE(vm2.find("write_MBps"), std::string::npos) << r.out;
  EXPECT_NE(vm2.find("+100.0%  *"), std::string::npos) << vm2;
  EXPECT_EQ(line_of("before / vm1").find("*"), std::string::npos) << line_of("before / vm1");
  nlohmann::json j = nlohmann::json::parse(slurp(json));
  bool found       = false;
  for (auto const& row : j["rows"])
    if (row["item"] == "before / vm2" && row["metric"] == "write_MBps") {
      found = true;
      EXPECT_TRUE(row["differs"].get<bool>());
      EXPECT_NEAR(row["b"].get<double>(), 2 * row["a"].get<double>(), 1);
    }
  EXPECT_TRUE(found) << j.dump(1).substr(0, 2000);
}

// A saved report against a scenario (before vs after calibration), and bad input naming the file.
TEST(CliCompare, ReportAgainstScenarioAndBadInput)
{
  std::string json = temp("cmp-ref.json");
  ASSERT_EQ(run("simulate scenarios/reference.json --json " + json).status, 0);
  Result r = run("compare " + json + " scenarios/reference.json");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("0 of "), std::string::npos) << "the same prediction twice: no difference\n" << r.out;
  std::string bad    = temp("cmp-bad.json");
  nlohmann::json doc = nlohmann::json::parse(slurp(json));
  doc["tool"]        = 3;
  std::ofstream(bad) << doc.dump();
  r = run("compare " + json + " " + bad);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(bad + ": tool: expected a string, got 3"), std::string::npos) << r.out;
  r = run("compare " + json);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("compare needs two files"), std::string::npos) << r.out;
  r = run("compare " + json + " scenarios/broken/nosuch.json");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("scenarios/broken/nosuch.json: cannot open the file"), std::string::npos) << r.out;
}
