/* What the cluster looks like at one instant of the simulated migration: power, services, interfaces, name
 * resolution, VMs and their mounts. Pure logic, no SimGrid: the plan executor changes it, clients read it. */
#pragma once

#include "scenario.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ibmig::sim {

struct InterfaceState {
  bool present    = true;
  bool configured = true; // has a configuration that survives a reboot
  bool up         = true;
  int mtu         = 1500;
  IpoibMode mode  = IpoibMode::None;
};

struct NodeState {
  bool powered          = true;
  bool crashed          = false; // went away without warning (fault): its peers notice after ping-timeout
  bool glusterd         = true;  // glusterd and its brick processes
  bool glusterd_enabled = true;
  std::map<std::string, InterfaceState> interfaces;
};

struct VmState {
  bool running    = true;
  bool remounting = false;
  std::string bound_network; // where its mount's connections go: the names' network when it was mounted
  double stalled_until = -1; // waiting for network.ping-timeout after a brick vanished
};

/* Where one VM's I/O can go right now. */
struct IoPath {
  bool can_write = false;
  bool can_read  = false;
  std::string why_not;            // plain words, for downtime intervals
  std::vector<int> write_bricks;  // indices into the volume's bricks: data bricks that receive writes
  std::vector<int> missed_bricks; // data bricks of its set that are down: they will need healing
  int read_brick = -1;
  std::string network; // network the traffic crosses
};

class ClusterState {
public:
  explicit ClusterState(const Scenario& sc);

  NodeState& node(const std::string& n) { return nodes_.at(n); }
  const NodeState& node(const std::string& n) const { return nodes_.at(n); }
  VmState& vm(const std::string& n) { return vms_.at(n); }
  const VmState& vm(const std::string& n) const { return vms_.at(n); }
  std::string names_network;

  /* A brick process is serving (its node is up and glusterd runs). */
  bool brick_serving(const Brick& b) const;
  /* `from` reaches `to` over `network` (same node, or both have the interface up). */
  bool reachable(const std::string& from, const std::string& to, const std::string& network) const;
  bool interface_up_on(const std::string& node, const std::string& network) const;
  /* Client quorum of a replica set, given which of its bricks the client reaches. */
  /* Server-side view: does every replica set have quorum among serving bricks? */
  bool volume_available(const Volume& vol, std::string* why = nullptr) const;

  IoPath io_path(const Vm& vm, double now) const;

private:
  const Scenario& sc_;
  std::map<std::string, NodeState> nodes_;
  std::map<std::string, VmState> vms_;
};

} // namespace ibmig::sim
