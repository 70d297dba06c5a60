/* The sweep's grid: how --vary items, ranges, sweep files and presets expand into numbered points of --set
 * overrides, and which points a --shard takes. */
#include "scenario_error.hpp"
#include "sweep_grid.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>

using namespace ibmig;
using namespace ibmig::sweep;

namespace {

std::vector<std::string> labels_of(const Axis& a)
{
  std::vector<std::string> out;
  for (auto const& v : a.values)
    out.push_back(v.label);
  return out;
}

std::string write_file(const std::string& name, const std::string& text)
{
  std::string file = testing::TempDir() + name;
  std::ofstream(file) << text;
  return file;
}

std::string error_of(const std::function<void()>& f)
{
  try {
    f();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

} // namespace

// Ranges keep the unit and end on STOP even when floating point lands a hair past it; a wrong count would silently
// drop the last value of a study.
TEST(SweepGrid, RangesExpandWithTheirUnitAndIncludeStop)
{
  EXPECT_EQ(*expand_range("60s:300s:60s"), (std::vector<std::string>{"60s", "120s", "180s", "240s", "300s"}));
  EXPECT_EQ(*expand_range("0.1:0.3:0.1"), (std::vector<std::string>{"0.1", "0.2", "0.3"}));
  EXPECT_EQ(*expand_range("100MBps:400MBps:150MBps"), (std::vector<std::string>{"100MBps", "250MBps", "400MBps"}));
  EXPECT_EQ(*expand_range("1:2:5"), (std::vector<std::string>{"1"})); // STOP not reached: START alone
  EXPECT_FALSE(expand_range("IB-SDR"));
  EXPECT_FALSE(expand_range("a:b:c"));
  EXPECT_THROW(expand_range("60s:5min:60s"), std::invalid_argument); // mixed units
  EXPECT_THROW(expand_range("1:4:0"), std::invalid_argument);
  EXPECT_THROW(expand_range("4:1:1"), std::invalid_argument);
}

// --vary takes a list whose items may be ranges; the override of each value is the path and that value as text.
TEST(SweepGrid, VaryMixesValuesAndRanges)
{
  Axis a = parse_vary("workload.before=30s,60s:120s:60s");
  EXPECT_EQ(a.name, "workload.before");
  EXPECT_EQ(labels_of(a), (std::vector<std::string>{"30s", "60s", "120s"}));
  ASSERT_EQ(a.values[2].overrides.size(), 1u);
  EXPECT_EQ(a.values[2].overrides[0].path, "workload.before");
  EXPECT_EQ(a.values[2].overrides[0].value, "120s");
  EXPECT_NE(error_of([] { parse_vary("workload.before"); }).find("expected PATH=V1,V2"), std::string::npos);
  EXPECT_NE(error_of([] { parse_vary("a=1,,2"); }).find("empty"), std::string::npos);
  EXPECT_NE(error_of([] { parse_vary("a=1,"); }).find("empty"), std::string::npos);
  EXPECT_NE(error_of([] { parse_vary("a=1s:2:1"); }).find("one unit"), std::string::npos);
}

// Points are numbered with the last axis fastest; a later axis's override comes after an earlier one's (so it wins).
TEST(SweepGrid, PointsAreNestedLoopsInAxisOrder)
{
  Grid g;
  add_axis(g, parse_vary("x=1,2,3"), "--vary");
  add_axis(g, parse_vary("y=a,b"), "--vary");
  ASSERT_EQ(g.size(), 6u);
  EXPECT_EQ(g.labels(0), (std::vector<std::string>{"1", "a"}));
  EXPECT_EQ(g.labels(1), (std::vector<std::string>{"1", "b"}));
  EXPECT_EQ(g.labels(5), (std::vector<std::string>{"3", "b"}));
  auto ov = g.overrides(3);
  ASSERT_EQ(ov.size(), 2u);
  EXPECT_EQ(ov[0].path + "=" + ov[0].value, "x=2");
  EXPECT_EQ(ov[1].path + "=" + ov[1].value, "y=b");
  EXPECT_NE(error_of([&] { add_axis(g, parse_vary("x=9"), "--vary"); }).find("a second axis"), std::string::npos);
  EXPECT_NE(error_of([&] { add_axis(g, parse_vary("status=1"), "--vary"); }).find("cannot be named"),
            std::string::npos);
  Grid big;
  add_axis(big, parse_vary("a=0:9999:1"), "--vary");
  EXPECT_NE(error_of([&] { add_axis(big, parse_vary("b=0:9999:1"), "--vary"); }).find("more than"), std::string::npos);
}

// A sweep file keeps its order (points and presets), resolves the scenario next to itself, and a preset sets
// several paths at once.
TEST(SweepGrid, SweepFileWithPresets)
{
  std::string f = write_file("grid.json", R"({"scenario": "c.json", "runs": 5, "axes": [
    {"name": "mode", "presets": {"zeta": {"p.mode": "datagram", "p.mtu": 2044}, "alpha": {"p.mode": "connected", "p.mtu": 65520}}},
    {"path": "r", "values": [3, "2", true]},
    {"path": "t", "range": "1s:2s:1s"}]})");
  SweepFile s   = load_sweep_file(f);
  EXPECT_EQ(s.scenario, (std::filesystem::path(f).parent_path() / "c.json").string());
  EXPECT_EQ(s.runs, 5);
  ASSERT_EQ(s.axes.size(), 3u);
  EXPECT_TRUE(s.axes[0].preset);
  EXPECT_EQ(labels_of(s.axes[0]), (std::vector<std::string>{"zeta", "alpha"})); // the file's order, not sorted
  ASSERT_EQ(s.axes[0].values[0].overrides.size(), 2u);
  EXPECT_EQ(s.axes[0].values[0].overrides[1].path, "p.mtu");
  EXPECT_EQ(s.axes[0].values[0].overrides[1].value, "2044");
  EXPECT_EQ(labels_of(s.axes[1]), (std::vector<std::string>{"3", "2", "true"}));
  EXPECT_EQ(labels_of(s.axes[2]), (std::vector<std::string>{"1s", "2s"}));
}

