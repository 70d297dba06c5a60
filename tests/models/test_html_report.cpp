/* The pieces of `ibmig report --html` and `ibmig compare` with a fake drawing tool: what goes to dot and gnuplot,
 * escaping, bad input named by file and JSON path, the differences compare finds. */
#include "filter_runner.hpp"
#include "gnuplot_chart.hpp"
#include "html_page.hpp"
#include "html_report.hpp"
#include "html_sweep.hpp"
#include "report_compare.hpp"
#include "report_file.hpp"
#include "scenario_error.hpp"
#include "scenario_loader.hpp"
#include "topology_diagram.hpp"

#include <gtest/gtest.h>

using namespace ibmig;
using nlohmann::json;

namespace {

/* Records what it was asked to run and answers with a minimal SVG; `absent` tools are reported missing. */
struct FakeRunner : FilterRunner {
  std::vector<std::string> absent;
  std::vector<std::pair<std::string, std::string>> calls; // program, stdin
  std::string missing(const std::string& program) override
  {
    return std::find(absent.begin(), absent.end(), program) == absent.end() ? "" : "not on PATH";
  }
  FilterResult run(const std::vector<std::string>& argv, const std::string& input, Seconds) override
  {
    calls.push_back({argv.at(0), input});
    return {0, false, "<?xml version=\"1.0\"?>\n<svg id=\"g\"><use xlink:href=\"#g\"/></svg>\n", ""};
  }
};

Report reference_report()
{
  Report r;
  r.tool        = "simulate";
  r.scenario    = "two";
  r.phases      = {{"before", 0, 60, 55, 0, "client NIC", {{"vm<1>", "n1", 55, 0, 0, 2, 1, 1, "client NIC", "x"}}},
                   {"Stop VMs", 60, 90, 0, 0, "", {{"vm<1>", "n1", 0, 0, 0, 2, 1, 0, "", ""}}},
                   {"after", 90, 150, 160, 0, "brick disk", {{"vm<1>", "n1", 160, 0, 0, 2, 1, 1, "brick disk", ""}}}};
  r.steps       = {{"Stop VMs", "stop_clients", 60, 90, StepOutcome::Ok, "", StepTiming::Simulated, {}, ""}};
  r.vm_downtime = {{"vm<1>", 30, {}, {}, {{"Stop VMs", 30}}, {{60, 90, "VM stopped"}}}};
  r.checks      = {{"NO_LARGE_PING", Severity::Warning, "no large ping", "Stop VMs", FindingOrigin::Check}};
  return r;
}

} // namespace

// Every node, NIC and switch of the topology reaches dot, with the VMs in their node's box.
TEST(HtmlReport, TopologyDotHasEveryVertex)
{
  Scenario sc = load_scenario(IBMIG_SOURCE_DIR "/scenarios/reference.json");
  Topology t(sc);
  std::string dot = topology_dot(t, {{"n1", {"vm1", "vm2"}}});
  for (auto const& node : sc.nodes) {
    EXPECT_NE(dot.find("\"" + node.name), std::string::npos) << node.name;
    for (auto const& nic : node.nics)
      EXPECT_NE(dot.find(Topology::nic_name(node.name, nic.name)), std::string::npos) << nic.name;
  }
  for (auto const& net : sc.networks)
    EXPECT_NE(dot.find(net.sw.name), std::string::npos) << net.sw.name;
  EXPECT_NE(dot.find("vm1 vm2"), std::string::npos) << dot;
  EXPECT_NE(dot.find("dashed"), std::string::npos) << "reference.json's ib0 NICs are installed by the plan";
}

// The report's topology survives its JSON: an older report without one still reads.
TEST(HtmlReport, TopologyRoundTripsAndIsOptional)
{
  Scenario sc = load_scenario(IBMIG_SOURCE_DIR "/scenarios/reference.json");
  Report r    = reference_report();
  r.topology  = report_topology(sc);
  Report back = report_from_json(to_json(r));
  ASSERT_TRUE(back.topology);
  EXPECT_EQ(back.topology->nodes.size(), sc.nodes.size());
  EXPECT_EQ(to_json(*back.topology), to_json(*r.topology));
  json old = to_json(reference_report());
  EXPECT_FALSE(old.contains("topology"));
  EXPECT_FALSE(report_from_json(old).topology);
}

// gnuplot's script: quotes doubled (a title cannot end the string), each series its own datablock, no gaps drawn.
TEST(HtmlReport, GnuplotScriptQuotesAndData)
{
  Chart c;
  c.title       = "vm2's write";
  c.series      = {{"a", {{0, 1}, {1, 2}}}, {"empty", {}}, {"b", {{0, 3}}}};
  std::string s = gnuplot_script(c);
  EXPECT_NE(s.find("set title 'vm2''s write'"), std::string::npos) << s;
  EXPECT_NE(s.find("$D0 << EOD\n0 1\n1 2\nEOD"), std::string::npos) << s;
  EXPECT_NE(s.find("$D1 << EOD\n0 3\nEOD"), std::string::npos) << s;
  EXPECT_EQ(s.find("'empty'"), std::string::npos) << "a series with no point is an empty datablock: a gnuplot error";
  EXPECT_NE(s.find("noenhanced"), std::string::npos) << "vm1.write_MBps would print MBps as a subscript";
  EXPECT_EQ(gnuplot_script(Chart{}), "");
}

