/* The simulator's physics and plan execution on the reference cluster. */
#include "sim_test_util.hpp"

#include <numeric>

using namespace ibmig;
using namespace ibmig::test;
using nlohmann::json;

// Client-side replication over 1GbE: the write-up measured ~55 MB/s for a VM with no local replica. Wrong if the
// replica fan-out, the TCP efficiency or the calibration is off.
TEST(ReferencePhysics, NoLocalReplicaWritesAtWriteupRate)
{
  Report r               = simulate_doc(read_json("scenarios/reference.json"));
  const ClientFigures& c = client(phase(r, "before"), "vm2");
  EXPECT_EQ(c.replicas_local, 0);
  EXPECT_EQ(c.replicas, 2);
  EXPECT_GE(c.write_MBps, 52.0);
  EXPECT_LE(c.write_MBps, 58.0);
  // Its NIC sends both copies: 2.0x the bytes it writes (+-5%).
  EXPECT_NEAR(c.nic_bytes_per_byte_written, 2.0, 0.1);
  EXPECT_NE(c.bottleneck.find("client NIC n1-eth1 send"), std::string::npos) << c.bottleneck;
}

// A VM with a local replica sends one copy over its NIC.
TEST(ReferencePhysics, LocalReplicaSendsOneCopy)
{
  Report r               = simulate_doc(read_json("scenarios/reference.json"));
  const ClientFigures& c = client(phase(r, "before"), "vm3");
  EXPECT_EQ(c.replicas_local, 1);
  EXPECT_NEAR(c.nic_bytes_per_byte_written, 1.0, 0.01);
}

// Pure distribute: one copy per write, so the same VM writes ~2x as fast and its NIC carries 1.0x.
TEST(ReferencePhysics, DistributedIsAboutTwiceAsFast)
{
  json doc                                 = read_json("scenarios/reference.json");
  doc["volumes"][0]["replica"]             = 1;
  doc["workload"]["vms"][1]["replica_set"] = 2; // vm2's image on n3: not local
  Report dist                              = simulate_doc(doc);
  Report repl                              = simulate_doc(read_json("scenarios/reference.json"));
  const ClientFigures& d                   = client(phase(dist, "before"), "vm2");
  double ratio                             = d.write_MBps / client(phase(repl, "before"), "vm2").write_MBps;
  EXPECT_GE(ratio, 1.8);
  EXPECT_LE(ratio, 2.2);
  EXPECT_NEAR(d.nic_bytes_per_byte_written, 1.0, 0.05);
}

// After the migration the limit moves off the 1GbE NIC; with the reference disks it is a brick disk, and the figure
// follows from the disk bandwidth minus the other load on that disk.
TEST(ReferencePhysics, AfterMigrationLimitIsBrickDisk)
{
  Report r               = simulate_doc(read_json("scenarios/reference.json"));
  const ClientFigures& c = client(phase(r, "after"), "vm2");
  EXPECT_NE(c.bottleneck.find("brick disk"), std::string::npos) << c.bottleneck;
  EXPECT_GT(c.write_MBps, 0.7 * 200);
  EXPECT_LE(c.write_MBps, 200.0 + 1e-6); // cannot beat the disk (200 MB/s in reference.json)
  EXPECT_NE(phase(r, "after").bottleneck.find("brick disk"), std::string::npos);
}

// With fast disks, the IPoIB link's data rate is the limit: 8 Gbit/s x TCP efficiency at MTU 65520 in connected mode
// x the Gluster stream efficiency, halved for two remote copies.
TEST(ReferencePhysics, AfterMigrationWithFastDisksLimitIsIbDataRate)
{
  json doc = read_json("scenarios/reference.json");
  for (auto& n : doc["nodes"])
    n["disk"]["write"] = "5000MBps", n["disk"]["read"] = "5000MBps";
  Scenario sc            = parse_scenario(doc, "fast-disks.json");
  Report r               = sim::simulate(sc);
  const ClientFigures& c = client(phase(r, "after"), "vm2");
  const Technology& sdr  = sc.technologies.at("IB-SDR");
  double expected_MBps =
      8e9 / 8 * tcp_payload_efficiency(sdr, 65520, true) * sc.calibration.gluster_stream_efficiency.value / 2 / 1e6;
  EXPECT_NEAR(c.write_MBps, expected_MBps, 0.02 * expected_MBps);
  EXPECT_NE(c.bottleneck.find("client NIC n1-ib0 send (IB-SDR)"), std::string::npos) << c.bottleneck;
}