// Mistakes in a sweep file name the file and the JSON path.
TEST(SweepGrid, BadSweepFilesNameThePath)
{
  auto bad = [](const std::string& text) { return error_of([&] { load_sweep_file(write_file("bad.json", text)); }); };
  EXPECT_NE(bad(R"({"axes": [{"path": "a"}]})").find("bad.json: axes[0]: give either values"), std::string::npos);
  EXPECT_NE(bad(R"({"axes": [{"path": "a", "values": [{}]}]})").find("axes[0].values[0]"), std::string::npos);
  EXPECT_NE(bad(R"({"axes": [{"name": "m", "presets": {"x": 3}}]})").find("axes[0].presets.x"), std::string::npos);
  EXPECT_NE(bad(R"({"axes": [], "speed": 1})").find("speed: unknown field"), std::string::npos);
  EXPECT_NE(bad(R"({"axes": [{"path": "a", "range": "3:1:1"}]})").find("axes[0].range"), std::string::npos);
  EXPECT_NE(bad(R"({"axes": [{"path": "a", "values": [1]}, {"path": "a", "values": [2]}]})").find("a second axis"),
            std::string::npos);
  EXPECT_NE(bad(R"({"axes": [}")").find("bad.json"), std::string::npos);
}

// --vary over a path the file varies replaces that axis in its place; a preset axis is never replaced.
TEST(SweepGrid, VaryReplacesTheFilesAxis)
{
  Grid g;
  add_axis(g, parse_vary("a=1,2"), "f");
  add_axis(g, parse_vary("b=x,y"), "f");
  vary_axis(g, parse_vary("a=1,2,3"), "--vary");
  ASSERT_EQ(g.axes.size(), 2u);
  EXPECT_EQ(g.axes[0].name, "a");
  EXPECT_EQ(labels_of(g.axes[0]), (std::vector<std::string>{"1", "2", "3"}));
  vary_axis(g, parse_vary("c=7"), "--vary");
  EXPECT_EQ(g.axes.size(), 3u);
}

// Shards partition the grid: every point in exactly one shard, and each shard a share of every part of the grid.
TEST(SweepGrid, ShardsPartitionThePoints)
{
  std::multiset<std::size_t> seen;
  for (std::size_t i = 1; i <= 4; i++) {
    Shard s       = parse_shard(std::to_string(i) + "/4");
    std::size_t n = 0;
    for (std::size_t p = 0; p < 18; p++)
      if (s.contains(p)) {
        seen.insert(p);
        n++;
      }
    EXPECT_TRUE(n == 4 || n == 5) << "shard " << i << ": " << n;
  }
  EXPECT_EQ(seen.size(), 18u);
  for (std::size_t p = 0; p < 18; p++)
    EXPECT_EQ(seen.count(p), 1u);
  EXPECT_TRUE(parse_shard("1/1").contains(7));
  for (auto bad : {"0/4", "5/4", "1/0", "2", "a/b", "1/4x", "-1/4"})
    EXPECT_THROW(parse_shard(bad), std::invalid_argument) << bad;
}
