#include "plan_checker.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace ibmig {
namespace {

std::string join(const std::vector<std::string>& items)
{
  std::string out;
  for (size_t i = 0; i < items.size(); i++)
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return out;
}

/* "is" or "are", "has" or "have": messages are read by people. */
std::string verb(size_t count, const char* one, const char* many)
{
  return count > 1 ? many : one;
}

std::string in_quotes(const std::string& s)
{
  return "\"" + s + "\"";
}

/* How a step is named in messages: its name, and where it is in the file so the admin can find it. */
std::string label(const Step& st)
{
  return "step " + in_quotes(st.name) + " (" + st.json_path + ")";
}

struct IfaceState {
  bool present    = false;
  bool configured = false; // has a mode/MTU/address; survives reboots
  bool up         = false; // administratively up (comes back up at boot)
  IpoibMode mode  = IpoibMode::None;
  int mtu         = 0;
};

struct NodeState {
  bool powered  = true;
  bool glusterd = false;   // running
  bool enabled  = false;   // starts at boot
  std::string disabled_by; // step that disabled glusterd at boot; "" once enabled again
  std::string names_net;   // network this node's storage names resolve to
  std::map<std::string, IfaceState> ifaces;
};

struct VmState {
  bool running = true;
  std::string bound_net; // network its Gluster mount connected through (fixed until remounted or restarted)
};

/* Walks the plan once, keeping a symbolic state of every node and VM, and reports what a real run would suffer. */
class PlanChecker {
public:
  explicit PlanChecker(const Scenario& sc);
  std::vector<CheckFinding> run();

private:
  void add(const char* rule, const char* severity, const std::string& step, const std::string& msg,
           const std::string& dedupe_key = "");
  std::vector<std::string> reachable_targets(const Step& st);
  void apply(const Step& st);
  void configure(const Step& st, const std::vector<std::string>& targets);
  void verify_ping(const Step& st, const std::vector<std::string>& targets);
  void interface_down(const Step& st, const std::vector<std::string>& targets);
  void on_glusterd_started(const Step& st, const std::vector<std::string>& started);
  void check_bricks(const Step& st, const std::set<std::string>& serving_before);
  void check_mtus(const std::string& net, const std::string& step, const std::string& when);
  void check_storage_reachable(const std::vector<std::string>& nodes, const std::string& step, const std::string& when);
  void check_end();

  bool serving(const std::string& node) const { return nodes_.at(node).powered && nodes_.at(node).glusterd; }
  std::set<std::string> serving_nodes() const;
  bool iface_up_on(const std::string& node, const std::string& net) const;
  std::string network_of(const std::string& node, const std::string& iface) const;
  std::vector<std::string> running_vms_on_set(const Volume& vol, int set) const;

