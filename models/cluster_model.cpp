#include "cluster_model.hpp"

#include "text.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace ibmig {

namespace {

/* The state a NIC is in when the plan installs it: the driver's defaults, no address. */
InterfaceState fresh_interface(const Technology& t)
{
  InterfaceState i;
  i.present = true;
  i.mtu     = t.mtu_default;
  i.mode    = t.kind == LinkKind::InfiniBand ? IpoibMode::Datagram : IpoibMode::None;
  return i;
}

std::string in_MBps(double bytes_per_s)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB/s", bytes_per_s / 1e6);
  return buf;
}

std::string in_GiB(double bytes)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  return buf;
}

bool acts_on_powered_off(const Step& st)
{
  return st.action == Action::PowerOn || st.action == Action::InstallNic ||
         (st.action == Action::RepointNames && st.method == "dns");
}

/* What cannot be done where glusterd is not installed (stopping or disabling it there leaves nothing to do). */
bool needs_server(const Step& st)
{
  if (st.service == "rdma") return false;
  Action a = st.action;
  return a == Action::StartService || a == Action::EnableService || a == Action::RewritePeerAddresses;
}

/* Where the rdma service, not rdma-core's udev rule, loads ib_ipoib at boot (research I3, I6). */
bool boot_needs_rdma_service(Distribution d)
{
  return d == Distribution::Centos6;
}

/* What to do so that a node's ib interfaces appear. */
std::string stack_advice(const NodeState& ns, Distribution d)
{
  if (!ns.ib_software)
    return std::string("install the InfiniBand packages first (install_packages \"infiniband\": ") +
           (d == Distribution::Centos6 ? "the \"Infiniband Support\" group" : "rdma-core") + "), then start rdma";
  if (boot_needs_rdma_service(d) && !ns.rdma_enabled)
    return "enable and start the rdma service (enable_service and start_service \"rdma\"): on CentOS 6 it loads "
           "ib_ipoib";
  return "start the rdma service (start_service \"rdma\") or reboot";
}

} // namespace

bool Transition::step_failed() const
{
  return std::any_of(problems.begin(), problems.end(), [](auto& p) { return p.fails; });
}

void Transition::merge(Transition o)
{
  auto add = [](auto& to, auto& from) { to.insert(to.end(), from.begin(), from.end()); };
  add(bricks_stopped, o.bricks_stopped);
  add(bricks_started, o.bricks_started);
  add(rerated, o.rerated);
  add(links_down, o.links_down);
  add(vms_killed, o.vms_killed);
  add(glusterd_started, o.glusterd_started);
  add(problems, o.problems);
  if (observed.empty()) observed = o.observed;
}

ClusterModel::ClusterModel(const Scenario& sc) : sc_(sc)
{
  for (auto const& n : sc.nodes) {
    NodeState ns;
    ns.glusterd = ns.glusterd_enabled = n.server;
    ns.names_network                  = sc.storage_names.network;
    ns.state_network                  = sc.storage_names.network;
    ns.ib_software                    = n.software.infiniband;
    ns.rdma_enabled                   = n.software.rdma_enabled;
    ns.ib_stack = ns.ib_software && (!boot_needs_rdma_service(sc.distribution) || ns.rdma_enabled);
    for (auto const& nic : n.nics) {
      InterfaceState i;
      bool carries = !is_infiniband(nic) || (ns.ib_stack && nic.cabled);
      if (nic.present) i = {true, true, carries, nic.mtu, nic.mode};
      ns.interfaces[nic.name] = i;
    }
    nodes_[n.name] = ns;
  }
  for (auto const& v : sc.workload.vms) {
    VmState vs;
    vs.node          = v.node;
    vs.bound_network = sc.storage_names.network;
    vms_[v.name]     = vs;
    vms_by_node_[v.node].push_back(&v);
  }
  for (auto const& vol : sc.volumes) {
    heal_debt_[vol.name].resize(vol.bricks.size());
    vms_by_set_[vol.name].resize(static_cast<size_t>(vol.replica_sets()));
  }
  for (auto const& v : sc.workload.vms)
    vms_by_set_.at(v.volume).at(static_cast<size_t>(replica_set_of(sc, v))).push_back(&v);
}

/* ---- queries ---- */

const std::string& ClusterModel::pool_network(const std::string& node) const
{
  const NodeState& ns = nodes_.at(node);
  if (!sc_.storage_names.by_ip()) return ns.names_network;
  if (sc_.find_node(node)->server) return ns.state_network;
  // A node without glusterd mounts by a server's address and gets its volfile, with that server's addresses.
  for (auto const& n : sc_.nodes)
    if (n.server) return nodes_.at(n.name).state_network;
  return ns.state_network;
}

bool ClusterModel::brick_serving(const Brick& b) const
{
  const NodeState& n = nodes_.at(b.node);
  // A peer the pool rejects does not start its bricks (seen in the emulator: "Peer Rejected", brick Online N).
  bool rejected = !majority_state_network_.empty() && n.state_network != majority_state_network_;
  return n.powered && !n.crashed && n.glusterd && !rejected;
}

/* A pool probed by IP whose running glusterds hold different addresses: the largest group is the pool, the others
 * are rejected (their volume configuration's checksum differs). Empty when they agree. */
