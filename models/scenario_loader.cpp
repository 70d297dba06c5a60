#include "scenario_loader.hpp"

#include "topology.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using nlohmann::json;

namespace ibmig {
namespace {

constexpr int kSchemaVersion = 1;

/* A JSON object being read: remembers its path and which keys were used, so unknown keys are reported. */
class Obj {
public:
  Obj(const json& j, std::string path, const std::string& file) : j_(j), path_(std::move(path)), file_(file)
  {
    if (!j_.is_object()) fail("", "expected an object, got " + std::string(j_.type_name()));
  }

  [[noreturn]] void fail(const std::string& key, const std::string& msg) const
  {
    throw ScenarioError(file_, at(key), msg);
  }
  std::string at(const std::string& key) const
  {
    if (key.empty()) return path_;
    return path_.empty() ? key : path_ + "." + key;
  }
  const std::string& file() const { return file_; }
  bool has(const std::string& key) const { return j_.contains(key); }

  const json& raw(const std::string& key)
  {
    used_.insert(key);
    if (!j_.contains(key)) fail(key, "missing required field");
    return j_.at(key);
  }
  const json* opt_raw(const std::string& key)
  {
    used_.insert(key);
    return j_.contains(key) ? &j_.at(key) : nullptr;
  }

  std::string str(const std::string& key) { return as_string(raw(key), key); }
  std::string str(const std::string& key, const std::string& def)
  {
    auto* v = opt_raw(key);
    return v ? as_string(*v, key) : def;
  }
  double num(const std::string& key, double lo, double hi) { return as_number(raw(key), key, lo, hi); }
  double num(const std::string& key, double def, double lo, double hi)
  {
    auto* v = opt_raw(key);
    return v ? as_number(*v, key, lo, hi) : def;
  }
  int integer(const std::string& key, int def, int lo, int hi)
  {
    auto* v = opt_raw(key);
    if (!v) return def;
    if (!v->is_number_integer()) fail(key, "expected an integer, got " + v->dump());
    // Above INT64_MAX nlohmann stores the number unsigned, and get<long long>() would wrap it (2^64-1 to -1).
    bool fits   = !v->is_number_unsigned() || v->get<std::uint64_t>() <= static_cast<std::uint64_t>(hi);
    long long x = fits ? v->get<long long>() : 0;
    if (!fits || x < lo || x > hi)
      fail(key, "value " + v->dump() + " out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(x);
  }
  bool boolean(const std::string& key, bool def)
  {
    auto* v = opt_raw(key);
    if (!v) return def;
    if (!v->is_boolean()) fail(key, "expected true or false, got " + v->dump());
    return v->get<bool>();
  }
  static std::string shown(Bytes b) { return format_bytes(b); }
  static std::string shown(Seconds t) { return format_duration(t); }
  static std::string shown(BitsPerSecond r)
  {
    char text[32];
    std::snprintf(text, sizeof text, "%gGbps", r.value / 1e9);
    return text;
  }
  template <class T, class Parse> T unit(const std::string& key, Parse parse, double lo, double hi, const char* u)
  {
    return unit_value<T>(raw(key), key, parse, lo, hi, u);
  }
  template <class T, class Parse>
  T unit_value(const json& v, const std::string& key, Parse parse, double lo, double hi, const char* u)
  {
    if (!v.is_string()) fail(key, "expected a string with a unit (e.g. \"" + std::string(u) + "\"), got " + v.dump());
    T out;
    try {
      out = parse(v.get<std::string>());
    } catch (const UnitError& e) {
      fail(key, e.what());
    }
    if (!(out.value >= lo && out.value <= hi))
      fail(key, "value \"" + v.get<std::string>() + "\" is out of the plausible range " + shown(T{lo}) + " to " +
                    shown(T{hi}));
    return out;
  }
  BitsPerSecond bandwidth(const std::string& key, double lo = 1e3, double hi = 1e13)
  {
    return unit<BitsPerSecond>(key, parse_bandwidth, lo, hi, "1Gbps");
  }
  Seconds duration(const std::string& key, double lo = 0, double hi = 30 * 86400.0)
  {
    return unit<Seconds>(key, parse_duration, lo, hi, "30s");
  }
  Bytes bytes(const std::string& key, double lo = 1, double hi = 1e15)
  {
    return unit<Bytes>(key, parse_bytes, lo, hi, "1GiB");
  }

  const json& array(const std::string& key)
  {
    const json& v = raw(key);
    if (!v.is_array()) fail(key, "expected a list, got " + std::string(v.type_name()));
    return v;
  }
  const json* opt_array(const std::string& key)
  {
    const json* v = opt_raw(key);
    if (v && !v->is_array()) fail(key, "expected a list, got " + std::string(v->type_name()));
    return v;
  }
  Obj child(const std::string& key) { return Obj(raw(key), at(key), file_); }
  std::string index(const std::string& key, size_t i) const { return at(key) + "[" + std::to_string(i) + "]"; }

  /* Every key present must have been read: a misspelt field is an error, not silently ignored. */
  void finish() const
  {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!used_.count(it.key())) fail(it.key(), "unknown field");
  }

private:
  std::string as_string(const json& v, const std::string& key) const
  {
    if (!v.is_string()) fail(key, "expected a string, got " + v.dump());
    return v.get<std::string>();
  }
  double as_number(const json& v, const std::string& key, double lo, double hi) const
  {
    if (!v.is_number()) fail(key, "expected a number, got " + v.dump());
    double x = v.get<double>();
    if (!(x >= lo && x <= hi))
      fail(key, "value " + v.dump() + " out of range [" + json(lo).dump() + ", " + json(hi).dump() + "]");
    return x;
  }