  const Scenario& sc_;
  std::map<std::string, NodeState> nodes_;
  std::map<std::string, VmState> vms_;
  std::set<std::string> new_nets_;                   // networks the plan brings up for storage
  std::map<std::string, std::string> configured_by_; // network -> last step that configured an interface on it
  std::set<std::string> pinged_;                     // networks verified by a large ping since their last configure
  std::map<std::string, std::map<int, std::string>> stale_; // volume -> brick index -> step it missed writes at
  std::map<std::string, std::map<int, std::string>> back_;  // volume -> brick index -> step it came back at
  std::set<std::string> reported_;
  std::vector<CheckFinding> findings_;
  // Static indexes (images do not move, VMs do not change hosts): keep the walk linear in large clusters.
  std::map<std::string, std::vector<std::vector<const Vm*>>> vms_by_set_; // volume -> set -> VMs
  std::map<std::string, std::vector<const Vm*>> vms_by_node_;
};

PlanChecker::PlanChecker(const Scenario& sc) : sc_(sc)
{
  for (auto const& n : sc.nodes) {
    NodeState& s = nodes_[n.name];
    s.glusterd = s.enabled = n.server;
    s.names_net            = sc.storage_names.network;
    for (auto const& nic : n.nics)
      s.ifaces[nic.name] = {nic.present, nic.present, nic.present, nic.mode, nic.mtu};
  }
  for (auto const& vol : sc.volumes)
    vms_by_set_[vol.name].resize(static_cast<size_t>(vol.replica_sets()));
  for (auto const& vm : sc.workload.vms) {
    vms_[vm.name] = {true, sc.storage_names.network};
    vms_by_set_[vm.volume][static_cast<size_t>(replica_set_of(sc, vm))].push_back(&vm);
    vms_by_node_[vm.node].push_back(&vm);
  }

  // A network the plan configures counts as the new storage network when it is new hardware (NICs installed by the
  // plan), when names are re-pointed to it, or when it is InfiniBand replacing an Ethernet storage network.
  const Network* old_net = sc.find_network(sc.storage_names.network);
  bool old_is_ib         = old_net && sc.technology_of(*old_net).kind == LinkKind::InfiniBand;
  std::set<std::string> repointed;
  for (auto const& st : sc.plan.steps)
    if (st.action == Action::RepointNames) repointed.insert(st.network);
  for (auto const& st : sc.plan.steps) {
    if (st.action != Action::ConfigureInterface) continue;
    for (auto const& n : st.nodes) {
      const Nic* nic = sc.find_node(n)->find_nic(st.interface);
      if (nic->network == sc.storage_names.network) continue;
      const Network* net = sc.find_network(nic->network);
      bool is_ib         = sc.technology_of(*net).kind == LinkKind::InfiniBand;
      if (!nic->present || repointed.count(nic->network) || (is_ib && !old_is_ib)) new_nets_.insert(nic->network);
    }
  }
}

void PlanChecker::add(const char* rule, const char* severity, const std::string& step, const std::string& msg,
                      const std::string& dedupe_key)
{
  if (!dedupe_key.empty() && !reported_.insert(dedupe_key).second) return;
  findings_.push_back({rule, severity, msg, step});
}

std::set<std::string> PlanChecker::serving_nodes() const
{
  std::set<std::string> out;
  for (auto const& [name, s] : nodes_)
    if (s.powered && s.glusterd) out.insert(name);
  return out;
}

bool PlanChecker::iface_up_on(const std::string& node, const std::string& net) const
{
  const NodeState& s = nodes_.at(node);
  for (auto const& nic : sc_.find_node(node)->nics) {
    const IfaceState& i = s.ifaces.at(nic.name);
    if (nic.network == net && i.present && i.configured && i.up) return true;
  }
  return false;
}

std::string PlanChecker::network_of(const std::string& node, const std::string& iface) const
{
  return sc_.find_node(node)->find_nic(iface)->network;
}

/* VMs whose image lives on that replica set: they are the ones whose writes need its quorum. */
std::vector<std::string> PlanChecker::running_vms_on_set(const Volume& vol, int set) const
{
  std::vector<std::string> out;
  for (const Vm* vm : vms_by_set_.at(vol.name)[static_cast<size_t>(set)])
    if (vms_.at(vm->name).running) out.push_back(vm->name);
  return out;
}

/* The step's nodes that can run it. Nothing but power_on and install_nic can be done to a powered-off node. */
std::vector<std::string> PlanChecker::reachable_targets(const Step& st)
{
  bool dns = st.action == Action::RepointNames && st.method == "dns";
  if (st.action == Action::PowerOn || st.action == Action::InstallNic || dns) return st.nodes;
  std::vector<std::string> ok, off;
  for (auto const& n : st.nodes)
    (nodes_.at(n).powered ? ok : off).push_back(n);
  if (!off.empty())
    add("STEP_ON_POWERED_OFF_NODE", "error", st.name,
        label(st) + " (" + to_string(st.action) + ") runs on " + join(off) + " while " +
            verb(off.size(), "it is", "they are") +
            " powered off: it cannot take effect there. Power the node on first or move the step.");
  return ok;
}

void PlanChecker::configure(const Step& st, const std::vector<std::string>& targets)
{
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> bad; // (rule, severity) -> "n1 ib0" list
  std::string datagram_limit, above_max_limit;
  for (auto const& n : targets) {
    const Nic* nic      = sc_.find_node(n)->find_nic(st.interface);
    IfaceState& i       = nodes_[n].ifaces[st.interface];
    const Technology& t = sc_.technology_of(*sc_.find_network(nic->network));
    IpoibMode mode      = st.mode != IpoibMode::None ? st.mode : (i.configured ? i.mode : nic->mode);
    int mtu             = st.mtu != 0 ? st.mtu : (i.configured ? i.mtu : nic->mtu);
    std::string who     = n + " " + st.interface + " (MTU " + std::to_string(mtu) + ")";
    if (t.kind == LinkKind::InfiniBand && mode == IpoibMode::Datagram) {
      int two_k = t.mtu_default; // above it a 4K IB MTU is needed on the whole subnet: a warning
      int limit = largest_mtu(t, true);
      if (mtu > limit)
        bad[{"MTU_DATAGRAM_TOO_LARGE", "error"}].push_back(who), datagram_limit = std::to_string(limit);
      else if (mtu > two_k)
        bad[{"MTU_DATAGRAM_TOO_LARGE", "warning"}].push_back(who);
    } else {
      int limit = largest_mtu(t, false);
      if (mtu > limit) bad[{"MTU_ABOVE_MAX", "error"}].push_back(who), above_max_limit = std::to_string(limit);
    }
    if (t.kind == LinkKind::InfiniBand && mode == IpoibMode::Connected && !sc_.hcas.at(nic->hca).connected_mode)
      bad[{"CONNECTED_MODE_UNSUPPORTED", "error"}].push_back(n + " " + st.interface + " (" + nic->hca + ")");
    i.configured = i.up          = true;
    i.mode                       = mode;
    i.mtu                        = mtu;
    configured_by_[nic->network] = st.name;
    pinged_.erase(nic->network);
  }
  for (auto const& [key, who] : bad) {
    std::string msg = label(st) + " sets ";
    if (key.first == "MTU_DATAGRAM_TOO_LARGE" && key.second == "error")
      msg += "an IPoIB datagram-mode MTU above " + datagram_limit + " on " + join(who) +
             ": datagram mode carries at most 2044 bytes (4092 with a 4K InfiniBand MTU). Use MTU 2044, or "
             "connected mode on HCAs that support it.";
    else if (key.first == "MTU_DATAGRAM_TOO_LARGE")
      msg += "an IPoIB datagram-mode MTU above 2044 on " + join(who) +
             ": this only works if the subnet manager (opensm) runs the partition with a 4K InfiniBand MTU. Check "
             "it, or use MTU 2044.";
    else if (key.first == "MTU_ABOVE_MAX")
      msg += "an MTU above the largest the link supports (" + above_max_limit + ") on " + join(who) +
             ": the interface refuses it or drops large packets.";
    else
      msg += "IPoIB connected mode on " + join(who) +
             ", but these HCAs (ConnectX-4 and newer) run IPoIB in datagram mode only. Use datagram mode with MTU "
             "2044 (or 4092 with a 4K InfiniBand MTU).";
    add(key.first.c_str(), key.second.c_str(), st.name, msg);
  }
}

void PlanChecker::verify_ping(const Step& st, const std::vector<std::string>& targets)
{
  if (targets.empty()) return;
  std::string net = st.network.empty() ? network_of(targets.front(), st.interface) : st.network;
  check_mtus(net, st.name, label(st) + " pings across network " + in_quotes(net));
  int largest = 0;
  for (auto const& [node, s] : nodes_)
    for (auto const& nic : sc_.find_node(node)->nics)
      if (nic.network == net && s.ifaces.at(nic.name).configured)
        largest = std::max(largest, s.ifaces.at(nic.name).mtu);
  // A ping only proves the MTU end to end if its payload nearly fills a packet (IP+ICMP headers are 28 bytes).
  if (st.mtu == 0 || st.mtu >= largest - 28 - 100) pinged_.insert(net);
}

void PlanChecker::interface_down(const Step& st, const std::vector<std::string>& targets)
{
  if (targets.empty()) return;
  std::string net = network_of(targets.front(), st.interface);
  std::set<std::string> cut(targets.begin(), targets.end());
  std::vector<std::string> hung;
  for (auto const& vm : sc_.workload.vms) {
    const VmState& v = vms_.at(vm.name);
    if (!v.running || v.bound_net != net) continue;
    bool hit = cut.count(vm.node) > 0;
    for (auto const& b : sc_.find_volume(vm.volume)->bricks)
      hit = hit || cut.count(b.node) > 0;
    if (hit) hung.push_back(vm.name + " (on " + vm.node + ")");
  }
  if (!hung.empty())
    add("CLIENTS_ON_OLD_NETWORK", "error", st.name,
        label(st) + " takes " + st.interface + " down on " + join(targets) + ", cutting network " + in_quotes(net) +
            ", while the Gluster mounts of running VMs " + join(hung) +
            " are still connected through it (they were mounted before the storage names were re-pointed). They "
            "hang until remounted. Remount the clients (remount_clients) or restart the VMs first.");
  for (auto const& n : targets)
    nodes_[n].ifaces[st.interface].up = false;
}

void PlanChecker::check_mtus(const std::string& net, const std::string& step, const std::string& when)
{
  std::map<int, std::vector<std::string>> by_mtu;
  std::vector<std::string> unconfigured;
  for (auto const& node : sc_.nodes)
    for (auto const& nic : node.nics) {
      const IfaceState& i = nodes_.at(node.name).ifaces.at(nic.name);
      if (nic.network != net || !i.present) continue;
      if (!i.configured)
        unconfigured.push_back(node.name + " " + nic.name);
      else if (i.up)
        by_mtu[i.mtu].push_back(node.name + " " + nic.name);
    }
  if (by_mtu.size() <= 1 && (by_mtu.empty() || unconfigured.empty())) return;
  std::string what;
  if (by_mtu.size() > 1) {
    std::vector<std::string> parts;
    for (auto const& [mtu, who] : by_mtu)
      parts.push_back("MTU " + std::to_string(mtu) + " on " + join(who));
    what = "interfaces on network " + in_quotes(net) + " have different MTUs (" + join(parts) +
           "): packets larger than the smallest MTU are dropped between them";
  }
  if (!unconfigured.empty())
    what += std::string(what.empty() ? "" : "; and ") + join(unconfigured) +
            (unconfigured.size() > 1 ? " are" : " is") + " installed on network " + in_quotes(net) +
            " but not configured while the other nodes are";
  add("MTU_MISMATCH", "error", step, when + ", but " + what + ". Give every interface on the network the same MTU.",
      "mtu:" + net + ":" + what);
}

void PlanChecker::check_storage_reachable(const std::vector<std::string>& nodes, const std::string& step,
                                          const std::string& when)
{
  std::vector<std::string> cut;
  for (auto const& n : nodes)
    if (!iface_up_on(n, nodes_.at(n).names_net))
      cut.push_back(n + " (network " + in_quotes(nodes_.at(n).names_net) + ")");
  if (!cut.empty())
    add("STORAGE_NETWORK_UNREACHABLE", "error", step,
        when + ": " + join(cut) + " " + verb(cut.size(), "has", "have") +
            " no configured interface up on the network the storage names resolve to, so peers, bricks and mounts "
            "cannot be reached there. Configure and bring up that interface, or re-point the names.");
}

void PlanChecker::on_glusterd_started(const Step& st, const std::vector<std::string>& started)
{
  if (started.empty()) return;
  std::string when = label(st) + " starts glusterd on " + join(started);
  std::vector<std::string> old_names;
  std::set<std::string> new_up;
  for (auto const& n : started) {
    if (new_nets_.count(nodes_.at(n).names_net)) continue;
    for (auto const& net : new_nets_)
      if (iface_up_on(n, net)) {
        old_names.push_back(n);
        new_up.insert(in_quotes(net));
      }
  }
  if (!old_names.empty())
    add("NAMES_NOT_REPOINTED", "error", st.name,
        label(st) + " starts glusterd on " + join(old_names) + " while their storage names still resolve to network " +
            in_quotes(nodes_.at(old_names.front()).names_net) + ", although the new network " +
            join(std::vector<std::string>(new_up.begin(), new_up.end())) +
            " is up there: glusterd, its peers and bricks come back on the old network. Re-point the storage names "
            "(repoint_names) before starting glusterd.");
  check_storage_reachable(started, st.name, when);
  std::set<std::string> nets;
  for (auto const& n : started)
    nets.insert(nodes_.at(n).names_net);
  for (auto const& net : nets) {
    check_mtus(net, st.name, when + " on network " + in_quotes(net));
    if (configured_by_.count(net) && !pinged_.count(net))
      add("NO_LARGE_PING", "warning", st.name,
          when + " on network " + in_quotes(net) + ", which was configured at step " + in_quotes(configured_by_[net]) +
              ", with no large ping (verify_ping with a size close to the MTU) across it since: an MTU problem "
              "would only show once Gluster traffic stalls. Add a verify_ping on " +
              in_quotes(net) + " before.",
          "ping:" + net + ":" + configured_by_[net]);
  }
}

void PlanChecker::check_bricks(const Step& st, const std::set<std::string>& serving_before)
{
  for (auto const& vol : sc_.volumes) {
    for (int s = 0; s < vol.replica_sets(); s++) {
      std::vector<std::string> vms = running_vms_on_set(vol, s);
      std::vector<int> idx;
      for (int k = 0; k < vol.replica; k++)
        idx.push_back(s * vol.replica + k);
      auto node_of         = [&](int b) { return vol.bricks[b].node; };
      std::string set_name = "replica set " + std::to_string(s) + " of volume " + vol.name;

      // A brick going down while another of its set came back unhealed leaves that stale copy as the only one.
      for (int b : idx) {
        if (!serving_before.count(node_of(b)) || serving(node_of(b)) || vms.empty()) continue;
        for (int o : idx)
          if (o != b && serving(node_of(o)) && stale_[vol.name].count(o) && back_[vol.name].count(o))
            add("ROLLING_BEFORE_HEAL", "error", st.name,
                label(st) + " takes " + node_of(b) + " down while VMs " + join(vms) + " are running, but " +
                    node_of(o) + " (same " + set_name + ") came back at step " + in_quotes(back_[vol.name][o]) +
                    " and has not been healed: it lacks the writes it missed, and " + node_of(b) +
                    " holds the only good copy. Add a wait_heal step for " + vol.name + " before taking " + node_of(b) +
                    " down.");
      }
      for (int b : idx) {
        bool up = serving(node_of(b));
        if (!up && !vms.empty() && !stale_[vol.name].count(b)) stale_[vol.name][b] = st.name;
        if (up && !serving_before.count(node_of(b)) && stale_[vol.name].count(b)) back_[vol.name][b] = st.name;
      }

      // Client quorum (AFR): auto needs more than half the set's bricks, or exactly half including the first.
      int up = 0;
      std::vector<bool> up_in_set;
      std::vector<std::string> down;
      for (int b : idx) {
        up_in_set.push_back(serving(node_of(b)));
        if (up_in_set.back())
          up++;
        else
          down.push_back(node_of(b));
      }
      bool quorum     = vol.has_quorum(up_in_set);
      std::string key = "quorum:" + vol.name + ":" + std::to_string(s);
      if (quorum) {
        reported_.erase(key); // a later outage of this set is a new finding
        continue;
      }
      if (vms.empty()) continue;
      std::string rule = vol.quorum_type == QuorumType::Auto
                             ? "quorum auto needs more than half of its " + std::to_string(vol.replica) +
                                   " bricks up, or exactly half including the first brick (" + node_of(idx.front()) +
                                   ")"
                         : vol.quorum_type == QuorumType::Fixed
                             ? "quorum fixed needs " + std::to_string(vol.quorum_count) + " bricks up"
                             : "none of its bricks is up";
      add("ROLLING_BREAKS_QUORUM", "error", st.name,
          "After " + label(st) + ", " + set_name + " has " + join(down) + " down (" + std::to_string(up) + " of " +
              std::to_string(vol.replica) + " bricks up): below client quorum (" + rule + "). Running VMs " +
              join(vms) +
              " using it get write errors until the bricks are back. Take fewer nodes of the set down at once, stop "
              "those VMs first, or change the volume's quorum.",
          key);
    }
  }
}

void PlanChecker::apply(const Step& st)
{
  std::set<std::string> serving_before = serving_nodes();
  std::vector<std::string> targets     = reachable_targets(st);
  std::vector<std::string> started;
  auto vms_on = [&](const std::string& node, auto fn) {
    auto it = vms_by_node_.find(node);
    if (it != vms_by_node_.end())
      for (const Vm* vm : it->second)
        fn(*vm, vms_[vm->name]);
  };
  std::vector<std::string> missing; // interfaces the step needs but that are not installed
  if (!st.interface.empty() && st.action != Action::InstallNic) {
    std::vector<std::string> present;
    for (auto const& n : targets)
      (nodes_[n].ifaces[st.interface].present ? present : missing).push_back(n);
    if (!missing.empty())
      add("INTERFACE_NOT_INSTALLED", "error", st.name,
          label(st) + " uses " + st.interface + " on " + join(missing) +
              ", but that NIC is not installed there (it is marked \"present\": false and no earlier install_nic "
              "step installs it). Add an install_nic step first.");
    targets = present;
  }
  switch (st.action) {
  case Action::StopClients:
    for (auto const& n : targets)
      vms_on(n, [](const Vm&, VmState& v) { v.running = false; });
    break;
  case Action::StartClients:
  case Action::RemountClients:
    for (auto const& n : targets)
      vms_on(n, [&](const Vm&, VmState& v) {
        if (st.action == Action::StartClients || v.running) v.bound_net = nodes_[n].names_net;
        v.running = true;
      });
    break;
  case Action::StopService:
    for (auto const& n : targets)
      nodes_[n].glusterd = false;
    break;
  case Action::StartService:
    for (auto const& n : targets) {
      if (sc_.find_node(n)->server && !nodes_[n].glusterd) started.push_back(n);
      nodes_[n].glusterd = true;
    }
    break;
  case Action::EnableService:
  case Action::DisableService:
    for (auto const& n : targets) {
      nodes_[n].enabled     = st.action == Action::EnableService;
      nodes_[n].disabled_by = nodes_[n].enabled ? "" : st.name;
    }
    break;
  case Action::PowerOff: {
    std::vector<std::string> killed;
    for (auto const& n : targets) {
      vms_on(n, [&](const Vm& vm, VmState& v) {
        if (v.running) killed.push_back(vm.name + " (on " + n + ")");
        v.running = false;
      });
      nodes_[n].powered  = false;
      nodes_[n].glusterd = false;
    }
    if (!killed.empty())
      add("VMS_KILLED_BY_POWER_OFF", "error", st.name,
          label(st) + " powers off nodes while VMs " + join(killed) +
              " are still running on them: they are killed mid-write. Stop them first (stop_clients).");
    break;
  }
  case Action::PowerOn: {
    std::vector<std::string> already;
    for (auto const& n : targets) {
      NodeState& s = nodes_[n];
      if (s.powered) {
        already.push_back(n);
        continue;
      }
      s.powered = true;
      if (s.enabled && sc_.find_node(n)->server) {
        s.glusterd = true;
        started.push_back(n);
      }
    }
    if (!already.empty())
      add("POWER_ON_WITHOUT_POWER_OFF", "warning", st.name,
          label(st) + " powers on " + join(already) + ", which " + (already.size() > 1 ? "are" : "is") +
              " already running: no earlier step powers it off. Check the order of the steps.");
    break;
  }
  case Action::InstallNic: {
    std::vector<std::string> live;
    for (auto const& n : targets) {
      IfaceState& i = nodes_[n].ifaces[st.interface];
      if (nodes_[n].powered) live.push_back(n);
      if (!i.present) i = {true, false, false, IpoibMode::None, 0};
    }
    if (!live.empty())
      add("NIC_INSTALLED_WHILE_POWERED", "error", st.name,
          label(st) + " installs " + st.interface + " in " + join(live) + " while " +
              verb(live.size(), "it is", "they are") +
              " powered on: a PCIe card is installed with the power off. Add a power_off step first.");
    break;
  }
  case Action::ConfigureInterface:
    configure(st, targets);
    break;
  case Action::InterfaceDown:
    interface_down(st, targets);
    break;
  case Action::InterfaceUp: {
    // As the simulator and the emulator do it: an installed but unconfigured NIC comes up with no address.
    std::vector<std::string> unconfigured;
    for (auto const& n : targets) {
      IfaceState& i = nodes_[n].ifaces[st.interface];
      if (!i.configured) unconfigured.push_back(n);
      i.up = i.configured;
    }
    if (!unconfigured.empty())
      add("INTERFACE_UP_UNCONFIGURED", "error", st.name,
          label(st) + " brings up " + st.interface + " on " + join(unconfigured) +
              ", which no earlier step configures (it was installed by the plan): it comes up with no address and "
              "MTU. Add a configure_interface step first.");
    break;
  }
  case Action::VerifyPing:
    verify_ping(st, targets);
    break;
  case Action::RepointNames:
    for (auto const& n : targets)
      nodes_[n].names_net = st.network;
    break;
  case Action::WaitHeal:
    // The heal finishes for the bricks that are up; a brick still down stays stale.
    for (auto it = stale_[st.volume].begin(); it != stale_[st.volume].end();)
      it = serving(sc_.find_volume(st.volume)->bricks[it->first].node) ? stale_[st.volume].erase(it) : ++it;
    break;
  case Action::CheckPeers:
  case Action::CheckVolume:
  case Action::Wait:
    break;
  }
  on_glusterd_started(st, started);
  check_bricks(st, serving_before);
}

void PlanChecker::check_end()
{
  std::vector<std::string> old_names, off, stopped, vms_down;
  std::map<std::string, std::vector<std::string>> disabled; // disabling step -> nodes
  std::vector<std::string> servers;
  for (auto const& node : sc_.nodes) {
    const NodeState& s = nodes_.at(node.name);
    if (!new_nets_.empty() && !new_nets_.count(s.names_net)) old_names.push_back(node.name);
    if (!s.powered) off.push_back(node.name);
    if (node.server && s.powered && !s.glusterd) stopped.push_back(node.name);
    if (node.server && !s.enabled && !s.disabled_by.empty()) disabled[s.disabled_by].push_back(node.name);
    if (node.server && s.powered) servers.push_back(node.name);
  }
  for (auto const& vm : sc_.workload.vms)
    if (!vms_.at(vm.name).running) vms_down.push_back(vm.name);
  std::vector<std::string> nets(new_nets_.begin(), new_nets_.end());
  for (auto& n : nets)
    n = in_quotes(n);
  if (!old_names.empty())
    add("NAMES_NOT_REPOINTED", "error", "",
        "The plan brings up network " + join(nets) + " for storage but ends with the storage names of " +
            join(old_names) + " still resolving to network " + in_quotes(nodes_.at(old_names.front()).names_net) +
            ": Gluster keeps using the old network. Add a repoint_names step (then restart glusterd).");
  for (auto const& net : sc_.networks)
    check_mtus(net.name, "", "The plan ends");
  for (auto const& [step, who] : disabled)
    add("GLUSTERD_NOT_ENABLED", "warning", step,
        "Step " + in_quotes(step) + " disables glusterd at boot on " + join(who) +
            " and no later step enables it again: after the next reboot these nodes come up without their bricks. "
            "Add an enable_service step for glusterd.");
  if (!off.empty())
    add("NODE_LEFT_POWERED_OFF", "error", "", "The plan ends with " + join(off) + " powered off: add a power_on step.");
  if (!stopped.empty())
    add("GLUSTERD_LEFT_STOPPED", "error", "",
        "The plan ends with glusterd stopped on " + join(stopped) +
            ": their bricks are offline. Add a start_service step for glusterd.");
  check_storage_reachable(servers, "", "The plan ends");
  if (!vms_down.empty())
    add("VMS_LEFT_STOPPED", "warning", "",
        "The plan ends with VMs " + join(vms_down) + " stopped: add a start_clients step if they should run again.");
}

std::vector<CheckFinding> PlanChecker::run()
{
  if (sc_.plan.steps.empty()) return {};
  for (auto const& st : sc_.plan.steps)
    apply(st);
  check_end();
  return findings_;
}

} // namespace

std::vector<CheckFinding> check_plan(const Scenario& sc)
{
  return PlanChecker(sc).run();
}

bool has_errors(const std::vector<CheckFinding>& findings)
{
  for (auto const& f : findings)
    if (f.severity == "error") return true;
  return false;
}

} // namespace ibmig
