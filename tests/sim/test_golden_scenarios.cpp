/* Golden scenarios: every file in scenarios/ is simulated and its key figures are checked against ranges whose
 * reason is written beside them. A new scenario without expectations fails this test on purpose. */
#include "plan_checker.hpp"
#include "sim_test_util.hpp"

#include <filesystem>
#include <functional>
#include <map>

using namespace ibmig;
using namespace ibmig::test;
namespace fs = std::filesystem;

namespace {

struct Expectation {
  std::string reason;
  std::function<void(const Scenario&, const Report&)> check;
};

void in_range(double v, double lo, double hi, const std::string& what)
{
  EXPECT_GE(v, lo) << what;
  EXPECT_LE(v, hi) << what;
}

const std::map<std::string, Expectation>& expectations()
{
  static const std::map<std::string, Expectation> e = {
      {"reference.json",
       {"replica 2 over 1GbE: the write-up measured ~55 MB/s for a VM with no local replica; after the migration "
        "the 200 MB/s brick disks limit; full downtime: every VM is down for the whole plan",
        [](const Scenario&, const Report& r) {
          in_range(client(phase(r, "before"), "vm2").write_MBps, 52, 58, "vm2 before");
          in_range(client(phase(r, "after"), "vm2").write_MBps, 140, 200, "vm2 after");
          in_range(vm_downtime(r, "vm2").seconds, 0.99 * r.plan_duration_s, 1.01 * r.plan_duration_s, "vm2 down");
          in_range(r.plan_duration_s, 3600, 3 * 3600, "plan: an afternoon's change window");
        }}},
      {"reference-distributed.json",
       {"pure distribute: one copy per write, the no-local-replica VM writes ~2x the replica-2 rate (1.8-2.2x of "
        "55 MB/s) and its NIC carries 1.0x",
        [](const Scenario&, const Report& r) {
          const ClientFigures& c = client(phase(r, "before"), "vm2");
          in_range(c.write_MBps, 1.8 * 52, 2.2 * 58, "vm2 before");
          in_range(c.nic_bytes_per_byte_written, 0.95, 1.05, "vm2 NIC bytes per byte");
        }}},
      {"reference-datagram.json",
       {"datagram mode, MTU 2044: same 1GbE figures before; IPoIB at MTU 2044 still exceeds the disks, so the brick "
        "disk limits after",
        [](const Scenario&, const Report& r) {
          in_range(client(phase(r, "before"), "vm2").write_MBps, 52, 58, "vm2 before");
          const ClientFigures& a = client(phase(r, "after"), "vm2");
          in_range(a.write_MBps, 140, 200, "vm2 after");
          EXPECT_NE(a.bottleneck.find("brick disk"), std::string::npos) << a.bottleneck;
        }}},
      {"reference-peers-by-ip.json",
       {"the reference pool probed by IP and moved by rewriting glusterd's state: the same figures as reference.json, "
        "after the migration on IB (a pool left on the old addresses would stay near 55 MB/s on eth1)",
        [](const Scenario& sc, const Report& r) {
          in_range(client(phase(r, "before"), "vm2").write_MBps, 52, 58, "vm2 before");
          const ClientFigures& a = client(phase(r, "after"), "vm2");
          in_range(a.write_MBps, 140, 200, "vm2 after");
          EXPECT_EQ(a.bottleneck.find("eth1"), std::string::npos) << a.bottleneck;
          EXPECT_FALSE(has_errors(check_plan(sc)));
        }}},
      {"reference-node-crash.json",
       {"n2 crashes for 20 s: vm1 (30 MB/s) stalls the 10 s ping-timeout and then writes 10 s to n1 alone, so n2 "
        "misses ~300 MB, healed at heal_MBps (80 MB/s) in ~3.8 s; quorum auto keeps the volume up (n1 is the first "
        "brick); vm2 dies with n2 and is down until it is started again; no split-brain, the run is OK",
        [](const Scenario& sc, const Report& r) {
          ASSERT_EQ(r.faults.size(), 1u);
          ASSERT_TRUE(r.faults[0].heal_s.has_value());
          in_range(*r.faults[0].heal_s, 3, 5, "n2's heal");
          EXPECT_NEAR(r.volume_downtime[0].seconds, 0, 1e-6);
          in_range(vm_downtime(r, "vm1").seconds, 9, 11, "vm1: the ping-timeout stall");
          in_range(vm_downtime(r, "vm2").seconds, 20, r.plan_duration_s, "vm2: from the crash to its restart");
          EXPECT_TRUE(verdict(r).ok()) << verdict(r).summary();
          EXPECT_TRUE(check_plan(sc).empty());
        }}},
      {"reference-rolling-live.json",
       {"the rolling plan with every VM live-migrated away and back instead of stopped (QEMU pre-copy over the 1GbE "
        "VM bridge, 4 GiB guests dirtying 20 MB/s: a few rounds, then a stop-and-copy well under QEMU's 300 ms "
        "limit): a VM's downtime is the sum of its pauses, seconds not minutes, and no step stops a VM",
        [](const Scenario& sc, const Report& r) {
          for (auto const& st : sc.plan.steps)
            EXPECT_NE(st.action, Action::StopClients) << st.name;
          std::map<std::string, double> paused; // the report's migrations: 4 per VM (2 rolling blocks, away and back)
          std::map<std::string, int> moves;
          for (auto const& m : r.migrations) {
            EXPECT_TRUE(m.completed) << m.vm << ": " << m.why_not;
            EXPECT_GT(m.bytes, 4.0 * (1 << 30)) << m.vm << ": at least the whole memory once";
            paused[m.vm] += m.pause_s;
            moves[m.vm]++;
          }
          ASSERT_EQ(paused.size(), sc.workload.vms.size());
          for (auto const& [vm, n] : moves)
            EXPECT_EQ(n, 4) << vm;
          for (auto const& vm : sc.workload.vms) {
            double down = vm_downtime(r, vm.name).seconds;
            EXPECT_NEAR(down, paused[vm.name], 0.01 + 0.01 * paused[vm.name]) << vm.name;
            in_range(down, 0.1, 10, vm.name + ": its stop-and-copy pauses");
          }
          EXPECT_NEAR(r.volume_downtime[0].seconds, 0, 1e-6);
          EXPECT_TRUE(verdict(r).ok()) << verdict(r).summary();
          EXPECT_FALSE(has_errors(check_plan(sc)));
        }}},
      {"reference-dual-port.json",
       {"the write-up's fabric: dual-port HCAs with port 1 uncabled, ib1 on port 2 after the plan installs the "
        "InfiniBand software and starts rdma; the same figures as reference.json (a plan that configured ib0 would "
        "leave the storage names on a network nobody reaches and the VMs unable to write)",
        [](const Scenario& sc, const Report& r) {
          in_range(client(phase(r, "before"), "vm2").write_MBps, 52, 58, "vm2 before");
          const ClientFigures& a = client(phase(r, "after"), "vm2");
          in_range(a.write_MBps, 140, 200, "vm2 after");
          EXPECT_EQ(a.bottleneck.find("eth1"), std::string::npos) << a.bottleneck;
          EXPECT_EQ(a.bottleneck.find("ib0"), std::string::npos) << a.bottleneck;
          bool port_checked = false;
          for (auto const& st : r.steps) {
            EXPECT_EQ(st.outcome, StepOutcome::Ok) << st.name << ": " << st.detail;
            if (st.action == "verify_port") {
              port_checked = true;
              EXPECT_NE(st.detail.find("n4 ib1 (port 2) PORT_ACTIVE, active MTU 2048"), std::string::npos) << st.detail;
            }
          }
          EXPECT_TRUE(port_checked);
          EXPECT_FALSE(has_errors(check_plan(sc)));
        }}},
      {"reference-rolling.json",
       {"rolling: one node at a time with heal in between; the volume never loses quorum, so its downtime is 0, "
        "and VMs on nodes not being migrated keep running, so some VM is down for less than the plan",
        [](const Scenario& sc, const Report& r) {
          ASSERT_EQ(r.volume_downtime.size(), 1u);
          EXPECT_NEAR(r.volume_downtime[0].seconds, 0, 1e-6);
          double least = 1e300;
          for (auto const& d : r.vm_downtime)
            least = std::min(least, d.seconds);
          EXPECT_LT(least, 0.5 * r.plan_duration_s);
          EXPECT_FALSE(has_errors(check_plan(sc)));
        }}},
      {"reference-small-files-rolling.json",
       {"6 nodes, replica 3 (quorum auto holds with one brick of a set down), rolling one node at a time with a heal "
        "after each: the volume is never down, every heal finishes within its wait and the run is OK; the small-file "
        "VMs are bound by round trips as in reference.json (vm5 writes 64 KiB files like its vm6: ~234 files/s "
        "before on 1GbE) and gain from IPoIB's lower latency; the plan lasts the better part of a working day",
        [](const Scenario& sc, const Report& r) {
          ASSERT_EQ(r.volume_downtime.size(), 1u);
          EXPECT_NEAR(r.volume_downtime[0].seconds, 0, 1e-6);
          EXPECT_TRUE(verdict(r).ok()) << verdict(r).summary();
          const ClientFigures& b = client(phase(r, "before"), "vm5");
          in_range(b.small_files_per_s, 220, 245, "vm5 files/s before");
          EXPECT_NE(b.bottleneck.find("round-trip latency"), std::string::npos) << b.bottleneck;
          EXPECT_GT(client(phase(r, "after"), "vm5").small_files_per_s, 1.5 * b.small_files_per_s);
          EXPECT_GT(client(phase(r, "after"), "vm10").small_files_per_s,
                    1.3 * client(phase(r, "before"), "vm10").small_files_per_s);
          in_range(r.plan_duration_s, 6 * 3600, 12 * 3600, "plan: about 9 hours");
          EXPECT_FALSE(has_errors(check_plan(sc)));
        }}},
  };
  return e;
}

std::vector<fs::path> scenario_files(const std::string& dir)
{
  std::vector<fs::path> out;
  for (auto const& f : fs::directory_iterator(fs::path(IBMIG_SOURCE_DIR) / dir))
    if (f.path().extension() == ".json") out.push_back(f.path());
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST(GoldenScenarios, EveryScenarioMeetsItsExpectations)
{
  auto files = scenario_files("scenarios");
  ASSERT_FALSE(files.empty());
  for (auto const& f : files) {
    SCOPED_TRACE(f.filename().string());
    auto it = expectations().find(f.filename().string());
    ASSERT_NE(it, expectations().end()) << "no expectations for " << f << ": add them with their reason";
    Scenario sc = load_scenario(f.string());
    Report r    = sim::simulate(sc);
    EXPECT_FALSE(has_errors(r.checks)) << "a shipped scenario's plan must pass the checker";
    it->second.check(sc, r);
  }
}

// Broken plans still simulate (the simulator reports, it does not crash) and the checker finds an error or warning.
TEST(GoldenScenarios, BrokenPlansSimulateAndAreFlagged)
{
  if (!fs::exists(fs::path(IBMIG_SOURCE_DIR) / "scenarios/broken")) GTEST_SKIP() << "scenarios/broken does not exist";
  for (auto const& f : scenario_files("scenarios/broken")) {
    SCOPED_TRACE(f.filename().string());
    Scenario sc = load_scenario(f.string());
    Report r    = sim::simulate(sc);
    EXPECT_FALSE(r.checks.empty());
    EXPECT_FALSE(r.phases.empty());
  }
}
