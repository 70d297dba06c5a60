#include "random_scenario.hpp"

#include "plan_checker.hpp"
#include "scenario_loader.hpp"
#include "technology.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

using nlohmann::json;

namespace ibmig::fuzz {
namespace {

/* mt19937_64 is specified bit for bit; the std:: distributions are not, so the mapping to ranges is ours. */
class Rng {
public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  int between(int lo, int hi) { return lo + static_cast<int>(g_() % static_cast<uint64_t>(hi - lo + 1)); }
  bool chance(double p) { return static_cast<double>(g_() >> 11) * 0x1.0p-53 < p; }
  template <class T> const T& pick(const std::vector<T>& v) { return v[static_cast<size_t>(between(0, size(v) - 1))]; }
  std::string pick(std::initializer_list<const char*> v) { return pick(std::vector<std::string>(v.begin(), v.end())); }
  template <class T> void shuffle(std::vector<T>& v)
  {
    for (int i = size(v) - 1; i > 0; i--)
      std::swap(v[static_cast<size_t>(i)], v[static_cast<size_t>(between(0, i))]);
  }

private:
  template <class T> static int size(const std::vector<T>& v) { return static_cast<int>(v.size()); }
  std::mt19937_64 g_;
};

std::string num(int n)
{
  return std::to_string(n);
}

// ---- What a plan generator needs to know of a cluster, read from its JSON (a random one or a base scenario). ----

struct NicInfo {
  std::string name;
  std::string network;
  bool ib = false;
};

struct NodeInfo {
  std::string name;
  bool server     = false;
  bool hypervisor = false;
  std::vector<NicInfo> nics;

