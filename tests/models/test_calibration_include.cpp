/* calibration.include: a scenario takes a calibration file (what ibmig calibrate writes). The scenario's own keys win,
 * stream_limits of both are kept (the scenario's first), calibration.disks replace nodes[].disk, and errors in the
 * included file name that file and its JSON path. */
#include "scenario_loader.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using namespace ibmig;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path scratch_dir()
{
  fs::path dir = fs::path(IBMIG_BINARY_DIR) / "test-calibration-include" /
                 ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& file, const json& doc)
{
  fs::create_directories(file.parent_path());
  std::ofstream(file) << doc.dump(2);
}

/* The samples' two-node scenario with this calibration section, written as DIR/scenario.json. */
std::string scenario_with(const fs::path& dir, const json& calibration)
{
  std::ifstream in(std::string(IBMIG_SOURCE_DIR) + "/tests/models/inputs/calibration/two-node-1gbe.json");
  json doc           = json::parse(in);
  doc["calibration"] = calibration;
  write(dir / "scenario.json", doc);
  return (dir / "scenario.json").string();
}

json value(double v, const std::string& source)
{
  return {{"value", v}, {"source", source}};
}

std::string error_of(const std::string& file)
{
  try {
    load_scenario(file);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace

TEST(CalibrationInclude, ScenarioKeysWinStreamLimitsOfBothKept)
{
  fs::path dir = scratch_dir();
  write(dir / "calibration/cluster.json",
        {{"description", "measured here"},
         {"fuse_MBps", value(500, "measured: dd (included)")},
         {"mount_s", value(0.2, "measured: emulate (included)")},
         {"stream_limits", json::array({{{"link", "ethernet"}, {"rate", "900Mbps"}, {"source", "included rule"}}})},
         {"disks", {{"n2", {{"write", "1GBps"}, {"read", "2GBps"}, {"source", "measured: fio (included)"}}}}},
         {"rdma_write_MBps", value(31, "measured: ib_write_bw (included)")}});
  std::string file = scenario_with(
      dir, {{"include", "calibration/cluster.json"},
            {"mount_s", value(0.9, "the scenario's own")},
            {"stream_limits", json::array({{{"link", "ethernet"}, {"rate", "800Mbps"}, {"source", "own rule"}}})}});
  Scenario sc = load_scenario(file);
  EXPECT_EQ(sc.calibration.fuse_MBps.value, 500);
  EXPECT_EQ(sc.calibration.fuse_MBps.source, "measured: dd (included)");
  EXPECT_EQ(sc.calibration.mount_s.value, 0.9) << "the scenario's own key wins";
  EXPECT_EQ(sc.calibration.fuse_request_s.source, default_calibration().fuse_request_s.source)
      << "a key neither sets keeps its default";
  ASSERT_EQ(sc.calibration.stream_limits.size(), 2u);
  EXPECT_EQ(sc.calibration.stream_limits[0].source, "own rule");
  EXPECT_EQ(sc.calibration.stream_limits[1].source, "included rule");
  const Node* n2 = sc.find_node("n2");
  EXPECT_DOUBLE_EQ(n2->disk.write.value, 1e9);
  EXPECT_DOUBLE_EQ(n2->disk.read.value, 2e9);
  EXPECT_EQ(n2->disk.source, "measured: fio (included)");
  EXPECT_DOUBLE_EQ(sc.find_node("n1")->disk.write.value, 200e6) << "a node without a measurement keeps its disk";
  ASSERT_TRUE(sc.calibration.rdma_write_MBps);
  EXPECT_EQ(sc.calibration.rdma_write_MBps->value, 31);
}

// An included file may include another, relative to itself; a disk measured for only one direction keeps the other.
TEST(CalibrationInclude, NestedIncludeRelativeToTheIncludingFile)
{
  fs::path dir = scratch_dir();
  write(dir / "base.json",
        {{"heal_MBps", value(40, "base")}, {"disks", {{"n2", {{"write", "300MBps"}, {"source", "fio write on n2"}}}}}});
  write(dir / "cal/top.json", {{"include", "../base.json"}, {"heal_MBps", value(60, "top")}});
  Scenario sc = load_scenario(scenario_with(dir, {{"include", "cal/top.json"}}));
  EXPECT_EQ(sc.calibration.heal_MBps.value, 60);
  const Node* n2 = sc.find_node("n2");
  EXPECT_DOUBLE_EQ(n2->disk.write.value, 300e6);
  EXPECT_DOUBLE_EQ(n2->disk.read.value, 250e6);
  EXPECT_EQ(n2->disk.source, "fio write on n2; read: assumption (not measured): replaced by the fio figure of ibmig "
                             "calibrate");
}

TEST(CalibrationInclude, ErrorsNameTheIncludedFileAndItsPath)
{
  fs::path dir = scratch_dir();
  write(dir / "bad.json", {{"fuse_MBps", {{"value", "fast"}, {"source", "x"}}}});
  std::string file = scenario_with(dir, {{"include", "bad.json"}});
  EXPECT_EQ(error_of(file), (dir / "bad.json").string() + ": fuse_MBps.value: expected a number, got \"fast\" " +
                                "(included by " + file + ": calibration.include)");

  write(dir / "unknown.json", {{"fuse_MBs", value(1, "x")}});
  file = scenario_with(dir, {{"include", "unknown.json"}});
  EXPECT_EQ(error_of(file), (dir / "unknown.json").string() + ": fuse_MBs: unknown field (included by " + file +
                                ": calibration.include)");

  write(dir / "node.json", {{"disks", {{"n9", {{"write", "1GBps"}, {"source", "fio"}}}}}});
  file = scenario_with(dir, {{"include", "node.json"}});
  EXPECT_EQ(error_of(file), (dir / "node.json").string() + ": disks.n9: unknown node \"n9\"");

  std::ofstream(dir / "text.json") << "{\"heal_MBps\": {\"value\": 1,";
  file = scenario_with(dir, {{"include", "text.json"}});
  EXPECT_EQ(error_of(file).rfind((dir / "text.json").string() + ": ", 0), 0u) << error_of(file);
  EXPECT_NE(error_of(file).find("(included by " + file + ": calibration.include)"), std::string::npos);
}

TEST(CalibrationInclude, MissingFileAndCycle)
{
  fs::path dir     = scratch_dir();
  std::string file = scenario_with(dir, {{"include", "calibration/absent.json"}});
  EXPECT_EQ(error_of(file), file + ": calibration.include: cannot open \"calibration/absent.json\" (" +
                                (dir / "calibration/absent.json").string() + "): no such file");

  file = scenario_with(dir, {{"include", 7}});
  EXPECT_EQ(error_of(file), file + ": calibration.include: expected the path of a calibration file (relative to "
                                   "this file), got 7");

  write(dir / "a.json", {{"include", "b.json"}});
  write(dir / "b.json", {{"include", "a.json"}});
  file          = scenario_with(dir, {{"include", "a.json"}});
  std::string e = error_of(file);
  EXPECT_EQ(e.rfind((dir / "b.json").string() + ": include: include cycle: ", 0), 0u) << e;
  EXPECT_NE(e.find((dir / "a.json").string() + " -> " + (dir / "b.json").string() + " -> " + (dir / "a.json").string()),
            std::string::npos)
      << e;

  file = scenario_with(dir, {{"include", "."}});
  EXPECT_NE(error_of(file).find("is not a regular file"), std::string::npos) << error_of(file);
}
