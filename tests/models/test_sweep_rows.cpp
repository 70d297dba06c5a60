/* The sweep's rows: figures taken from a report, written as CSV (RFC 4180) and JSON lines, read back to resume and
 * merge. A row that does not survive a write and a read would make a resumed sweep refuse its own file. */
#include "sweep_rows.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace ibmig;
using namespace ibmig::sweep;

namespace {

Columns columns()
{
  Columns c;
  c.axes    = {"fabric", "nodes[0].disk.write"};
  c.figures = figure_names({"vm1"});
  return c;
}

Report report()
{
  Report r;
  r.plan_duration_s = 4840.0004;
  PhaseReport before{"before", 0, 60, 95.017793, 70, "client NIC n1-eth1 send (1GbE)", {}};
  ClientFigures vm1;
  vm1.name       = "vm1";
  vm1.write_MBps = 55.01782993;
  before.clients = {vm1};
  PhaseReport after{"after", 4900, 4960, 204, 70, "brick disk (n3)", {}};
  vm1.write_MBps = 164;
  after.clients  = {vm1};
  r.phases       = {before, after};
  DowntimeEntry d{"vm1", 4840, 4831.25, 6390.1, {}, {}};
  DowntimeEntry e{"vm2", 100, 90.0, 7000.5, {}, {}};
  r.vm_downtime = {d, e};
  return r;
}

double figure(const Row& r, const std::string& name)
{
  auto names = columns().figures;
  auto at    = std::find(names.begin(), names.end(), name) - names.begin();
  EXPECT_TRUE(r.figures.at(static_cast<std::size_t>(at))) << name;
  return r.figures.at(static_cast<std::size_t>(at)).value_or(-1);
}

std::string write(const std::string& name, const std::string& text)
{
  std::string file = testing::TempDir() + name;
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

} // namespace

// The figures a study compares, from the report: per VM and aggregate per phase, rounded to 0.001; downtime of the
// worst VM (its P95 may come from another VM than its nominal figure).
TEST(SweepRows, FiguresComeFromTheReport)
{
  Row r = row_from_report(3, {"SDR", "100MBps"}, report(), columns());
  EXPECT_EQ(r.status, "ok");
  EXPECT_FALSE(r.error);
  EXPECT_DOUBLE_EQ(figure(r, "vm1.write_MBps.before"), 55.018);
  EXPECT_DOUBLE_EQ(figure(r, "vm1.write_MBps.after"), 164);
  EXPECT_DOUBLE_EQ(figure(r, "aggregate.write_MBps.before"), 95.018);
  EXPECT_DOUBLE_EQ(figure(r, "plan_duration_s"), 4840);
  EXPECT_DOUBLE_EQ(figure(r, "vm_downtime_s.max"), 4840);
  EXPECT_DOUBLE_EQ(figure(r, "vm_downtime_s.p50"), 4831.25);
  EXPECT_DOUBLE_EQ(figure(r, "vm_downtime_s.p95"), 7000.5);
  EXPECT_DOUBLE_EQ(figure(r, "checker_errors"), 0);
  EXPECT_EQ(r.bottleneck, (std::vector<std::string>{"client NIC n1-eth1 send (1GbE)", "brick disk (n3)"}));
}

// A failed step makes the row "failed" with the verdict's line; its figures stay (the study still reads them).
TEST(SweepRows, AFailedPlanIsAFailedRowWithFigures)
{
  Report rep = report();
  StepReport st;
  st.name    = "Check peers";
  st.outcome = StepOutcome::Failed;
  rep.steps  = {st};
  Row r      = row_from_report(0, {"SDR", "1"}, rep, columns());
  EXPECT_EQ(r.status, "failed");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("1 step failed"), std::string::npos) << *r.error;
  EXPECT_DOUBLE_EQ(figure(r, "failed_steps"), 1);
  EXPECT_DOUBLE_EQ(figure(r, "vm1.write_MBps.after"), 164);
}

