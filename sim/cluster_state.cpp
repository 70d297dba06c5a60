#include "cluster_state.hpp"

namespace ibmig::sim {

ClusterState::ClusterState(const Scenario& sc) : sc_(sc)
{
  names_network = sc.storage_names.network;
  for (auto const& n : sc.nodes) {
    NodeState ns;
    ns.glusterd = ns.glusterd_enabled = n.server;
    for (auto const& nic : n.nics)
      ns.interfaces[nic.name] = {nic.present, nic.present, nic.present, nic.mtu, nic.mode};
    nodes_[n.name] = ns;
  }
  for (auto const& v : sc.workload.vms)
    vms_[v.name] = {true, false, names_network, -1};
}

bool ClusterState::brick_serving(const Brick& b) const
{
  const NodeState& n = nodes_.at(b.node);
  return n.powered && !n.crashed && n.glusterd;
}

bool ClusterState::interface_up_on(const std::string& node, const std::string& network) const
{
  const Node* nd = sc_.find_node(node);
  for (auto const& nic : nd->nics)
    if (nic.network == network) {
      auto const& s = nodes_.at(node).interfaces.at(nic.name);
      if (s.present && s.up) return true;
    }
  return false;
}

bool ClusterState::reachable(const std::string& from, const std::string& to, const std::string& network) const
{
  if (from == to) return true;
  return interface_up_on(from, network) && interface_up_on(to, network);
}

bool ClusterState::volume_available(const Volume& vol, std::string* why) const
{
  for (int s = 0; s < vol.replica_sets(); s++) {
    std::vector<bool> up;
    for (int k = 0; k < vol.replica; k++)
      up.push_back(brick_serving(vol.bricks[s * vol.replica + k]));
    if (!vol.has_quorum(up)) {
      if (why) *why = "replica set " + std::to_string(s) + " of " + vol.name + " has no quorum";
      return false;
    }
  }
  return true;
}

IoPath ClusterState::io_path(const Vm& vm, double now) const
{
  IoPath p;
  const VmState& vs   = vms_.at(vm.name);
  const NodeState& ns = nodes_.at(vm.node);
  p.network           = vs.bound_network;
  if (!ns.powered || ns.crashed) {
    p.why_not = "hypervisor " + vm.node + " is down";
    return p;
  }
  if (!vs.running) {
    p.why_not = "VM stopped";
    return p;
  }
  if (vs.remounting) {
    p.why_not = "client remounting";
    return p;
  }
  if (vs.stalled_until > now) {
    p.why_not = "stalled for network.ping-timeout after a brick vanished";
    return p;
  }
  const Volume& vol = *sc_.find_volume(vm.volume);
  int set           = replica_set_of(sc_, vm);
  std::vector<bool> up;
  for (int k = 0; k < vol.replica; k++) {
    int idx         = set * vol.replica + k;
    const Brick& b  = vol.bricks[idx];
    bool ok         = brick_serving(b) && reachable(vm.node, b.node, vs.bound_network);
    bool data_brick = !(vol.arbiter && k == vol.replica - 1);
    up.push_back(ok);
    if (data_brick) (ok ? p.write_bricks : p.missed_bricks).push_back(idx);
  }
  bool quorum = vol.has_quorum(up);
  p.can_write = quorum && !p.write_bricks.empty();
  if (!p.write_bricks.empty()) {
    p.can_read = true; // reads need one good brick, with or without quorum (quorum only guards writes)
    // cluster.choose-local first; otherwise read-hash-mode 0 takes the first up brick, the others a hash of the
    // file (gfid hash, or gfid+client for mode 2; mode 3's least-load is approximated by the hash).
    for (int idx : p.write_bricks)
      if (vol.choose_local && vol.bricks[idx].node == vm.node) p.read_brick = idx;
    if (p.read_brick < 0) {
      size_t pick = 0;
      if (vol.read_hash_mode != 0)
        pick = name_hash(vol.read_hash_mode == 2 ? vm.image + vm.name : vm.image) % p.write_bricks.size();
      p.read_brick = p.write_bricks[pick];
    }
  }
  if (!p.can_write)
    p.why_not = p.write_bricks.empty() ? "no brick of its replica set reachable"
                                       : "client quorum lost (" + std::to_string(p.write_bricks.size()) + " of " +
                                             std::to_string(vol.replica) + " bricks reachable)";
  return p;
}

} // namespace ibmig::sim
