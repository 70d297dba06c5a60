#include "lab_status.hpp"

#include "state_rules.hpp"
#include "step_commands.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace ibmig::lab {

const char* to_string(StepProgress p)
{
  switch (p) {
  case StepProgress::Done:
    return "done";
  case StepProgress::Partly:
    return "partly";
  case StepProgress::NotDone:
    break;
  }
  return "not done";
}

std::vector<ClusterModel> states_along_plan(const Scenario& sc)
{
  std::vector<ClusterModel> out;
  out.reserve(sc.plan.steps.size() + 1);
  out.emplace_back(sc);
  for (auto const& st : sc.plan.steps) {
    out.push_back(out.back());
    out.back().apply(st);
  }
  return out;
}

emu::ObservedNode expected_observation(const ClusterModel& m, const std::string& node)
{
  emu::ObservedNode o;
  const NodeState& s = m.node(node);
  o.glusterd         = s.glusterd && s.powered;
  for (auto const& [name, i] : s.interfaces)
    if (i.present) o.interfaces[name] = {s.powered && i.up, i.mtu};
  for (auto const& v : emu::mounted_volumes(m, node))
    o.mounted.insert(v);
  o.vms_observed     = true;
  o.enabled_observed = true;
  o.glusterd_enabled = s.glusterd_enabled;
  for (auto const& vm : m.scenario().workload.vms)
    if (m.vm(vm.name).node == node && m.vm(vm.name).running && s.powered) o.vms_running.insert(vm.name);
  o.names_network = s.names_network;
  o.state_network = s.state_network;
  return o;
}

LabObservation expected_lab(const ClusterModel& m)
{
  LabObservation obs;
  for (auto const& n : m.scenario().nodes)
    obs.nodes[n.name] = {m.node(n.name).powered, expected_observation(m, n.name), {}};
  return obs;
}

namespace {

std::vector<std::string> node_differences(const ClusterModel& m, const std::string& node, const LabObservation& obs)
{
  auto it = obs.nodes.find(node);
  return emu::differences(m, node, it == obs.nodes.end() ? emu::ObservedNode{} : it->second.seen);
}

/* Per node: does it look as in `m`? */
std::map<std::string, bool> matching(const ClusterModel& m, const LabObservation& obs)
{
  std::map<std::string, bool> out;
  for (auto const& n : m.scenario().nodes)
    out[n.name] = node_differences(m, n.name, obs).empty();
  return out;
}

bool all(const std::map<std::string, bool>& m)
{
  return std::all_of(m.begin(), m.end(), [](auto const& kv) { return kv.second; });
}

/* The state of `at` with what was observed written over it: the rules are asked about this. */
ClusterModel observed_model(const ClusterModel& at, const LabObservation& obs, const std::string& back_at)
{
  ClusterModel m     = at;
  const Scenario& sc = at.scenario();
  for (auto const& [name, ln] : obs.nodes) {
    if (!sc.find_node(name)) continue;
    NodeState s = m.node(name);
    s.powered   = ln.powered;
    s.glusterd  = ln.seen.glusterd;
    for (auto& [iface, i] : s.interfaces) {
      auto seen = ln.seen.interfaces.find(iface);
      i.present = seen != ln.seen.interfaces.end();
      if (!i.present) continue;
      i.up         = seen->second.up;
      i.mtu        = seen->second.mtu;
      i.configured = i.configured || i.up; // an interface brought up by hand has an address
    }
    if (!sc.storage_names.by_ip() && !ln.seen.names_network.empty()) s.names_network = ln.seen.names_network;
    if (sc.storage_names.by_ip() && !ln.seen.state_network.empty()) s.state_network = ln.seen.state_network;
    m.overwrite_node(name, s);
  }
  for (auto const& vol : sc.volumes) {
    auto it = obs.volumes.find(vol.name);
    if (it == obs.volumes.end()) continue;
    if (it->second.heal.empty()) continue; // nobody answered heal info: the plan's account of the debt stands
    for (size_t b = 0; b < vol.bricks.size() && b < it->second.stale.size(); b++)
      m.overwrite_heal_debt(vol.name, b, it->second.stale[b] ? BrickHealDebt{true, back_at, back_at} : BrickHealDebt{});
  }
  return m;
}

/* The checker's state rules asked of the observed state; only those the plan's own state at this point does not
 * break (a rolling step's interfaces differ on purpose until the last node is done). */
std::vector<CheckFinding> broken_rules(const ClusterModel& plan_state, const ClusterModel& seen, const std::string& at)
{
  const Scenario& sc = seen.scenario();
  std::vector<CheckFinding> out;
  std::set<std::string> new_nets = new_storage_networks(sc);
  auto glusterd_nodes            = [&](const ClusterModel& m) {
    std::vector<std::string> v;
    for (auto const& n : sc.nodes)
      if (n.server && m.node(n.name).powered && m.node(n.name).glusterd) v.push_back(n.name);
    return v;
  };
  OldNetworkGlusterd old  = glusterd_on_old_network(seen, new_nets, glusterd_nodes(seen));
  OldNetworkGlusterd want = glusterd_on_old_network(plan_state, new_nets, glusterd_nodes(plan_state));
  if (!old.nodes.empty() && want.nodes.empty())
    out.push_back({old.rule, Severity::Error, glusterd_on_old_network_message(seen, "glusterd runs on", old), at});
  for (auto const& net : sc.networks) {
    std::string what = mtu_mismatch(seen, net.name);
    if (!what.empty() && mtu_mismatch(plan_state, net.name).empty())
      out.push_back({"MTU_MISMATCH", Severity::Error,
                     mtu_mismatch_message("The lab runs network \"" + net.name + "\"", what), at});
  }
  for (auto const& p : seen.state_problems())
    out.push_back({p.rule, p.severity, "The lab " + p.detail, at});
  return out;
}

/* Step k changes something observe() sees (on some node) compared with the state before it. */
bool observable(const std::vector<ClusterModel>& states, size_t k)
{
  LabObservation before = expected_lab(states[k - 1]);
  return !all(matching(states[k], before));
}

} // namespace

