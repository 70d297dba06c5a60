#include "plan_loader.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace ibmig::loader {
namespace {

DurationSpec read_duration(ObjectReader& o, const std::string& key)
{
  const json& v = o.raw(key);
  DurationSpec d;
  if (v.is_string()) {
    d.a = o.unit_value<Seconds>(v, key, parse_duration, 0, 30 * 86400.0, "30s").value;
    return d;
  }
  ObjectReader dist(v, o.at(key), o.file());
  if (dist.has("uniform")) {
    d.kind        = DurationSpec::Kind::Uniform;
    const json& r = dist.array("uniform");
    if (r.size() != 2) dist.fail("uniform", "expected [min, max], e.g. [\"20s\", \"40s\"]");
    d.a = dist.unit_value<Seconds>(r[0], "uniform[0]", parse_duration, 0, 30 * 86400.0, "20s").value;
    d.b = dist.unit_value<Seconds>(r[1], "uniform[1]", parse_duration, 0, 30 * 86400.0, "40s").value;
    if (d.b < d.a) dist.fail("uniform", "max is below min");
  } else if (dist.has("normal")) {
    d.kind         = DurationSpec::Kind::Normal;
    ObjectReader n = dist.child("normal");
    d.a            = n.duration("mean").value;
    d.b            = n.duration("stddev").value;
    n.finish();
  } else if (dist.has("lognormal")) {
    d.kind         = DurationSpec::Kind::Lognormal;
    ObjectReader n = dist.child("lognormal");
    d.a            = n.duration("median", 1e-6, 30 * 86400.0).value;
    d.b            = n.num("sigma", 0, 3);
    n.finish();
  } else {
    o.fail(key,
           "expected \"30s\" or {\"uniform\": [..]}, {\"normal\": {mean, stddev}}, {\"lognormal\": {median, sigma}}");
  }
  dist.finish();
  return d;
}

std::vector<std::string> read_targets(ObjectReader& o, const Scenario& sc, const std::string& def)
{
  const json* v = o.opt_raw("nodes");
  std::vector<std::string> out;
  auto select = [&](const std::string& which) {
    for (auto const& n : sc.nodes)
      if (which == "all" || (which == "servers" && n.server) || (which == "hypervisors" && n.hypervisor))
        out.push_back(n.name);
  };
  if (!v) {
    if (!def.empty()) select(def);
    return out;
  }
  if (v->is_string()) {
    std::string s = v->get<std::string>();
    if (s != "all" && s != "servers" && s != "hypervisors")
      o.fail("nodes", "expected \"all\", \"servers\", \"hypervisors\" or a list of node names, got \"" + s + "\"");
    select(s);
    // As with an empty list: a step acts on at least one node (a ping with nobody to ping is a mistake).
    if (out.empty())
      o.fail("nodes", "\"" + s + "\" selects no node: no node has the role \"" +
                          (s == "servers" ? "server" : "hypervisor") + "\"");
    return out;
  }
  if (!v->is_array()) o.fail("nodes", "expected \"all\", \"servers\", \"hypervisors\" or a list of node names");
  if (v->empty()) o.fail("nodes", "empty list: a step acts on at least one node");
  for (size_t i = 0; i < v->size(); i++) {
    const json& e = (*v)[i];
    if (!e.is_string() || !sc.find_node(e.get<std::string>()))
      throw ScenarioError(o.file(), o.index("nodes", i), "unknown node " + e.dump());
    out.push_back(e.get<std::string>());
  }
  return out;
}

Action parse_action(ObjectReader& o, const std::string& a)
{
  // Every action of the closed vocabulary (Wait is the last one).
  std::vector<Action> all;
  for (int k = 0; k <= static_cast<int>(Action::Wait); k++)
    all.push_back(static_cast<Action>(k));
  std::string known;
  for (Action x : all) {
    if (a == to_string(x)) return x;
    known += (known.empty() ? "" : ", ") + std::string(to_string(x));
  }
  o.fail("action", "unknown action \"" + a + "\" (known: " + known + ")");
}

bool node_action(Action a)
{
  switch (a) {
  case Action::RepointNames:
  case Action::CheckPeers:
  case Action::CheckVolume:
  case Action::WaitHeal:
  case Action::Wait:
  case Action::MigrateVms: // names its VMs or its source nodes: no default
    return false;
  default:
    return true;
  }
}

/* migrate_vms: which VMs (named, or those of the step's nodes), where, over which network, with QEMU's limits. What
 * a migration needs is checked here: the VMs' memory, the target hypervisors' memory. */
void read_migration(ObjectReader& o, const Scenario& sc, Step& st)
{
  if (o.has("vms")) {
    if (o.has("nodes")) o.fail("vms", "give either \"vms\" or \"nodes\" (whose running VMs move), not both");
    const json& arr = o.array("vms");
    if (arr.empty()) o.fail("vms", "empty list: name at least one VM");
    for (size_t i = 0; i < arr.size(); i++) {
      std::string name = arr[i].is_string() ? arr[i].get<std::string>() : arr[i].dump();
      if (std::none_of(sc.workload.vms.begin(), sc.workload.vms.end(), [&](const Vm& v) { return v.name == name; }))
        throw ScenarioError(o.file(), o.index("vms", i), "unknown VM \"" + name + "\"");
      st.vms.push_back(name);
    }
  } else if (st.nodes.empty()) {
    o.fail("nodes", "migrate_vms needs \"nodes\" (whose running VMs move) or \"vms\"");
  }
  st.back = o.boolean("back", false);
  if (st.back && o.has("to")) o.fail("to", "\"back\" moves each VM to its home node: no \"to\"");
  st.to = o.str("to", "");
  if (!st.to.empty()) {
    const Node* t = sc.find_node(st.to);
    if (!t) o.fail("to", "unknown node \"" + st.to + "\"");
    if (!t->hypervisor) o.fail("to", "node " + st.to + " is not a hypervisor");
  }
  const bool vmbridge = sc.find_network("vmbridge") != nullptr;
  st.network          = o.str("network", vmbridge ? "vmbridge" : "");
  if (st.network.empty())
    o.fail("network", "missing: the network the memory is copied over (the default, \"vmbridge\", does not exist)");
  if (o.has("max_bandwidth")) st.max_bandwidth = to_bytes_per_second(o.bandwidth("max_bandwidth", 8e3, 8e12));
  if (o.has("downtime_limit")) st.downtime_limit = o.duration("downtime_limit", 1e-3, 2000);
  // Every VM it may move needs its memory, every hypervisor it may move one to its RAM.
  for (auto const& vm : sc.workload.vms) {
    bool moved = std::find(st.vms.begin(), st.vms.end(), vm.name) != st.vms.end() ||
                 (st.vms.empty() && std::find(st.nodes.begin(), st.nodes.end(), vm.node) != st.nodes.end());
    if (moved && !vm.memory)
      o.fail(st.vms.empty() ? "nodes" : "vms", "VM " + vm.name +
                                                   " has no \"memory\" (size, dirty_rate, source): a live migration "
                                                   "copies it, and its time depends on both");
  }
  for (size_t i = 0; i < sc.nodes.size(); i++) {
    const Node& n = sc.nodes[i];
    bool target   = st.back || st.to.empty() ? n.hypervisor : n.name == st.to;
    if (target && !n.memory)
      o.fail("to", "hypervisor " + n.name + " has no \"memory\" (nodes[" + std::to_string(i) +
                       "].memory): the target of a migration must hold the VMs it receives");
  }
}

/* The services a plan can act on: glusterd, and the rdma service that loads the InfiniBand stack (CentOS 6's
 * init script; on systemd distributions rdma-load-modules@infiniband). Stopping rdma would unload the stack
 * under the interfaces: not modelled. */
void read_service(ObjectReader& o, Step& st)
{
  if (st.service == "glusterd") return;
  if (st.service != "rdma") o.fail("service", "unknown service \"" + st.service + "\" (modelled: glusterd, rdma)");
  if (st.action == Action::StopService)
    o.fail("service", "stopping rdma unloads the InfiniBand stack under its interfaces: not modelled (take the "
                      "interfaces down instead)");
}

Step read_step(ObjectReader& o, const Scenario& sc, const std::vector<std::string>* rolling_node)
{
  Step st;
  st.json_path = o.at("");
  st.action    = parse_action(o, o.str("action"));
  st.name      = o.str("name", to_string(st.action));
  if (rolling_node) {
    if (o.has("nodes"))
      o.fail("nodes", "a step inside a rolling block applies to the block's current node; remove \"nodes\"");
    st.nodes = *rolling_node;
  } else {
    // A service step acts on the Gluster servers among its nodes when they are a group ("all", the default):
    // glusterd exists nowhere else. Listed by name, a node that is not a server is the plan's mistake
    // (NOT_A_SERVER).
    bool service = st.action == Action::StartService || st.action == Action::StopService ||
                   st.action == Action::EnableService || st.action == Action::DisableService ||
                   st.action == Action::RewritePeerAddresses;
    if (service && o.has("service") && o.raw("service") == "rdma") service = false; // rdma runs on every IB node
    bool listed = o.has("nodes") && o.raw("nodes").is_array();
    st.nodes    = read_targets(o, sc, node_action(st.action) || st.action == Action::RepointNames ? "all" : "");
    if (service && !listed)
      st.nodes.erase(std::remove_if(st.nodes.begin(), st.nodes.end(),
                                    [&](const std::string& n) { return !sc.find_node(n)->server; }),
                     st.nodes.end());
  }
  st.duration = o.has("duration") ? read_duration(o, "duration") : DurationSpec{};
  auto need   = [&](const std::string& key) {
    if (!o.has(key)) o.fail(key, std::string("missing required field for action ") + to_string(st.action));
  };
  switch (st.action) {
  case Action::StopService:
  case Action::StartService:
  case Action::EnableService:
  case Action::DisableService:
    need("service");
    st.service = o.str("service");
    read_service(o, st);
    break;
  case Action::InstallPackages:
    need("packages");
    st.packages = o.str("packages");
    if (st.packages != "infiniband")
      o.fail("packages", "unknown package group \"" + st.packages + "\" (modelled: infiniband)");
    break;
  case Action::VerifyPort:
    need("interface");
    st.interface = o.str("interface");
    break;
  case Action::InstallNic:
  case Action::ConfigureInterface:
  case Action::InterfaceDown:
  case Action::InterfaceUp:
    need("interface");
    st.interface = o.str("interface");
    break;
  case Action::VerifyPing:
    st.interface = o.str("interface", "");
    st.network   = o.str("network", "");
    if (st.interface.empty() == st.network.empty())
      o.fail("network", "verify_ping needs exactly one of \"interface\" or \"network\"");
    st.mtu = o.integer("size", 0, 0, 65507);
    break;
  case Action::RepointNames:
    need("network");
    st.network = o.str("network");
    st.method  = o.str("method", sc.storage_names.method);
    if (st.method != "hosts" && st.method != "dns") o.fail("method", "expected \"hosts\" or \"dns\"");
    break;
  case Action::RewritePeerAddresses:
    need("network");
    st.network = o.str("network");
    break;
  case Action::MigrateVms:
    read_migration(o, sc, st);
    break;
  case Action::CheckVolume:
  case Action::WaitHeal:
    need("volume");
    st.volume = o.str("volume");
    if (!sc.find_volume(st.volume)) o.fail("volume", "unknown volume \"" + st.volume + "\"");
    if (st.action == Action::WaitHeal && o.has("timeout")) st.timeout = o.duration("timeout", 1);
    break;
  default:
    break;
  }
  if (st.action == Action::ConfigureInterface) {
    if (o.has("mode")) st.mode = parse_ipoib_mode(o, "mode", o.str("mode"));
    st.mtu = o.integer("mtu", 0, 576, 65520);
  }
  if (!st.network.empty() && !sc.find_network(st.network)) o.fail("network", "unknown network \"" + st.network + "\"");
  // The new addresses come from the scenario: every server the step rewrites, and every server it names in its
  // state files, needs an address on that network.
  if (st.action == Action::RewritePeerAddresses)
    for (auto const& n : sc.nodes)
      if (n.server && std::none_of(n.nics.begin(), n.nics.end(), [&](const Nic& c) { return c.network == st.network; }))
        o.fail("network", "server " + n.name + " has no NIC on network \"" + st.network +
                              "\": glusterd's state cannot name its address there");
  if (!st.interface.empty())
    for (auto const& n : st.nodes) {
      const Node* node = sc.find_node(n);
      const Nic* nic   = node->find_nic(st.interface);
      if (!nic) o.fail("interface", "unknown interface \"" + st.interface + "\" on node " + n);
      if (st.action == Action::VerifyPort &&
          sc.technology_of(*sc.find_network(nic->network)).kind != LinkKind::InfiniBand)
        o.fail("interface", "interface " + st.interface + " on node " + n + " is not InfiniBand: it has no HCA port");
      if (st.action == Action::ConfigureInterface) {
        const Technology& t = sc.technology_of(*sc.find_network(nic->network));
        if (st.mode != IpoibMode::None && t.kind != LinkKind::InfiniBand)
          o.fail("mode", "interface " + st.interface + " on node " + n + " is not InfiniBand: it has no IPoIB mode");
      }
    }
  o.finish();
  return st;
}

} // namespace

