// Port queries for `ibmig emulate --rdma`: at a verify_port step the replay asks each node's HCA port for its state,
// as `ibv_devinfo -d DEV -i PORT` shows it. One soft-RoCE guest per node answers: the port's world as the cluster
// model has it is built in the guest (the InfiniBand stack loaded = the rxe device added on eth0; a cable in the
// port = eth0 with carrier; the subnet's IB MTU = an Ethernet MTU from which rxe derives it), then the guest's own
// verbs stack is asked. rxe has one port: the guest's port 1 stands for the scenario's port.
//
//   ibmig::rdma::PortQueryOptions o;
//   o.image_dir = build_dir + "/guest";
//   o.nodes     = {{"n1", true, true, 2048}, {"n2", true, false, 2048}};   // name, device, carrier, IB MTU
//   nlohmann::json r = ibmig::rdma::query_ports(o);
//   // r["nodes"][i]["port_state"] ("PORT_ACTIVE", "PORT_DOWN", "NO_DEVICE", ...), ["active_mtu_bytes"], ["device"]
//
// Needs what the plane needs (root, QEMU, the image: RdmaPlane::unavailable_reason). Bounded by guest_timeout;
// everything it creates is removed before it returns or throws (GuestLauncher).
#pragma once

#include "command_runner.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ibmig::rdma {

struct PortSpec {
  std::string name;
  bool device     = true; // the verbs stack is loaded: the rxe device is added
  bool carrier    = true; // a cable is in: eth0 is up
  uint32_t ib_mtu = 2048; // 256..4096: the active MTU the port should run at
};

struct PortQueryOptions {
  std::string image_dir;
  std::vector<PortSpec> nodes;
  std::chrono::seconds guest_timeout{90};
  uint32_t memory_mib     = 192;
  std::string accelerator = "auto";
  std::string run_id; // empty: random
  bool keep_logs = false;
};

/// The job a node's guest runs (exposed for tests).
std::string port_job_script(const PortSpec& spec);

/// Boots one guest per node at once and returns {"run_id", "accelerator", "seconds", "nodes": [{"name",
/// "port_state", "active_mtu_bytes", "device", "devinfo_text", "devinfo_exit_status", "exit_status",
/// "timed_out", "seconds"}]}, nodes in the given order.
/// Throws like GuestLauncher::run (std::runtime_error, Interrupted).
nlohmann::json query_ports(const PortQueryOptions& options, emu::CommandRunner* runner = nullptr);

} // namespace ibmig::rdma