  const NicInfo* nic(const std::string& n) const
  {
    for (auto const& c : nics)
      if (c.name == n) return &c;
    return nullptr;
  }
};

struct VolumeInfo {
  std::string name;
  int sets = 1;
};

struct Cluster {
  std::vector<std::string> networks;
  std::string storage; // where the storage names resolve at the start
  bool by_ip = false;  // the pool was probed by IP: rewrite_peer_addresses moves it, not repoint_names
  std::vector<std::string> migratable_vms; // VMs with a memory (and every hypervisor has one): migrate_vms works
  std::vector<NodeInfo> nodes;
  std::vector<VolumeInfo> volumes;
};

Cluster describe(const json& sc)
{
  std::map<std::string, bool> ib_tech;
  for (auto const& [name, t] : builtin_technologies())
    ib_tech[name] = t.kind == LinkKind::InfiniBand;
  if (sc.contains("technologies"))
    for (auto it = sc["technologies"].begin(); it != sc["technologies"].end(); ++it)
      ib_tech[it.key()] = it->value("kind", "") == "infiniband";
  Cluster c;
  std::map<std::string, bool> ib_net;
  for (auto const& n : sc.at("networks")) {
    c.networks.push_back(n.at("name"));
    ib_net[n.at("name")] = ib_tech[n.at("technology")];
  }
  c.storage = sc.contains("storage_names") ? sc["storage_names"].at("network").get<std::string>() : "storage";
  c.by_ip   = sc.contains("storage_names") && sc["storage_names"].value("peers", "fqdn") == "ip";
  for (auto const& n : sc.at("nodes")) {
    NodeInfo ni;
    ni.name = n.at("name");
    for (auto const& r : n.at("roles")) {
      ni.server     = ni.server || r == "server";
      ni.hypervisor = ni.hypervisor || r == "hypervisor";
    }
    for (auto const& k : n.at("nics"))
      ni.nics.push_back({k.at("name"), k.at("network"), ib_net[k.at("network")]});
    c.nodes.push_back(ni);
  }
  for (auto const& v : sc.at("volumes"))
    c.volumes.push_back({v.at("name"), static_cast<int>(v.at("bricks").size()) / v.value("replica", 1)});
  return c;
}

// ---- Random clusters. ----

const std::vector<std::string> kHcas = {"InfiniHost-III", "ConnectX-2", "ConnectX-3",
                                        "ConnectX-4",     "ConnectX-5", "ConnectX-6"};

json random_cluster_json(Rng& rng, const RandomScenarioOptions& opt)
{
  int replica0 = opt.replica > 0 ? opt.replica : rng.pick(std::vector<int>{1, 2, 2, 3, 3});
  int n_nodes  = opt.nodes > 0 ? opt.nodes : rng.between(1, 8);
  if (opt.nodes <= 0) n_nodes = std::max(n_nodes, replica0);
  if (opt.replica <= 0) replica0 = std::min(replica0, n_nodes);
  json sc = {{"schemaVersion", 1}};

  // Catalogue additions.
  std::vector<std::string> ib_techs = {"IB-SDR", "IB-DDR", "IB-QDR", "IB-FDR"};
  std::vector<std::string> hcas     = kHcas;
  if (rng.chance(0.1)) {
    sc["technologies"]["IB-EDR"] = {{"kind", "infiniband"},       {"data_rate", "100Gbps"},
                                    {"line_rate", "103.125Gbps"}, {"mtu_default", 2044},
                                    {"mtu_max", 65520},           {"datagram_mtu_max", 4092},
                                    {"nic_latency", "1us"},       {"source", "fuzz: IBTA EDR 4x"}};
    ib_techs.push_back("IB-EDR");
  }
  if (rng.chance(0.1)) {
    sc["hcas"]["ConnectX-7"] = {{"connected_mode", false}, {"source", "fuzz: mlx5, datagram only"}};
    hcas.push_back("ConnectX-7");
  }
  if (rng.chance(0.25)) {
    struct Param {
      const char* key;
      std::vector<double> values;
    };
    const std::vector<Param> params = {{"gluster_stream_efficiency", {0.05, 0.5, 0.935, 1}},
                                       {"fuse_MBps", {1, 100, 600, 1e6}},
                                       {"fuse_request_s", {0, 50e-6, 0.01, 1}},
                                       {"gfapi_MBps", {1, 900, 1e6}},
                                       {"gfapi_request_s", {0, 20e-6, 1}},
                                       {"small_file_round_trips_distribute", {1, 4, 100}},
                                       {"small_file_round_trips", {1, 8, 100}},
                                       {"server_op_s", {0, 150e-6, 0.01, 1}},
                                       {"heal_MBps", {1, 10, 80, 1e6}},
                                       {"glusterd_start_s", {0, 6.7, 60}},
                                       {"service_stop_s", {0, 0.3, 10}},
                                       {"gluster_check_s", {0, 1, 30}},
                                       {"ping_pair_s", {0, 0.42, 5}},
                                       {"mount_s", {0, 0.3, 10}},
                                       {"unmount_s", {0, 0.055, 5}},
                                       {"command_s", {0, 0.1, 3}}};
    for (int k = rng.between(1, 3); k > 0; k--) {
      const Param& p           = rng.pick(params);
      sc["calibration"][p.key] = {{"value", rng.pick(p.values)}, {"source", "fuzz"}};
    }
    if (rng.chance(0.3)) {
      json rule = {{"link", rng.pick({"ipoib-connected", "ipoib-datagram", "ethernet"})},
                   {"rate", rng.pick({"1Mbps", "500Mbps", "4Gbps", "40Gbps"})},
                   {"source", "fuzz"}};
      if (rng.chance(0.3)) rule["mtu"] = rng.pick(std::vector<int>{1500, 2044, 9000, 65520});
      if (rng.chance(0.3)) rule["scope"] = "interface";
      if (rng.chance(0.2)) rule["hca"] = rng.pick(hcas);
      sc["calibration"]["stream_limits"] = json::array({rule});
    }
  }

  // Networks: the storage network the names resolve to at the start, maybe a VM bridge, 0-2 new fabrics.
  struct Net {
    std::string name, technology, nic;
    bool ib;
    double has = 1, present = 1; // probability that a node has a NIC on it, and that the NIC is installed
  };
  std::vector<Net> nets;
  std::string storage = rng.chance(0.8) ? "storage" : rng.pick({"lan", "gbe-storage"});
  int st              = rng.between(0, 9);
  if (st < 7)
    nets.push_back({storage, "1GbE", "eth1", false});
  else if (st < 9)
    nets.push_back({storage, "10GbE", "eth1", false});
  else
    nets.push_back({storage, "IB-QDR", "ibs0", true});
  if (rng.chance(0.4)) nets.push_back({"vmbridge", "1GbE", "eth0", false});
  int fabrics = rng.chance(0.1) ? 0 : rng.between(1, 2);
  if (fabrics >= 1) nets.push_back({"ib", rng.pick(ib_techs), "ib0", true, 0.85, 0.4});
  if (fabrics >= 2) {
    if (rng.chance(0.5))
      nets.push_back({"ib-b", rng.pick(ib_techs), "ib1", true, 0.85, 0.5});
    else
      nets.push_back({"ten", "10GbE", "eth2", false, 0.85, 0.5});
  }
  if (storage != "storage" || rng.chance(0.3)) {
    sc["storage_names"] = {{"network", storage}};
    if (rng.chance(0.5)) sc["storage_names"]["method"] = rng.pick({"hosts", "dns"});
  }
  if (rng.chance(0.25)) {
    if (!sc.contains("storage_names")) sc["storage_names"] = {{"network", storage}};
    sc["storage_names"]["peers"] = rng.pick({"ip", "ip", "short"});
  }

  // Nodes: the first replica0 are servers, so the first volume fits.
  bool no_hypervisors = rng.chance(0.05);
  std::string prefix  = rng.chance(0.9) ? "n" : "gl-node-";
  json nodes          = json::array();
  for (int i = 0; i < n_nodes; i++) {
    int r       = rng.between(0, 99);
    bool server = r < 85 || i < replica0;
    bool hyp    = !no_hypervisors && (r < 70 || r >= 85);
    json roles  = json::array();
    if (server) roles.push_back("server");
    if (hyp) roles.push_back("hypervisor");
    if (roles.empty()) roles.push_back("server");
    json node = {{"name", prefix + num(i + 1)}, {"roles", roles}};
    if (rng.chance(0.5)) node["storage_name"] = "gl" + num(i + 1) + ".storage.example";
    node["disk"] = {{"write", rng.pick({"100MBps", "200MBps", "500MBps", "1GBps", "2Gbps"})}, {"source", "fuzz"}};
    if (rng.chance(0.5)) node["disk"]["read"] = rng.pick({"150MBps", "250MBps", "1GBps"});
    json nics = json::array();
    for (size_t k = 0; k < nets.size(); k++) {
      const Net& net = nets[k];
      if (k > 0 && !rng.chance(net.has)) continue;
      json nic = {{"name", net.nic}, {"network", net.name}};
      if (rng.chance(0.6)) nic["address"] = "10.10." + num(static_cast<int>(k)) + "." + num(i + 1);
      if (k > 0 && !rng.chance(net.present))
        nic["present"] = false;
      else if (rng.chance(0.1))
        nic["present"] = true;
      if (net.ib) {
        nic["hca"] = rng.pick(hcas);
        if (rng.chance(0.2)) nic["port"] = rng.between(1, 2);
        if (rng.chance(0.1)) nic["cabled"] = false;
        if (rng.chance(0.6)) nic["mode"] = rng.pick({"datagram", "connected"});
        if (rng.chance(0.6)) nic["mtu"] = rng.pick(std::vector<int>{2044, 4092, 65520, 1500, rng.between(576, 65520)});
      } else if (rng.chance(0.3)) {
        nic["mtu"] = rng.pick(std::vector<int>{1500, 9000, rng.between(576, 9000)});
      }
      if (!net.ib && rng.chance(0.15)) { // a bond of 2-3 slaves; now and then a slave at another MTU
        json slaves = json::array();
        for (int s = rng.between(2, 3); s > 0; s--)
          slaves.push_back({{"name", net.nic + "s" + num(s)}});
        if (rng.chance(0.1)) slaves[0]["mtu"] = rng.pick(std::vector<int>{1500, 9000});
        nic["bond"] = {{"mode", rng.pick({"active-backup", "balance-alb", "802.3ad"})}, {"slaves", slaves}};
        if (nic["bond"]["mode"] == "802.3ad" && rng.chance(0.5))
          nic["bond"]["hash"] = rng.pick({"layer2", "layer2+3", "layer3+4"});
      }
      nics.push_back(nic);
    }
    node["nics"] = nics;
    if (rng.chance(0.2)) { // the InfiniBand software missing, or rdma not enabled at boot
      bool packages    = rng.chance(0.5);
      node["software"] = {{"infiniband", packages}};
      if (packages || rng.chance(0.5)) node["software"]["rdma_enabled"] = packages && rng.chance(0.5);
    }
    nodes.push_back(node);
  }

  std::vector<std::string> switch_names;
  for (auto const& net : nets)
    switch_names.push_back("sw-" + net.name);
  if (opt.clashing_names) {
    if (nets.size() > 1 && rng.chance(0.5)) {
      switch_names[1] = switch_names[0]; // "switch-sw-..." declared twice
    } else {
      // Link "<node>-<nic>": node n1 with NIC "x-eth1" and node "n1-x" with NIC "eth1" give "n1-x-eth1" twice.
      std::string first = nodes[0]["name"];
      nodes[0]["nics"].push_back({{"name", "x-" + nets[0].nic}, {"network", nets[0].name}});
      json twin = {{"name", first + "-x"},
                   {"roles", {"hypervisor"}},
                   {"disk", {{"write", "200MBps"}, {"source", "fuzz"}}},
                   {"nics", {{{"name", nets[0].nic}, {"network", nets[0].name}}}}};
      if (nets[0].ib)
        for (auto* nic : {&nodes[0]["nics"].back(), &twin["nics"][0]})
          (*nic)["hca"] = "ConnectX-3";
      nodes.push_back(twin);
    }
  }

  json networks = json::array();
  for (size_t k = 0; k < nets.size(); k++) {
    int attached = 0;
    for (auto const& node : nodes)
      for (auto const& nic : node["nics"])
        attached += nic["network"] == nets[k].name ? (nic.contains("bond") ? int(nic["bond"]["slaves"].size()) : 1) : 0;
    json sw = {{"name", switch_names[k]}};
    if (rng.chance(0.8))
      sw["ports"] = std::max(1, attached + (rng.chance(0.3) ? 0 : rng.between(0, 8)));
    else if (attached > 48)
      sw["ports"] = attached;
    if (rng.chance(0.6)) sw["latency"] = rng.pick({"0s", "200ns", "5us", "1ms"});
    if (rng.chance(0.15)) sw["backplane"] = rng.pick({"2Gbps", "10Gbps", "100Gbps"});
    json net = {{"name", nets[k].name}, {"technology", nets[k].technology}, {"switch", sw}};
    if (rng.chance(0.5)) net["subnet"] = "10.10." + num(static_cast<int>(k)) + ".0/24";
    networks.push_back(net);
  }
  sc["networks"] = networks;
  sc["nodes"]    = nodes;

  // Volumes: consecutive groups of `replica` bricks on distinct servers form a set.
  std::vector<std::string> servers;
  for (auto const& node : nodes)
    for (auto const& r : node["roles"])
      if (r == "server") servers.push_back(node["name"]);
  int n_volumes = rng.chance(0.6) ? 1 : rng.chance(0.75) ? 2 : 3;
  json volumes  = json::array();
  for (int v = 0; v < n_volumes; v++) {
    int replica      = v == 0 ? replica0 : rng.pick(std::vector<int>{1, 2, 3, 4});
    replica          = std::min(replica, static_cast<int>(servers.size()));
    std::string name = v == 0 && rng.chance(0.5) ? "vmstore" : "vol" + num(v);
    json vol         = {{"name", name}};
    if (replica > 1 || rng.chance(0.3)) vol["replica"] = replica;
    if (replica == 3 && rng.chance(0.3))
      vol["arbiter"] = true;
    else if (rng.chance(0.05))
      vol["arbiter"] = false;
    json bricks = json::array();
    for (int s = rng.between(1, 3); s > 0; s--) {
      std::vector<std::string> pool = servers;
      rng.shuffle(pool);
      for (int k = 0; k < replica; k++)
        bricks.push_back(pool[static_cast<size_t>(k)] + ":/bricks/" + name + "-" + num(s));
    }
    vol["bricks"] = bricks;
    if (rng.chance(0.5)) {
      json o = json::object();
      if (rng.chance(0.5)) {
        std::string q            = rng.pick({"auto", "none", "fixed"});
        o["cluster.quorum-type"] = q;
        if (q == "fixed" || rng.chance(0.2)) o["cluster.quorum-count"] = rng.between(q == "fixed" ? 1 : 0, replica);
      }
      if (rng.chance(0.4)) o["network.ping-timeout"] = rng.pick({"1s", "5s", "42s"});
      if (rng.chance(0.3)) o["cluster.read-hash-mode"] = rng.between(0, 3);
      if (rng.chance(0.3)) o["cluster.choose-local"] = rng.chance(0.5);
      vol["options"] = o;
    }
    volumes.push_back(vol);
  }
  sc["volumes"] = volumes;
  return sc;
}

// ---- Durations, workload, plan, faults. ----

json random_duration(Rng& rng)
{
  switch (rng.between(0, 9)) {
  case 0:
    return "0s";
  case 1:
    return num(rng.between(1, 20)) + "min";
  case 2:
    return {{"uniform", {num(rng.between(0, 30)) + "s", num(rng.between(30, 90)) + "s"}}};
  case 3:
    return {{"normal", {{"mean", num(rng.between(0, 60)) + "s"}, {"stddev", num(rng.between(0, 20)) + "s"}}}};
  case 4:
    return {{"lognormal",
             {{"median", num(rng.between(1, 300)) + "s"}, {"sigma", rng.pick(std::vector<double>{0, 0.3, 1})}}}};
  case 5:
    return num(rng.between(1, 500)) + "ms";
  default:
    return num(rng.between(1, 120)) + "s";
  }
}

std::string phase_length(Rng& rng)
{
  return rng.chance(0.25) ? "0s" : rng.pick({"1s", "5s", "30s", "60s", "2min"});
}

json random_workload(Rng& rng, const Cluster& c)
{
  json w = json::object();
  if (rng.chance(0.75)) w["before"] = phase_length(rng);
  if (rng.chance(0.75)) w["after"] = phase_length(rng);
  std::vector<const NodeInfo*> hyps;
  for (auto const& n : c.nodes)
    if (n.hypervisor) hyps.push_back(&n);
  json vms = json::array();
  int n    = hyps.empty() || c.volumes.empty() ? 0 : rng.chance(0.1) ? 0 : rng.between(1, 10);
  for (int i = 0; i < n; i++) {
    const VolumeInfo& vol = rng.pick(c.volumes);
    json vm               = {{"name", "vm" + num(i + 1)}, {"node", rng.pick(hyps)->name}, {"volume", vol.name}};
    if (rng.chance(0.3)) vm["image"] = "img" + num(rng.between(1, 4)) + ".qcow2";
    if (rng.chance(0.5)) vm["replica_set"] = rng.between(0, vol.sets - 1);
    if (rng.chance(0.7)) vm["access"] = rng.pick({"fuse", "fuse", "gfapi", "libgfapi"});
    json streams = json::array();
    for (int k = rng.chance(0.1) ? 0 : rng.between(1, 2); k > 0; k--) {
      json s = {{"type", rng.pick({"sequential-write", "sequential-write", "sequential-read", "small-files"})}};
      int r  = rng.between(0, 9);
      if (r < 3)
        s["rate"] = "max";
      else if (r < 7)
        s["rate"] = num(rng.between(1, 200)) + "MBps";
      else if (r < 8)
        s["rate"] = num(rng.between(10, 2000)) + "Mbps";
      if (s["type"] == "small-files" && rng.chance(0.6)) s["file_size"] = rng.pick({"4KiB", "64KiB", "1MiB", "1B"});
      if (s["type"] != "small-files" && rng.chance(0.3)) s["block_size"] = rng.pick({"512B", "4KiB", "128KiB", "4MiB"});
      streams.push_back(s);
    }
    vm["streams"] = streams;
    vms.push_back(vm);
  }
  w["vms"] = vms;
  return w;
}

const std::vector<std::string> kActions = {
    "stop_clients",        "start_clients",    "remount_clients", "stop_service", "start_service",
    "enable_service",      "disable_service",  "power_off",       "power_on",     "install_nic",
    "configure_interface", "interface_down",   "interface_up",    "verify_ping",  "repoint_names",
    "check_peers",         "check_volume",     "wait_heal",       "wait",         "rewrite_peer_addresses",
    "migrate_vms",         "install_packages", "verify_port"};

bool node_action(const std::string& a)
{
  return a != "repoint_names" && a != "check_peers" && a != "check_volume" && a != "wait_heal" && a != "wait";
}
bool interface_action(const std::string& a)
{
  return a == "install_nic" || a == "configure_interface" || a == "interface_down" || a == "interface_up";
}

class PlanGenerator {
public:
  PlanGenerator(Rng& rng, const Cluster& c) : rng_(rng), c_(c) {}