// RFC 4180: fields with a comma, a quote or a line break are quoted, quotes doubled; others are left bare.
TEST(SweepRows, CsvQuoting)
{
  EXPECT_EQ(csv_field("IB-SDR"), "IB-SDR");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  Row r            = row_without_report(1, {"x,y", "\"q\""}, "invalid", "f.json: a: bad, \"very\"\nbad", columns());
  std::string line = row_line(Format::Csv, r, columns());
  EXPECT_EQ(line.rfind("1,\"x,y\",\"\"\"q\"\"\",invalid,\"f.json: a: bad, \"\"very\"\"\nbad\",", 0), 0u) << line;
  EXPECT_EQ(line.substr(line.size() - 2), "\r\n");
}

// Both formats read back to the same rows and, written again, to the same bytes (resume and merge rely on it).
TEST(SweepRows, RowsSurviveAWriteAndARead)
{
  Columns c             = columns();
  std::vector<Row> rows = {row_from_report(2, {"QDR", "400MBps"}, report(), c),
                           row_without_report(0, {"a,\"b\"", "x\ny"}, "invalid", "bad, \"value\"", c)};
  for (auto f : {Format::Csv, Format::Jsonl}) {
    std::string text = rows_text(f, c, rows);
    std::string file = write(f == Format::Csv ? "rows.csv" : "rows.jsonl", text);
    RowsFile back    = read_rows(file);
    EXPECT_FALSE(back.truncated);
    EXPECT_EQ(back.columns, c);
    ASSERT_EQ(back.rows.size(), 2u);
    EXPECT_EQ(back.rows[0].point, 0u); // sorted by point
    EXPECT_EQ(back.rows[0], rows[1]);
    EXPECT_EQ(back.rows[1], rows[0]);
    EXPECT_EQ(rows_text(f, back.columns, back.rows), text);
  }
}

// The JSON lines contract with the HTML charts: exactly these keys, axes as given, figures numbers or null.
TEST(SweepRows, JsonLineShape)
{
  Row r  = row_from_report(7, {"SDR", "100MBps"}, report(), columns());
  auto j = nlohmann::json::parse(row_line(Format::Jsonl, r, columns()));
  EXPECT_EQ(j["point"], 7);
  EXPECT_EQ(j["axes"]["fabric"], "SDR");
  EXPECT_EQ(j["status"], "ok");
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_EQ(j["figures"]["vm1.write_MBps.after"], 164);
  EXPECT_TRUE(j["figures"]["plan_duration_s.p50"].is_null());
  EXPECT_EQ(j["bottleneck"]["after"], "brick disk (n3)");
  EXPECT_EQ(j.size(), 6u);
}

// A run killed while writing leaves half a line: dropped (the point runs again), not an error.
TEST(SweepRows, ATornLastLineIsDropped)
{
  Columns c     = columns();
  std::string t = rows_text(Format::Jsonl, c, {row_from_report(0, {"SDR", "1"}, report(), c)});
  RowsFile back = read_rows(write("torn.jsonl", t + "{\"point\": 1, \"ax"));
  EXPECT_TRUE(back.truncated);
  EXPECT_EQ(back.rows.size(), 1u);
  std::string csv = rows_text(Format::Csv, c, {row_from_report(0, {"SDR", "1"}, report(), c)});
  back            = read_rows(write("torn.csv", csv + "1,SDR,\"half"));
  EXPECT_TRUE(back.truncated);
  EXPECT_EQ(back.rows.size(), 1u);
}

// Anything else that is not a row names the file and the line.
TEST(SweepRows, BadRowsNameTheFileAndLine)
{
  auto error = [](const std::string& name, const std::string& text) {
    try {
      read_rows(write(name, text));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(
      error("b.jsonl", "{\"point\":0,\"axes\":{},\"status\":\"ok\",\"figures\":{}}\nnope\n").find("b.jsonl: line 2"),
      std::string::npos);
  EXPECT_NE(error("c.jsonl", "{\"point\":0,\"axes\":{},\"status\":\"fine\",\"figures\":{}}\n").find("status must be"),
            std::string::npos);
  EXPECT_NE(error("d.csv", "pt,status\r\n").find("d.csv: line 1"), std::string::npos);
  EXPECT_THROW(format_of("rows.txt"), std::invalid_argument);
}