void read_plan(ObjectReader& root, Scenario& sc)
{
  const json* pv = root.opt_raw("plan");
  if (!pv) return;
  ObjectReader p  = ObjectReader(*pv, "plan", root.file());
  sc.plan.name    = p.str("name", "plan");
  const json& arr = p.array("steps");
  int group       = 0;
  for (size_t i = 0; i < arr.size(); i++) {
    ObjectReader o(arr[i], p.index("steps", i), root.file());
    if (o.has("rolling")) {
      ObjectReader r                 = o.child("rolling");
      std::string name               = o.str("name", "rolling");
      std::vector<std::string> nodes = read_targets(r, sc, "all");
      if (nodes.empty()) r.fail("nodes", "a rolling block needs at least one node");
      const json& steps = r.array("steps");
      if (steps.empty()) r.fail("steps", "a rolling block needs at least one step");
      for (auto const& n : nodes) {
        std::vector<std::string> one{n};
        for (size_t k = 0; k < steps.size(); k++) {
          ObjectReader so(steps[k], r.index("steps", k), root.file());
          Step st          = read_step(so, sc, &one);
          st.name          = st.name + " (" + n + ")";
          st.rolling_group = group;
          st.rolling_node  = n;
          st.rolling_name  = name;
          sc.plan.steps.push_back(st);
        }
      }
      group++;
      r.finish();
      o.finish();
    } else {
      sc.plan.steps.push_back(read_step(o, sc, nullptr));
    }
  }
  p.finish();
}

