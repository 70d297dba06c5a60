// Soft-RoCE in QEMU guests: three nodes (one client, two servers) with rdma_rxe, checked through RdmaPlane.
// Each case boots three TCG guests (~35-60 s on two cores).
#include "port_query.hpp"
#include "rdma_plane.hpp"

#include <gtest/gtest.h>

using namespace ibmig::rdma;

namespace {
const std::string kImageDir = IBMIG_BINARY_DIR "/guest";

#define SKIP_UNLESS_GUESTS_CAN_RUN()                                                                                   \
  do {                                                                                                                 \
    if (std::string reason = RdmaPlane::unavailable_reason(kImageDir); !reason.empty()) GTEST_SKIP() << reason;        \
  } while (0)

std::vector<std::string> finding_kinds_of(const nlohmann::json& report, const std::string& node)
{
  std::vector<std::string> kinds;
  for (const auto& finding : report["findings"])
    if (finding["node"] == node) kinds.push_back(finding["kind"]);
  return kinds;
}
} // namespace

// The acceptance check of the plane: every port ACTIVE at 4096 bytes, jumbo pings pass, and 64 MiB written
// replicated to both servers with every chunk's checksum verified on each, all within three minutes.
TEST(RdmaGuests, ReplicatedWrite64MiBVerifiedOnBothServers)
{
  SKIP_UNLESS_GUESTS_CAN_RUN();
  PlaneOptions options;
  options.image_dir           = kImageDir;
  options.nodes               = {{"n1", 65520, true}, {"n2", 65520, true}, {"n3", 65520, true}};
  options.replicas            = 2;
  options.write_bytes         = 64ull << 20;
  options.guest_timeout       = std::chrono::seconds(170);
  const nlohmann::json report = RdmaPlane(options).run();
  SCOPED_TRACE(report.dump(2));

  EXPECT_LT(report["seconds"].get<double>(), 180.0);
  EXPECT_TRUE(report["ok"].get<bool>());
  ASSERT_EQ(report["nodes"].size(), 3u);
  for (const auto& node : report["nodes"]) {
    EXPECT_EQ(node["port_state"], "PORT_ACTIVE") << node["name"];
    EXPECT_EQ(node["active_mtu_bytes"], 4096) << node["name"] << ": rxe at MTU 65520 should run 4096-byte IB MTU";
    EXPECT_EQ(node["gid"], "::ffff:" + node["ip"].get<std::string>()) << node["name"];
    EXPECT_FALSE(node["timed_out"].get<bool>()) << node["name"];
    for (const auto& ping : node["pings"])
      EXPECT_TRUE(ping["ok"].get<bool>()) << node["name"] << " -> " << ping["to"];
  }
  const nlohmann::json& client = report["benchmark"]["client"];
  ASSERT_TRUE(client.is_object()) << "the client printed no report";
  EXPECT_TRUE(client["all_verified"].get<bool>());
  ASSERT_EQ(client["per_replica"].size(), 2u);
  for (const auto& replica : client["per_replica"]) {
    EXPECT_EQ(replica["bytes"], 64ull << 20) << replica["server"];
    EXPECT_EQ(replica["chunks_verified"], 64) << replica["server"];
    EXPECT_EQ(replica["chunks_bad"], 0) << replica["server"];
    EXPECT_GT(replica["MBps"].get<double>(), 0.5) << replica["server"];
  }
  // The servers' own view: every byte arrived and matched the checksum the client announced.
  for (const auto& server : report["benchmark"]["servers"]) {
    ASSERT_GE(server["sessions"].size(), 1u) << server["node"];
    EXPECT_EQ(server["sessions"][0]["bytes"], 64ull << 20) << server["node"];
    EXPECT_TRUE(server["sessions"][0]["all_verified"].get<bool>()) << server["node"];
  }
  EXPECT_GT(report["benchmark"]["latency"]["latency_us"]["median"].get<double>(), 0.0);
}