  json plan(int max_entries)
  {
    std::vector<json> entries;
    int shape = rng_.between(0, 9);
    if (shape < 3)
      entries = full_downtime();
    else if (shape < 6)
      entries = rolling_migration();
    // Mutations: drop, swap, insert random steps and rolling blocks.
    if (!entries.empty() && rng_.chance(0.3)) entries.erase(entries.begin() + rng_.between(0, size(entries) - 1));
    if (entries.size() > 1 && rng_.chance(0.3))
      std::swap(entries[static_cast<size_t>(rng_.between(0, size(entries) - 1))],
                entries[static_cast<size_t>(rng_.between(0, size(entries) - 1))]);
    int extra = shape >= 6 ? rng_.between(1, max_entries) : rng_.between(0, 3);
    for (int k = 0; k < extra && size(entries) < max_entries + 14; k++) {
      std::optional<json> e = rng_.chance(0.15) ? random_rolling() : random_step(nullptr);
      if (e) entries.insert(entries.begin() + rng_.between(0, size(entries)), *e);
    }
    json p = json::object();
    if (rng_.chance(0.5)) p["name"] = "fuzz plan";
    p["steps"] = entries;
    return p;
  }

  /* The step names as the loader expands them (rolling: "NAME (NODE)"), in order: what after_step can name. */
  std::vector<std::string> step_names(const json& plan) const
  {
    std::vector<std::string> out;
    for (auto const& e : plan["steps"]) {
      if (!e.contains("rolling")) {
        out.push_back(e.value("name", e["action"].get<std::string>()));
        continue;
      }
      for (int n : resolve(e["rolling"].value("nodes", json())))
        for (auto const& s : e["rolling"]["steps"])
          out.push_back(s.value("name", s["action"].get<std::string>()) + " (" + c_.nodes[static_cast<size_t>(n)].name +
                        ")");
    }
    return out;
  }

private:
  template <class T> static int size(const std::vector<T>& v) { return static_cast<int>(v.size()); }

