/* One running SimGrid parallel task and what it uses: a VM's replicated write, a read, or a heal. Progress is a
 * ratio in [0, 1] of `payload_bytes`; every resource it crosses is charged `weight` units per unit of payload.
 *
 * Flows are shared (FlowPtr): the actor that started one, the World's list and any actor walking a snapshot of that
 * list each hold a reference, so a flow and its Exec stay alive while anyone may still make a simcall on them. */
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <simgrid/s4u.hpp>
#include <string>
#include <utility>
#include <vector>

namespace ibmig::sim {

struct ResourceUse {
  std::string name;    // SimGrid host or link name (see Platform), used to add up usage
  std::string label;   // plain words for the report: "client NIC n1-eth1 send (1GbE)"
  double capacity = 0; // bytes/s (or bytes-equivalent/s for disks and access paths)
  double weight   = 1; // units charged per payload byte
  std::string source;  // where the capacity comes from (the scenario's "source"): the report flags assumptions
};

struct Flow {
  simgrid::s4u::ExecPtr exec; // never reset while the flow lives: others may hold the flow in a snapshot
  double payload_bytes = 0;
  double done_ratio    = 0;     // progress already accounted
  double rate_Bps      = 0;     // payload bytes/s over the last sampled interval
  bool active          = false; // registered with the World: sampled, and cancellable by others
  std::vector<ResourceUse> uses;
  std::function<void(double delta_bytes)> on_progress;
  std::function<void(const ResourceUse& bottleneck, double seconds)> on_bottleneck;
  std::optional<std::pair<std::string, std::string>> heal_between; // a heal: the two nodes it connects

  /* Starts the parallel task: hosts with their flops, and bytes between host pairs. */
  void start(const std::vector<simgrid::s4u::Host*>& hosts, const std::vector<double>& flops,
             const std::vector<double>& bytes);
  /* Accounts progress up to now; returns the new bytes. A cancelled task has nothing more to account: whoever
   * cancels a flow accounts it first (cancel()). */
  double account();
  /* Accounts what it did, then cancels it (no-op when it already ended). */
  void cancel();
  bool running() const;
};

using FlowPtr = std::shared_ptr<Flow>;

} // namespace ibmig::sim
