/* The fit of ibmig calibrate on made-up measurements whose answer is known: FUSE's two costs from dd at two request
 * sizes, the stream rule's scope from iperf3 -P 1 and -P N, the disks, and the machine times per node. */
#include "calibration_fit.hpp"
#include "host_limits.hpp"
#include "scenario_loader.hpp"

#include <fstream>
#include <gtest/gtest.h>

using namespace ibmig;
using nlohmann::json;

namespace {

/* A dd run that a FUSE mount of these two costs would give at block size bs. */
DdRun dd_at(double bs, double request_s, double copy_Bps, const std::string& file = "dd.txt")
{
  double r = std::min(bs, kFuseMaxWriteBytes);
  DdRun d;
  d.file       = file;
  d.line       = 2;
  d.bytes      = Bytes{256.0 * 1048576};
  d.seconds    = Seconds{d.bytes.value / r * (request_s + r / copy_Bps)};
  d.block_size = Bytes{bs};
  return d;
}

IperfRun iperf(int streams, double bps, const std::string& file)
{
  IperfRun r;
  r.file     = file;
  r.streams  = streams;
  r.received = BitsPerSecond{bps};
  r.duration = Seconds{5};
  return r;
}

LinkDescription ib_link()
{
  LinkDescription l;
  l.link   = StreamLink::IpoibConnected;
  l.mtu    = 65520;
  l.hca    = "ConnectX-3";
  l.origin = "the command line";
  return l;
}

std::string error_of(const CalibrationInputs& in)
{
  try {
    fit_calibration(in);
  } catch (const CalibrationError& e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace

// Two request sizes determine both costs exactly; a third one on the same line changes nothing.
TEST(CalibrationFit, FuseCostsFromTwoBlockSizes)
{
  for (auto sizes : {std::vector<double>{4096, 16384}, std::vector<double>{4096, 16384, 65536, 1048576}}) {
    std::vector<DdRun> runs;
    for (double bs : sizes)
      runs.push_back(dd_at(bs, 80e-6, 900e6));
    FuseFit f = fit_fuse(runs, default_calibration());
    EXPECT_TRUE(f.separated);
    EXPECT_NEAR(f.request.value, 80e-6, 1e-9);
    EXPECT_NEAR(f.copy.value, 900e6, 1e3);
    EXPECT_NE(f.how.find("dd.txt: bs 4 KiB (4 KiB requests)"), std::string::npos) << f.how;
  }
}

// bs 1M and bs 128k are the same 128 KiB request: one request size, so only one cost is fitted, the other kept.
TEST(CalibrationFit, OneRequestSizeFitsWhatItCan)
{
  Calibration d = default_calibration();
  FuseFit f     = fit_fuse({dd_at(1048576, 80e-6, d.fuse_MBps.value * 1e6), dd_at(131072, 80e-6, 2e9)}, d);
  EXPECT_FALSE(f.separated);
  EXPECT_DOUBLE_EQ(f.copy.value, d.fuse_MBps.value * 1e6);
  EXPECT_NE(f.how.find("one request size: the copy rate kept at"), std::string::npos) << f.how;
  // The time per 128 KiB request is kept exactly: request + 128 KiB / copy.
  double t = 0.5 * (131072 / dd_at(1048576, 80e-6, 2e9).rate().value + 131072 / dd_at(131072, 80e-6, 2e9).rate().value);
  EXPECT_NEAR(f.request.value + 131072 / f.copy.value, t, 1e-12);

  CalibrationInputs in;
  in.defaults        = d;
  in.dd              = {dd_at(4096, 80e-6, 2e9)};
  CalibrationFit fit = fit_calibration(in);
  ASSERT_EQ(fit.notes.size(), 1u);
  EXPECT_NE(fit.notes[0].find("cannot separate"), std::string::npos);
  EXPECT_NEAR(fit.doc["fuse_request_s"]["value"].get<double>(), 80e-6, 1e-9);
}

// A large block held by the link (slower than its request size allows) gives no FUSE cost: an error, not a fit.
TEST(CalibrationFit, PointsNoCostModelFitsAreAnError)
{
  CalibrationInputs in;
  in.defaults = default_calibration();
  in.dd       = {dd_at(4096, 80e-6, 900e6), dd_at(1048576, 80e-6, 900e6)};
  in.dd[1].seconds.value *= 20; // as if a 100 Mbit/s link held the 1 MiB run
  EXPECT_NE(error_of(in).find("do not fit a FUSE cost per request plus a copy rate"), std::string::npos)
      << error_of(in);
}

TEST(CalibrationFit, StreamRuleScope)
{
  struct Case {
    double parallel;
    const char* scope;
  };
  for (Case c : {Case{1.15 * 7.2e9, "interface"}, Case{1.25 * 7.2e9, "connection"}}) {
    CalibrationInputs in;
    in.link   = ib_link();
    in.iperf3 = {iperf(1, 7.2e9, "p1.json"), iperf(4, c.parallel, "p4.json")};
    json rule = fit_calibration(in).doc["stream_limits"].at(0);
    EXPECT_EQ(rule["scope"], c.scope);
    EXPECT_EQ(rule["rate"], "7200.0Mbps");
    EXPECT_EQ(rule["link"], "ipoib-connected");
    EXPECT_EQ(rule["mtu"], 65520);
    EXPECT_EQ(rule["hca"], "ConnectX-3");
    EXPECT_FALSE(rule.contains("technology")) << "not given: any technology";
    std::string source = rule["source"];
    EXPECT_NE(source.find("p1.json: 7200.0 Mbit/s"), std::string::npos) << source;
    EXPECT_NE(source.find("p4.json"), std::string::npos) << source;
  }
  // Without -P N the scope is not measured, and it says so.
  CalibrationInputs in;
  in.link            = ib_link();
  in.iperf3          = {iperf(1, 7e9, "a.json"), iperf(1, 8e9, "b.json")};
  CalibrationFit fit = fit_calibration(in);
  EXPECT_EQ(fit.doc["stream_limits"][0]["rate"], "7500.0Mbps") << "the mean of the one-stream runs";
  EXPECT_EQ(fit.doc["stream_limits"][0]["scope"], "connection");
  ASSERT_EQ(fit.notes.size(), 1u);
  EXPECT_NE(fit.notes[0].find("no iperf3 -P N run"), std::string::npos);
}

TEST(CalibrationFit, StreamRuleNeedsOneStreamAndALink)
{
  CalibrationInputs in;
  in.iperf3 = {iperf(4, 7e9, "p4.json")};
  EXPECT_NE(error_of(in).find("--iperf3 needs the link it measured"), std::string::npos);
  in.link = ib_link();
  EXPECT_EQ(error_of(in), "p4.json: an iperf3 run of 4 streams, and no one-stream run (-P 1) was given: a "
                          "stream_limits rule is one stream's figure");
}

TEST(CalibrationFit, DisksPerNode)
{
  FioRun w{"w.json", BytesPerSecond{410e6}, std::nullopt, "w (write, bs 1M)", ""};
  FioRun r{"r.json", std::nullopt, BytesPerSecond{520e6}, "r (read, bs 1M)", ""};
  CalibrationInputs in;
  in.fio     = {{"n2", w}, {"n2", r}, {"n3", w}};
  json disks = fit_calibration(in).doc["disks"];
  EXPECT_EQ(disks["n2"]["write"], "410.0MBps");
  EXPECT_EQ(disks["n2"]["read"], "520.0MBps");
  EXPECT_FALSE(disks["n3"].contains("read"));
  EXPECT_NE(disks["n2"]["source"].get<std::string>().find("w.json"), std::string::npos);
  in.fio.push_back({"n2", w});
  EXPECT_EQ(error_of(in), "--fio: two write figures for node n2 (w.json and w.json): give one");
}

// The machine time of a step over several nodes is divided by its nodes (mounts) or its ordered pairs (pings).
TEST(CalibrationFit, MachineTimesPerNodeAndPair)
{
  Scenario sc = load_scenario(std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json"); // 4 nodes
  EmulateReport rep;
  rep.file     = "emu.json";
  rep.scenario = sc.name;
  for (auto const& st : sc.plan.steps) {
    EmulatedStep e{st.name, to_string(st.action), true, true, 1.2, "steps[x]"};
    if (st.action == Action::PowerOff) e.measured = false; // an emulated wait
    rep.steps.push_back(e);
  }
  CalibrationInputs in;
  in.emulate  = rep;
  in.replayed = &sc;
  json doc    = fit_calibration(in).doc;
  EXPECT_DOUBLE_EQ(doc["glusterd_start_s"]["value"].get<double>(), 1.2);
  EXPECT_DOUBLE_EQ(doc["gluster_check_s"]["value"].get<double>(), 1.2); // check peers and check volume
  EXPECT_DOUBLE_EQ(doc["mount_s"]["value"].get<double>(), 1.2 / 4);
  EXPECT_DOUBLE_EQ(doc["unmount_s"]["value"].get<double>(), 1.2 / 4);
  EXPECT_DOUBLE_EQ(doc["ping_pair_s"]["value"].get<double>(), 1.2 / 12);
  EXPECT_NE(doc["ping_pair_s"]["source"].get<std::string>().find("/ 12 ordered pairs"), std::string::npos);
  // The fitted values load, and the simulator's machine time of the same steps is what was measured.
  std::ifstream in_file(std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json");
  json scenario           = expand_scenario(json::parse(in_file), "reference.json").document;
  scenario["calibration"] = doc;
  Scenario loaded         = parse_scenario(scenario, "t.json");
  EXPECT_DOUBLE_EQ(loaded.calibration.mount_s.value * 4, 1.2);

  // Without the scenario, the keys per node cannot be fitted, and the notes say so.
  in.replayed        = nullptr;
  CalibrationFit fit = fit_calibration(in);
  EXPECT_FALSE(fit.doc.contains("mount_s"));
  EXPECT_TRUE(fit.doc.contains("glusterd_start_s"));
  bool said = false;
  for (auto const& n : fit.notes)
    said |= n.rfind("mount_s: not fitted", 0) == 0;
  EXPECT_TRUE(said);
}

TEST(CalibrationFit, RdmaRateAndItsRatio)
{
  PerftestRun p;
  p.file       = "bw.txt";
  p.message    = Bytes{65536};
  p.iterations = 5000;
  p.average    = BytesPerSecond{500e6};
  p.line       = 3;
  CalibrationInputs in;
  in.ib_write_bw = {p};
  in.fabric      = builtin_technologies().at("IB-SDR");
  json v         = fit_calibration(in).doc["rdma_write_MBps"];
  EXPECT_DOUBLE_EQ(v["value"].get<double>(), 500);
  EXPECT_NE(v["source"].get<std::string>().find("0.500x the IB-SDR data rate (1000.0 MB/s)"), std::string::npos)
      << v["source"];
}

TEST(CalibrationFit, NothingGivenIsAnError)
{
  EXPECT_EQ(error_of(CalibrationInputs{}), "no measurement given: nothing to calibrate");
}