void ClusterModel::update_pool_majority()
{
  majority_state_network_.clear();
  if (!sc_.storage_names.by_ip()) return;
  std::map<std::string, size_t> count;
  for (auto const& n : sc_.nodes) {
    const NodeState& s = nodes_.at(n.name);
    if (n.server && s.powered && !s.crashed && s.glusterd) count[s.state_network]++;
  }
  if (count.size() < 2) return;
  majority_state_network_ =
      std::max_element(count.begin(), count.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
}

bool ClusterModel::interface_up_on(const std::string& node, const std::string& network) const
{
  const NodeState& ns = nodes_.at(node);
  for (auto const& nic : sc_.find_node(node)->nics)
    if (nic.network == network) {
      auto const& s = ns.interfaces.at(nic.name);
      if (s.present && s.up) return true;
    }
  return false;
}

bool ClusterModel::reachable(const std::string& from, const std::string& to, const std::string& network) const
{
  if (from == to) return true;
  return interface_up_on(from, network) && interface_up_on(to, network);
}

bool ClusterModel::volume_available(const Volume& vol, std::string* why) const
{
  for (int s = 0; s < vol.replica_sets(); s++) {
    if (!replica_set(vol, s).quorum) {
      if (why) *why = "replica set " + std::to_string(s) + " of " + vol.name + " has no quorum";
      return false;
    }
  }
  return true;
}

IoPath ClusterModel::io_path(const Vm& vm, double now) const
{
  IoPath p;
  const VmState& vs   = vms_.at(vm.name);
  const NodeState& ns = nodes_.at(vs.node);
  p.network           = vs.bound_network;
  p.node              = vs.node;
  if (!ns.powered || ns.crashed) {
    p.why_not = "hypervisor " + vs.node + " is down";
    return p;
  }
  if (vs.paused) {
    p.why_not = "paused for the stop-and-copy of its live migration";
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
    const Brick& b  = vol.bricks[static_cast<size_t>(idx)];
    bool ok         = brick_serving(b) && reachable(vs.node, b.node, vs.bound_network);
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
      if (vol.choose_local && vol.bricks[static_cast<size_t>(idx)].node == vs.node) p.read_brick = idx;
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

std::map<int, std::vector<std::string>> ClusterModel::mtus_on(const std::string& network) const
{
  std::map<int, std::vector<std::string>> out;
  for (auto const& node : sc_.nodes)
    for (auto const& nic : node.nics) {
      auto const& i = nodes_.at(node.name).interfaces.at(nic.name);
      if (nic.network == network && i.present && i.up && nodes_.at(node.name).powered)
        out[i.mtu].push_back(node.name + " " + nic.name);
    }
  return out;
}

/* ---- rules shared by steps and the initial state ---- */

void ClusterModel::interface_rules(const std::string& node, const Nic& nic, int mtu, IpoibMode mode,
                                   Transition& t) const
{
  const Technology& tech = sc_.technology_of(*sc_.find_network(nic.network));
  std::string who        = node + " " + nic.name + " (MTU " + std::to_string(mtu) + ")";
  bool ib                = tech.kind == LinkKind::InfiniBand;
  if (ib && mode == IpoibMode::Connected && !sc_.hcas.at(nic.hca).connected_mode)
    t.problems.push_back(
        {"CONNECTED_MODE_UNSUPPORTED",
         Severity::Error,
         true,
         {node + " " + nic.name + " (" + nic.hca + ")"},
         nic.hca + " in " + node + " does not support IPoIB connected mode: it stays in datagram mode"});
  bool datagram = ib && mode != IpoibMode::Connected;
  int limit     = largest_mtu(tech, datagram);
  if (mtu > limit)
    t.problems.push_back({datagram ? "MTU_DATAGRAM_TOO_LARGE" : "MTU_ABOVE_MAX",
                          Severity::Error,
                          true,
                          {who},
                          "MTU " + std::to_string(mtu) + " refused on " + node + "-" + nic.name + " (" +
                              (mode_name(mode).empty() ? tech.name : mode_name(mode) + " mode") + " allows at most " +
                              std::to_string(limit) + ")"});
  else if (datagram && mtu > tech.mtu_default) // above 2044 a 4K IB MTU is needed on the whole subnet
    t.problems.push_back({"MTU_DATAGRAM_TOO_LARGE",
                          Severity::Warning,
                          false,
                          {who},
                          "datagram MTU " + std::to_string(mtu) + " on " + node + "-" + nic.name +
                              " needs a 4K InfiniBand MTU on the subnet"});
}

/* A bond's slaves carry the bond's MTU: Linux sets it on every slave, and an IPoIB bond at 65520 needs every slave
 * in connected mode at that MTU (OFED ib-bonding.txt). Slaves declared with another MTU are not a state a
 * configure_interface step can produce. */
void ClusterModel::bond_rules(const std::string& node, const Nic& nic, Transition& t) const
{
  if (!nic.bond) return;
  std::vector<std::string> odd;
  for (auto const& s : nic.bond->slaves)
    if (s.mtu != 0 && s.mtu != nic.mtu) odd.push_back(s.name + " (MTU " + std::to_string(s.mtu) + ")");
  if (!odd.empty())
    t.problems.push_back({"BOND_MTU_MISMATCH",
                          Severity::Error,
                          true,
                          {node + " " + nic.name + " (MTU " + std::to_string(nic.mtu) + ")"},
                          "the slaves of " + node + "-" + nic.name + " must share its MTU " + std::to_string(nic.mtu) +
                              ", but " + join(odd) + " differ"});
}

std::vector<StepProblem> ClusterModel::initial_problems() const
{
  Transition t;
  for (auto const& node : sc_.nodes)
    for (auto const& nic : node.nics)
      if (nic.present) {
        interface_rules(node.name, nic, nic.mtu, nic.mode, t);
        bond_rules(node.name, nic, t);
      }
  return t.problems;
}

/* ---- steps ---- */

std::vector<std::string> ClusterModel::targets(const Step& st, Transition& t) const
{
  std::vector<std::string> ok, off, missing, not_server;
  for (auto const& n : st.nodes) {
    if (!nodes_.at(n).powered && !acts_on_powered_off(st)) {
      off.push_back(n);
      continue;
    }
    if (!st.interface.empty() && st.action != Action::InstallNic && !nodes_.at(n).interfaces.at(st.interface).present) {
      missing.push_back(n);
      continue;
    }
    if (needs_server(st) && !sc_.find_node(n)->server) {
      not_server.push_back(n);
      continue;
    }
    ok.push_back(n);
  }
  if (!off.empty())
    t.problems.push_back({"STEP_ON_POWERED_OFF_NODE", Severity::Error, true, off,
                          join(off) + (off.size() > 1 ? " are" : " is") + " powered off"});
  if (!missing.empty())
    t.problems.push_back({"INTERFACE_NOT_INSTALLED", Severity::Error, true, missing,
                          st.interface + " is not installed in " + join(missing)});
  if (!not_server.empty())
    t.problems.push_back({"NOT_A_SERVER", Severity::Error, true, not_server,
                          join(not_server) +
                              (not_server.size() > 1 ? " are not Gluster servers" : " is not a Gluster server") +
                              ": there is no " + st.service + " to " + to_string(st.action)});
  return fabric_ready(st, ok, t);
}

void ClusterModel::stop_bricks(const std::string& node, Transition& t)
{
  NodeState& ns = nodes_.at(node);
  if (ns.powered && !ns.crashed && ns.glusterd) t.bricks_stopped.push_back(node);
}

void ClusterModel::boot(const std::string& node, Transition& t)
{
  NodeState& ns = nodes_.at(node);
  ns.powered    = true;
  ns.crashed    = false;
  ns.glusterd   = ns.glusterd_enabled;
  ns.ib_stack   = ns.ib_software && (!boot_needs_rdma_service(sc_.distribution) || ns.rdma_enabled);
  for (auto const& nic : sc_.find_node(node)->nics) {
    InterfaceState& i = ns.interfaces.at(nic.name);
    i.up              = i.present && i.configured && (!is_infiniband(nic) || (ns.ib_stack && nic.cabled));
  }
  if (ns.glusterd) {
    t.bricks_started.push_back(node);
    t.glusterd_started.push_back(node);
  }
}

Transition ClusterModel::begin(const Step& st)
{
  Transition t;
  const std::map<const Brick*, bool> serving_before = serving_bricks();
  std::vector<std::string> nodes                    = targets(st, t);
  switch (st.action) {
  case Action::StopClients:
    for (auto const& n : nodes)
      for (const Vm* vm : vms_by_node_[n])
        vms_[vm->name].running = false;
    break;
  case Action::RemountClients:
    for (auto const& n : nodes)
      for (const Vm* vm : vms_by_node_[n])
        if (vms_[vm->name].running) vms_[vm->name].remounting = true;
    break;
  case Action::StopService:
    for (auto const& n : nodes) {
      stop_bricks(n, t);
      nodes_.at(n).glusterd = false;
    }
    break;
  case Action::PowerOff: {
    std::vector<std::string> killed;
    for (auto const& n : nodes) {
      stop_bricks(n, t);
      for (const Vm* vm : vms_by_node_[n])
        if (vms_[vm->name].running) {
          killed.push_back(vm->name + " (on " + n + ")");
          t.vms_killed.push_back(vm->name);
          vms_[vm->name].running = false;
        }
      nodes_.at(n).powered  = false;
      nodes_.at(n).glusterd = false;
      for (auto& [name, i] : nodes_.at(n).interfaces)
        if (i.up) t.links_down.push_back({n, name});
    }
    if (!killed.empty())
      t.problems.push_back({"VMS_KILLED_BY_POWER_OFF", Severity::Error, false, killed, "running VMs are killed"});
    break;
  }
  case Action::MigrateVms:
    plan_migrations(st, t);
    break;
  case Action::InterfaceDown:
  case Action::InterfaceUp:
    for (auto const& n : nodes) {
      InterfaceState& i = nodes_.at(n).interfaces.at(st.interface);
      if (st.action == Action::InterfaceUp && !i.configured)
        t.problems.push_back({"INTERFACE_UP_UNCONFIGURED",
                              Severity::Error,
                              true,
                              {n},
                              st.interface + " on " + n + " is not installed and configured"});
      bool was = i.up;
      i.up     = st.action == Action::InterfaceUp && i.configured;
      if (was && !i.up) t.links_down.push_back({n, st.interface});
    }
    break;
  default:
    break;
  }
  update_pool_majority();
  account_heal_debt(st.name, serving_before, t);
  return t;
}

void ClusterModel::configure(const Step& st, const std::vector<std::string>& nodes, Transition& t)
{
  for (auto const& n : nodes) {
    const Nic& nic      = *sc_.find_node(n)->find_nic(st.interface);
    const Technology& k = sc_.technology_of(*sc_.find_network(nic.network));
    InterfaceState& i   = nodes_.at(n).interfaces.at(st.interface);
    IpoibMode mode      = st.mode != IpoibMode::None ? st.mode : i.mode;
    int mtu             = st.mtu > 0 ? st.mtu : i.mtu;
    Transition rules;
    interface_rules(n, nic, mtu, mode, rules);
    for (auto const& p : rules.problems) {
      // What the kernel refuses is not applied: the mode stays datagram, the MTU at what it was (or the limit).
      if (p.rule == "CONNECTED_MODE_UNSUPPORTED") {
        mode = IpoibMode::Datagram;
        mtu  = std::min(mtu, k.mtu_default);
      } else if (p.fails) {
        mtu = std::min(i.mtu, largest_mtu(k, k.kind == LinkKind::InfiniBand && mode != IpoibMode::Connected));
      }
    }
    t.problems.insert(t.problems.end(), rules.problems.begin(), rules.problems.end());
    if (i.mtu != mtu || i.mode != mode || !i.configured) t.rerated.push_back({n, st.interface});
    i.mtu        = mtu;
    i.mode       = mode;
    i.configured = true;
    i.up         = true;
  }
}

void ClusterModel::verify_ping(const Step& st, const std::vector<std::string>& nodes, Transition& t) const
{
  std::string network = st.network;
  if (network.empty()) network = sc_.find_node(st.nodes.front())->find_nic(st.interface)->network;
  int min_mtu = 0;
  std::set<int> mtus;
  for (auto const& n : nodes) {
    bool up = false;
    for (auto const& nic : sc_.find_node(n)->nics)
      if (nic.network == network) {
        auto const& i = nodes_.at(n).interfaces.at(nic.name);
        if (i.present && i.up) {
          up = true;
          mtus.insert(i.mtu);
          min_mtu = min_mtu == 0 ? i.mtu : std::min(min_mtu, i.mtu);
        }
      }
    if (!up)
      t.problems.push_back({"PING_FAILED", Severity::Error, true, {n}, n + " has no interface up on " + network});
  }
  int size = st.mtu > 0 ? st.mtu : min_mtu - 28;
  if (mtus.size() > 1)
    t.problems.push_back({"MTU_MISMATCH",
                          Severity::Error,
                          true,
                          {},
                          "MTUs differ on " + network + " (" + std::to_string(*mtus.begin()) + " vs " +
                              std::to_string(*mtus.rbegin()) + "): large pings with don't-fragment fail between them"});
  else if (!mtus.empty() && size > min_mtu - 28)
    t.problems.push_back({"PING_FAILED",
                          Severity::Error,
                          true,
                          {},
                          "a " + std::to_string(size) + "-byte ping does not fit MTU " + std::to_string(min_mtu) +
                              " with don't-fragment"});
  if (!t.step_failed()) t.observed = std::to_string(size) + "-byte pings with don't-fragment pass on " + network;
}

void ClusterModel::check_peers(const Step&, Transition& t) const
{
  std::vector<std::string> servers;
  for (auto const& n : sc_.nodes)
    if (n.server) servers.push_back(n.name);
  // Which servers run glusterd and which have an interface up on a network, asked once per server (and per
  // network the pool uses), not once per pair: the pairs are servers squared.
  std::vector<char> running;
  for (auto const& a : servers) {
    const NodeState& s = nodes_.at(a);
    running.push_back(s.powered && !s.crashed && s.glusterd);
  }
  std::map<std::string, std::vector<char>> up_on;
  auto up_on_network = [&](const std::string& network) -> const std::vector<char>& {
    auto [it, fresh] = up_on.emplace(network, std::vector<char>());
    if (fresh)
      for (auto const& b : servers)
        it->second.push_back(interface_up_on(b, network));
    return it->second;
  };
  for (size_t ia = 0; ia < servers.size(); ia++) {
    const std::string& a = servers[ia];
    if (!running[ia]) {
      t.problems.push_back(
          {"PEERS_NOT_CONNECTED", Severity::Error, true, {a}, "peer " + a + " is not running glusterd"});
      continue;
    }
    // Each glusterd reaches its peers at the addresses its own names resolve to (or its state files hold).
    const std::string network   = pool_network(a);
    const std::vector<char>& up = up_on_network(network);
    for (size_t ib = 0; ib < servers.size(); ib++) {
      const std::string& b = servers[ib];
      if (ia == ib || !running[ib]) continue;
      if (!(up[ia] && up[ib])) // reachable(a, b, network)
        t.problems.push_back({"PEERS_NOT_CONNECTED",
                              Severity::Error,
                              true,
                              {a, b},
                              "peer " + a + " cannot reach " + b + " over " + network});
    }
  }
  rejected_peers(t);
  if (!t.step_failed()) {
    std::set<std::string> nets;
    for (auto const& a : servers)
      nets.insert(pool_network(a));
    t.observed = std::to_string(servers.size()) + " peers connected over " +
                 join(std::vector<std::string>(nets.begin(), nets.end()));
  }
}

void ClusterModel::rejected_peers(Transition& t) const
{
  if (majority_state_network_.empty()) return;
  std::vector<std::string> pool;
  std::map<std::string, std::vector<std::string>> rejected; // their state network -> servers
  for (auto const& n : sc_.nodes) {
    const NodeState& s = nodes_.at(n.name);
    if (!n.server || !s.powered || s.crashed || !s.glusterd) continue;
    (s.state_network == majority_state_network_ ? pool : rejected[s.state_network]).push_back(n.name);
  }
  for (auto const& [net, who] : rejected)
    t.problems.push_back({"PEER_REJECTED", Severity::Error, true, who,
                          join(who) + (who.size() > 1 ? " hold" : " holds") + " the pool's addresses on " + net +
                              " in /var/lib/glusterd, while " + join(pool) + " hold those on " +
                              majority_state_network_ +
                              ": the volume's configuration differs between them, so the others show " + join(who) +
                              " as Peer Rejected and " + (who.size() > 1 ? "their" : "its") + " bricks stay offline"});
}

/* The admin's sed over /var/lib/glusterd (peers/UUID, vols/V/info, vols/V/bricks/HOST:PATH, the volfiles; glusterd.info
 * and every UUID untouched). A glusterd running anywhere keeps the old state in memory: where it runs on the node
 * itself it writes that back, and the rewrite is lost. */
void ClusterModel::rewrite_peer_addresses(const Step& st, const std::vector<std::string>& nodes, Transition& t)
{
  if (!sc_.storage_names.by_ip()) {
    t.problems.push_back({"REWRITE_IN_NAMED_POOL", Severity::Warning, false, nodes,
                          "the pool's peers and bricks are named (storage_names.peers is \"" +
                              std::string(to_string(sc_.storage_names.peers)) +
                              "\"): its state files hold names, not addresses, so there is nothing to rewrite"});
    return;
  }
  std::vector<std::string> running;
  for (auto const& n : sc_.nodes) {
    const NodeState& s = nodes_.at(n.name);
    if (n.server && s.powered && !s.crashed && s.glusterd) running.push_back(n.name);
  }
  if (!running.empty())
    t.problems.push_back({"REWRITE_WHILE_GLUSTERD_RUNS", Severity::Error, false, running,
                          "glusterd runs on " + join(running) +
                              ": a running glusterd keeps the old addresses in memory and writes its state files "
                              "back, so the rewrite is lost there"});
  for (auto const& n : nodes) {
    if (std::find(running.begin(), running.end(), n) != running.end()) continue;
    nodes_.at(n).state_network = st.network;
  }
  t.observed = "glusterd's state names the pool's addresses on " + st.network + " on " + join(nodes);
}

void ClusterModel::check_volume(const Step& st, Transition& t) const
{
  const Volume& vol = *sc_.find_volume(st.volume);
  for (auto const& b : vol.bricks)
    if (!brick_serving(b))
      t.problems.push_back(
          {"BRICK_OFFLINE", Severity::Error, true, {b.node}, "brick " + b.node + ":" + b.path + " is offline"});
  for (auto const& vm : sc_.workload.vms) {
    if (vm.volume != vol.name || !vms_.at(vm.name).running) continue;
    for (auto const& b : vol.bricks)
      if (brick_serving(b) && !reachable(vms_.at(vm.name).node, b.node, vms_.at(vm.name).bound_network))
        t.problems.push_back({"CLIENT_NOT_CONNECTED",
                              Severity::Error,
                              true,
                              {b.node, vms_.at(vm.name).node},
                              "brick " + b.node + " does not see client " + vm.name + " (mounted over " +
                                  vms_.at(vm.name).bound_network + ")"});
  }
  if (!t.step_failed())
    t.observed = "all " + std::to_string(vol.bricks.size()) + " bricks online and see every running client";
}

Transition ClusterModel::end(const Step& st)
{
  Transition t;
  const std::map<const Brick*, bool> serving_before = serving_bricks();
  // Problems of the targets were reported by begin(): recompute the targets silently.
  Transition ignored;
  std::vector<std::string> nodes = targets(st, ignored);
  switch (st.action) {
  case Action::StartClients:
  case Action::RemountClients:
    for (auto const& n : nodes)
      for (const Vm* vm : vms_by_node_[n]) {
        VmState& v = vms_[vm->name];
        if (st.action == Action::StartClients && !v.running) {
          v.running       = true;
          v.bound_network = pool_network(n); // a fresh mount resolves the storage names (or reads the volfile) now
        }
        if (st.action == Action::RemountClients && v.running) {
          v.remounting    = false;
          v.bound_network = pool_network(n);
        }
      }
    break;
  case Action::StartService:
    if (st.service == "rdma") {
      fabric_software(st, nodes, t);
      break;
    }
    for (auto const& n : nodes) {
      NodeState& ns = nodes_.at(n);
      if (!ns.glusterd) {
        t.bricks_started.push_back(n);
        t.glusterd_started.push_back(n);
      }
      ns.glusterd = true;
    }
    break;
  case Action::EnableService:
  case Action::DisableService:
    if (st.service == "rdma") {
      fabric_software(st, nodes, t);
      break;
    }
    for (auto const& n : nodes)
      nodes_.at(n).glusterd_enabled = st.action == Action::EnableService && sc_.find_node(n)->server;
    break;
  case Action::PowerOn: {
    std::vector<std::string> already;
    for (auto const& n : nodes) {
      if (nodes_.at(n).powered) {
        already.push_back(n);
        continue;
      }
      boot(n, t);
    }
    if (!already.empty())
      t.problems.push_back({"POWER_ON_WITHOUT_POWER_OFF", Severity::Warning, false, already, "already running"});
    break;
  }
  case Action::InstallNic: {
    std::vector<std::string> live;
    for (auto const& n : nodes) {
      if (nodes_.at(n).powered) live.push_back(n);
      InterfaceState& i = nodes_.at(n).interfaces.at(st.interface);
      const Nic& nic    = *sc_.find_node(n)->find_nic(st.interface);
      if (!i.present) i = fresh_interface(sc_.technology_of(*sc_.find_network(nic.network)));
      // A dual-port HCA is one card: the node's other IB interface of the same model on the other port comes too.
      for (auto const& other : sc_.find_node(n)->nics) {
        InterfaceState& o = nodes_.at(n).interfaces.at(other.name);
        if (is_infiniband(nic) && is_infiniband(other) && other.hca == nic.hca && other.hca_port != nic.hca_port &&
            !o.present && !other.bond && !nic.bond)
          o = fresh_interface(sc_.technology_of(*sc_.find_network(other.network)));
      }
    }
    if (!live.empty())
      t.problems.push_back({"NIC_INSTALLED_WHILE_POWERED", Severity::Error, true, live,
                            "HCA installed in " + join(live) + " while powered on"});
    break;
  }
  case Action::ConfigureInterface:
    configure(st, nodes, t);
    break;
  case Action::VerifyPing:
    verify_ping(st, nodes, t);
    break;
  case Action::RepointNames:
    // A hosts file is per node; a DNS record is what every node resolves.
    if (st.method == "dns")
      for (auto& [name, ns] : nodes_)
        ns.names_network = st.network;
    else
      for (auto const& n : nodes)
        nodes_.at(n).names_network = st.network;
    t.observed = "storage names resolve to " + st.network + " (" + st.method + ")";
    if (sc_.storage_names.by_ip())
      t.problems.push_back({"NAMES_DO_NOT_MOVE_POOL", Severity::Error, false, nodes,
                            "the pool's peers and bricks were probed by IP address (storage_names.peers is \"ip\"): "
                            "glusterd and the mounts use the addresses in /var/lib/glusterd, so re-pointing names "
                            "moves nothing"});
    break;
  case Action::RewritePeerAddresses:
    rewrite_peer_addresses(st, nodes, t);
    break;
  case Action::MigrateVms:
    for (auto const& m : pending_migrations_)
      finish_migration(m);
    pending_migrations_.clear();
    break;
  case Action::CheckPeers:
    check_peers(st, t);
    break;
  case Action::CheckVolume:
    check_volume(st, t);
    break;
  case Action::InstallPackages:
    fabric_software(st, nodes, t);
    break;
  case Action::VerifyPort:
    verify_port(st, nodes, t);
    break;
  default:
    break;
  }
  if (st.action == Action::WaitHeal) // the heal finishes for the bricks that are up; a brick still down stays stale
    for (auto const& vol : sc_.volumes)
      if (vol.name == st.volume)
        for (size_t b = 0; b < vol.bricks.size(); b++)
          if (brick_serving(vol.bricks[b])) heal_debt_[vol.name][b] = {};
  update_pool_majority();
  account_heal_debt(st.name, serving_before, t);
  return t;
}

Transition ClusterModel::apply(const Step& st)
{
  Transition t = begin(st);
  t.merge(end(st));
  return t;
}

/* ---- live migration ---- */

double ClusterModel::free_memory(const std::string& node) const
{
  const Node& n = *sc_.find_node(node);
  if (!n.memory) return 1e300; // the loader asks for it wherever a migration can land
  double used = 0;
  auto here   = vms_by_node_.find(node);
  if (here != vms_by_node_.end())
    for (const Vm* vm : here->second)
      if (vms_.at(vm->name).running && vm->memory) used += vm->memory->size.value;
  return n.memory->value - used;
}

/* Which VMs move where: the named ones, those running on the step's nodes, or (back) those whose home is one of
 * them. A target is the step's `to`, the VM's home, or the other running hypervisor with the most free memory. A
 * move the target cannot take (off, full, unreachable on the network, or a dirty rate pre-copy cannot outrun) is
 * refused and the VM stays. */
void ClusterModel::plan_migrations(const Step& st, Transition& t)
{
  pending_migrations_.clear();
  std::map<std::string, double> incoming;
  auto usable = [&](const std::string& n) {
    const NodeState& s = nodes_.at(n);
    return s.powered && !s.crashed && sc_.find_node(n)->hypervisor;
  };
  const Network* net   = sc_.find_network(st.network);
  const double wire    = to_bytes_per_second(sc_.technology_of(*net).data_rate).value;
  const double precopy = std::min(st.max_bandwidth.value, wire);
  for (auto const& vm : sc_.workload.vms) {
    VmState& v  = vms_.at(vm.name);
    bool chosen = !st.vms.empty() ? std::find(st.vms.begin(), st.vms.end(), vm.name) != st.vms.end()
                  : st.back
                      ? std::find(st.nodes.begin(), st.nodes.end(), vm.node) != st.nodes.end() && v.node != vm.node
                      : std::find(st.nodes.begin(), st.nodes.end(), v.node) != st.nodes.end();
    if (!chosen) continue;
    if (!v.running) {
      t.problems.push_back({"MIGRATE_STOPPED_VM",
                            Severity::Warning,
                            false,
                            {vm.name},
                            vm.name + " is not running: there is nothing to migrate live"});
      continue;
    }
    std::string to = st.back ? vm.node : st.to;
    if (to.empty()) { // spread: the other running hypervisor with the most free memory
      double best = -1e300;
      for (auto const& n : sc_.nodes) {
        if (!usable(n.name) || n.name == v.node ||
            std::find(st.nodes.begin(), st.nodes.end(), n.name) != st.nodes.end() ||
            !interface_up_on(n.name, st.network))
          continue;
        double f = free_memory(n.name) - incoming[n.name];
        if (f > best) {
          best = f;
          to   = n.name;
        }
      }
      if (to.empty()) {
        t.problems.push_back({"MIGRATION_TARGET_DOWN",
                              Severity::Error,
                              true,
                              {vm.name},
                              "no other running hypervisor is up on " + st.network + " to take " + vm.name});
        continue;
      }
    }
    if (to == v.node) continue;
    const double need = vm.memory ? vm.memory->size.value : 0;
    std::string who   = vm.name + " (" + v.node + " -> " + to + ")";
    if (!usable(to)) {
      t.problems.push_back({"MIGRATION_TARGET_DOWN",
                            Severity::Error,
                            true,
                            {who},
                            to + " is " + (nodes_.at(to).powered ? "not a hypervisor" : "powered off") + ": " +
                                vm.name + " stays on " + v.node});
      continue;
    }
    if (!interface_up_on(v.node, st.network) || !interface_up_on(to, st.network)) {
      t.problems.push_back({"MIGRATION_NETWORK_DOWN",
                            Severity::Error,
                            true,
                            {who},
                            (interface_up_on(v.node, st.network) ? to : v.node) + " has no interface up on " +
                                st.network + ": the memory of " + vm.name + " cannot be copied"});
      continue;
    }
    if (need > free_memory(to) - incoming[to]) {
      t.problems.push_back({"MIGRATION_TARGET_MEMORY",
                            Severity::Error,
                            true,
                            {who},
                            to + " has " + in_GiB(std::max(0.0, free_memory(to) - incoming[to])) + " of RAM free, " +
                                vm.name + " needs " + in_GiB(need)});
      continue;
    }
    if (vm.memory && vm.memory->dirty_rate.value >= precopy) {
      t.problems.push_back({"MIGRATION_DOES_NOT_CONVERGE",
                            Severity::Error,
                            true,
                            {who},
                            vm.name + " dirties " + in_MBps(vm.memory->dirty_rate.value) + ", not less than the " +
                                in_MBps(precopy) + " pre-copy can send (min of max_bandwidth and " + st.network +
                                "): QEMU's pre-copy never reaches the downtime limit (it has no round limit)"});
      continue;
    }
    incoming[to] += need;
    t.migrations.push_back({vm.name, v.node, to, st.network});
  }
  pending_migrations_ = t.migrations;
}

void ClusterModel::set_paused(const std::string& vm, bool paused)
{
  vms_.at(vm).paused = paused;
}

void ClusterModel::finish_migration(const Migration& m)
{
  VmState& v = vms_.at(m.vm);
  v.paused   = false;
  if (v.node == m.to) return;
  auto& from = vms_by_node_[v.node];
  auto it    = std::find_if(from.begin(), from.end(), [&](const Vm* x) { return x->name == m.vm; });
  if (it == from.end()) return;
  vms_by_node_[m.to].push_back(*it);
  from.erase(it);
  v.node          = m.to;
  v.bound_network = pool_network(m.to); // the target's mount (or its own libgfapi connections)
}

Transition ClusterModel::crash(const std::string& node)
{
  Transition t;
  const std::map<const Brick*, bool> serving_before = serving_bricks();
  stop_bricks(node, t);
  NodeState& ns = nodes_.at(node);
  ns.crashed    = true;
  ns.powered    = false;
  for (const Vm* vm : vms_by_node_[node])
    vms_[vm->name].running = false;
  update_pool_majority();
  account_heal_debt(node + " failed", serving_before, t);
  return t;
}

Transition ClusterModel::recover(const std::string& node)
{
  Transition t;
  const std::map<const Brick*, bool> serving_before = serving_bricks();
  boot(node, t);
  update_pool_majority();
  account_heal_debt(node + " came back", serving_before, t);
  return t;
}

/* ---- the InfiniBand fabric: software, ports, cables ---- */

bool ClusterModel::is_infiniband(const Nic& nic) const
{
  return sc_.technology_of(*sc_.find_network(nic.network)).kind == LinkKind::InfiniBand;
}

ClusterModel::PortState ClusterModel::port_state(const std::string& node, const std::string& interface) const
{
  const NodeState& ns     = nodes_.at(node);
  const Nic& nic          = *sc_.find_node(node)->find_nic(interface);
  const InterfaceState& i = ns.interfaces.at(interface);
  PortState p;
  if (!ns.powered || ns.crashed)
    p.why = node + " is not running";
  else if (!i.present)
    p.why = "the HCA of " + interface + " is not installed in " + node;
  else if (!ns.ib_stack)
    p.why = "no RDMA device: the InfiniBand stack is not loaded on " + node + " (" +
            stack_advice(ns, sc_.distribution) + ")";
  else if (!nic.cabled) {
    p.state = "PORT_DOWN";
    p.why   = "port " + std::to_string(nic.hca_port) + " of " + node + "'s HCA has no cable (physical state POLLING)";
  } else {
    p.state             = "PORT_ACTIVE";
    const Technology& k = sc_.technology_of(*sc_.find_network(nic.network));
    bool four_k         = i.configured && i.mode != IpoibMode::Connected && i.mtu > k.mtu_default;
    p.active_mtu        = four_k ? 4096 : default_ib_mtu(k);
  }
  return p;
}

std::vector<std::string> ClusterModel::fabric_ready(const Step& st, const std::vector<std::string>& nodes,
                                                    Transition& t) const
{
  if (st.action != Action::ConfigureInterface && st.action != Action::InterfaceUp) return nodes;
  std::vector<std::string> ok, uncabled;
  std::map<std::string, std::vector<std::string>> no_stack; // advice -> nodes
  for (auto const& n : nodes) {
    const Nic& nic = *sc_.find_node(n)->find_nic(st.interface);
    if (!is_infiniband(nic))
      ok.push_back(n);
    else if (!nodes_.at(n).ib_stack)
      no_stack[stack_advice(nodes_.at(n), sc_.distribution)].push_back(n);
    else if (!nic.cabled)
      uncabled.push_back(n);
    else
      ok.push_back(n);
  }
  for (auto const& [advice, who] : no_stack)
    t.problems.push_back({"IB_STACK_NOT_LOADED", Severity::Error, true, who,
                          st.interface + " does not exist on " + join(who) +
                              ": the InfiniBand stack (ib_ipoib) is not loaded, so the HCA has no IPoIB interface; " +
                              advice});
  if (!uncabled.empty()) {
    const Nic& nic = *sc_.find_node(uncabled.front())->find_nic(st.interface);
    t.problems.push_back({"INTERFACE_NOT_CABLED", Severity::Error, true, uncabled,
                          st.interface + " on " + join(uncabled) + " is HCA port " + std::to_string(nic.hca_port) +
                              ", which has no cable: the port stays PORT_DOWN and the interface carries nothing "
                              "(cable it, or configure the interface of the cabled port)"});
  }
  return ok;
}

void ClusterModel::load_ib_stack(const std::string& node)
{
  NodeState& ns = nodes_.at(node);
  ns.ib_stack   = true;
  // The interfaces appear now; those with a configuration (ifcfg ONBOOT, a NetworkManager connection) come up.
  for (auto const& nic : sc_.find_node(node)->nics) {
    InterfaceState& i = ns.interfaces.at(nic.name);
    if (is_infiniband(nic) && i.present && i.configured && nic.cabled) i.up = true;
  }
}

void ClusterModel::fabric_software(const Step& st, const std::vector<std::string>& nodes, Transition& t)
{
  std::vector<std::string> missing, done;
  for (auto const& n : nodes) {
    NodeState& ns = nodes_.at(n);
    if (st.action == Action::InstallPackages) {
      ns.ib_software = true;
      done.push_back(n);
      continue;
    }
    if (!ns.ib_software && st.action != Action::DisableService) {
      missing.push_back(n);
      continue;
    }
    if (st.action == Action::StartService) load_ib_stack(n);
    if (st.action == Action::EnableService || st.action == Action::DisableService)
      ns.rdma_enabled = st.action == Action::EnableService;
    done.push_back(n);
  }
  if (!missing.empty())
    t.problems.push_back({"RDMA_NOT_INSTALLED", Severity::Error, true, missing,
                          "there is no rdma service on " + join(missing) +
                              ": it comes with the InfiniBand packages (install_packages \"infiniband\" first)"});
  if (!done.empty())
    t.observed = st.action == Action::InstallPackages
                     ? "InfiniBand packages installed on " + join(done)
                     : std::string("rdma ") + to_string(st.action) + " on " + join(done);
}

void ClusterModel::verify_port(const Step& st, const std::vector<std::string>& nodes, Transition& t) const
{
  std::vector<std::string> seen;
  for (auto const& n : nodes) {
    PortState p       = port_state(n, st.interface);
    const Nic& nic    = *sc_.find_node(n)->find_nic(st.interface);
    std::string where = n + " " + st.interface + " (port " + std::to_string(nic.hca_port) + ")";
    if (p.state != "PORT_ACTIVE")
      t.problems.push_back({"PORT_NOT_ACTIVE",
                            Severity::Error,
                            true,
                            {where},
                            where + ": " + (p.state.empty() ? "" : p.state + ", ") + p.why});
    else
      seen.push_back(where + " PORT_ACTIVE, active MTU " + std::to_string(p.active_mtu));
  }
  if (!t.step_failed()) t.observed = join(seen);
}

/* ---- replica sets: quorum and heal debt ---- */

ReplicaSetState ClusterModel::replica_set(const Volume& vol, int set) const
{
  ReplicaSetState r;
  std::vector<bool> up;
  for (int k = 0; k < vol.replica; k++) {
    const Brick& b = vol.bricks[static_cast<size_t>(set * vol.replica + k)];
    up.push_back(brick_serving(b));
    (up.back() ? r.serving : r.down).push_back(b.node);
  }
  r.quorum = vol.has_quorum(up);
  for (const Vm* vm : vms_by_set_.at(vol.name).at(static_cast<size_t>(set)))
    if (vms_.at(vm->name).running) r.running_vms.push_back(vm->name);
  return r;
}

std::map<const Brick*, bool> ClusterModel::serving_bricks() const
{
  std::map<const Brick*, bool> out;
  for (auto const& vol : sc_.volumes)
    for (auto const& b : vol.bricks)
      out[&b] = brick_serving(b);
  return out;
}

/* A brick that is down while VMs write to its replica set misses their writes until a heal; taking another brick
 * of the set down while that one is back but not healed leaves the stale copy as the only one serving. */
void ClusterModel::account_heal_debt(const std::string& when, const std::map<const Brick*, bool>& before, Transition& t)
{
  for (auto const& vol : sc_.volumes) {
    auto& debt = heal_debt_[vol.name];
    for (int s = 0; s < vol.replica_sets(); s++) {
      ReplicaSetState set = replica_set(vol, s);
      bool written        = !set.running_vms.empty();
      std::vector<size_t> idx;
      for (int k = 0; k < vol.replica; k++)
        idx.push_back(static_cast<size_t>(s * vol.replica + k));
      if (written)
        down_before_heal(
            vol, s, idx, [&](size_t b) { return before.at(&vol.bricks[b]) && !brick_serving(vol.bricks[b]); }, t);
      if (written && vol.quorum_type == QuorumType::None && set.quorum) split_brain_risk(vol, s, idx, before, t);
      for (size_t b : idx) {
        bool up = brick_serving(vol.bricks[b]);
        if (!up && written && !debt[b].stale) debt[b] = {true, when, ""};
        if (up && !before.at(&vol.bricks[b]) && debt[b].stale) debt[b].back_at = when;
      }
    }
  }
}

/* ROLLING_BEFORE_HEAL: a brick of a written replica set is down while another of its set serves although it came back
 * stale (not healed since): the down one held the only good copy. `went_down` picks the bricks to ask about: those
 * that went down at this change (the plan), or every brick that is down (an observed state, lab status). */
void ClusterModel::down_before_heal(const Volume& vol, int s, const std::vector<size_t>& idx,
                                    const std::function<bool(size_t)>& went_down, Transition& t) const
{
  ReplicaSetState set = replica_set(vol, s);
  auto const& debt    = heal_debt_.at(vol.name);
  for (size_t b : idx) {
    if (!went_down(b)) continue;
    for (size_t o : idx)
      if (o != b && brick_serving(vol.bricks[o]) && debt[o].stale && !debt[o].back_at.empty())
        t.problems.push_back({"ROLLING_BEFORE_HEAL",
                              Severity::Error,
                              false,
                              {vol.bricks[b].node, vol.bricks[o].node},
                              "takes " + vol.bricks[b].node + " down while VMs " + join(set.running_vms) +
                                  " are running, but " + vol.bricks[o].node + " (same replica set " +
                                  std::to_string(s) + " of volume " + vol.name + ") came back at step \"" +
                                  debt[o].back_at + "\" and has not been healed: it lacks the writes it missed, and " +
                                  vol.bricks[b].node + " holds the only good copy. Add a wait_heal step for " +
                                  vol.name + " before taking " + vol.bricks[b].node + " down."});
  }
}

std::vector<StepProblem> ClusterModel::state_problems() const
{
  Transition t;
  for (auto const& vol : sc_.volumes)
    for (int s = 0; s < vol.replica_sets(); s++) {
      std::vector<size_t> idx;
      for (int k = 0; k < vol.replica; k++)
        idx.push_back(static_cast<size_t>(s * vol.replica + k));
      if (!replica_set(vol, s).running_vms.empty())
        down_before_heal(
            vol, s, idx, [&](size_t b) { return !brick_serving(vol.bricks[b]); }, t);
    }
  return t.problems;
}

void ClusterModel::overwrite_node(const std::string& node, const NodeState& s)
{
  nodes_.at(node) = s;
}

void ClusterModel::overwrite_vm(const std::string& vm, const VmState& s)
{
  vms_.at(vm) = s;
}

void ClusterModel::overwrite_heal_debt(const std::string& volume, size_t brick, const BrickHealDebt& d)
{
  heal_debt_.at(volume).at(brick) = d;
}

/* With quorum none a brick that missed writes takes new ones while the brick that has the missed ones is down: each
 * copy now holds writes the other lacks, which no heal can merge (AFR split-brain). Raised when that starts: the good
 * copy goes down, or the stale one comes back while it is down. Called before this change's debt is recorded, so a
 * brick going down now is still the good copy. */
void ClusterModel::split_brain_risk(const Volume& vol, int set, const std::vector<size_t>& idx,
                                    const std::map<const Brick*, bool>& before, Transition& t) const
{
  auto const& debt = heal_debt_.at(vol.name);
  for (size_t b : idx) {
    if (!brick_serving(vol.bricks[b]) || !debt[b].stale) continue;
    for (size_t o : idx) {
      if (o == b || brick_serving(vol.bricks[o]) || debt[o].stale) continue;
      if (!before.at(&vol.bricks[o]) && before.at(&vol.bricks[b])) continue; // not new: raised when it started
      const std::string &sb = vol.bricks[b].node, &so = vol.bricks[o].node;
      t.problems.push_back({"SPLIT_BRAIN_RISK",
                            Severity::Error,
                            false,
                            {sb, so},
                            "leaves " + sb + " (replica set " + std::to_string(set) + " of volume " + vol.name +
                                "), which missed writes since \"" + debt[b].stale_since +
                                "\" and was not healed, taking new writes while " + so +
                                ", which holds the writes it missed, is down: with "
                                "cluster.quorum-type none each copy gets writes the other lacks, a split-brain that "
                                "self-heal cannot resolve. Use quorum auto (or a replica 3 / arbiter volume), or heal "
                                "" +
                                vol.name + " (wait_heal) before " + so + " goes down"});
    }
  }
}

const std::vector<BrickHealDebt>& ClusterModel::heal_debt(const std::string& volume) const
{
  return heal_debt_.at(volume);
}

double ClusterModel::stall_clients_of(const std::string& node, double now)
{
  double longest = 0;
  for (auto const& vm : sc_.workload.vms) {
    if (vms_.at(vm.name).node == node) continue;
    const Volume& vol = *sc_.find_volume(vm.volume);
    int set           = replica_set_of(sc_, vm);
    for (int k = 0; k < vol.replica; k++)
      if (vol.bricks[static_cast<size_t>(set * vol.replica + k)].node == node) {
        vms_[vm.name].stalled_until = now + vol.ping_timeout.value;
        longest                     = std::max(longest, vol.ping_timeout.value);
      }
  }
  return longest;
}

} // namespace ibmig