// A slow FUSE mount becomes the access-path limit, shared by the node's VMs.
TEST(ReferencePhysics, SlowFuseIsTheAccessPathLimit)
{
  json doc = read_json("scenarios/reference.json");
  for (auto& n : doc["nodes"])
    n["disk"]["write"] = "5000MBps", n["disk"]["read"] = "5000MBps";
  doc["calibration"]["fuse_MBps"]      = {{"value", 300}, {"source", "test"}};
  doc["calibration"]["fuse_request_s"] = {{"value", 0}, {"source", "test"}};
  Report r                             = simulate_doc(doc);
  const ClientFigures& c               = client(phase(r, "after"), "vm2");
  EXPECT_NE(c.bottleneck.find("FUSE request rate (128 KiB requests) on n1"), std::string::npos) << c.bottleneck;
  // vm1 reads 50 MB/s through the same mount: vm2 gets the rest.
  EXPECT_NEAR(c.write_MBps, 250.0, 2.5);
}

// Downtime: with the nominal durations, every VM is down from "Stop VMs" to the end of "Start VMs", and the volume
// from "Stop glusterd" to the end of "Start glusterd"; the per-step breakdown adds up to the total.
TEST(ReferencePlan, DowntimeMatchesStepDurations)
{
  Scenario sc = load_scenario(std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json");
  Report r    = sim::simulate(sc);
  auto nom    = sim::nominal_durations(sc);
  double plan = 0;
  for (auto s : nom)
    plan += s.value;
  EXPECT_NEAR(r.plan_duration_s, plan, 1e-6);
  for (auto const& d : r.vm_downtime) {
    EXPECT_NEAR(d.seconds, plan, 1e-6) << d.name;
    double sum = 0;
    for (auto const& b : d.by_step)
      sum += b.seconds;
    EXPECT_NEAR(sum, d.seconds, 1e-6) << d.name;
  }
  double volume = 0;
  for (size_t i = 1; i <= 9; i++) // Stop glusterd .. Start glusterd
    volume += nom[i].value;
  ASSERT_EQ(r.volume_downtime.size(), 1u);
  EXPECT_NEAR(r.volume_downtime[0].seconds, volume, 1e-6);
  for (auto const& s : r.steps)
    EXPECT_EQ(s.outcome, StepOutcome::Ok) << s.name << ": " << s.detail;
}

// Monte Carlo over the step distributions: P50 <= P95, both within what the distributions allow, and not all equal
// to the nominal run (otherwise the sampling is not happening).
TEST(ReferencePlan, MonteCarloGivesSpread)
{
  json doc = read_json("scenarios/reference.json");
  Report r = simulate_doc(doc, "reference.json", 200);
  ASSERT_TRUE(r.plan_duration_p50_s.has_value());
  EXPECT_LT(*r.plan_duration_p50_s, *r.plan_duration_p95_s);
  EXPECT_GT(*r.plan_duration_p50_s, 0.5 * r.plan_duration_s);
  EXPECT_LT(*r.plan_duration_p95_s, 3.0 * r.plan_duration_s);
  const DowntimeEntry& d = vm_downtime(r, "vm2");
  ASSERT_TRUE(d.p50_s && d.p95_s);
  EXPECT_LE(*d.p50_s, *d.p95_s);
  // Same seed, same answer: runs are reproducible.
  Report again = simulate_doc(doc, "reference.json", 200);
  EXPECT_DOUBLE_EQ(*again.plan_duration_p95_s, *r.plan_duration_p95_s);
}

// A node crash: clients of its bricks stall for network.ping-timeout, then continue when quorum allows (the
// surviving brick is the set's first: replica 2 quorum auto), and the returning brick is healed.
TEST(Faults, CrashOfSecondBrickStallsThenContinuesThenHeals)
{
  json doc                                             = read_json("scenarios/reference.json");
  doc["workload"]["before"]                            = "900s";
  doc["volumes"][0]["options"]["network.ping-timeout"] = "42s";
  doc["faults"]          = {{{"kind", "node_crash"}, {"node", "n4"}, {"at", "100s"}, {"down_for", "200s"}}};
  Report r               = simulate_doc(doc);
  const DowntimeEntry& d = vm_downtime(r, "vm2");
  ASSERT_FALSE(d.intervals.empty());
  EXPECT_NEAR(d.intervals[0].start_s, 100, 1e-6);
  EXPECT_NEAR(d.intervals[0].end_s, 142, 1e-6);
  EXPECT_NE(d.intervals[0].reason.find("ping-timeout"), std::string::npos);
  bool healed = false;
  for (auto const& e : r.events)
    healed |= e.kind == "heal-done" && e.message.find("n4") != std::string::npos;
  EXPECT_TRUE(healed);
}

// Crash of the set's first brick: with exactly half the bricks left and the first one gone, quorum auto forbids
// writes: the VM is down until the node returns.
TEST(Faults, CrashOfFirstBrickLosesQuorum)
{
  json doc                  = read_json("scenarios/reference.json");
  doc["workload"]["before"] = "900s";
  doc["faults"]             = {{{"kind", "node_crash"}, {"node", "n3"}, {"at", "100s"}, {"down_for", "300s"}}};
  Report r                  = simulate_doc(doc);
  const DowntimeEntry& d    = vm_downtime(r, "vm2");
  double quorum_lost        = 0;
  for (auto const& i : d.intervals)
    if (i.reason.find("quorum") != std::string::npos) quorum_lost += i.end_s - i.start_s;
  EXPECT_NEAR(quorum_lost, 300 - 42, 1e-6); // after the stall, until n3 is back at 400 s
}

// Small files are limited by round trips, and IPoIB's lower latency makes them faster after the migration.
TEST(ReferencePhysics, SmallFilesAreLatencyBound)
{
  Report r               = simulate_doc(read_json("scenarios/reference.json"));
  const ClientFigures& b = client(phase(r, "before"), "vm6");
  const ClientFigures& a = client(phase(r, "after"), "vm6");
  EXPECT_GT(b.small_files_per_s, 10);
  EXPECT_NE(b.bottleneck.find("round-trip latency"), std::string::npos) << b.bottleneck;
  EXPECT_GT(a.small_files_per_s, b.small_files_per_s);
}

// The report survives a JSON round trip (the emulator and comparisons read it back).
TEST(Report, JsonRoundTrip)
{
  Report r  = simulate_doc(read_json("scenarios/reference.json"));
  json j    = to_json(r);
  Report r2 = report_from_json(j);
  EXPECT_EQ(to_json(r2), j);
}

// A step never takes less than the machine needs: a 1 s "Start glusterd" lasts the calibrated glusterd start time,
// and the report gives each step's machine time (null for physical steps) for the emulator to compare.
TEST(ReferencePlan, StepsTakeAtLeastTheirMachineTime)
{
  json doc                            = read_json("scenarios/reference.json");
  doc["plan"]["steps"][9]["duration"] = "1s"; // Start glusterd
  Scenario sc                         = parse_scenario(doc, "fast-admin.json");
  Report r                            = sim::simulate(sc);
  const StepReport& start             = r.steps[9];
  ASSERT_EQ(start.action, "start_service");
  ASSERT_TRUE(start.machine_s.has_value());
  EXPECT_DOUBLE_EQ(*start.machine_s, sc.calibration.glusterd_start_s.value);
  EXPECT_NEAR(start.end_s - start.start_s, sc.calibration.glusterd_start_s.value, 1e-6);
  EXPECT_FALSE(r.steps[4].machine_s.has_value()); // Install HCAs: physical, the runbook's time only
  // 4 nodes: 12 ordered pairs of large pings.
  EXPECT_NEAR(*r.steps[7].machine_s, 12 * sc.calibration.ping_pair_s.value, 1e-9);
}