// Names are escaped, the SVG is inlined without its prolog and with prefixed ids, every section is there.
TEST(HtmlReport, PageEscapesAndInlines)
{
  FakeRunner runner;
  Report r       = reference_report();
  std::string pg = html_report(r, runner);
  EXPECT_EQ(pg.find("vm<1>"), std::string::npos) << "an unescaped name is markup";
  EXPECT_NE(pg.find("vm&lt;1&gt;"), std::string::npos);
  EXPECT_EQ(pg.find("<?xml"), std::string::npos);
  EXPECT_NE(pg.find("id=\"chart0-g\""), std::string::npos) << pg.substr(0, 200);
  EXPECT_NE(pg.find("href=\"#chart0-g\""), std::string::npos);
  for (const char* s : {"id=\"timeline\"", "id=\"throughput\"", "id=\"findings\"", "NO_LARGE_PING", "brick disk"})
    EXPECT_NE(pg.find(s), std::string::npos) << s;
  EXPECT_EQ(pg.find("<script"), std::string::npos);
  EXPECT_NE(pg.find("holds no topology"), std::string::npos) << "this report has none: the page says so";
  for (auto const& [program, input] : runner.calls)
    EXPECT_EQ(program, "gnuplot") << "no topology, so no dot";
}

// A missing tool is a clear message with its package, before any work.
TEST(HtmlReport, MissingToolsAreNamed)
{
  FakeRunner runner;
  runner.absent   = {"dot", "gnuplot"};
  std::string why = missing_html_tools(runner);
  EXPECT_NE(why.find("graphviz"), std::string::npos) << why;
  EXPECT_NE(why.find("gnuplot-nox"), std::string::npos) << why;
  EXPECT_THROW(html_report(reference_report(), runner), ToolError);
}

// The real runner: stdin reaches the child, its stdout comes back; a failing or missing program is reported.
TEST(HtmlReport, SystemRunnerFeedsStdin)
{
  SystemFilterRunner runner;
  std::string big(1 << 20, 'x'); // more than a pipe holds: input and output must be interleaved
  FilterResult r = runner.run({"cat"}, big, Seconds{10});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.out.size(), big.size());
  EXPECT_FALSE(runner.run({"false"}, "", Seconds{10}).ok());
  EXPECT_NE(runner.missing("no-such-tool-ibmig"), "");
  EXPECT_THROW(run_tool(runner, {"no-such-tool-ibmig"}, "", "pkg"), ToolError);
  FilterResult slow = runner.run({"sleep", "5"}, "", Seconds{0.2});
  EXPECT_TRUE(slow.timed_out);
}

