/* `ibmig calibrate` as a user runs it: bad measurement files are one message naming the file, exit 2; the samples
 * measured on this machine give a calibration file and a scenario that includes it, which simulate then takes. */
#include "run_ibmig.hpp"
#include "scenario_loader.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace ibmig::test;
namespace fs = std::filesystem;

namespace {
const std::string kSamples = "tests/models/inputs/calibration/";
}

TEST(CliCalibrate, AFileThatIsNotAMeasurementExitsTwoNamingIt)
{
  Result r = run("calibrate --link ethernet --iperf3 scenarios/reference.json");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("scenarios/reference.json"), std::string::npos) << r.out;
  Result missing = run("calibrate --link ethernet --iperf3 no-such-file.json");
  EXPECT_EQ(missing.status, 2) << missing.out;
  EXPECT_NE(missing.out.find("no-such-file.json"), std::string::npos) << missing.out;
}

TEST(CliCalibrate, SamplesMakeAScenarioThatSimulateTakes)
{
  fs::path dir = fs::path(IBMIG_BINARY_DIR) / "cli-calibrate";
  fs::remove_all(dir);
  fs::create_directories(dir);
  Result r = run("calibrate --scenario " + kSamples + "two-node-1gbe.json --node n1 --interface eth1 --iperf3 " +
                 kSamples + "iperf3-emulated-1gbe-P1.json --iperf3 " + kSamples +
                 "iperf3-emulated-1gbe-P4.json --fio n2=" + kSamples + "fio-tmpfs-256MiB.json -o " +
                 (dir / "cal.json").string() + " --write-scenario " + (dir / "scenario.json").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("stream_limits: ethernet"), std::string::npos) << r.out;
  std::ifstream in(dir / "cal.json");
  nlohmann::json cal = nlohmann::json::parse(in);
  ASSERT_EQ(cal.at("stream_limits").size(), 1u);
  EXPECT_NE(cal["stream_limits"][0]["source"].get<std::string>().find("iperf3-emulated-1gbe-P1.json"),
            std::string::npos);
  Result sim = run("simulate " + (dir / "scenario.json").string() + " --json " + (dir / "report.json").string());
  EXPECT_EQ(sim.status, 0) << sim.out;
  // What the scenario now rests on: n2's disk from the fio file, the stream rule from iperf3.
  ibmig::Scenario sc = ibmig::load_scenario((dir / "scenario.json").string());
  EXPECT_NE(sc.find_node("n2")->disk.source.find("fio-tmpfs-256MiB.json"), std::string::npos)
      << sc.find_node("n2")->disk.source;
  ASSERT_FALSE(sc.calibration.stream_limits.empty());
  EXPECT_NE(sc.calibration.stream_limits[0].source.find("iperf3"), std::string::npos);
}