  /* Node indices a "nodes" value selects (absent: all). */
  std::vector<int> resolve(const json& t) const
  {
    std::vector<int> out;
    if (t.is_array()) {
      for (auto const& name : t)
        for (size_t i = 0; i < c_.nodes.size(); i++)
          if (c_.nodes[i].name == name) out.push_back(static_cast<int>(i));
      return out;
    }
    std::string which = t.is_string() ? t.get<std::string>() : "all";
    for (size_t i = 0; i < c_.nodes.size(); i++)
      if (which == "all" || (which == "servers" && c_.nodes[i].server) ||
          (which == "hypervisors" && c_.nodes[i].hypervisor))
        out.push_back(static_cast<int>(i));
    return out;
  }

  /* A "nodes" value selecting only eligible nodes, at least one (the loader refuses a selector that selects none);
   * null when it may be left out (every node eligible, which the default "all" of node actions selects); nullopt
   * when nothing fits. */
  std::optional<json> targets(const std::vector<bool>& eligible)
  {
    std::vector<std::string> names;
    bool all = true, servers = true, hyps = true, any_server = false, any_hyp = false;
    for (size_t i = 0; i < c_.nodes.size(); i++) {
      const NodeInfo& n = c_.nodes[i];
      if (eligible[i]) names.push_back(n.name);
      all        = all && eligible[i];
      servers    = servers && (!n.server || eligible[i]);
      hyps       = hyps && (!n.hypervisor || eligible[i]);
      any_server = any_server || n.server;
      any_hyp    = any_hyp || n.hypervisor;
    }
    std::vector<json> choices;
    if (all) choices.insert(choices.end(), {json(), json("all")});
    if (servers && any_server) choices.push_back("servers");
    if (hyps && any_hyp) choices.push_back("hypervisors");
    if (!names.empty()) {
      rng_.shuffle(names);
      json list = json::array();
      for (int k = rng_.between(1, size(names)); k > 0; k--)
        list.push_back(names[static_cast<size_t>(k - 1)]);
      if (rng_.chance(0.05)) list.push_back(list[0]); // a node named twice: the loader allows it
      choices.push_back(list);
      choices.push_back(list);
    }
    if (choices.empty()) return std::nullopt;
    return rng_.pick(choices);
  }