// Sweep lines: the axes in the written order (the first is x), bad lines named by line and key.
TEST(HtmlSweep, ParsesAndNamesBadLines)
{
  auto pts =
      parse_sweep_lines("{\"point\": 0, \"axes\": {\"z\": 1, \"a\": \"x\"}, \"status\": \"ok\", \"error\": null, "
                        "\"figures\": {\"f\": 2.5, \"g\": null}}\n\n",
                        "s.jsonl");
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_EQ(pts[0].axes.at(0).first, "z");
  EXPECT_FALSE(pts[0].figures.at(1).second);
  auto error_of = [](const std::string& text) {
    try {
      parse_sweep_lines(text, "s.jsonl");
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string ok = "{\"point\": 0, \"axes\": {}, \"status\": \"ok\", \"error\": null, \"figures\": {}}\n";
  EXPECT_EQ(error_of(ok + "{\"point\": 1, \"axes\": {}, \"status\": \"ok\", \"error\": null, \"figures\": {\"f\": "
                          "\"fast\"}}"),
            "s.jsonl: line 2: figures.f: expected a number or null, got \"fast\"");
  EXPECT_EQ(error_of("{\"point\": 0, \"axes\": {}, \"status\": \"done\", \"error\": null, \"figures\": {}}"),
            "s.jsonl: line 1: status: expected \"ok\", \"invalid\" or \"failed\", got \"done\"");
  EXPECT_NE(error_of(ok + "{\"point\": 1,").find("s.jsonl: line 2"), std::string::npos);
  EXPECT_EQ(error_of("\n"), "s.jsonl: no sweep points (expected one JSON object a line)");
}

// One chart per figure, one line per combination of the other axes; the points that did not run are listed.
TEST(HtmlSweep, OneChartPerFigure)
{
  FakeRunner runner;
  auto pts = parse_sweep_lines(
      "{\"point\": 0, \"axes\": {\"t\": \"SDR\", \"m\": 1}, \"status\": \"ok\", \"error\": null, \"figures\": "
      "{\"f\": 1, \"g\": 2}}\n"
      "{\"point\": 1, \"axes\": {\"t\": \"DDR\", \"m\": 1}, \"status\": \"ok\", \"error\": null, \"figures\": "
      "{\"f\": 3, \"g\": 4}}\n"
      "{\"point\": 2, \"axes\": {\"t\": \"SDR\", \"m\": 2}, \"status\": \"ok\", \"error\": null, \"figures\": "
      "{\"f\": 5, \"g\": 6}}\n"
      "{\"point\": 3, \"axes\": {\"t\": \"XDR\", \"m\": 2}, \"status\": \"invalid\", \"error\": \"no <XDR>\", "
      "\"figures\": {}}\n",
      "s.jsonl");
  std::string pg = html_sweep(pts, "s.jsonl", runner);
  ASSERT_EQ(runner.calls.size(), 2u) << "figures f and g";
  auto const& script = runner.calls[0].second;
  EXPECT_NE(script.find("set xtics ('SDR' 0, 'DDR' 1, 'XDR' 2)"), std::string::npos) << script;
  EXPECT_NE(script.find("title 'm=1'"), std::string::npos) << script;
  EXPECT_NE(script.find("title 'm=2'"), std::string::npos) << script;
  EXPECT_NE(script.find("0 1\n1 3\n"), std::string::npos) << "m=1: SDR then DDR\n" << script;
  EXPECT_NE(pg.find("no &lt;XDR&gt;"), std::string::npos) << "the invalid point's error, escaped";
}

// A report read back: a wrong type or a missing key named by file and JSON path.
TEST(ReportFile, BadReportNamesFileAndPath)
{
  json doc      = to_json(reference_report());
  auto error_of = [](const json& d) {
    try {
      report_from_document(d, "r.json");
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of(doc), "no error");
  json bad                                     = doc;
  bad["phases"][2]["clients"][0]["write_MBps"] = "fast";
  EXPECT_EQ(error_of(bad), "r.json: phases[2].clients[0].write_MBps: expected a number, got \"fast\"");
  bad = doc;
  bad["downtime"]["vms"][0].erase("intervals");
  EXPECT_EQ(error_of(bad), "r.json: downtime.vms[0].intervals: missing (a report as ibmig simulate --json writes it "
                           "has it)");
  bad                        = doc;
  bad["steps"][0]["outcome"] = "maybe";
  EXPECT_NE(error_of(bad).find("r.json: steps[0].outcome: unknown step outcome \"maybe\""), std::string::npos)
      << error_of(bad);
  EXPECT_NE(error_of(json{{"name", "x"}}).find("not an ibmig report"), std::string::npos);
  bad                        = doc;
  bad["plan_duration_p50_s"] = nullptr; // an optional figure
  EXPECT_EQ(error_of(bad), "no error");
}

// Compare: the changed figures, bottlenecks and findings, phases matched by name.
TEST(ReportCompare, FindsTheDifferences)
{
  Report a = reference_report(), b = reference_report();
  b.phases[2].clients[0].write_MBps = 200;
  b.phases[2].clients[0].bottleneck = "client NIC";
  b.plan_duration_s                 = 100;
  b.checks.clear();
  b.checks.push_back({"PING_FAILED", Severity::Error, "x", "", FindingOrigin::Check});
  auto c   = compare_reports(a, "a.json", b, "b.json");
  auto row = [&](const std::string& item, const std::string& metric) -> const CompareRow* {
    for (auto const& r : c.rows)
      if (r.item == item && r.metric == metric) return &r;
    return nullptr;
  };
  ASSERT_TRUE(row("after / vm<1>", "write_MBps"));
  EXPECT_TRUE(row("after / vm<1>", "write_MBps")->differs());
  EXPECT_DOUBLE_EQ(*row("after / vm<1>", "write_MBps")->change_pct(), 25.0);
  EXPECT_FALSE(row("before / vm<1>", "write_MBps")->differs());
  EXPECT_FALSE(row("before / vm<1>", "read_MBps")) << "no read I/O on either side: no row";
  ASSERT_EQ(c.texts.size(), 1u);
  EXPECT_EQ(c.texts[0].item, "after / vm<1>");
  EXPECT_EQ(c.findings_a_only, std::vector<std::string>{"warning NO_LARGE_PING [Stop VMs]"});
  EXPECT_EQ(c.findings_b_only, std::vector<std::string>{"error PING_FAILED"});
  json j = to_json(c);
  EXPECT_EQ(j["rows"][0]["metric"], "duration_s");
  EXPECT_EQ(j["rows"][0]["b_minus_a"], 100 - a.plan_duration_s);
}
