/* One TCP stream (iperf3) between two emulated nodes' ib0: the htb class per peer must hold it at the host model's
 * per-stream limit x rate scale (models/host_limits.hpp), in connected mode and after the interfaces are
 * re-configured to datagram mode. Labels root;shaping; skipped with the reason without root or iperf3. If it fails,
 * the emulated IPoIB link does not carry what one IPoIB stream carries, and every after-migration figure the
 * emulator measures is checked against the wrong limit. */
#include "cluster.hpp"
#include "interrupt_guard.hpp"
#include "scenario_loader.hpp"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace ibmig;
using namespace ibmig::emu;

namespace {
constexpr double kRateScale = 0.1; // as `ibmig emulate --rate-scale 0.1`: what this machine's 2 cores carry

std::string missing()
{
  if (::geteuid() != 0) return "needs root (network namespaces, tc)";
  if (std::system("command -v iperf3 >/dev/null 2>&1") != 0) return "needs iperf3 (./setup.sh deps)";
  if (std::system("command -v tc >/dev/null 2>&1 && command -v nsenter >/dev/null 2>&1") != 0)
    return "needs tc and nsenter";
  return "";
}

/* Two emulated nodes' worth of the reference cluster with ib0 installed and in connected mode; no glusterd. */
Scenario two_ipoib_nodes()
{
  Scenario sc = load_scenario(std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json");
  sc.nodes.resize(2); // n1, n2
  sc.volumes.clear();
  sc.workload.vms.clear();
  sc.plan.steps.clear();
  for (auto& n : sc.nodes) {
    n.server = false;
    for (auto& nic : n.nics)
      if (nic.name == "ib0") nic.present = true, nic.mode = IpoibMode::Connected, nic.mtu = 65520;
  }
  return sc;
}

/* iperf3 -s in `netns` for one test, as a child of this process (killed and reaped by the destructor). */
struct IperfServer {
  pid_t pid = -1;
  explicit IperfServer(const std::string& netns)
  {
    pid = ::fork();
    if (pid == 0) {
      std::freopen("/dev/null", "w", stdout);
      ::execlp("nsenter", "nsenter", ("--net=/run/netns/" + netns).c_str(), "iperf3", "-s", "-1", nullptr);
      ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // listening by then
  }
  ~IperfServer()
  {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
  }
};

/* Receiver-side TCP payload rate of one stream n1 -> n2 over ib0, bit/s; 0 when iperf3 failed. */
double one_stream_bps(EmulatedCluster& cluster, std::string& log)
{
  IperfServer server(cluster.layout().netns("n2"));
  auto r = cluster.node_run("n1", {"iperf3", "-c", "10.10.2.12", "-t", "5", "-O", "1", "-P", "1", "-J"}, 30);
  log    = r.out + r.err;
  if (!r.ok()) return 0;
  try {
    return nlohmann::json::parse(r.out).at("end").at("sum_received").at("bits_per_second").get<double>();
  } catch (const std::exception&) {
    return 0;
  }
}
} // namespace

TEST(LinkShapingE2E, OneIperfStreamHoldsTheModelledStreamLimit)
{
  if (auto why = missing(); !why.empty()) GTEST_SKIP() << why;
  InterruptGuard signals; // Ctrl-C: commands throw, the cluster's destructor tears down
  Scenario sc    = two_ipoib_nodes();
  std::string id = "t" + std::to_string(::getpid());
  RunLayout layout{id, "/run/ibmig", "/var/tmp/ibmig-" + id};
  std::filesystem::create_directories(layout.state_dir);
  {
    SystemRunner runner;
    EmulatedCluster cluster(sc, layout, runner, &std::cout, kRateScale);
    cluster.build();
    for (auto [mode, mtu] : {std::pair{IpoibMode::Connected, 65520}, std::pair{IpoibMode::Datagram, 2044}}) {
      for (auto const& node : {"n1", "n2"})
        cluster.configure_interface(node, *sc.find_node(node)->find_nic("ib0"), mtu, mode);
      const LinkShaping* s = cluster.shaping_of("n1", "ib0");
      ASSERT_NE(s, nullptr);
      ASSERT_TRUE(s->uses_htb()) << describe(*s);
      // The stream limit is below the data rate here, so a missing class would show as the data rate's figure.
      ASSERT_LT(s->stream_htb.value, 0.9 * s->data_rate.value) << describe(*s);
      std::string log;
      double measured = one_stream_bps(cluster, log);
      double modelled = s->stream_tcp_payload.value; // the rule's TCP payload x rate scale
      std::cout << "ib0 " << mode_name(mode) << " MTU " << mtu << ": one iperf3 stream " << measured / 1e6
                << " Mbit/s, modelled " << modelled / 1e6 << " Mbit/s (" << describe(*s) << ")\n";
      EXPECT_NEAR(measured, modelled, 0.10 * modelled) << log;
    }
    EXPECT_EQ(cluster.teardown(), 0);
  }
  EXPECT_FALSE(std::filesystem::exists(layout.state_file())) << "the state file remains";
  EXPECT_FALSE(std::filesystem::exists("/run/netns/" + layout.netns("n1"))) << "a namespace remains";
  EXPECT_FALSE(std::filesystem::exists(layout.work_dir)) << "the work directory remains";
}