LabStatus lab_status(const Scenario& sc, const LabObservation& obs)
{
  return lab_status(sc, states_along_plan(sc), obs);
}

LabStatus lab_status(const Scenario& sc, const std::vector<ClusterModel>& states, const LabObservation& obs)
{
  LabStatus s;
  const size_t n = sc.plan.steps.size();
  for (size_t k = 0; k < n; k++)
    s.steps.push_back(
        {sc.plan.steps[k].name, sc.plan.steps[k].json_path, StepProgress::NotDone, {}, {}, observable(states, k + 1)});
  // The latest state of the plan the lab is in; else the latest it is between (every node at k or k+1).
  std::optional<size_t> at;
  bool between = false;
  for (size_t k = n + 1; k-- > 0 && !at;)
    if (all(matching(states[k], obs))) at = k;
  if (!at)
    for (size_t k = n; k-- > 0 && !at;) {
      auto a = matching(states[k], obs), b = matching(states[k + 1], obs);
      bool ok = true;
      for (auto const& [node, m] : a)
        ok = ok && (m || b[node]);
      if (ok) at = k, between = true;
    }
  size_t done = 0;
  if (at) {
    done = *at;
    // A check or a wait changes nothing one can see: it counts as done once a later step is.
    while (!between && done > 0 && !s.steps[done - 1].observable)
      done--;
  } else {
    s.on_plan     = false;
    size_t fewest = SIZE_MAX;
    for (size_t k = 0; k <= n; k++) {
      size_t count = 0;
      for (auto const& node : sc.nodes)
        count += node_differences(states[k], node.name, obs).size();
      if (count <= fewest) fewest = count, done = k; // ties: the later state; its steps are checked below
    }
    for (auto const& node : sc.nodes)
      for (auto const& d : node_differences(states[done], node.name, obs))
        s.off_plan.push_back(d);
  }
  for (size_t k = 0; k < done; k++)
    s.steps[k].progress = StepProgress::Done;
  s.current = done;
  if (!s.on_plan) {
    // Off the plan, near state `done`: a step up to it is not done on the nodes where what it changes (the node and
    // the thing a difference names: "n4: ib0", "n1: the storage names") still differs from that state.
    auto aspect = [](const std::string& d) { return d.substr(0, d.find(' ', d.find(": ") + 2)); };
    std::set<std::string> off;
    for (auto const& d : s.off_plan)
      off.insert(aspect(d));
    size_t first_missing = done;
    for (size_t j = done; j-- > 0;) {
      if (!s.steps[j].observable) continue;
      std::vector<std::string> missing, ok;
      for (auto const& node : sc.plan.steps[j].nodes) {
        auto changed = emu::differences(states[j + 1], node, expected_observation(states[j], node));
        bool shows = std::none_of(changed.begin(), changed.end(), [&](auto const& c) { return off.count(aspect(c)); });
        (shows ? ok : missing).push_back(node);
      }
      if (missing.empty()) continue;
      s.steps[j].progress = ok.empty() ? StepProgress::NotDone : StepProgress::Partly;
      s.steps[j].done_on  = ok;
      for (auto const& node : missing)
        for (auto const& d : node_differences(states[j + 1], node, obs))
          s.steps[j].differences.push_back(d);
      first_missing = j;
    }
    for (size_t j = first_missing; j < done; j++) // a check after a step not done has not passed
      if (!s.steps[j].observable) s.steps[j].progress = StepProgress::NotDone;
    s.current = first_missing;
    done      = first_missing;
  }
  if (s.on_plan && done < n) {
    StepStatus& cur = s.steps[done];
    for (auto const& node : sc.plan.steps[done].nodes) {
      auto d = node_differences(states[done + 1], node, obs);
      if (d.empty() && !node_differences(states[done], node, obs).empty()) cur.done_on.push_back(node);
      cur.differences.insert(cur.differences.end(), d.begin(), d.end());
    }
    if (!cur.done_on.empty()) cur.progress = StepProgress::Partly;
  }
  s.vm_write_rate       = obs.vm_write_rate;
  s.downtime            = obs.downtime;
  s.vms                 = obs.vms;
  s.verification        = obs.verification;
  std::string at_step   = done > 0 ? sc.plan.steps[done - 1].name : "the start";
  ClusterModel observed = observed_model(states[done], obs, at_step);
  for (auto const& vol : sc.volumes)
    if (!vol.bricks.empty()) s.volume_networks[vol.name] = observed.pool_network(vol.bricks.front().node);
  s.broken_rules = broken_rules(states[done], observed, done < n ? sc.plan.steps[done].name : "");
  return s;
}

