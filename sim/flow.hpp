/* One running SimGrid parallel task and what it uses: a VM's replicated write, a read, or a heal. Progress is a
 * ratio in [0, 1] of `payload_bytes`; every resource it crosses is charged `weight` units per unit of payload. */
#pragma once

#include <functional>
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

namespace ibmig::sim {

struct ResourceUse {
  std::string name;    // SimGrid host or link name, e.g. "n1-eth1_UP", "n3:disk"
  std::string label;   // plain words for the report: "client NIC n1-eth1 send (1GbE)"
  double capacity = 0; // bytes/s (or bytes-equivalent/s for disks and access paths)
  double weight   = 1; // units charged per payload byte
};

struct Flow {
  simgrid::s4u::ExecPtr exec;
  double payload_bytes = 0;
  double done_ratio    = 0; // progress already accounted
  double rate_Bps      = 0; // payload bytes/s over the last sampled interval
  std::vector<ResourceUse> uses;
  std::function<void(double delta_bytes)> on_progress;
  std::function<void(const std::string& bottleneck, double seconds)> on_bottleneck;

  /* Starts the parallel task: hosts with their flops, and bytes between host pairs. */
  void start(const std::vector<simgrid::s4u::Host*>& hosts, const std::vector<double>& flops,
             const std::vector<double>& bytes);
  /* Accounts progress up to now; returns the new bytes. */
  double account();
};

} // namespace ibmig::sim