  const json& j_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> used_;
};

template <class T> void check_unique(const std::vector<T>& items, Obj& parent, const std::string& key)
{
  std::set<std::string> seen;
  for (size_t i = 0; i < items.size(); i++)
    if (!seen.insert(items[i].name).second)
      throw ScenarioError(parent.file(), parent.index(key, i) + ".name", "duplicate name \"" + items[i].name + "\"");
}

Calibrated read_calibrated(Obj& cal, const std::string& key, Calibrated def, double lo, double hi)
{
  const json* v = cal.opt_raw(key);
  if (!v) return def;
  Obj c(*v, cal.at(key), cal.file());
  Calibrated out;
  out.value  = c.num("value", lo, hi);
  out.source = c.str("source");
  if (out.source.empty()) c.fail("source", "every calibration value needs its source (a measurement or a document)");
  c.finish();
  return out;
}

/* Defaults with their sources: see scenarios/README.md, section Calibration. */
Calibration read_calibration(Obj& root)
{
  Calibration d;
  d.gluster_stream_efficiency = {0.935, "fitted: a replica-2 write over 1GbE measured ~55 MB/s in the reference "
                                        "write-up; 1GbE TCP payload at MTU 1500 is 117.6 MB/s, /2 = 58.8 MB/s; "
                                        "55/58.8 = 0.935"};
  d.fuse_MBps  = {600, "assumption (not measured here): a single glusterfs FUSE mount's large-block ceiling on a "
                        "2012-era Xeon; emulate measures this machine's"};
  d.gfapi_MBps = {900, "assumption (not measured here): libgfapi skips the FUSE kernel round trip, ~1.5x FUSE"};
  d.small_file_round_trips = {8, "count of the network round trips of one create+write on a replicated volume: "
                                 "LOOKUP, entrylk, pre-op xattrop, CREATE, post-op, unlock, WRITE, FLUSH "
                                 "(Gluster AFR design docs)"};
  d.server_op_s            = {150e-6, "assumption (not measured here): brick-side time of one metadata operation on a "
                                                 "spinning-disk XFS brick with a warm cache"};
  d.heal_MBps           = {80, "assumption (not measured here): self-heal daemon's default single-threaded heal rate"};
  const std::string emu = "measured: ibmig emulate scenarios/reference.json on the dev machine (Debian 12, 2 cores, "
                          "4 emulated nodes), ";
  d.glusterd_start_s    = {6.7, emu + "Start glusterd 6.1-7.6 s with the bricks in memory (10-15 s on the host disk)"};
  d.service_stop_s      = {0.3, emu + "Stop glusterd 0.3 s"};
  d.gluster_check_s     = {1.0, emu + "Check peers 0.8 s, Check volume 1.1 s"};
  d.ping_pair_s         = {0.42, emu + "12 ordered pairs in 5.0 s"};
  d.mount_s             = {0.3, emu + "4 nodes' FUSE mounts in 1.9, 0.78 and 0.71 s over three runs"};
  d.unmount_s           = {0.055, emu + "4 nodes' FUSE unmounts in 0.22 s"};
  d.command_s           = {0.1, emu + "configure ib0 on 4 nodes 0.11 s"};
  const json* v         = root.opt_raw("calibration");
  if (!v) return d;
  Obj cal(*v, "calibration", root.file());
  Calibration c;
  c.gluster_stream_efficiency = read_calibrated(cal, "gluster_stream_efficiency", d.gluster_stream_efficiency, 0.05, 1);
  c.fuse_MBps                 = read_calibrated(cal, "fuse_MBps", d.fuse_MBps, 1, 1e6);
  c.gfapi_MBps                = read_calibrated(cal, "gfapi_MBps", d.gfapi_MBps, 1, 1e6);
  c.small_file_round_trips    = read_calibrated(cal, "small_file_round_trips", d.small_file_round_trips, 1, 100);
  c.server_op_s               = read_calibrated(cal, "server_op_s", d.server_op_s, 0, 1);
  c.heal_MBps                 = read_calibrated(cal, "heal_MBps", d.heal_MBps, 1, 1e6);
  c.glusterd_start_s          = read_calibrated(cal, "glusterd_start_s", d.glusterd_start_s, 0, 3600);
  c.service_stop_s            = read_calibrated(cal, "service_stop_s", d.service_stop_s, 0, 3600);
  c.gluster_check_s           = read_calibrated(cal, "gluster_check_s", d.gluster_check_s, 0, 3600);
  c.ping_pair_s               = read_calibrated(cal, "ping_pair_s", d.ping_pair_s, 0, 3600);
  c.mount_s                   = read_calibrated(cal, "mount_s", d.mount_s, 0, 3600);
  c.unmount_s                 = read_calibrated(cal, "unmount_s", d.unmount_s, 0, 3600);
  c.command_s                 = read_calibrated(cal, "command_s", d.command_s, 0, 3600);
  cal.finish();
  return c;
}

void read_catalogues(Obj& root, Scenario& sc)
{
  sc.technologies = builtin_technologies();
  sc.hcas         = builtin_hcas();
  if (const json* t = root.opt_raw("technologies")) {
    Obj techs(*t, "technologies", root.file());
    for (auto it = t->begin(); it != t->end(); ++it) {
      Obj o = techs.child(it.key());
      Technology tech;
      tech.name        = it.key();
      std::string kind = o.str("kind");
      if (kind == "ethernet")
        tech.kind = LinkKind::Ethernet;
      else if (kind == "infiniband")
        tech.kind = LinkKind::InfiniBand;
      else
        o.fail("kind", "expected \"ethernet\" or \"infiniband\", got \"" + kind + "\"");
      tech.data_rate   = o.bandwidth("data_rate");
      tech.line_rate   = o.has("line_rate") ? o.bandwidth("line_rate") : tech.data_rate;
      tech.mtu_default = o.integer("mtu_default", 1500, 576, 65520);
      tech.mtu_max     = o.integer("mtu_max", tech.kind == LinkKind::InfiniBand ? 65520 : 9000, 576, 65520);
      tech.ipoib_datagram_mtu_max =
          o.integer("datagram_mtu_max", tech.kind == LinkKind::InfiniBand ? 4092 : 0, 0, 4092);
      tech.nic_latency = o.duration("nic_latency", 0, 1);
      tech.source      = o.str("source");
      if (tech.line_rate.value < tech.data_rate.value) o.fail("line_rate", "line rate is below the data rate");
      o.finish();
      sc.technologies[tech.name] = tech;
    }
  }
  if (const json* h = root.opt_raw("hcas")) {
    Obj hcas(*h, "hcas", root.file());
    for (auto it = h->begin(); it != h->end(); ++it) {
      Obj o = hcas.child(it.key());
      HcaModel m{it.key(), o.boolean("connected_mode", true), o.str("source")};
      o.finish();
      sc.hcas[m.name] = m;
    }
  }
}

IpoibMode parse_mode(Obj& o, const std::string& key, const std::string& v)
{
  if (v == "datagram") return IpoibMode::Datagram;
  if (v == "connected") return IpoibMode::Connected;
  o.fail(key, "expected \"datagram\" or \"connected\", got \"" + v + "\"");
}

void read_networks(Obj& root, Scenario& sc)
{
  const json& arr = root.array("networks");
  if (arr.empty()) root.fail("networks", "a scenario needs at least one network");
  for (size_t i = 0; i < arr.size(); i++) {
    Obj o(arr[i], root.index("networks", i), root.file());
    Network n;
    n.name       = o.str("name");
    n.technology = o.str("technology");
    if (!sc.technologies.count(n.technology)) {
      std::string known;
      for (auto const& [k, v] : sc.technologies)
        known += (known.empty() ? "" : ", ") + k;
      o.fail("technology", "unknown technology \"" + n.technology + "\" (known: " + known + ")");
    }
    n.subnet   = o.str("subnet", "");
    Obj s      = o.child("switch");
    n.sw.name  = s.str("name");
    n.sw.ports = s.integer("ports", 48, 1, 100000);
    if (s.has("backplane")) n.sw.backplane = s.bandwidth("backplane");
    n.sw.latency = s.has("latency") ? s.duration("latency", 0, 1) : Seconds{0};
    s.finish();
    o.finish();
    sc.networks.push_back(n);
  }
  check_unique(sc.networks, root, "networks");
}

void read_nodes(Obj& root, Scenario& sc)
{
  const json& arr = root.array("nodes");
  if (arr.empty()) root.fail("nodes", "a scenario needs at least one node");
  std::set<std::string> storage_names;
  for (size_t i = 0; i < arr.size(); i++) {
    Obj o(arr[i], root.index("nodes", i), root.file());
    Node n;
    n.name            = o.str("name");
    const json& roles = o.array("roles");
    for (size_t r = 0; r < roles.size(); r++) {
      std::string role = roles[r].is_string() ? roles[r].get<std::string>() : roles[r].dump();
      if (role == "server")
        n.server = true;
      else if (role == "hypervisor")
        n.hypervisor = true;
      else
        throw ScenarioError(root.file(), o.index("roles", r),
                            "unknown role \"" + role + "\" (expected \"server\" or \"hypervisor\")");
    }
    if (!n.server && !n.hypervisor) o.fail("roles", "a node needs at least one role");
    n.storage_name = o.str("storage_name", n.name + ".storage");
    if (!storage_names.insert(n.storage_name).second)
      o.fail("storage_name", "storage name \"" + n.storage_name + "\" is used by two nodes");
    Obj d        = o.child("disk");
    n.disk.write = to_bytes_per_second(d.bandwidth("write", 8e6, 8e12));
    n.disk.read =
        to_bytes_per_second(d.has("read") ? d.bandwidth("read", 8e6, 8e12) : BitsPerSecond{n.disk.write.value * 8});
    n.disk.source = d.str("source");
    d.finish();
    const json& nics = o.array("nics");
    for (size_t k = 0; k < nics.size(); k++) {
      Obj c(nics[k], o.index("nics", k), root.file());
      Nic nic;
      nic.name           = c.str("name");
      nic.network        = c.str("network");
      const Network* net = sc.find_network(nic.network);
      if (!net) c.fail("network", "unknown network \"" + nic.network + "\"");
      const Technology& tech = sc.technology_of(*net);
      nic.address            = c.str("address", "");
      nic.present            = c.boolean("present", true);
      if (tech.kind == LinkKind::InfiniBand) {
        nic.hca = c.str("hca");
        if (!sc.hcas.count(nic.hca)) c.fail("hca", "unknown HCA model \"" + nic.hca + "\"");
        nic.mode = parse_mode(c, "mode", c.str("mode", "datagram"));
      } else if (c.has("hca") || c.has("mode")) {
        c.fail(c.has("hca") ? "hca" : "mode", "only InfiniBand NICs have an HCA model and an IPoIB mode");
      }
      nic.mtu = c.integer("mtu", tech.mtu_default, 576, 65520);
      c.finish();
      if (n.find_nic(nic.name)) c.fail("name", "duplicate interface \"" + nic.name + "\" on node " + n.name);
      n.nics.push_back(nic);
    }
    o.finish();
    sc.nodes.push_back(n);
  }
  check_unique(sc.nodes, root, "nodes");
  sc.index_nodes();
  // Switch port counts: a switch cannot take more NICs than it has ports.
  for (size_t i = 0; i < sc.networks.size(); i++) {
    const Network& net = sc.networks[i];
    int used           = 0;
    for (auto const& n : sc.nodes)
      for (auto const& nic : n.nics)
        used += nic.network == net.name;
    if (used > net.sw.ports)
      throw ScenarioError(sc.file, root.index("networks", i) + ".switch.ports",
                          "switch " + net.sw.name + " of network " + net.name + " has " + std::to_string(net.sw.ports) +
                              " ports but " + std::to_string(used) + " NICs are attached");
  }
}

/* Switch names, node names and NIC names "<node>-<nic>" are one namespace: the topology graph names its vertices
 * so, the simulator names SimGrid links after them (a repeated name aborts it), reports key NICs by "<node>-<nic>"
 * and the emulator names switch ports so. Node "a" with NIC "b-eth0" and node "a-b" with NIC "eth0" are both
 * "a-b-eth0"; a switch named "n1" reads as node n1 in a report. */
void check_distinct_names(const Scenario& sc)
{
  std::map<std::string, std::pair<std::string, std::string>> seen; // name -> (JSON path, what it is)
  auto claim = [&](const std::string& name, const std::string& path, const std::string& what) {
    auto [it, fresh] = seen.emplace(name, std::make_pair(path, what));
    if (!fresh)
      throw ScenarioError(sc.file, path,
                          what + " has the same name as " + it->second.second + " (" + it->second.first +
                              "): switches, nodes and NICs (named \"<node>-<nic>\") need distinct names");
  };
  for (size_t i = 0; i < sc.networks.size(); i++)
    claim(sc.networks[i].sw.name, "networks[" + std::to_string(i) + "].switch.name",
          "switch \"" + sc.networks[i].sw.name + "\" of network " + sc.networks[i].name);
  for (size_t i = 0; i < sc.nodes.size(); i++) {
    const Node& n    = sc.nodes[i];
    std::string path = "nodes[" + std::to_string(i) + "]";
    claim(n.name, path + ".name", "node \"" + n.name + "\"");
    for (size_t k = 0; k < n.nics.size(); k++)
      claim(n.name + "-" + n.nics[k].name, path + ".nics[" + std::to_string(k) + "].name",
            "NIC \"" + n.name + "-" + n.nics[k].name + "\" (node " + n.name + ", NIC " + n.nics[k].name + ")");
  }
}

void read_storage_names(Obj& root, Scenario& sc)
{
  if (const json* v = root.opt_raw("storage_names")) {
    Obj o(*v, "storage_names", root.file());
    sc.storage_names.network = o.str("network");
    sc.storage_names.method  = o.str("method", "hosts");
    if (!sc.find_network(sc.storage_names.network))
      o.fail("network", "unknown network \"" + sc.storage_names.network + "\"");
    if (sc.storage_names.method != "hosts" && sc.storage_names.method != "dns")
      o.fail("method", "expected \"hosts\" or \"dns\"");
    o.finish();
  } else if (!sc.find_network(sc.storage_names.network)) {
    root.fail("storage_names", "missing: say which network the storage names resolve to at the start");
  }
}

void read_volumes(Obj& root, Scenario& sc)
{
  const json& arr = root.array("volumes");
  for (size_t i = 0; i < arr.size(); i++) {
    Obj o(arr[i], root.index("volumes", i), root.file());
    Volume v;
    v.name    = o.str("name");
    v.replica = o.integer("replica", 1, 1, 16);
    v.arbiter = o.boolean("arbiter", false);
    if (v.arbiter && v.replica != 3) o.fail("arbiter", "an arbiter needs replica 3 (replica 3 arbiter 1)");
    const json& bricks = o.array("bricks");
    if (bricks.empty()) o.fail("bricks", "a volume needs at least one brick");
    std::set<std::string> seen;
    for (size_t b = 0; b < bricks.size(); b++) {
      std::string path = o.index("bricks", b);
      if (!bricks[b].is_string())
        throw ScenarioError(root.file(), path, "expected \"node:/path\", got " + bricks[b].dump());
      std::string s = bricks[b].get<std::string>();
      auto colon    = s.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 >= s.size() || s[colon + 1] != '/')
        throw ScenarioError(root.file(), path, "expected \"node:/path\", got \"" + s + "\"");
      Brick br{s.substr(0, colon), s.substr(colon + 1)};
      const Node* n = sc.find_node(br.node);
      if (!n) throw ScenarioError(root.file(), path, "unknown node \"" + br.node + "\"");
      if (!n->server)
        throw ScenarioError(root.file(), path, "node " + br.node + " is not a server (add \"server\" to its roles)");
      if (!seen.insert(s).second) throw ScenarioError(root.file(), path, "duplicate brick \"" + s + "\"");
      v.bricks.push_back(br);
    }
    if (v.bricks.size() % v.replica != 0)
      o.fail("replica", "replica " + std::to_string(v.replica) + " does not divide the " +
                            std::to_string(v.bricks.size()) + " bricks");
    for (int s = 0; s < v.replica_sets(); s++)
      for (int a = 0; a < v.replica; a++)
        for (int b = a + 1; b < v.replica; b++)
          if (v.bricks[s * v.replica + a].node == v.bricks[s * v.replica + b].node)
            o.fail("bricks", "replica set " + std::to_string(s) + " has two bricks on node " +
                                 v.bricks[s * v.replica + a].node + ": one node failure would lose both copies");
    if (const json* opts = o.opt_raw("options")) {
      Obj op(*opts, o.at("options"), root.file());
      std::string q = op.str("cluster.quorum-type", v.replica > 1 ? "auto" : "none");
      if (q == "auto")
        v.quorum_type = QuorumType::Auto;
      else if (q == "none")
        v.quorum_type = QuorumType::None;
      else if (q == "fixed")
        v.quorum_type = QuorumType::Fixed;
      else
        op.fail("cluster.quorum-type", "expected \"auto\", \"fixed\" or \"none\", got \"" + q + "\"");
      v.quorum_count = op.integer("cluster.quorum-count", 0, 0, v.replica);
      if (v.quorum_type == QuorumType::Fixed && v.quorum_count < 1)
        op.fail("cluster.quorum-count", "quorum-type fixed needs a quorum-count from 1 to the replica count");
      v.ping_timeout   = op.has("network.ping-timeout") ? op.duration("network.ping-timeout", 1, 3600) : Seconds{42};
      v.read_hash_mode = op.integer("cluster.read-hash-mode", 1, 0, 3);
      v.choose_local   = op.boolean("cluster.choose-local", true);
      op.finish();
    } else {
      v.quorum_type = v.replica > 1 ? QuorumType::Auto : QuorumType::None;
    }
    o.finish();
    sc.volumes.push_back(v);
  }
  check_unique(sc.volumes, root, "volumes");
}

void read_workload(Obj& root, Scenario& sc)
{
  Obj w              = root.child("workload");
  sc.workload.before = w.has("before") ? w.duration("before") : Seconds{60};
  sc.workload.after  = w.has("after") ? w.duration("after") : Seconds{60};
  const json& vms    = w.array("vms");
  for (size_t i = 0; i < vms.size(); i++) {
    Obj o(vms[i], w.index("vms", i), root.file());
    Vm vm;
    vm.name       = o.str("name");
    vm.node       = o.str("node");
    const Node* n = sc.find_node(vm.node);
    if (!n) o.fail("node", "unknown node \"" + vm.node + "\"");
    if (!n->hypervisor) o.fail("node", "node " + vm.node + " is not a hypervisor (add \"hypervisor\" to its roles)");
    vm.volume         = o.str("volume");
    const Volume* vol = sc.find_volume(vm.volume);
    if (!vol) o.fail("volume", "unknown volume \"" + vm.volume + "\"");
    vm.image = o.str("image", vm.name + ".qcow2");
    if (o.has("replica_set")) {
      int s = o.integer("replica_set", 0, 0, 1 << 20);
      if (s >= vol->replica_sets())
        o.fail("replica_set", "volume " + vol->name + " has only " + std::to_string(vol->replica_sets()) +
                                  " replica sets (0.." + std::to_string(vol->replica_sets() - 1) + ")");
      vm.pinned_set = s;
    }
    std::string access = o.str("access", "fuse");
    if (access == "fuse")
      vm.access = Access::Fuse;
    else if (access == "gfapi" || access == "libgfapi")
      vm.access = Access::Gfapi;
    else
      o.fail("access", "expected \"fuse\" or \"gfapi\", got \"" + access + "\"");
    const json& streams = o.array("streams");
    for (size_t k = 0; k < streams.size(); k++) {
      Obj s(streams[k], o.index("streams", k), root.file());
      Stream st;
      std::string type = s.str("type");
      if (type == "sequential-write")
        st.kind = StreamKind::SequentialWrite;
      else if (type == "sequential-read")
        st.kind = StreamKind::SequentialRead;
      else if (type == "small-files")
        st.kind = StreamKind::SmallFiles;
      else
        s.fail("type", "expected \"sequential-write\", \"sequential-read\" or \"small-files\", got \"" + type + "\"");
      std::string rate = s.str("rate", "max");
      if (rate != "max")
        st.rate = to_bytes_per_second(
            s.unit_value<BitsPerSecond>(*s.opt_raw("rate"), "rate", parse_bandwidth, 8e3, 8e12, "50MBps"));
      if (st.kind == StreamKind::SmallFiles)
        st.file_size = s.has("file_size") ? s.bytes("file_size", 1, 1e9) : Bytes{65536};
      else if (s.has("file_size"))
        s.fail("file_size", "only small-files streams have a file size");
      s.finish();
      vm.streams.push_back(st);
    }
    o.finish();
    sc.workload.vms.push_back(vm);
  }
  check_unique(sc.workload.vms, w, "vms");
  w.finish();
}

DurationSpec read_duration(Obj& o, const std::string& key)
{
  const json& v = o.raw(key);
  DurationSpec d;
  if (v.is_string()) {
    d.a = o.unit_value<Seconds>(v, key, parse_duration, 0, 30 * 86400.0, "30s").value;
    return d;
  }
  Obj dist(v, o.at(key), o.file());
  if (dist.has("uniform")) {
    d.kind        = DurationSpec::Kind::Uniform;
    const json& r = dist.array("uniform");
    if (r.size() != 2) dist.fail("uniform", "expected [min, max], e.g. [\"20s\", \"40s\"]");
    d.a = dist.unit_value<Seconds>(r[0], "uniform[0]", parse_duration, 0, 30 * 86400.0, "20s").value;
    d.b = dist.unit_value<Seconds>(r[1], "uniform[1]", parse_duration, 0, 30 * 86400.0, "40s").value;
    if (d.b < d.a) dist.fail("uniform", "max is below min");
  } else if (dist.has("normal")) {
    d.kind = DurationSpec::Kind::Normal;
    Obj n  = dist.child("normal");
    d.a    = n.duration("mean").value;
    d.b    = n.duration("stddev").value;
    n.finish();
  } else if (dist.has("lognormal")) {
    d.kind = DurationSpec::Kind::Lognormal;
    Obj n  = dist.child("lognormal");
    d.a    = n.duration("median", 1e-6, 30 * 86400.0).value;
    d.b    = n.num("sigma", 0, 3);
    n.finish();
  } else {
    o.fail(key,
           "expected \"30s\" or {\"uniform\": [..]}, {\"normal\": {mean, stddev}}, {\"lognormal\": {median, sigma}}");
  }
  dist.finish();
  return d;
}

std::vector<std::string> read_targets(Obj& o, const Scenario& sc, const std::string& def)
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

Action parse_action(Obj& o, const std::string& a)
{
  static const std::vector<Action> all = {Action::StopClients,
                                          Action::StartClients,
                                          Action::RemountClients,
                                          Action::StopService,
                                          Action::StartService,
                                          Action::EnableService,
                                          Action::DisableService,
                                          Action::PowerOff,
                                          Action::PowerOn,
                                          Action::InstallNic,
                                          Action::ConfigureInterface,
                                          Action::InterfaceDown,
                                          Action::InterfaceUp,
                                          Action::VerifyPing,
                                          Action::RepointNames,
                                          Action::CheckPeers,
                                          Action::CheckVolume,
                                          Action::WaitHeal,
                                          Action::Wait};
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
    return false;
  default:
    return true;
  }
}