  std::string step_name(const std::string& action)
  {
    if (rng_.chance(0.3)) return rng_.pick({"Step", "Power on", "Wait for heal", "Check volume", "Re-point names"});
    return action + " #" + num(++named_);
  }

  std::vector<std::string> interfaces_of(const std::vector<int>& nodes) const
  {
    std::set<std::string> common;
    bool first = true;
    for (int n : nodes) {
      std::set<std::string> mine;
      for (auto const& nic : c_.nodes[static_cast<size_t>(n)].nics)
        mine.insert(nic.name);
      if (first)
        common = mine;
      else
        for (auto it = common.begin(); it != common.end();)
          it = mine.count(*it) ? std::next(it) : common.erase(it);
      first = false;
    }
    return {common.begin(), common.end()};
  }

  std::vector<int> all_nodes() const
  {
    std::vector<int> v(c_.nodes.size());
    for (size_t i = 0; i < v.size(); i++)
      v[i] = static_cast<int>(i);
    return v;
  }

  /* One step of `action`; inside a rolling block over `block` (no "nodes": the block's node). */
  std::optional<json> step(const std::string& action, const std::vector<int>* block,
                           const std::string& iface_wanted = "")
  {
    json s = {{"action", action}};
    if (rng_.chance(0.5)) s["name"] = step_name(action);
    std::vector<bool> eligible(c_.nodes.size(), true);
    bool with_interface =
        interface_action(action) || action == "verify_port" || (action == "verify_ping" && rng_.chance(0.5));
    bool with_mode = false;
    if (with_interface) {
      std::vector<std::string> names = interfaces_of(block ? *block : std::vector<int>{});
      if (!block) {
        std::set<std::string> any;
        for (auto const& n : c_.nodes)
          for (auto const& nic : n.nics)
            any.insert(nic.name);
        names.assign(any.begin(), any.end());
      }
      if (!iface_wanted.empty())
        names = std::count(names.begin(), names.end(), iface_wanted) ? std::vector{iface_wanted}
                                                                     : std::vector<std::string>{};
      if (action == "verify_port") // an HCA port: InfiniBand interfaces only (a NIC name is one network's)
        names.erase(std::remove_if(names.begin(), names.end(), [&](const std::string& n) { return !is_ib(n); }),
                    names.end());
      if (names.empty()) {
        if (action != "verify_ping") return std::nullopt;
        with_interface = false;
      } else {
        std::string iface = rng_.pick(names);
        s["interface"]    = iface;
        with_mode         = action == "configure_interface" && rng_.chance(0.6);
        for (size_t i = 0; i < c_.nodes.size(); i++) {
          const NicInfo* nic = c_.nodes[i].nic(iface);
          eligible[i]        = nic && (!with_mode || nic->ib);
        }
        if (block)
          for (int n : *block)
            with_mode = with_mode && eligible[static_cast<size_t>(n)];
        if (block && !with_mode)
          for (size_t i = 0; i < c_.nodes.size(); i++)
            eligible[i] = c_.nodes[i].nic(iface) != nullptr;
      }
    }
    if (!block) {
      if (node_action(action) || action == "repoint_names" || rng_.chance(0.15)) {
        std::optional<json> t = targets(eligible);
        if (!t && with_mode) { // no IB NIC of that name on a node we may pick: configure it without a mode
          with_mode = false;
          for (size_t i = 0; i < c_.nodes.size(); i++)
            eligible[i] = c_.nodes[i].nic(s["interface"].get<std::string>()) != nullptr;
          t = targets(eligible);
        }
        if (!t) return std::nullopt;
        if (!t->is_null()) s["nodes"] = *t;
      }
    }
    if (action == "stop_service" || action == "start_service" || action == "enable_service" ||
        action == "disable_service")
      s["service"] = action != "stop_service" && rng_.chance(0.15) ? "rdma" : "glusterd";
    if (action == "install_packages") s["packages"] = "infiniband";
    if (action == "configure_interface") {
      if (with_mode) s["mode"] = rng_.pick({"datagram", "connected"});
      if (rng_.chance(0.7))
        s["mtu"] = rng_.pick(std::vector<int>{2044, 4092, 65520, 1500, 9000, rng_.between(576, 65520)});
    }
    if (action == "verify_ping") {
      if (!with_interface) s["network"] = rng_.pick(c_.networks);
      int r = rng_.between(0, 3);
      if (r == 1) s["size"] = 0;
      if (r == 2) s["size"] = rng_.pick(std::vector<int>{1472, 2016, 4064, 65492, 8972});
      if (r == 3) s["size"] = rng_.between(0, 65507);
    }
    if (action == "repoint_names" || action == "rewrite_peer_addresses") {
      std::vector<std::string> others;
      for (auto const& n : c_.networks)
        if (n != c_.storage && (action == "repoint_names" || every_server_on(n))) others.push_back(n);
      if (action == "rewrite_peer_addresses") { // only where every server has an address (the loader says so)
        std::vector<std::string> on;
        for (auto const& n : c_.networks)
          if (every_server_on(n)) on.push_back(n);
        if (on.empty()) return std::nullopt;
        s["network"] = !others.empty() && rng_.chance(0.7) ? rng_.pick(others) : rng_.pick(on);
      } else {
        s["network"] = !others.empty() && rng_.chance(0.7) ? rng_.pick(others) : rng_.pick(c_.networks);
      }
      if (action == "repoint_names" && rng_.chance(0.5)) s["method"] = rng_.pick({"hosts", "dns"});
    }
    if (action == "migrate_vms") {
      if (c_.migratable_vms.empty()) return std::nullopt;
      if (!block && (!s.contains("nodes") || rng_.chance(0.3))) { // by name
        s.erase("nodes");
        s["vms"] = json::array({rng_.pick(c_.migratable_vms)});
      } else if (rng_.chance(0.4)) {
        s["back"] = true;
      }
      if (!s.contains("back") && rng_.chance(0.3)) {
        std::vector<std::string> hv;
        for (auto const& n : c_.nodes)
          if (n.hypervisor) hv.push_back(n.name);
        if (!hv.empty()) s["to"] = rng_.pick(hv);
      }
      s["network"] = rng_.pick(c_.networks);
      if (rng_.chance(0.3)) s["max_bandwidth"] = rng_.pick({"32MiBps", "128MiBps", "1GBps"});
      if (rng_.chance(0.3)) s["downtime_limit"] = rng_.pick({"30ms", "300ms", "2s"});
    }
    if (action == "check_volume" || action == "wait_heal") {
      if (c_.volumes.empty()) return std::nullopt;
      s["volume"] = rng_.pick(c_.volumes).name;
      if (action == "wait_heal" && rng_.chance(0.6)) s["timeout"] = rng_.pick({"1s", "30s", "5min", "1h"});
    }
    if (rng_.chance(0.8)) s["duration"] = random_duration(rng_);
    return s;
  }