void read_faults(ObjectReader& root, Scenario& sc)
{
  const json* arr = root.opt_array("faults");
  if (!arr) return;
  for (size_t i = 0; i < arr->size(); i++) {
    ObjectReader o((*arr)[i], root.index("faults", i), root.file());
    Fault f;
    f.json_path      = o.at("");
    std::string kind = o.str("kind");
    if (kind != "node_crash") o.fail("kind", "unknown fault \"" + kind + "\" (known: node_crash)");
    f.node = o.str("node");
    if (!sc.find_node(f.node)) o.fail("node", "unknown node \"" + f.node + "\"");
    if (o.has("after_step") == o.has("at"))
      o.fail("at", "a fault needs exactly one of \"at\" (a time) or \"after_step\" (a step name)");
    if (o.has("at"))
      f.at = o.duration("at");
    else {
      std::string name = o.str("after_step");
      for (size_t s = 0; s < sc.plan.steps.size(); s++)
        if (sc.plan.steps[s].name == name) {
          f.after_step = static_cast<int>(s);
          break;
        }
      if (f.after_step < 0) o.fail("after_step", "no plan step is named \"" + name + "\"");
    }
    if (o.has("down_for")) f.down_for = o.duration("down_for");
    o.finish();
    sc.faults.push_back(f);
  }
}

} // namespace ibmig::loader