Step read_step(Obj& o, const Scenario& sc, const std::vector<std::string>* rolling_node)
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
    st.nodes = read_targets(o, sc, node_action(st.action) || st.action == Action::RepointNames ? "all" : "");
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
    if (st.service != "glusterd") o.fail("service", "unknown service \"" + st.service + "\" (modelled: glusterd)");
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
    if (o.has("mode")) st.mode = parse_mode(o, "mode", o.str("mode"));
    st.mtu = o.integer("mtu", 0, 576, 65520);
  }
  if (!st.network.empty() && !sc.find_network(st.network)) o.fail("network", "unknown network \"" + st.network + "\"");
  if (!st.interface.empty())
    for (auto const& n : st.nodes) {
      const Node* node = sc.find_node(n);
      const Nic* nic   = node->find_nic(st.interface);
      if (!nic) o.fail("interface", "unknown interface \"" + st.interface + "\" on node " + n);
      if (st.action == Action::ConfigureInterface) {
        const Technology& t = sc.technology_of(*sc.find_network(nic->network));
        if (st.mode != IpoibMode::None && t.kind != LinkKind::InfiniBand)
          o.fail("mode", "interface " + st.interface + " on node " + n + " is not InfiniBand: it has no IPoIB mode");
      }
    }
  o.finish();
  return st;
}

