// RdmaPlane: the soft-RoCE fabric check the emulator calls (`ibmig emulate --rdma`).
//
// Given the nodes of an IB-side network, it boots one QEMU guest per node (rdma_rxe works only in a guest's initial
// network namespace, so a node is a guest), brings up soft-RoCE on each guest's eth0 at the node's IPoIB MTU, and
// runs the fabric checks a migration needs before moving Gluster traffic onto InfiniBand:
//   1. ibv_devinfo on every node: port state (must be PORT_ACTIVE), active MTU, RoCE v2 GID;
//   2. a large ping with don't-fragment at the node's MTU to every other node;
//   3. the replicated RDMA write benchmark: the first node writes `write_bytes` to `replicas` servers (nodes 2..R+1),
//      every chunk checksummed on every server, plus a latency run; optionally perftest's ib_write_bw as baseline.
// Faults are injected through the node list and explained in plain words in "findings":
//   - port never active: NodeSpec::port_up = false (the soft-RoCE link is not added on that guest);
//   - MTU mismatch: one NodeSpec::ipoib_mtu_bytes differing from the others.
//
// Usage:
//   ibmig::rdma::PlaneOptions options;
//   options.image_dir = build_dir + "/guest";                 // from emulation/rdma/build-guest-image.sh
//   options.nodes     = {{"n1", 65520, true}, {"n2", 65520, true}, {"n3", 65520, true}};
//   nlohmann::json report = ibmig::rdma::RdmaPlane(options).run();
//   if (!report["ok"]) for (auto& f : report["findings"]) std::cout << f["explanation"] << "\n";
//
// Needs root, qemu-system-x86_64 and the guest image (see unavailable_reason()). run() is bounded by
// guest_timeout (all guests run at once); everything it creates carries the run prefix `ibmig-<run>-` and is removed
// before it returns, throws, or is interrupted by SIGINT/SIGTERM (then it throws Interrupted).
//
// Report (nlohmann::json), MB = 10^6 bytes:
//   { "run_id": "a1b2", "accelerator": "tcg", "ok": true, "seconds": 41.2,
//     "nodes": [ { "name": "n1", "ip": "10.77.0.1", "ipoib_mtu_bytes": 65520, "port_state": "PORT_ACTIVE",
//                  "active_mtu_bytes": 4096, "gid": "::ffff:10.77.0.1", "exit_status": 0, "timed_out": false,
//                  "boot_to_poweroff_seconds": 30.1,
//                  "pings": [ { "to": "n2", "payload_bytes": 65492, "ok": true } ] }, ... ],
//     "benchmark": { "client": {...ibmig-rdma-write JSON...}, "servers": [ ... ], "latency": {...},
//                    bench only: "perftest": { "ib_write_bw_MBps": 9.9, ... }, "r1": {...},
//                    "rounds": [ { "ib_write_bw_MBps", "r1_MBps", "rr_client_MBps" }, ... ], "median": {...} },
//     "findings": [ { "kind": "port_never_active" | "mtu_mismatch" | "ping_failed" | "benchmark_failed" |
//                     "guest_failed", "node": "n3", "explanation": "..." } ] }
#pragma once

#include "command_runner.hpp"
#include "guest_launcher.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ibmig::rdma {

struct NodeSpec {
  std::string name;
  uint32_t ipoib_mtu_bytes = 65520; // IPoIB connected mode; 2044 or 4092 for datagram mode
  bool port_up             = true;  // false injects "port never active"
};

struct PlaneOptions {
  std::string image_dir;           // directory written by build-guest-image.sh
  std::vector<NodeSpec> nodes;     // node 1 is the benchmark client; nodes 2..replicas+1 are its servers
  uint32_t replicas           = 2; // clamped to the number of other nodes
  uint64_t write_bytes        = 64ull << 20;
  uint64_t chunk_bytes        = 1ull << 20;
  uint32_t depth              = 8;     // chunks in flight per replica
  bool benchmark              = true;  // false: only ibv_devinfo and pings
  bool perftest               = false; // also run ib_write_bw and the tool with R=1 (the bench command)
  uint32_t rounds             = 1;     // with perftest: rounds of (ib_write_bw, R=1, R=replicas); medians reported
  uint32_t latency_iterations = 200;
  std::chrono::seconds guest_timeout{170};
  uint32_t memory_mib     = 192;
  std::string accelerator = "auto"; // "auto", "tcg" or "kvm"
  std::string run_id;               // empty: random
  bool keep_logs = false;           // keep guest consoles and job logs in /tmp/ibmig-<run>-rdma.*
};

class RdmaPlane {
public:
  explicit RdmaPlane(PlaneOptions options, emu::CommandRunner* runner = nullptr);

  /// Boots the guests, runs the checks, tears everything down and returns the report described above.
  /// Throws std::invalid_argument for a bad node list, std::runtime_error when the fabric cannot be created,
  /// Interrupted on SIGINT/SIGTERM. Faults found in the fabric are findings, not exceptions.
  nlohmann::json run();

  /// The job script node `index` runs in its guest (exposed for tests and debugging).
  std::string job_script(size_t index) const;

  /// Why the plane cannot run on this machine (not root, no QEMU, no image), or "" when it can.
  static std::string unavailable_reason(const std::string& image_dir) { return guest_unavailable_reason(image_dir); }

private:
  std::string node_ip(size_t index) const;
  nlohmann::json analyse(const std::vector<GuestResult>& results) const;

  PlaneOptions options_;
  emu::SystemRunner default_runner_; // not interruptible: the launcher's InterruptGuard stops the guests
  emu::CommandRunner* runner_;
};

/// Parses `ibv_devinfo -v` output: {"device", "port_state", "active_mtu_bytes", "gid"} (port_state "NO_DEVICE"
/// when no device is listed).
nlohmann::json parse_devinfo(const std::string& text);

} // namespace ibmig::rdma