  bool is_ib(const std::string& iface) const
  {
    for (auto const& n : c_.nodes)
      if (const NicInfo* nic = n.nic(iface)) return nic->ib;
    return false;
  }

  /* The loader refuses a rewrite to a network where a server has no address. */
  bool every_server_on(const std::string& net) const
  {
    for (auto const& n : c_.nodes) {
      if (!n.server) continue;
      bool on = false;
      for (auto const& k : n.nics)
        on = on || k.network == net;
      if (!on) return false;
    }
    return true;
  }

  std::optional<json> random_step(const std::vector<int>* block)
  {
    for (int attempt = 0; attempt < 8; attempt++)
      if (std::optional<json> s = step(rng_.pick(kActions), block)) return s;
    return std::nullopt;
  }

  std::optional<json> random_rolling()
  {
    std::optional<json> t = targets(std::vector<bool>(c_.nodes.size(), true));
    if (!t) return std::nullopt;
    json r = json::object();
    if (!t->is_null()) r["nodes"] = *t;
    std::vector<int> block = resolve(*t);
    if (block.empty()) return std::nullopt;
    json steps = json::array();
    for (int k = rng_.between(1, 4); k > 0; k--)
      if (std::optional<json> s = random_step(&block)) steps.push_back(*s);
    if (steps.empty()) steps.push_back({{"action", "wait"}});
    r["steps"] = steps;
    json e     = {{"rolling", r}};
    if (rng_.chance(0.5)) e["name"] = "rolling #" + num(++named_);
    return e;
  }