// Both injected faults in one boot: n2 runs MTU 1500 against 65520 elsewhere, n3 never brings its port up.
// Each must be found, attributed to the right node and explained; the healthy client must not be blamed.
TEST(RdmaGuests, InjectedFaultsAreDetectedAndExplained)
{
  SKIP_UNLESS_GUESTS_CAN_RUN();
  PlaneOptions options;
  options.image_dir           = kImageDir;
  options.nodes               = {{"n1", 65520, true}, {"n2", 1500, true}, {"n3", 65520, false}};
  options.replicas            = 1; // n1 writes to n2 across the MTU mismatch
  options.write_bytes         = 8ull << 20;
  options.guest_timeout       = std::chrono::seconds(120);
  const nlohmann::json report = RdmaPlane(options).run();
  SCOPED_TRACE(report.dump(2));

  EXPECT_FALSE(report["ok"].get<bool>());
  const auto n3 = finding_kinds_of(report, "n3");
  EXPECT_NE(std::find(n3.begin(), n3.end(), "port_never_active"), n3.end());
  const auto n2 = finding_kinds_of(report, "n2");
  EXPECT_NE(std::find(n2.begin(), n2.end(), "mtu_mismatch"), n2.end());
  const auto n1 = finding_kinds_of(report, "n1");
  EXPECT_EQ(std::find(n1.begin(), n1.end(), "port_never_active"), n1.end());
  EXPECT_EQ(std::find(n1.begin(), n1.end(), "mtu_mismatch"), n1.end());
  for (const auto& finding : report["findings"]) {
    const std::string text = finding["explanation"];
    if (finding["kind"] == "port_never_active") {
      EXPECT_NE(text.find("never became ACTIVE"), std::string::npos) << text;
    }
    if (finding["kind"] == "mtu_mismatch") {
      EXPECT_NE(text.find("IPoIB MTU 1500"), std::string::npos) << text;
    }
  }
  EXPECT_EQ(report["nodes"][1]["active_mtu_bytes"], 1024) << "rxe on a 1500-byte netdev runs 1024-byte IB MTU";
  EXPECT_EQ(report["nodes"][2]["port_state"], "NO_DEVICE");
  EXPECT_EQ(report["nodes"][0]["port_state"], "PORT_ACTIVE");
}

// verify_port in `ibmig emulate --rdma`: the port's world as the model has it, built in a guest, answered by the
// guest's own ibv_devinfo. A cabled port with the stack loaded is PORT_ACTIVE at the IB MTU asked for; without a
// cable it is PORT_DOWN; without the stack there is no device. If this fails, verify_port would pass or fail in the
// emulator for another reason than the port's state.
TEST(RdmaGuests, PortQueriesShowActiveDownAndMissingPorts)
{
  SKIP_UNLESS_GUESTS_CAN_RUN();
  PortQueryOptions options;
  options.image_dir           = kImageDir;
  options.nodes               = {{"n1", true, true, 2048}, {"n2", true, false, 2048}, {"n3", false, true, 2048}};
  options.guest_timeout       = std::chrono::seconds(120);
  const nlohmann::json report = query_ports(options);
  SCOPED_TRACE(report.dump(2));
  ASSERT_EQ(report["nodes"].size(), 3u);
  EXPECT_EQ(report["nodes"][0]["port_state"], "PORT_ACTIVE");
  EXPECT_EQ(report["nodes"][0]["active_mtu_bytes"], 2048);
  EXPECT_EQ(report["nodes"][0]["device"], "rxe0");
  EXPECT_EQ(report["nodes"][1]["port_state"], "PORT_DOWN");
  EXPECT_EQ(report["nodes"][2]["port_state"], "NO_DEVICE");
  for (auto const& n : report["nodes"]) {
    EXPECT_EQ(n["exit_status"], 0) << n["name"];
    EXPECT_FALSE(n["timed_out"].get<bool>()) << n["name"];
  }
}
