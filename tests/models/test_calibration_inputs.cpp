/* Readers of the calibration measurements, on the samples measured on this machine (inputs/calibration/README.md)
 * and on broken input, which must give one message naming the file and where in it. */
#include "calibration_inputs.hpp"
#include "scenario_error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using namespace ibmig;

namespace {

std::string sample(const std::string& name)
{
  return std::string(IBMIG_SOURCE_DIR) + "/tests/models/inputs/calibration/" + name;
}

/* A file in a fresh folder of the build tree holding `text`. */
std::string scratch(const std::string& name, const std::string& text)
{
  auto dir = std::filesystem::path(IBMIG_BINARY_DIR) / "test-calibration-inputs" /
             ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name) << text;
  return (dir / name).string();
}

/* The error's text, which must name the file and the JSON path or line. */
template <class F> std::string error_of(F f)
{
  try {
    f();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace

// The one-stream figure is what the receiver got: on a veth shaped to 2 Gbit/s it cannot exceed 2 Gbit/s, and tbf
// lets a single TCP stream fill most of it. Reading sum_sent or an interval would break the upper bound or the
// stream count.
TEST(CalibrationInputs, Iperf3OneAndFourStreams)
{
  for (const char* mtu : {"65520", "2044"}) {
    IperfRun one  = read_iperf3(sample(std::string("iperf3-veth-2gbit-mtu") + mtu + "-P1.json"));
    IperfRun four = read_iperf3(sample(std::string("iperf3-veth-2gbit-mtu") + mtu + "-P4.json"));
    EXPECT_EQ(one.streams, 1);
    EXPECT_EQ(four.streams, 4);
    for (const IperfRun* r : {&one, &four}) {
      EXPECT_GT(r->received.value, 1.5e9) << r->file;
      EXPECT_LE(r->received.value, 2.0e9 * 1.001) << r->file << ": above the shaped rate";
      EXPECT_NEAR(r->duration.value, 5, 0.5) << r->file; // iperf3 -t 5
    }
    EXPECT_FALSE(one.when.empty());
  }
}

TEST(CalibrationInputs, FioWriteThenReadGroups)
{
  FioRun f = read_fio(sample("fio-tmpfs-256MiB.json"));
  ASSERT_TRUE(f.write && f.read);
  // A tmpfs writes and reads at memory speed: well above any disk of the scenarios, below 100 GB/s.
  EXPECT_GT(f.write->value, 300e6);
  EXPECT_GT(f.read->value, 300e6);
  EXPECT_LT(f.write->value, 100e9);
  EXPECT_NE(f.jobs.find("seqwrite (write, bs 1M)"), std::string::npos) << f.jobs;
  EXPECT_NE(f.jobs.find("seqread (read, bs 1M)"), std::string::npos) << f.jobs;
}

// Two jobs of one reporting group run together (their bandwidths add up); stonewalled groups one after the other.
TEST(CalibrationInputs, FioJobsOfOneGroupAddUp)
{
  auto job = [](const char* name, int group, double w) {
    return std::string("{\"jobname\":\"") + name + "\",\"groupid\":" + std::to_string(group) +
           ",\"write\":{\"bw_bytes\":" + std::to_string(w) + "},\"read\":{\"bw_bytes\":0}}";
  };
  FioRun f = read_fio(scratch("f.json", "{\"jobs\":[" + job("a", 0, 100e6) + "," + job("b", 0, 50e6) + "," +
                                            job("c", 1, 120e6) + "]}"));
  ASSERT_TRUE(f.write);
  EXPECT_DOUBLE_EQ(f.write->value, 150e6);
  EXPECT_FALSE(f.read);
}

TEST(CalibrationInputs, DdThroughGlusterAtFourBlockSizes)
{
  std::vector<double> rates;
  for (auto [name, bs] : {std::pair{"bs4k", 4096.0}, std::pair{"bs16k", 16384.0}, std::pair{"bs64k", 65536.0},
                          std::pair{"bs1M", 1048576.0}}) {
    std::vector<DdRun> runs = read_dd(sample(std::string("dd-gluster-fuse-") + name + ".txt"));
    ASSERT_EQ(runs.size(), 1u);
    ASSERT_TRUE(runs[0].block_size) << "the bs= of the dd command line in the file";
    EXPECT_DOUBLE_EQ(runs[0].block_size->value, bs);
    // Through a 1 Gbit/s link nothing writes faster than 125 MB/s.
    EXPECT_LT(runs[0].rate().value, 125e6) << name;
    rates.push_back(runs[0].rate().value);
  }
  // 4 KiB requests pay FUSE's cost per request 32 times as often as 128 KiB ones.
  EXPECT_LT(rates.front(), rates.back());
}

TEST(CalibrationInputs, DdSizesAndSummaryForms)
{
  EXPECT_DOUBLE_EQ(parse_dd_size("4k")->value, 4096);
  EXPECT_DOUBLE_EQ(parse_dd_size("1M")->value, 1048576);
  EXPECT_DOUBLE_EQ(parse_dd_size("1MB")->value, 1e6);
  EXPECT_DOUBLE_EQ(parse_dd_size("64KiB")->value, 65536);
  EXPECT_DOUBLE_EQ(parse_dd_size("512")->value, 512);
  EXPECT_FALSE(parse_dd_size("1.5M"));
  EXPECT_FALSE(parse_dd_size("4q"));
  // Two runs in one file, each after its command; "1 byte copied" and busybox's line without the parenthesis.
  auto runs = read_dd(scratch("dd.txt", "# dd bs=8k count=1000 if=/dev/zero of=/mnt/a\n"
                                        "8192000 bytes (8.2 MB, 7.8 MiB) copied, 0.5 s, 16.4 MB/s\n"
                                        "$ dd if=/dev/zero of=/mnt/b obs=1M count=1\n"
                                        "1048576 bytes copied, 0.25 s, 4.2 MB/s\n"));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_DOUBLE_EQ(runs[0].block_size->value, 8192);
  EXPECT_DOUBLE_EQ(runs[0].rate().value, 8192000 / 0.5);
  EXPECT_DOUBLE_EQ(runs[1].block_size->value, 1048576);
  EXPECT_EQ(runs[1].line, 4);
}

TEST(CalibrationInputs, EmulateReportSteps)
{
  EmulateReport r = read_emulate_report(sample("emulate-two-node-1gbe.json"));
  EXPECT_EQ(r.scenario, "two-node-1gbe");
  ASSERT_GE(r.steps.size(), 10u);
  int measured = 0;
  for (auto const& s : r.steps) {
    if (s.action == "wait") {
      EXPECT_FALSE(s.measured) << "a wait is an emulated wait, not a machine time";
    }
    measured += s.measured && s.ok && s.machine_s;
  }
  EXPECT_GE(measured, 9);
}

TEST(CalibrationInputs, IbWriteBwTable)
{
  std::string f = scratch("ib_write_bw.txt", "---------------------------------------------------------------\n"
                                             " #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   "
                                             "MsgRate[Mpps]\n"
                                             " 65536      5000             29.81              29.78               "
                                             "0.000476\n");
  PerftestRun r = read_ib_write_bw(f);
  EXPECT_DOUBLE_EQ(r.message.value, 65536);
  EXPECT_EQ(r.iterations, 5000);
  EXPECT_DOUBLE_EQ(r.average.value, 29.78 * 1048576);
  EXPECT_EQ(r.line, 3);
}

// Measured in two soft-RoCE guests under TCG (README): 1 MiB messages, 64 iterations, tens of MB/s at most.
TEST(CalibrationInputs, IbWriteBwSampleFromSoftRoce)
{
  PerftestRun r = read_ib_write_bw(sample("ib_write_bw-softroce-tcg.txt"));
  EXPECT_DOUBLE_EQ(r.message.value, 1048576);
  EXPECT_EQ(r.iterations, 64);
  EXPECT_GT(r.average.value, 1e6);
  EXPECT_LT(r.average.value, 200e6) << "TCG guests on 2 cores";
  EXPECT_GE(r.peak.value, r.average.value * 0.99);
}

// Broken input: one message with the file and where in it.
TEST(CalibrationInputs, BrokenInputNamesTheFile)
{
  std::string f = scratch("cut.json", "{\"start\": {\"test_start\": {\"num_streams\": 1}}, \"end\": {");
  std::string e = error_of([&] { read_iperf3(f); });
  EXPECT_EQ(e.rfind(f + ": ", 0), 0u) << e;
  EXPECT_NE(e.find("line 1"), std::string::npos) << e;

  f = scratch("failed.json", "{\"start\": {}, \"error\": \"unable to connect to server: Connection refused\"}");
  EXPECT_EQ(error_of([&] { read_iperf3(f); }),
            f + ": error: iperf3 reported an error: unable to connect to server: Connection refused");

  f = scratch("udp.json", "{\"start\": {\"test_start\": {\"num_streams\": 1}}, \"end\": {\"sum\": {}}}");
  EXPECT_EQ(error_of([&] { read_iperf3(f); }),
            f + ": end.sum_received: missing (expected the receiver's rate (iperf3 -J, TCP test))");

  f = scratch("nojobs.json", "{\"fio version\": \"fio-3.33\", \"jobs\": []}");
  EXPECT_EQ(error_of([&] { read_fio(f); }), f + ": jobs: expected a non-empty list of fio jobs");

  f = scratch("fio-bad.json", "{\"jobs\": [{\"jobname\": \"w\", \"write\": {\"bw_bytes\": \"fast\"}, \"read\": {}}]}");
  EXPECT_EQ(error_of([&] { read_fio(f); }), f + ": jobs[0].write.bw_bytes: expected a number of bytes/s, got \"fast\"");

  f = scratch("dd.txt", "dd: failed to open '/mnt/x': Transport endpoint is not connected\n");
  EXPECT_EQ(error_of([&] { read_dd(f); }), f + ": no dd summary line (\"N bytes (...) copied, T s, R MB/s\")");

  f = scratch("dd-bs.txt", "$ dd if=/dev/zero of=/mnt/x bs=1.5M count=3\n");
  EXPECT_EQ(error_of([&] { read_dd(f); }), f + ": line 1: cannot read the block size \"1.5M\" of the dd command");

  f = scratch("perftest.txt", " #bytes #iterations BW peak[MB/sec] BW average[MB/sec] MsgRate[Mpps]\n"
                              "Completion with error at client\n");
  EXPECT_EQ(error_of([&] { read_ib_write_bw(f); }), f + ": line 1: the ib_write_bw table has no result row");

  f = scratch("sim.json", "{\"tool\": \"simulate\", \"steps\": []}");
  EXPECT_EQ(error_of([&] { read_emulate_report(f); }),
            f + ": tool: expected a report of ibmig emulate, got tool \"simulate\" (a prediction, not a measurement)");

  f = scratch("emu.json", "{\"tool\": \"emulate\", \"steps\": [{\"name\": \"a\", \"action\": \"check_peers\", "
                          "\"machine_s\": -1}]}");
  EXPECT_EQ(error_of([&] { read_emulate_report(f); }),
            f + ": steps[0].machine_s: expected seconds (a number >= 0), got -1");

  const std::string missing = scratch("x", "") + ".absent";
  EXPECT_EQ(error_of([&] { read_fio(missing); }), missing + ": cannot open the file (no such file)");
  const std::string dir = std::filesystem::path(missing).parent_path().string();
  EXPECT_EQ(error_of([&] { read_dd(dir); }), dir + ": is not a regular file");
}