  /* A network other than the initial storage one, and the NIC name most nodes have on it. */
  std::pair<std::string, std::string> new_fabric()
  {
    std::map<std::pair<std::string, std::string>, int> count;
    for (auto const& n : c_.nodes)
      for (auto const& nic : n.nics)
        if (nic.network != c_.storage) count[{nic.network, nic.name}]++;
    std::vector<std::pair<std::string, std::string>> best;
    int most = 0;
    for (auto const& [k, v] : count) {
      if (v > most) best.clear(), most = v;
      if (v == most) best.push_back(k);
    }
    if (best.empty()) return {};
    return rng_.pick(best);
  }

  static bool last_is(const std::vector<json>& out, const std::string& action)
  {
    return !out.empty() && out.back().value("action", "") == action;
  }

  void add(std::vector<json>& out, const std::string& action, const std::vector<int>* block = nullptr,
           const std::string& iface = "")
  {
    if (rng_.chance(0.08)) return; // a forgotten step
    if (std::optional<json> s = step(action, block, iface)) out.push_back(*s);
  }

  /* The reference write-up's shape: everything down, install, configure, re-point, everything up. */
  std::vector<json> full_downtime()
  {
    auto [net, iface] = new_fabric();
    std::vector<json> out;
    add(out, "stop_clients");
    add(out, "stop_service");
    if (rng_.chance(0.5)) add(out, "disable_service");
    add(out, "power_off");
    if (!iface.empty()) add(out, "install_nic", nullptr, iface);
    add(out, "power_on");
    if (rng_.chance(0.3)) { // the write-up's fabric steps: software, rdma, the port
      add(out, "install_packages");
      add(out, "start_service");
      if (last_is(out, "start_service")) {
        out.back()["service"] = "rdma";
        out.back().erase("nodes");
      }
      if (!iface.empty() && is_ib(iface)) add(out, "verify_port", nullptr, iface);
    }
    if (!iface.empty()) add(out, "configure_interface", nullptr, iface);
    add(out, "verify_ping");
    const char* move = c_.by_ip && rng_.chance(0.85) ? "rewrite_peer_addresses" : "repoint_names";
    add(out, move);
    if (!net.empty() && last_is(out, move) && (move == std::string("repoint_names") || every_server_on(net)))
      out.back()["network"] = net;
    add(out, "start_service");
    add(out, "check_peers");
    for (auto const& v : c_.volumes) {
      add(out, "check_volume");
      if (last_is(out, "check_volume")) out.back()["volume"] = v.name;
    }
    if (rng_.chance(0.5)) add(out, "enable_service");
    add(out, "start_clients");
    return out;
  }

