/* A training lab: the emulated cluster of `ibmig emulate` (same builder, same state file, same teardown) kept up by
 * a supervisor process for a trainee who types the real commands. The supervisor owns the cluster (its pid is the
 * state file's owner, so `ibmig emulate --cleanup` leaves a live lab alone and cleans a dead one), runs the VMs'
 * writers, an sshd per node, and answers the node shims (systemctl, poweroff, ifup, ibv_devinfo) over a unix socket
 * in the lab's directory. See README.md here. */
#pragma once

#include "emulator.hpp"
#include "scenario.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ibmig::lab {

struct LabOptions {
  std::string name;              // one lab per name; default: the scenario's name
  bool rdma = false;             // ibv_devinfo answers as the soft-RoCE guest would (see README.md)
  emu::EmulateOptions emulate;   // state_dir, work_dir, rate_scale, log
  std::string ibmig_binary;      // absolute path the shims call back
  std::vector<std::string> sets; // the --set overrides of lab up, so lab status loads the same scenario
  std::string scenario_path;     // absolute: lab status may run from another directory
  Seconds writer_period{30};     // the VMs' writers rewrite their bounded files this often
  Bytes writer_bytes{16 << 20};  // per stream and period: bounded, so the bricks' tmpfs never fills
};

/* A lab as its state file describes it. */
struct LabInfo {
  std::string name, scenario, scenario_path, state_file, run_id, dir, socket, state_dir;
  std::vector<std::string> nodes, powered_off, sets;
  long pid     = 0;
  bool alive   = false;
  double start = 0; // seconds since the epoch
  std::string netns(const std::string& node) const { return "ibmig-" + run_id + "-" + node; }
  std::string mntns(const std::string& node) const { return state_dir + "/ibmig-" + run_id + "/" + node + ".mnt"; }
  bool has_node(const std::string& n) const;
  bool is_off(const std::string& n) const;
};

std::vector<LabInfo> find_labs(const std::string& state_dir);
std::optional<LabInfo> find_lab(const std::string& state_dir, const std::string& name);

/* Builds the lab, writes one line to ready_fd once it is up ("ready" or the reason it failed; -1: none), then serves
 * the shims until SIGINT/SIGTERM, and tears everything down. Returns the exit status (0, 2 for a failed build). */
int supervise(const Scenario& sc, const LabOptions& opt, int ready_fd);

/* One request to a supervisor: {"node": N, "argv": [...]} -> {"status": S, "out": TEXT}. */
struct Reply {
  int status = 1;
  std::string out;
};
Reply request(const std::string& socket, const nlohmann::json& req, double timeout_s = 300);

} // namespace ibmig::lab