namespace {

std::string rate_text(const std::optional<BytesPerSecond>& r)
{
  if (!r) return "not measured";
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << to_MBps(*r) << " MB/s";
  return o.str();
}

std::string seconds_text(const std::optional<Seconds>& t)
{
  if (!t) return "not measured";
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << t->value << " s";
  return o.str();
}

} // namespace

void print_lab_status(const LabStatus& s, std::ostream& out)
{
  for (size_t k = 0; k < s.steps.size(); k++) {
    auto const& st = s.steps[k];
    out << (k == s.current ? "-> " : "   ") << std::setw(2) << k + 1 << ". " << std::left << std::setw(9)
        << to_string(st.progress) << std::right << st.name;
    if (!st.done_on.empty()) out << " (done on " << join_words(st.done_on) << ")";
    out << "\n";
  }
  if (s.current >= s.steps.size())
    out << "The plan is done.\n";
  else
    out << "Current step: " << s.current + 1 << ". " << s.steps[s.current].name << "\n";
  if (!s.on_plan) {
    out << "The lab is in no state the plan passes through; nearest, it differs by:\n";
    for (auto const& d : s.off_plan)
      out << "  " << d << "\n";
  }
  for (auto const& [vol, net] : s.volume_networks)
    out << "Volume " << vol << " uses network \"" << net << "\"\n";
  out << "VM write throughput: " << rate_text(s.vm_write_rate) << "\n";
  out << "Downtime so far: " << seconds_text(s.downtime) << (s.downtime ? " (the longest any VM was shut off)" : "")
      << "\n";
  for (auto const& [name, vm] : s.vms)
    out << "  " << name << " on " << vm.node << ": " << (vm.running ? "running" : "shut off")
        << (vm.write_rate ? ", writes " + rate_text(vm.write_rate) : std::string())
        << (vm.down.value > 0 ? ", down " + seconds_text(vm.down) : std::string()) << "\n";
  if (!s.verification)
    out << "Bytes lost: not verified yet (the writers' first period has not ended)\n";
  else {
    out << "Bytes lost: " << s.verification->bytes_lost << " (" << s.verification->bytes_verified << " bytes of "
        << s.verification->files << " files read back from every replica)\n";
    for (auto const& p : s.verification->problems)
      out << "  " << p << "\n";
  }
  if (s.broken_rules.empty()) out << "No checker rule is broken.\n";
  for (auto const& f : s.broken_rules)
    out << to_string(f.severity) << " " << f.rule << ": " << f.message << "\n";
}

nlohmann::json to_json(const LabStatus& s)
{
  nlohmann::json j;
  j["steps"] = nlohmann::json::array();
  for (auto const& st : s.steps)
    j["steps"].push_back({{"name", st.name},
                          {"json_path", st.json_path},
                          {"progress", to_string(st.progress)},
                          {"done_on", st.done_on},
                          {"differences", st.differences}});
  j["current_step"]    = s.current < s.steps.size() ? nlohmann::json(s.steps[s.current].name) : nlohmann::json();
  j["plan_done"]       = s.current >= s.steps.size();
  j["on_plan"]         = s.on_plan;
  j["off_plan"]        = s.off_plan;
  j["volume_networks"] = s.volume_networks;
  j["vm_write_rate"]   = s.vm_write_rate ? nlohmann::json(rate_text(s.vm_write_rate)) : nlohmann::json("not measured");
  j["downtime"]        = s.downtime ? nlohmann::json(seconds_text(s.downtime)) : nlohmann::json("not measured");
  j["vms"]             = nlohmann::json::object();
  for (auto const& [name, vm] : s.vms)
    j["vms"][name] = {{"node", vm.node},
                      {"state", vm.running ? "running" : "shut off"},
                      {"write_rate", vm.write_rate ? nlohmann::json(rate_text(vm.write_rate)) : nlohmann::json()},
                      {"down_s", vm.down.value}};
  j["verification"] = s.verification ? to_json(*s.verification) : nlohmann::json();
  j["broken_rules"] = nlohmann::json::array();
  for (auto const& f : s.broken_rules)
    j["broken_rules"].push_back(
        {{"rule", f.rule}, {"severity", to_string(f.severity)}, {"message", f.message}, {"step", f.step}});
  return j;
}

} // namespace ibmig::lab