void read_plan(Obj& root, Scenario& sc)
{
  const json* pv = root.opt_raw("plan");
  if (!pv) return;
  Obj p           = Obj(*pv, "plan", root.file());
  sc.plan.name    = p.str("name", "plan");
  const json& arr = p.array("steps");
  int group       = 0;
  for (size_t i = 0; i < arr.size(); i++) {
    Obj o(arr[i], p.index("steps", i), root.file());
    if (o.has("rolling")) {
      Obj r                          = o.child("rolling");
      std::string name               = o.str("name", "rolling");
      std::vector<std::string> nodes = read_targets(r, sc, "all");
      if (nodes.empty()) r.fail("nodes", "a rolling block needs at least one node");
      const json& steps = r.array("steps");
      if (steps.empty()) r.fail("steps", "a rolling block needs at least one step");
      for (auto const& n : nodes) {
        std::vector<std::string> one{n};
        for (size_t k = 0; k < steps.size(); k++) {
          Obj so(steps[k], r.index("steps", k), root.file());
          Step st          = read_step(so, sc, &one);
          st.name          = st.name + " (" + n + ")";
          st.rolling_group = group;
          st.rolling_node  = n;
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

void read_faults(Obj& root, Scenario& sc)
{
  const json* arr = root.opt_array("faults");
  if (!arr) return;
  for (size_t i = 0; i < arr->size(); i++) {
    Obj o((*arr)[i], root.index("faults", i), root.file());
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

/* Every client must reach every brick of its volume over the network the storage names resolve to. Uses the
 * topology graph; linear in VMs so that generated clusters of thousands of nodes load quickly. */
void check_paths(const Scenario& sc)
{
  const std::string& net = sc.storage_names.network;
  Topology topo(sc, /*include_absent_nics=*/false);
  std::set<std::string> on_net;
  for (auto const& n : sc.nodes)
    if (!topo.nics_on(n.name, net).empty()) on_net.insert(n.name);
  std::map<std::string, std::vector<const Brick*>> off_net; // volume -> bricks whose node is not on the network
  for (auto const& v : sc.volumes)
    for (auto const& b : v.bricks)
      if (!on_net.count(b.node)) off_net[v.name].push_back(&b);
  for (size_t i = 0; i < sc.workload.vms.size(); i++) {
    const Vm& vm                              = sc.workload.vms[i];
    const Volume* vol                         = sc.find_volume(vm.volume);
    bool client_on                            = on_net.count(vm.node) > 0;
    const std::vector<const Brick*>& suspects = off_net[vol->name];
    std::vector<const Brick*> all;
    if (!client_on)
      for (auto const& b : vol->bricks)
        all.push_back(&b);
    for (const Brick* b : client_on ? suspects : all) {
      if (b->node == vm.node) continue;
      throw ScenarioError(sc.file, "workload.vms[" + std::to_string(i) + "]",
                          "client " + vm.name + " on node " + vm.node + " has no path to brick " + b->node + ":" +
                              b->path + " over the storage network \"" + net + "\" (" +
                              (client_on ? b->node : vm.node) + " has no NIC on it)");
    }
  }
}

/* "line L, column C" of a byte offset, the column in characters (UTF-8 code points) as editors count them. */
std::string line_column(const std::string& text, size_t offset)
{
  offset            = std::min(offset, text.size());
  size_t line       = 1 + std::count(text.begin(), text.begin() + offset, '\n');
  size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start        = line_start == std::string::npos || line_start >= offset ? 0 : line_start + 1;
  size_t column     = 1 + std::count_if(text.begin() + line_start, text.begin() + offset,
                                        [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/* Text for a message, bytes that are not UTF-8 written as \xHH (the message itself must stay printable). */
std::string escaped(const std::string& text)
{
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t bad = first_invalid_utf8(text.substr(i));
    if (bad == std::string::npos) bad = text.size() - i;
    out += text.substr(i, bad);
    i += bad;
    if (i < text.size()) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(text[i++]));
      out += hex;
    }
  }
  return out;
}

struct JsonFailure {
  std::string reason = "not valid JSON";
  std::string path; // JSON path of the value at fault, when known
  size_t offset = std::string::npos;
  std::string note;        // after the position
  bool bad_number = false; // a number the document cannot hold, rather than a syntax error

  std::string describe(const std::string& text) const
  {
    return reason + (offset == std::string::npos ? "" : " at " + line_column(text, offset)) + note;
  }
};

/* Builds the document as json::parse does and remembers where it is, so that what nlohmann would report as raw
 * library text (a number beyond a double) or do silently (round an integer beyond 64 bits to a double, keep the
 * last of two equal keys) is an error with the JSON path. */
class StrictSax {
public:
  explicit StrictSax(json& root) : dom_(root, /*allow_exceptions=*/false) {}
  const JsonFailure& failure() const { return failure_; }

  bool null()
  {
    value();
    return dom_.null();
  }
  bool boolean(bool v)
  {
    value();
    return dom_.boolean(v);
  }
  bool number_integer(json::number_integer_t v)
  {
    value();
    return dom_.number_integer(v);
  }
  bool number_unsigned(json::number_unsigned_t v)
  {
    value();
    return dom_.number_unsigned(v);
  }
  bool number_float(json::number_float_t v, const std::string& text)
  {
    value();
    if (text.find_first_of(".eE") == std::string::npos) // the lexer's fallback for an integer it cannot hold
      return fail("integer " + text + " does not fit in 64 bits", std::string::npos, true);
    return dom_.number_float(v, text);
  }
  bool string(std::string& v)
  {
    value();
    return dom_.string(v);
  }
  bool binary(json::binary_t& v)
  {
    value();
    return dom_.binary(v);
  }
  bool start_object(size_t n)
  {
    value();
    frames_.push_back({});
    return dom_.start_object(n);
  }
  bool key(std::string& k)
  {
    Frame& f = frames_.back();
    f.key    = k;
    if (!f.keys.insert(k).second)
      return fail("the key \"" + k + "\" appears twice in one object", std::string::npos, false);
    return dom_.key(k);
  }
  bool end_object()
  {
    frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(size_t n)
  {
    value();
    frames_.push_back({});
    frames_.back().array = true;
    return dom_.start_array(n);
  }
  bool end_array()
  {
    frames_.pop_back();
    return dom_.end_array();
  }
  template <class Exception> bool parse_error(size_t position, const std::string& token, const Exception& e)
  {
    if (e.id == 406) { // a finite double cannot hold it: "1e99999"
      value();
      return fail("number " + token + " is out of range", position - std::min(position, token.size()), true);
    }
    failure_.offset = position == 0 ? 0 : position - 1; // the character that did not fit
    return false;
  }

private:
  struct Frame {
    bool array   = false;
    size_t count = 0;           // values seen so far (arrays)
    std::string key;            // the current key (objects)
    std::set<std::string> keys; // keys seen so far (objects)
  };

  void value()
  {
    if (!frames_.empty() && frames_.back().array) frames_.back().count++;
  }
  bool fail(const std::string& reason, size_t offset, bool bad_number)
  {
    failure_.reason     = reason;
    failure_.bad_number = bad_number;
    failure_.offset     = offset;
    for (auto const& f : frames_)
      failure_.path += f.array ? "[" + std::to_string(f.count - 1) + "]" : (failure_.path.empty() ? "" : ".") + f.key;
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::vector<Frame> frames_;
  JsonFailure failure_;
};

/* json::parse of a whole text, strictly (see StrictSax); false and why instead of an exception. */
bool parse_json_text(const std::string& text, json& out, JsonFailure& why)
{
  if (size_t bad = first_invalid_utf8(text); bad != std::string::npos) {
    char byte[32];
    std::snprintf(byte, sizeof byte, " (byte 0x%02X)", static_cast<unsigned char>(text[bad]));
    why = {"not valid UTF-8", "", bad, byte, false};
    return false;
  }
  StrictSax sax(out);
  try {
    if (json::sax_parse(text, &sax)) return true;
    why = sax.failure();
  } catch (const json::exception&) { // not expected from text input; never shown as library text
    why = {};
  }
  return false;
}

/* One step of a --set path: a key of an object, or (key empty) an index of a list. */
struct PathStep {
  std::string key;
  size_t index = 0;
  bool is_index() const { return key.empty(); }
};

/* "a.b[2].c" -> a, b, [2], c. Strict, `key(.key|[digits])*`, so that a typo cannot select another element (as
 * "networks[12.switch" once selected networks[1]). Indexes are written as the loader writes them (no leading zero):
 * an error the loader finds at an overridden path is then matched to its --set. */
std::vector<PathStep> split_path(const std::string& path, const std::string& file)
{
  auto bad = [&](const std::string& why) { return ScenarioError(file, path, "--set: bad path: " + why); };
  auto at  = [](size_t i) { return " at character " + std::to_string(i + 1); };
  std::vector<PathStep> out;
  bool need_key = true; // at the start and after "."
  for (size_t i = 0;;) {
    if (need_key) {
      size_t end = std::min(path.find_first_of(".[]", i), path.size());
      if (end == i) throw bad("a field name is missing" + at(i));
      out.push_back({path.substr(i, end - i)});
      i        = end;
      need_key = false;
    }
    if (i == path.size()) return out;
    if (path[i] == '.') {
      need_key = true;
      i++;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) throw bad("\"[\"" + at(i) + " is not closed by \"]\"");
      std::string digits = path.substr(i + 1, close - i - 1);
      auto digit         = [](unsigned char c) { return std::isdigit(c) != 0; };
      if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), digit) ||
          (digits.size() > 1 && digits[0] == '0'))
        throw bad("bad index [" + digits + "]" + at(i) + " (a list index is written 0, 1, 12, ...)");
      out.push_back({"", std::stoul(digits)});
      i = close + 1;
    } else if (path[i] == ']') {
      throw bad("\"]\"" + at(i) + " closes no \"[\"");
    } else {
      throw bad("\".\" or \"[\" expected after \"]\"" + at(i));
    }
  }
}

} // namespace

std::size_t first_invalid_utf8(const std::string& text)
{
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0, n = text.size(); i < n;) {
    unsigned char c = s[i];
    size_t len      = 1;
    unsigned lo = 0x80, hi = 0xBF; // allowed range of the second byte (Unicode 15, table 3-7)
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      lo  = c == 0xE0 ? 0xA0 : lo; // no overlong forms
      hi  = c == 0xED ? 0x9F : hi; // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      lo  = c == 0xF0 ? 0x90 : lo; // no overlong forms
      hi  = c == 0xF4 ? 0x8F : hi; // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k < len; k++)
      if ((s[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string::npos;
}

Override parse_override(const std::string& arg)
{
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ScenarioError("--set", "", "expected PATH=VALUE (e.g. workload.before=120s), got \"" + arg + "\"");
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

void apply_overrides(json& doc, const std::vector<Override>& overrides, const std::string& file)
{
  for (auto const& ov : overrides) {
    // A JSON string must be UTF-8: a stray byte would make every later dump() of the document throw.
    if (size_t bad = first_invalid_utf8(ov.path); bad != std::string::npos)
      throw ScenarioError(file, escaped(ov.path), "--set: the path is not valid UTF-8");
    if (size_t bad = first_invalid_utf8(ov.value); bad != std::string::npos)
      throw ScenarioError(file, ov.path,
                          "--set: the value \"" + escaped(ov.value) + "\" is not valid UTF-8 (at byte " +
                              std::to_string(bad + 1) + ")");
    auto steps = split_path(ov.path, file);
    json* cur  = &doc;
    for (size_t i = 0; i < steps.size(); i++) {
      if (steps[i].is_index()) {
        if (!cur->is_array() || steps[i].index >= cur->size())
          throw ScenarioError(file, ov.path, "--set: no element [" + std::to_string(steps[i].index) + "]");
        cur = &(*cur)[steps[i].index];
        continue;
      }
      // Option names contain dots ("network.ping-timeout"): take the longest run of keys that is a key.
      bool found = false;
      for (size_t j = steps.size(); j > i && !found; j--) {
        std::string key;
        bool keys_only = true;
        for (size_t k = i; k < j && keys_only; k++) {
          keys_only = !steps[k].is_index();
          key += (k == i ? "" : ".") + steps[k].key;
        }
        if (keys_only && cur->is_object() && cur->contains(key)) {
          cur   = &(*cur)[key];
          i     = j - 1;
          found = true;
        }
      }
      if (!found) throw ScenarioError(file, ov.path, "--set: no such field in the scenario");
    }
    if (cur->is_structured())
      throw ScenarioError(file, ov.path, "--set: not a scalar (only single values can be overridden)");
    if (cur->is_number()) {
      // Read as the same number in the file would be (std::stod would also take "nan", "inf", "0x1p3", " 1"):
      // then an integer field refuses 1e3 or 1.5 from --set as it does from the file.
      json v;
      JsonFailure why;
      bool parsed = ov.value.find_first_of(" \t\r\n") == std::string::npos && parse_json_text(ov.value, v, why);
      if (!parsed && why.bad_number) throw ScenarioError(file, ov.path, "--set: " + why.reason);
      if (!parsed || !v.is_number())
        throw ScenarioError(file, ov.path,
                            "--set: expected a number (as JSON writes one: 24, -3, 0.5, 2e-3), got \"" + ov.value +
                                "\"");
      *cur = v;
    } else if (cur->is_boolean()) {
      if (ov.value != "true" && ov.value != "false")
        throw ScenarioError(file, ov.path, "--set: expected true or false, got \"" + ov.value + "\"");
      *cur = ov.value == "true";
    } else {
      *cur = ov.value;
    }
  }
}

Scenario parse_scenario(const json& doc, const std::string& file)
{
  Scenario sc;
  sc.file = file;
  Obj root(doc, "", file);
  if (!root.has("schemaVersion"))
    root.fail("schemaVersion",
              "missing (this version of ibmig reads schemaVersion " + std::to_string(kSchemaVersion) + ")");
  sc.schema_version = root.integer("schemaVersion", 0, 0, 1000);
  if (sc.schema_version != kSchemaVersion)
    root.fail("schemaVersion", "unsupported version " + std::to_string(sc.schema_version) + " (this ibmig reads " +
                                   std::to_string(kSchemaVersion) + ")");
  sc.name        = root.str("name");
  sc.description = root.str("description", "");
  read_catalogues(root, sc);
  sc.calibration = read_calibration(root);
  read_networks(root, sc);
  read_nodes(root, sc);
  check_distinct_names(sc);
  read_storage_names(root, sc);
  read_volumes(root, sc);
  read_workload(root, sc);
  read_plan(root, sc);
  read_faults(root, sc);
  root.finish();
  check_paths(sc);
  return sc;
}

Scenario load_scenario(const std::string& file, const std::vector<Override>& overrides)
{
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) throw ScenarioError(file, "", "is a directory, not a scenario file");
  std::ifstream in(file);
  if (!in) throw ScenarioError(file, "", "cannot open the file");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  json doc;
  JsonFailure why;
  if (!parse_json_text(text, doc, why)) throw ScenarioError(file, why.path, why.describe(text));
  apply_overrides(doc, overrides, file);
  try {
    return parse_scenario(doc, file);
  } catch (const ScenarioError& e) {
    // Where a --set wrote, say so: the file itself may be right.
    for (auto it = overrides.rbegin(); it != overrides.rend(); ++it)
      if (it->path == e.path())
        throw ScenarioError(e.file(), e.path(),
                            e.reason() + " (the value of --set " + it->path + "=" + it->value + ")");
    throw;
  }
}

} // namespace ibmig