  /* The rolling shape: one node at a time down, install, up, heal; then names and mounts move. */
  std::vector<json> rolling_migration()
  {
    auto [net, iface]     = new_fabric();
    std::optional<json> t = targets(std::vector<bool>(c_.nodes.size(), true));
    if (!t) return {};
    std::vector<int> block = resolve(*t);
    if (block.empty()) return {};
    std::vector<json> inner;
    add(inner, "stop_clients", &block);
    add(inner, "stop_service", &block);
    add(inner, "power_off", &block);
    if (!iface.empty()) add(inner, "install_nic", &block, iface);
    add(inner, "power_on", &block);
    if (!iface.empty()) add(inner, "configure_interface", &block, iface);
    add(inner, "start_clients", &block);
    if (!c_.volumes.empty()) add(inner, "wait_heal", &block);
    if (inner.empty()) inner.push_back({{"action", "wait"}});
    json r = {{"steps", inner}};
    if (!t->is_null()) r["nodes"] = *t;
    std::vector<json> out = {{{"name", "Install"}, {"rolling", r}}};
    add(out, "repoint_names");
    if (!net.empty() && last_is(out, "repoint_names")) out.back()["network"] = net;
    std::vector<json> again;
    add(again, "stop_service", &block);
    add(again, "start_service", &block);
    add(again, "remount_clients", &block);
    if (!again.empty()) {
      json r2 = {{"steps", again}};
      if (!t->is_null()) r2["nodes"] = *t;
      out.push_back({{"name", "Move"}, {"rolling", r2}});
    }
    add(out, "check_peers");
    if (rng_.chance(0.5)) add(out, "interface_down");
    return out;
  }

  Rng& rng_;
  const Cluster& c_;
  int named_ = 0;
};

json random_faults(Rng& rng, const Cluster& c, const std::vector<std::string>& step_names)
{
  json faults = json::array();
  for (int k = rng.chance(0.5) ? 0 : rng.between(1, 3); k > 0; k--) {
    json f = {{"kind", "node_crash"}, {"node", rng.pick(c.nodes).name}};
    if (!step_names.empty() && rng.chance(0.5))
      f["after_step"] = rng.pick(step_names);
    else
      f["at"] = rng.chance(0.2) ? "0s" : num(rng.between(0, 1200)) + "s";
    if (rng.chance(0.5)) f["down_for"] = rng.chance(0.7) ? num(rng.between(1, 600)) + "s" : "0s";
    faults.push_back(f);
  }
  return faults;
}

} // namespace

json random_cluster(uint64_t seed, const RandomScenarioOptions& opt)
{
  Rng rng(seed);
  return random_cluster_json(rng, opt);
}

json random_scenario(uint64_t seed, const RandomScenarioOptions& opt)
{
  Rng rng(seed ^ 0x9e3779b97f4a7c15ULL); // not the cluster's stream: a base and a random cluster differ only there
  json sc;
  if (opt.base.is_null()) {
    sc = random_cluster(seed, opt);
  } else {
    sc = opt.base;
    sc.erase("plan");
    sc.erase("faults");
    if (!opt.keep_workload) sc.erase("workload");
  }
  sc["name"] = "fuzz-" + std::to_string(seed);
  sc.erase("description");
  Cluster c = describe(sc);
  if (!sc.contains("workload")) sc["workload"] = random_workload(rng, c);
  if (rng.chance(0.5)) { // memory for live migration: every hypervisor's RAM, every VM's size and dirty rate
    for (auto& n : sc["nodes"])
      for (auto const& r : n["roles"])
        if (r == "hypervisor") n["memory"] = rng.pick({"6GiB", "16GiB", "64GiB"});
    for (auto& vm : sc["workload"]["vms"]) {
      vm["memory"] = {{"size", rng.pick({"1GiB", "4GiB", "8GiB"})},
                      {"dirty_rate", rng.pick({"0MBps", "20MBps", "50MBps", "200MBps"})},
                      {"source", "fuzz"}};
      c.migratable_vms.push_back(vm["name"]);
    }
  }
  std::vector<std::string> names;
  if (rng.chance(0.95)) { // else no plan: the workload runs, faults happen
    PlanGenerator gen(rng, c);
    sc["plan"] = gen.plan(opt.max_entries);
    names      = gen.step_names(sc["plan"]);
  }
  if (opt.faults) {
    json f = random_faults(rng, c, names);
    if (!f.empty() || rng.chance(0.1)) sc["faults"] = f;
  }
  return sc;
}

nlohmann::json clean_8node_replica3_base()
{
  RandomScenarioOptions c;
  c.nodes   = 8;
  c.replica = 3;
  c.faults  = false;
  for (uint64_t seed = 1; seed < 1000; seed++) {
    nlohmann::json doc   = random_scenario(seed, c);
    doc["plan"]["steps"] = nlohmann::json::array();
    if (!has_errors(check_plan(parse_scenario(doc, "base.json")))) return doc;
  }
  return nullptr;
}

int for_each_plan_on(const nlohmann::json& base, uint64_t first_seed, int count,
                     const std::function<void(uint64_t seed, const Scenario& sc)>& visit)
{
  RandomScenarioOptions opt;
  opt.base          = base;
  opt.keep_workload = true;
  opt.faults        = false;
  int loaded = 0, refused = 0;
  for (uint64_t seed = first_seed; loaded < count; seed++) {
    Scenario sc;
    try {
      sc = parse_scenario(random_scenario(seed, opt), "random.json");
    } catch (const ScenarioError&) {
      refused++;
      continue;
    }
    loaded++;
    visit(seed, sc);
  }
  return refused;
}

} // namespace ibmig::fuzz
