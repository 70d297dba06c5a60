#include "plan_checker.hpp"

#include "cluster_model.hpp"
#include "state_rules.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace ibmig {
namespace {

std::string join(const std::vector<std::string>& items)
{
  return join_words(items);
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

/* Walks the plan once over the cluster model (what each step does is the model's: models/cluster_model.hpp) and
 * reports what a real run would suffer: the problems the model finds in each step, and the rules that need the
 * whole plan (names re-pointed before glusterd starts, a large ping after configuring, heal before the next node,
 * quorum, what the plan leaves behind). */
class PlanChecker {
public:
  explicit PlanChecker(const Scenario& sc);
  std::vector<CheckFinding> run();

private:
  void add(const char* rule, Severity severity, const std::string& step, const std::string& msg,
           const std::string& dedupe_key = "");
  void apply(const Step& st);
  void report_problems(const Step& st, const std::vector<StepProblem>& problems);
  void verify_ping(const Step& st);
  void clients_on_old_network(const Step& st);
  void on_glusterd_started(const Step& st, const std::vector<std::string>& started);
  void check_quorum(const Step& st);
  void check_clients(const Step& st);
  void check_mtus(const std::string& net, const std::string& step, const std::string& when);
  void check_storage_reachable(const std::vector<std::string>& nodes, const std::string& step, const std::string& when);
  void check_end();

  bool iface_up_on(const std::string& node, const std::string& net) const { return model_.interface_up_on(node, net); }
  const std::string& names_net(const std::string& node) const { return model_.pool_network(node); }
  std::string move_pool_rule() const { return ibmig::move_pool_rule(sc_); }
  std::string where_pool_points() const { return ibmig::where_pool_points(sc_); }
  std::string move_pool_advice() const { return ibmig::move_pool_advice(sc_); }
  std::string network_of(const std::string& node, const std::string& iface) const;

  const Scenario& sc_;
  ClusterModel model_;
  std::map<std::string, std::string> disabled_by_;   // node -> step that disabled glusterd at boot, until re-enabled
  std::set<std::string> new_nets_;                   // networks the plan brings up for storage
  std::map<std::string, std::string> configured_by_; // network -> last step that configured an interface on it
  std::set<std::string> pinged_;                     // networks verified by a large ping since their last configure
  std::set<std::string> reported_;
  std::vector<CheckFinding> findings_;
  // Static indexes (images do not move, VMs do not change hosts): keep the walk linear in large clusters.
};

PlanChecker::PlanChecker(const Scenario& sc) : sc_(sc), model_(sc), new_nets_(new_storage_networks(sc)) {}

void PlanChecker::add(const char* rule, Severity severity, const std::string& step, const std::string& msg,
                      const std::string& dedupe_key)
{
  if (!dedupe_key.empty() && !reported_.insert(dedupe_key).second) return;
  findings_.push_back({rule, severity, msg, step});
}

std::string PlanChecker::network_of(const std::string& node, const std::string& iface) const
{
  return sc_.find_node(node)->find_nic(iface)->network;
}

/* The model's problems with a step, in the checker's words: one finding per rule (and severity), naming every node. */
void PlanChecker::report_problems(const Step& st, const std::vector<StepProblem>& problems)
{
  std::map<std::pair<std::string, Severity>, std::vector<std::string>> who;
  std::map<std::pair<std::string, Severity>, std::vector<std::string>> details;
  for (auto const& p : problems) {
    auto& w = who[{p.rule, p.severity}];
    w.insert(w.end(), p.nodes.begin(), p.nodes.end());
    details[{p.rule, p.severity}].push_back(p.detail);
  }
  for (auto const& [key, nodes] : who) {
    const std::string& rule = key.first;
    Severity severity       = key.second;
    std::string msg;
    if (rule == "STEP_ON_POWERED_OFF_NODE")
      msg = label(st) + " (" + to_string(st.action) + ") runs on " + join(nodes) + " while " +
            verb(nodes.size(), "it is", "they are") +
            " powered off: it cannot take effect there. Power the node on first or move the step.";
    else if (rule == "INTERFACE_NOT_INSTALLED")
      msg = label(st) + " uses " + st.interface + " on " + join(nodes) +
            ", but that NIC is not installed there (it is marked \"present\": false and no earlier install_nic "
            "step installs it). Add an install_nic step first.";
    else if (rule == "NOT_A_SERVER")
      msg = label(st) + " runs " + to_string(st.action) + " " + st.service + " on " + join(nodes) + ", which " +
            verb(nodes.size(), "is not a Gluster server", "are not Gluster servers") +
            " (no \"server\" role): there is no " + st.service +
            " unit there, so the step fails. Limit the step to "
            "the servers (\"nodes\": \"servers\").";
    else if (rule == "VMS_KILLED_BY_POWER_OFF")
      msg = label(st) + " powers off nodes while VMs " + join(nodes) +
            " are still running on them: they are killed mid-write. Stop them first (stop_clients).";
    else if (rule == "POWER_ON_WITHOUT_POWER_OFF")
      msg = label(st) + " powers on " + join(nodes) + ", which " + (nodes.size() > 1 ? "are" : "is") +
            " already running: no earlier step powers it off. Check the order of the steps.";
    else if (rule == "NIC_INSTALLED_WHILE_POWERED")
      msg = label(st) + " installs " + st.interface + " in " + join(nodes) + " while " +
            verb(nodes.size(), "it is", "they are") +
            " powered on: a PCIe card is installed with the power off. Add a power_off step first.";
    else if (rule == "INTERFACE_UP_UNCONFIGURED")
      msg = label(st) + " brings up " + st.interface + " on " + join(nodes) +
            ", which no earlier step configures (it was installed by the plan): it comes up with no address and "
            "MTU. Add a configure_interface step first.";
    else if (rule == "MTU_DATAGRAM_TOO_LARGE" && key.second == Severity::Error)
      msg = label(st) + " sets an IPoIB datagram-mode MTU too large for datagram mode on " + join(nodes) + " (" +
            join(details[key]) +
            "): datagram mode carries at most 2044 bytes (4092 with a 4K InfiniBand MTU). Use MTU 2044, or "
            "connected mode on HCAs that support it.";
    else if (rule == "MTU_DATAGRAM_TOO_LARGE")
      msg = label(st) + " sets an IPoIB datagram-mode MTU above 2044 on " + join(nodes) +
            ": this only works if the subnet manager (opensm) runs the partition with a 4K InfiniBand MTU. Check "
            "it, or use MTU 2044.";
    else if (rule == "MTU_ABOVE_MAX")
      msg = label(st) + " sets an MTU above the largest the link supports on " + join(nodes) + " (" +
            join(details[key]) + "): the interface refuses it or drops large packets.";
    else if (rule == "CONNECTED_MODE_UNSUPPORTED")
      msg = label(st) + " sets IPoIB connected mode on " + join(nodes) +
            ", but these HCAs (ConnectX-4 and newer) run IPoIB in datagram mode only. Use datagram mode with MTU "
            "2044 (or 4092 with a 4K InfiniBand MTU).";
    else if (rule == "NAMES_DO_NOT_MOVE_POOL")
      msg = label(st) + " re-points the storage names of " + join(nodes) +
            ", but the pool's peers and bricks were probed by IP address (storage_names.peers is \"ip\"): glusterd "
            "and the mounts use the addresses in /var/lib/glusterd, so this moves nothing. Rewrite them with "
            "rewrite_peer_addresses while glusterd is stopped on every node.";
    else if (rule == "REWRITE_WHILE_GLUSTERD_RUNS")
      msg = label(st) + " rewrites glusterd's state files while glusterd runs on " + join(nodes) +
            ": a running glusterd keeps the old addresses in memory and writes them back (its peer and volume "
            "files are stored on every change), so the rewrite is lost where it runs and the pool disagrees. Stop "
            "glusterd on every node first.";
    else if (rule == "REWRITE_IN_NAMED_POOL")
      msg = label(st) + " rewrites addresses in glusterd's state files on " + join(nodes) +
            ", but the pool's peers and bricks were probed by name: the files hold names, so there is nothing to "
            "rewrite. Re-point the names (repoint_names) instead, or set storage_names.peers to \"ip\" if the "
            "pool was probed by IP.";
    else if (rule == "MIGRATE_STOPPED_VM")
      msg = label(st) + " migrates " + join(nodes) + ", which " + verb(nodes.size(), "is", "are") +
            " not running: a live migration moves a running guest. Start it first, or leave it out.";
    else if (rule == "PEER_REJECTED")
      msg = label(st) + " fails: " + join(details[key]) +
            ". Rewrite glusterd's state on every server (rewrite_peer_addresses) before starting glusterd.";
    else if (rule == "MTU_MISMATCH")
      continue; // verify_ping reports it with every interface's MTU (check_mtus)
    else if (rule == "ROLLING_BEFORE_HEAL" || rule == "SPLIT_BRAIN_RISK") { // one finding per stale copy
      for (auto const& d : details[key])
        add(rule.c_str(), severity, st.name, label(st) + " " + d);
      continue;
    } else
      msg = label(st) + " fails: " + join(details[key]) + ".";
    add(rule.c_str(), severity, st.name, msg);
  }
}

void PlanChecker::verify_ping(const Step& st)
{
  std::string net = st.network.empty() ? network_of(st.nodes.front(), st.interface) : st.network;
  check_mtus(net, st.name, label(st) + " pings across network " + in_quotes(net));
  int largest = 0;
  for (auto const& node : sc_.nodes)
    for (auto const& nic : node.nics)
      if (nic.network == net && model_.node(node.name).interfaces.at(nic.name).configured)
        largest = std::max(largest, model_.node(node.name).interfaces.at(nic.name).mtu);
  // A ping only proves the MTU end to end if its payload nearly fills a packet (IP+ICMP headers are 28 bytes).
  if (st.mtu == 0 || st.mtu >= largest - 28 - 100) pinged_.insert(net);
}

/* Before an interface goes down: running VMs whose mounts still go through it hang. */
void PlanChecker::clients_on_old_network(const Step& st)
{
  std::vector<std::string> targets;
  for (auto const& n : st.nodes)
    if (model_.node(n).powered && model_.node(n).interfaces.at(st.interface).present) targets.push_back(n);
  if (targets.empty()) return;
  std::string net = network_of(targets.front(), st.interface);
  std::set<std::string> cut(targets.begin(), targets.end());
  std::vector<std::string> hung;
  for (auto const& vm : sc_.workload.vms) {
    const VmState& v = model_.vm(vm.name);
    if (!v.running || v.bound_network != net) continue;
    bool hit = cut.count(v.node) > 0;
    for (auto const& b : sc_.find_volume(vm.volume)->bricks)
      hit = hit || cut.count(b.node) > 0;
    if (hit) hung.push_back(vm.name + " (on " + v.node + ")");
  }
  if (!hung.empty())
    add("CLIENTS_ON_OLD_NETWORK", Severity::Error, st.name,
        label(st) + " takes " + st.interface + " down on " + join(targets) + ", cutting network " + in_quotes(net) +
            ", while the Gluster mounts of running VMs " + join(hung) +
            " are still connected through it (they were mounted before the storage names were re-pointed). They "
            "hang until remounted. Remount the clients (remount_clients) or restart the VMs first.");
}

void PlanChecker::check_mtus(const std::string& net, const std::string& step, const std::string& when)
{
  std::string what = mtu_mismatch(model_, net);
  if (what.empty()) return;
  add("MTU_MISMATCH", Severity::Error, step, mtu_mismatch_message(when, what), "mtu:" + net + ":" + what);
}

void PlanChecker::check_storage_reachable(const std::vector<std::string>& nodes, const std::string& step,
                                          const std::string& when)
{
  std::vector<std::string> cut;
  for (auto const& n : nodes)
    if (!iface_up_on(n, names_net(n))) cut.push_back(n + " (network " + in_quotes(names_net(n)) + ")");
  if (!cut.empty())
    add("STORAGE_NETWORK_UNREACHABLE", Severity::Error, step,
        when + ": " + join(cut) + " " + verb(cut.size(), "has", "have") +
            " no configured interface up on the network the storage names resolve to, so peers, bricks and mounts "
            "cannot be reached there. Configure and bring up that interface, or re-point the names.");
}

void PlanChecker::on_glusterd_started(const Step& st, const std::vector<std::string>& started)
{
  if (started.empty()) return;
  std::string when       = label(st) + " starts glusterd on " + join(started);
  OldNetworkGlusterd old = glusterd_on_old_network(model_, new_nets_, started);
  if (!old.nodes.empty())
    add(old.rule.c_str(), Severity::Error, st.name,
        glusterd_on_old_network_message(model_, label(st) + " starts glusterd on", old));
  check_storage_reachable(started, st.name, when);
  std::set<std::string> nets;
  for (auto const& n : started)
    nets.insert(names_net(n));
  for (auto const& net : nets) {
    check_mtus(net, st.name, when + " on network " + in_quotes(net));
    if (configured_by_.count(net) && !pinged_.count(net))
      add("NO_LARGE_PING", Severity::Warning, st.name,
          when + " on network " + in_quotes(net) + ", which was configured at step " + in_quotes(configured_by_[net]) +
              ", with no large ping (verify_ping with a size close to the MTU) across it since: an MTU problem "
              "would only show once Gluster traffic stalls. Add a verify_ping on " +
              in_quotes(net) + " before.",
          "ping:" + net + ":" + configured_by_[net]);
  }
}

/* Client quorum (AFR) of each replica set after the step: auto needs more than half the set's bricks, or exactly
 * half including the first. */
void PlanChecker::check_quorum(const Step& st)
{
  for (auto const& vol : sc_.volumes) {
    for (int s = 0; s < vol.replica_sets(); s++) {
      ReplicaSetState set                  = model_.replica_set(vol, s);
      const std::vector<std::string>& vms  = set.running_vms;
      const std::vector<std::string>& down = set.down;
      int up                               = static_cast<int>(set.serving.size());
      auto node_of                         = [&](int b) { return vol.bricks[static_cast<size_t>(b)].node; };
      std::string set_name                 = "replica set " + std::to_string(s) + " of volume " + vol.name;
      std::vector<int> idx;
      for (int k = 0; k < vol.replica; k++)
        idx.push_back(s * vol.replica + k);
      std::string key = "quorum:" + vol.name + ":" + std::to_string(s);
      if (set.quorum) {
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
      add("ROLLING_BREAKS_QUORUM", Severity::Error, st.name,
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
  if (st.action == Action::InterfaceDown) clients_on_old_network(st);
  if (st.action == Action::ConfigureInterface)
    for (auto const& n : st.nodes)
      if (model_.node(n).powered && model_.node(n).interfaces.at(st.interface).present) {
        configured_by_[network_of(n, st.interface)] = st.name;
        pinged_.erase(network_of(n, st.interface));
      }
  for (auto const& n : st.nodes)
    if (st.action == Action::DisableService && model_.node(n).powered)
      disabled_by_[n] = st.name;
    else if (st.action == Action::EnableService && model_.node(n).powered)
      disabled_by_.erase(n);
  Transition t = model_.apply(st);
  report_problems(st, t.problems);
  if (st.action == Action::VerifyPing) verify_ping(st);
  on_glusterd_started(st, t.glusterd_started);
  check_quorum(st);
  check_clients(st);
}

/* A running VM whose mount cannot write (its replica set's bricks are down, or not reachable over the network its
 * mount uses, for instance because its node's names point at a network the other nodes are not on yet). */
void PlanChecker::check_clients(const Step& st)
{
  for (auto const& vm : sc_.workload.vms) {
    std::string key = "write:" + vm.name;
    IoPath p        = model_.io_path(vm, 0);
    if (!model_.vm(vm.name).running || p.can_write) {
      reported_.erase(key); // a later outage is a new finding
      continue;
    }
    add("VM_CANNOT_WRITE", Severity::Error, st.name,
        "After " + label(st) + ", running VM " + vm.name + " (on " + model_.vm(vm.name).node +
            ") cannot write to volume " + vm.volume + ": " + p.why_not + " over network " + in_quotes(p.network) +
            " (where its mount connects). Stop it first, or keep the bricks of its replica set reachable there.",
        key);
  }
}

void PlanChecker::check_end()
{
  std::vector<std::string> old_names, off, stopped, vms_down;
  std::map<std::string, std::vector<std::string>> disabled; // disabling step -> nodes
  std::vector<std::string> servers;
  for (auto const& node : sc_.nodes) {
    const NodeState& s = model_.node(node.name);
    if (!new_nets_.empty() && !new_nets_.count(names_net(node.name))) old_names.push_back(node.name);
    if (!s.powered) off.push_back(node.name);
    if (node.server && s.powered && !s.glusterd) stopped.push_back(node.name);
    if (node.server && !s.glusterd_enabled && disabled_by_.count(node.name))
      disabled[disabled_by_.at(node.name)].push_back(node.name);
    if (node.server && s.powered) servers.push_back(node.name);
  }
  for (auto const& vm : sc_.workload.vms)
    if (!model_.vm(vm.name).running) vms_down.push_back(vm.name);
  std::vector<std::string> nets(new_nets_.begin(), new_nets_.end());
  for (auto& n : nets)
    n = in_quotes(n);
  if (!old_names.empty())
    add(move_pool_rule().c_str(), Severity::Error, "",
        "The plan brings up network " + join(nets) + " for storage, but at its end on " + join(old_names) + " " +
            where_pool_points() + " network " + in_quotes(names_net(old_names.front())) +
            ": Gluster keeps using the old network. " + move_pool_advice() + " (then restart glusterd).");
  Transition rejected;
  model_.rejected_peers(rejected);
  for (auto const& p : rejected.problems)
    add(p.rule.c_str(), p.severity, "", "The plan ends with a pool whose peers disagree: " + p.detail + ".");
  for (auto const& net : sc_.networks)
    check_mtus(net.name, "", "The plan ends");
  for (auto const& [step, who] : disabled)
    add("GLUSTERD_NOT_ENABLED", Severity::Warning, step,
        "Step " + in_quotes(step) + " disables glusterd at boot on " + join(who) +
            " and no later step enables it again: after the next reboot these nodes come up without their bricks. "
            "Add an enable_service step for glusterd.");
  if (!off.empty())
    add("NODE_LEFT_POWERED_OFF", Severity::Error, "",
        "The plan ends with " + join(off) + " powered off: add a power_on step.");
  if (!stopped.empty())
    add("GLUSTERD_LEFT_STOPPED", Severity::Error, "",
        "The plan ends with glusterd stopped on " + join(stopped) +
            ": their bricks are offline. Add a start_service step for glusterd.");
  check_storage_reachable(servers, "", "The plan ends");
  if (!vms_down.empty())
    add("VMS_LEFT_STOPPED", Severity::Warning, "",
        "The plan ends with VMs " + join(vms_down) + " stopped: add a start_clients step if they should run again.");
}

std::vector<CheckFinding> PlanChecker::run()
{
  // The scenario's own NICs are held to the rules a configure step is held to.
  for (auto const& p : model_.initial_problems())
    add(p.rule.c_str(), p.severity, "",
        "The scenario declares " + join(p.nodes) +
            " as the cluster is today, which a configure_interface step "
            "could not set: " +
            p.detail + ". Correct the NIC's \"mtu\" or \"mode\" in the scenario.");
  if (sc_.plan.steps.empty()) return findings_;
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
    if (f.severity == Severity::Error) return true;
  return false;
}

} // namespace ibmig
