#include "scenario_loader.hpp"

#include "object_reader.hpp"
#include "plan_loader.hpp"
#include "scenario_expansion.hpp"
#include "strict_json.hpp"
#include "topology.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using nlohmann::json;

namespace ibmig {
namespace {

using loader::ObjectReader;

constexpr int kSchemaVersion = 1;

template <class T> void check_unique(const std::vector<T>& items, ObjectReader& parent, const std::string& key)
{
  std::set<std::string> seen;
  for (size_t i = 0; i < items.size(); i++)
    if (!seen.insert(items[i].name).second)
      throw ScenarioError(parent.file(), parent.index(key, i) + ".name", "duplicate name \"" + items[i].name + "\"");
}

Calibrated read_calibrated(ObjectReader& cal, const std::string& key, Calibrated def, double lo, double hi)
{
  const json* v = cal.opt_raw(key);
  if (!v) return def;
  ObjectReader c(*v, cal.at(key), cal.file());
  Calibrated out;
  out.value  = c.num("value", lo, hi);
  out.source = c.str("source");
  if (out.source.empty()) c.fail("source", "every calibration value needs its source (a measurement or a document)");
  c.finish();
  return out;
}

/* nodes[].nics[].bond: {mode, hash? (802.3ad), slaves: [{name, mtu?}, ...]}. */
Bond read_bond(ObjectReader& nic, const Technology& tech)
{
  ObjectReader b = nic.child("bond");
  Bond bond;
  std::string mode = b.str("mode");
  if (mode == "active-backup")
    bond.mode = BondMode::ActiveBackup;
  else if (mode == "balance-alb")
    bond.mode = BondMode::BalanceAlb;
  else if (mode == "802.3ad")
    bond.mode = BondMode::Lacp;
  else
    b.fail("mode", "expected \"active-backup\", \"balance-alb\" or \"802.3ad\", got \"" + mode + "\"");
  // Linux refuses other modes for IPoIB slaves (kernel commit 1533e77315 "net/bonding: Enforce active-backup policy
  // for IPoIB bonds").
  if (tech.kind == LinkKind::InfiniBand && bond.mode != BondMode::ActiveBackup)
    b.fail("mode", "an IPoIB bond can only be active-backup (Linux enforces it: kernel commit 1533e77315), got \"" +
                       mode + "\"");
  if (bond.mode == BondMode::Lacp) {
    bond.hash = b.str("hash", "layer2");
    if (bond.hash != "layer2" && bond.hash != "layer2+3" && bond.hash != "layer3+4")
      b.fail("hash", "expected \"layer2\", \"layer2+3\" or \"layer3+4\", got \"" + bond.hash + "\"");
  } else if (b.has("hash")) {
    b.fail("hash", "only an 802.3ad bond has a transmit hash policy");
  }
  const json& slaves = b.array("slaves");
  if (slaves.size() < 2) b.fail("slaves", "a bond needs at least two slaves");
  std::set<std::string> names;
  for (size_t i = 0; i < slaves.size(); i++) {
    ObjectReader s(slaves[i], b.index("slaves", i), b.file());
    BondSlave slave;
    slave.name = s.str("name");
    slave.mtu  = s.integer("mtu", 0, 576, 65520);
    if (!names.insert(slave.name).second) s.fail("name", "slave \"" + slave.name + "\" is listed twice");
    s.finish();
    bond.slaves.push_back(slave);
  }
  b.finish();
  return bond;
}

/* The interface names a NIC takes on its node: its own and its slaves'. */
std::vector<std::string> interface_names(const Nic& nic)
{
  std::vector<std::string> out{nic.name};
  if (nic.bond)
    for (auto const& s : nic.bond->slaves)
      out.push_back(s.name);
  return out;
}

/* calibration.stream_limits: [{link, technology?, hca?, mtu?, rate, scope?, source}], the user's measurements. */
std::vector<StreamLimitRule> read_stream_limits(ObjectReader& cal)
{
  std::vector<StreamLimitRule> rules;
  const json& arr = cal.array("stream_limits");
  for (size_t i = 0; i < arr.size(); i++) {
    ObjectReader o(arr[i], cal.index("stream_limits", i), cal.file());
    StreamLimitRule r;
    std::string link = o.str("link");
    if (!parse_stream_link(link, r.link))
      o.fail("link", "expected \"ipoib-connected\", \"ipoib-datagram\" or \"ethernet\", got \"" + link + "\"");
    r.technology      = o.str("technology", "");
    r.hca             = o.str("hca", "");
    r.mtu             = o.integer("mtu", 0, 0, 65520);
    r.rate            = o.bandwidth("rate", 1e6, 1e13);
    std::string scope = o.str("scope", "connection");
    if (scope == "interface")
      r.scope = StreamScope::Interface;
    else if (scope != "connection")
      o.fail("scope", "expected \"connection\" or \"interface\", got \"" + scope + "\"");
    r.source = o.str("source");
    if (r.source.empty()) o.fail("source", "every calibration value needs its source (a measurement or a document)");
    o.finish();
    rules.push_back(r);
  }
  return rules;
}

} // namespace

/* Defaults with their sources: see scenarios/README.md, section Calibration. */
Calibration default_calibration()
{
  Calibration d;
  d.gluster_stream_efficiency = {0.935, "fitted: a replica-2 write over 1GbE measured ~55 MB/s in the reference "
                                        "write-up; 1GbE TCP payload at MTU 1500 is 117.6 MB/s, /2 = 58.8 MB/s; "
                                        "55/58.8 = 0.935"};
  d.fuse_MBps       = {2000, "assumption (not measured here): a glusterfs FUSE mount's per-byte cost (two copies, "
                                   "user to kernel to daemon) as a rate; no published figure separates it from the request "
                                   "cost; ibmig calibrate fits it from dd at two block sizes"};
  d.fuse_request_s  = {110e-6, "published: dd through a glusterfs FUSE mount at bs=512, 1k and 8k wrote 4.6, 9.9 and "
                                "67.3 MB/s (gluster/glusterfs issue 2618, 2021: one request per write(), 111, 103 and "
                                "122 us each; less the copy at fuse_MBps, 110 us; volume and network not stated: weak); "
                                "ibmig calibrate fits yours from dd at two block sizes"};
  d.gfapi_MBps      = {3000, "assumption (not measured here): libgfapi's per-byte cost as a rate (one copy fewer "
                                  "than FUSE)"};
  d.gfapi_request_s = {20e-6, "assumption (not measured here): a libgfapi request's fixed cost (no kernel round "
                              "trip)"};
  d.small_file_round_trips = {8, "count of the network round trips of one create+write on a replicated volume: "
                                 "LOOKUP, entrylk, pre-op xattrop, CREATE, post-op, unlock, WRITE, FLUSH "
                                 "(Gluster AFR design docs)"};
  d.small_file_round_trips_distribute = {4, "count of the network round trips of one create+write on a distribute "
                                            "volume: LOOKUP, CREATE, WRITE, FLUSH (no AFR locks or xattrops; DHT "
                                            "sends a file's fops to its hashed brick only)"};
  d.server_op_s         = {150e-6, "assumption (not measured here): brick-side time of one metadata operation on a "
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
  return d;
}

namespace {

Calibration read_calibration_object(ObjectReader& cal, const Calibration& defaults, std::vector<std::string>& chain);

/* calibration.include: another calibration file (same keys), its path relative to the including file. */
Calibration read_included_calibration(ObjectReader& cal, const json& include, const Calibration& defaults,
                                      std::vector<std::string>& chain)
{
  if (!include.is_string() || include.get<std::string>().empty())
    cal.fail("include", "expected the path of a calibration file (relative to this file), got " + include.dump());
  const std::string given          = include.get<std::string>();
  const std::filesystem::path path = std::filesystem::path(cal.file()).parent_path() / given;
  const std::string file           = path.lexically_normal().string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    cal.fail("include", std::filesystem::exists(path, ec)
                            ? "\"" + given + "\" (" + file + ") is not a regular file"
                            : "cannot open \"" + given + "\" (" + file + "): no such file");
  const std::string key = std::filesystem::weakly_canonical(path, ec).string();
  if (std::find(chain.begin(), chain.end(), key) != chain.end()) {
    std::string cycle;
    for (auto const& f : chain)
      cycle += f + " -> ";
    cal.fail("include", "include cycle: " + cycle + key);
  }
  if (std::filesystem::file_size(path, ec) > (16u << 20))
    cal.fail("include", "\"" + given + "\" is larger than 16 MiB: not a calibration file");
  std::ifstream in(path);
  if (!in) cal.fail("include", "cannot open \"" + given + "\" (" + file + ")");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const std::string by   = " (included by " + cal.file() + ": " + cal.at("include") + ")";
  json doc;
  JsonFailure why;
  if (!parse_strict_json(text, doc, why)) throw ScenarioError(file, why.path, why.describe(text) + by);
  chain.push_back(key);
  try {
    ObjectReader included(doc, "", file);
    Calibration c = read_calibration_object(included, defaults, chain);
    chain.pop_back();
    return c;
  } catch (const ScenarioError& e) {
    if (e.file() != file) throw;
    throw ScenarioError(e.file(), e.path(), e.reason() + by);
  }
}

/* calibration.disks: {NODE: {write?, read?, source}}, what fio measured on a node's brick. */
void read_disks(ObjectReader& cal, std::map<std::string, DiskMeasurement>& disks)
{
  const json* v = cal.opt_raw("disks");
  if (!v) return;
  ObjectReader all(*v, cal.at("disks"), cal.file());
  for (auto it = v->begin(); it != v->end(); ++it) {
    ObjectReader o = all.child(it.key());
    DiskMeasurement m;
    if (o.has("write")) m.write = to_bytes_per_second(o.bandwidth("write", 8e6, 8e12));
    if (o.has("read")) m.read = to_bytes_per_second(o.bandwidth("read", 8e6, 8e12));
    if (!m.write && !m.read) o.fail("", "a measured disk needs its write or read figure (or both)");
    m.source = o.str("source");
    if (m.source.empty()) o.fail("source", "every calibration value needs its source (a measurement or a document)");
    o.finish();
    m.file          = cal.file();
    m.json_path     = o.at("");
    disks[it.key()] = m;
  }
}

/* One calibration object (a scenario's section or an included file) over `defaults`: its own keys win over the
 * included file's, its stream_limits come first. */
Calibration read_calibration_object(ObjectReader& cal, const Calibration& defaults, std::vector<std::string>& chain)
{
  Calibration d = defaults;
  if (const json* include = cal.opt_raw("include")) d = read_included_calibration(cal, *include, defaults, chain);
  cal.str("description", "");
  Calibration c;
  c.gluster_stream_efficiency = read_calibrated(cal, "gluster_stream_efficiency", d.gluster_stream_efficiency, 0.05, 1);
  c.fuse_MBps                 = read_calibrated(cal, "fuse_MBps", d.fuse_MBps, 1, 1e6);
  c.fuse_request_s            = read_calibrated(cal, "fuse_request_s", d.fuse_request_s, 0, 1);
  c.gfapi_MBps                = read_calibrated(cal, "gfapi_MBps", d.gfapi_MBps, 1, 1e6);
  c.gfapi_request_s           = read_calibrated(cal, "gfapi_request_s", d.gfapi_request_s, 0, 1);
  c.small_file_round_trips    = read_calibrated(cal, "small_file_round_trips", d.small_file_round_trips, 1, 100);
  c.small_file_round_trips_distribute =
      read_calibrated(cal, "small_file_round_trips_distribute", d.small_file_round_trips_distribute, 1, 100);
  c.server_op_s      = read_calibrated(cal, "server_op_s", d.server_op_s, 0, 1);
  c.heal_MBps        = read_calibrated(cal, "heal_MBps", d.heal_MBps, 1, 1e6);
  c.glusterd_start_s = read_calibrated(cal, "glusterd_start_s", d.glusterd_start_s, 0, 3600);
  c.service_stop_s   = read_calibrated(cal, "service_stop_s", d.service_stop_s, 0, 3600);
  c.gluster_check_s  = read_calibrated(cal, "gluster_check_s", d.gluster_check_s, 0, 3600);
  c.ping_pair_s      = read_calibrated(cal, "ping_pair_s", d.ping_pair_s, 0, 3600);
  c.mount_s          = read_calibrated(cal, "mount_s", d.mount_s, 0, 3600);
  c.unmount_s        = read_calibrated(cal, "unmount_s", d.unmount_s, 0, 3600);
  c.command_s        = read_calibrated(cal, "command_s", d.command_s, 0, 3600);
  if (cal.has("stream_limits")) c.stream_limits = read_stream_limits(cal);
  c.stream_limits.insert(c.stream_limits.end(), d.stream_limits.begin(), d.stream_limits.end());
  c.disks = d.disks;
  read_disks(cal, c.disks);
  c.rdma_write_MBps =
      cal.has("rdma_write_MBps") ? read_calibrated(cal, "rdma_write_MBps", {}, 1e-3, 1e7) : d.rdma_write_MBps;
  cal.finish();
  return c;
}

Calibration read_calibration(ObjectReader& root)
{
  const json* v = root.opt_raw("calibration");
  if (!v) return default_calibration();
  ObjectReader cal(*v, "calibration", root.file());
  std::error_code ec;
  std::vector<std::string> chain{std::filesystem::weakly_canonical(root.file(), ec).string()};
  return read_calibration_object(cal, default_calibration(), chain);
}

/* calibration.disks replace the measured figures of their nodes' disks. */
void apply_measured_disks(Scenario& sc)
{
  for (auto const& entry : sc.calibration.disks) { // no structured binding: clang 14 cannot capture one
    const std::string& name  = entry.first;
    const DiskMeasurement& m = entry.second;
    auto it = std::find_if(sc.nodes.begin(), sc.nodes.end(), [&](const Node& n) { return n.name == name; });
    if (it == sc.nodes.end()) throw ScenarioError(m.file, m.json_path, "unknown node \"" + name + "\"");
    if (m.write) it->disk.write = *m.write;
    if (m.read) it->disk.read = *m.read;
    it->disk.source =
        m.write && m.read ? m.source : m.source + "; " + (m.write ? "read" : "write") + ": " + it->disk.source;
  }
}

void read_catalogues(ObjectReader& root, Scenario& sc)
{
  sc.technologies = builtin_technologies();
  sc.hcas         = builtin_hcas();
  if (const json* t = root.opt_raw("technologies")) {
    ObjectReader techs(*t, "technologies", root.file());
    for (auto it = t->begin(); it != t->end(); ++it) {
      ObjectReader o = techs.child(it.key());
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
    ObjectReader hcas(*h, "hcas", root.file());
    for (auto it = h->begin(); it != h->end(); ++it) {
      ObjectReader o = hcas.child(it.key());
      HcaModel m{it.key(), o.boolean("connected_mode", true), o.str("source")};
      o.finish();
      sc.hcas[m.name] = m;
    }
  }
}

void read_networks(ObjectReader& root, Scenario& sc)
{
  const json& arr = root.array("networks");
  if (arr.empty()) root.fail("networks", "a scenario needs at least one network");
  for (size_t i = 0; i < arr.size(); i++) {
    ObjectReader o(arr[i], root.index("networks", i), root.file());
    Network n;
    n.name       = o.str("name");
    n.technology = o.str("technology");
    if (!sc.technologies.count(n.technology)) {
      std::string known;
      for (auto const& [k, v] : sc.technologies)
        known += (known.empty() ? "" : ", ") + k;
      o.fail("technology", "unknown technology \"" + n.technology + "\" (known: " + known + ")");
    }
    n.subnet       = o.str("subnet", "");
    ObjectReader s = o.child("switch");
    n.sw.name      = s.str("name");
    n.sw.ports     = s.integer("ports", 48, 1, 100000);
    if (s.has("backplane")) n.sw.backplane = s.bandwidth("backplane");
    n.sw.latency = s.has("latency") ? s.duration("latency", 0, 1) : Seconds{0};
    s.finish();
    o.finish();
    sc.networks.push_back(n);
  }
  check_unique(sc.networks, root, "networks");
}

/* nodes[].software: {"infiniband": bool, "rdma_enabled": bool}; absent, both installed and enabled. */
void read_software(ObjectReader& node, Node& n)
{
  if (!node.has("software")) return;
  ObjectReader s          = node.child("software");
  n.software.infiniband   = s.boolean("infiniband", true);
  n.software.rdma_enabled = s.boolean("rdma_enabled", n.software.infiniband);
  n.software.stated       = true;
  if (n.software.rdma_enabled && !n.software.infiniband)
    s.fail("rdma_enabled", "the rdma service comes with the InfiniBand packages: without them it cannot be enabled");
  s.finish();
}

/* An IPoIB interface sits on one HCA port: the kernel names them in port order (ib0 port 1, ib1 port 2:
 * docs/research/runbook-sources.md I8, I9), so that is the default. */
void read_hca_port(ObjectReader& c, Nic& nic)
{
  int by_name = 1;
  if (nic.name == "ib1") by_name = 2;
  nic.hca_port = c.integer("port", by_name, 1, 2);
  nic.cabled   = c.boolean("cabled", true);
}

void read_nodes(ObjectReader& root, Scenario& sc)
{
  const json& arr = root.array("nodes");
  if (arr.empty()) root.fail("nodes", "a scenario needs at least one node");
  std::set<std::string> storage_names;
  for (size_t i = 0; i < arr.size(); i++) {
    ObjectReader o(arr[i], root.index("nodes", i), root.file());
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
    ObjectReader d = o.child("disk");
    n.disk.write   = to_bytes_per_second(d.bandwidth("write", 8e6, 8e12));
    n.disk.read =
        to_bytes_per_second(d.has("read") ? d.bandwidth("read", 8e6, 8e12) : BitsPerSecond{n.disk.write.value * 8});
    n.disk.source = d.str("source");
    d.finish();
    if (o.has("memory")) n.memory = o.bytes("memory", 1 << 20, 1e14);
    read_software(o, n);
    const json& nics = o.array("nics");
    for (size_t k = 0; k < nics.size(); k++) {
      ObjectReader c(nics[k], o.index("nics", k), root.file());
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
        nic.mode = loader::parse_ipoib_mode(c, "mode", c.str("mode", "datagram"));
        read_hca_port(c, nic);
      } else if (c.has("hca") || c.has("mode") || c.has("port") || c.has("cabled")) {
        const char* key = c.has("hca") ? "hca" : c.has("mode") ? "mode" : c.has("port") ? "port" : "cabled";
        c.fail(key, "only InfiniBand NICs have an HCA model, an HCA port, a cable and an IPoIB mode");
      }
      nic.mtu = c.integer("mtu", tech.mtu_default, 576, 65520);
      if (c.has("bond")) nic.bond = read_bond(c, tech);
      c.finish();
      if (n.find_nic(nic.name)) c.fail("name", "duplicate interface \"" + nic.name + "\" on node " + n.name);
      for (auto const& other : n.nics)
        for (auto const& name : interface_names(nic))
          for (auto const& taken : interface_names(other))
            if (name == taken)
              c.fail("name", "interface \"" + name + "\" on node " + n.name + " is both a bond slave and a NIC");
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
        used += nic.network == net.name ? (nic.bond ? static_cast<int>(nic.bond->slaves.size()) : 1) : 0;
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
    for (size_t k = 0; k < n.nics.size(); k++) {
      std::string nic = Topology::nic_name(n.name, n.nics[k].name);
      claim(nic, path + ".nics[" + std::to_string(k) + "].name",
            "NIC \"" + nic + "\" (node " + n.name + ", NIC " + n.nics[k].name + ")");
    }
  }
}

void read_storage_names(ObjectReader& root, Scenario& sc)
{
  if (const json* v = root.opt_raw("storage_names")) {
    ObjectReader o(*v, "storage_names", root.file());
    sc.storage_names.network = o.str("network");
    sc.storage_names.method  = o.str("method", "hosts");
    std::string peers        = o.str("peers", "fqdn");
    if (peers == "fqdn")
      sc.storage_names.peers = PeerNaming::Fqdn;
    else if (peers == "short")
      sc.storage_names.peers = PeerNaming::ShortName;
    else if (peers == "ip")
      sc.storage_names.peers = PeerNaming::Ip;
    else
      o.fail("peers",
             "expected \"fqdn\", \"short\" or \"ip\" (what `gluster peer probe` was given), got \"" + peers + "\"");
    if (!sc.find_network(sc.storage_names.network))
      o.fail("network", "unknown network \"" + sc.storage_names.network + "\"");
    if (sc.storage_names.method != "hosts" && sc.storage_names.method != "dns")
      o.fail("method", "expected \"hosts\" or \"dns\"");
    o.finish();
  } else if (!sc.find_network(sc.storage_names.network)) {
    root.fail("storage_names", "missing: say which network the storage names resolve to at the start");
  }
  // An address as a storage name is a pool probed by IP said the wrong way: re-pointing names would not move it.
  static const std::regex ipv4(R"(\d{1,3}(\.\d{1,3}){3})");
  for (size_t i = 0; i < sc.nodes.size(); i++) {
    const Node& n = sc.nodes[i];
    if (!sc.storage_names.by_ip() && std::regex_match(n.storage_name, ipv4))
      throw ScenarioError(root.file(), "nodes[" + std::to_string(i) + "].storage_name",
                          "\"" + n.storage_name +
                              "\" is an IP address, not a name: if the pool's peers and bricks were probed by IP, "
                              "say so with \"storage_names\": {\"peers\": \"ip\"} (re-pointing names cannot move "
                              "such a pool; rewrite_peer_addresses does)");
    if (sc.storage_names.by_ip() && n.server &&
        std::none_of(n.nics.begin(), n.nics.end(), [&](const Nic& c) { return c.network == sc.storage_names.network; }))
      throw ScenarioError(root.file(), "nodes[" + std::to_string(i) + "].nics",
                          "server " + n.name + " has no NIC on network \"" + sc.storage_names.network +
                              "\", where the pool was probed by IP");
  }
}

void read_volumes(ObjectReader& root, Scenario& sc)
{
  const json& arr = root.array("volumes");
  for (size_t i = 0; i < arr.size(); i++) {
    ObjectReader o(arr[i], root.index("volumes", i), root.file());
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
      // As `gluster volume create` would take it: one spelling per directory, never the root file system's top.
      if (br.path == "/" || std::filesystem::path(br.path).lexically_normal().string() != br.path)
        throw ScenarioError(root.file(), path,
                            "brick path \"" + br.path + "\" is not a plain absolute directory (e.g. /bricks/vmstore)");
      const Node* n = sc.find_node(br.node);
      if (!n) throw ScenarioError(root.file(), path, "unknown node \"" + br.node + "\"");
      if (!n->server)
        throw ScenarioError(root.file(), path, "node " + br.node + " is not a server (add \"server\" to its roles)");
      if (!seen.insert(s).second) throw ScenarioError(root.file(), path, "duplicate brick \"" + s + "\"");
      // Gluster refuses a brick inside another of the same server ("is a subdirectory of another brick").
      auto nested = [](const std::string& a, const std::string& b) { return b.compare(0, a.size() + 1, a + "/") == 0; };
      auto clash  = [&](const Brick& o) {
        return o.node == br.node && (o.path == br.path || nested(o.path, br.path) || nested(br.path, o.path));
      };
      for (auto const& other : sc.volumes)
        for (auto const& o : other.bricks)
          if (clash(o))
            throw ScenarioError(root.file(), path,
                                "brick " + s + " and " + o.node + ":" + o.path + " (volume " + other.name +
                                    ") share a directory; Gluster refuses that");
      for (auto const& o : v.bricks)
        if (clash(o))
          throw ScenarioError(root.file(), path,
                              "brick " + s + " and " + o.node + ":" + o.path +
                                  " lie one inside the other; Gluster refuses that");
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
      ObjectReader op(*opts, o.at("options"), root.file());
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

void read_workload(ObjectReader& root, Scenario& sc)
{
  ObjectReader w     = root.child("workload");
  sc.workload.before = w.has("before") ? w.duration("before") : Seconds{60};
  sc.workload.after  = w.has("after") ? w.duration("after") : Seconds{60};
  const json& vms    = w.array("vms");
  for (size_t i = 0; i < vms.size(); i++) {
    ObjectReader o(vms[i], w.index("vms", i), root.file());
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
      ObjectReader s(streams[k], o.index("streams", k), root.file());
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
      if (st.kind != StreamKind::SmallFiles)
        st.block_size = s.has("block_size") ? s.bytes("block_size", 512, 1 << 30) : Bytes{1048576};
      else if (s.has("block_size"))
        s.fail("block_size", "small-files streams write whole files (file_size), not blocks");
      s.finish();
      vm.streams.push_back(st);
    }
    if (o.has("memory")) { // what a live migration moves
      ObjectReader m = o.child("memory");
      vm.memory      = VmMemory{m.bytes("size", 1 << 20, 1e13), to_bytes_per_second(m.bandwidth("dirty_rate", 0, 8e12)),
                           m.str("source")};
      m.finish();
    }
    o.finish();
    sc.workload.vms.push_back(vm);
  }
  check_unique(sc.workload.vms, w, "vms");
  w.finish();
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

/* "distribution": which commands the runbook writes; absent, debian12 (and the runbook says it was defaulted). */
void read_distribution(ObjectReader& root, Scenario& sc)
{
  if (!root.has("distribution")) return;
  const std::string d = root.str("distribution");
  std::string known;
  for (Distribution x : distributions()) {
    if (d == to_string(x)) {
      sc.distribution           = x;
      sc.distribution_defaulted = false;
      return;
    }
    known += (known.empty() ? "\"" : ", \"") + std::string(to_string(x)) + "\"";
  }
  root.fail("distribution", "unknown distribution \"" + d + "\" (known: " + known + ")");
}

} // namespace

Scenario parse_scenario(const json& doc, const std::string& file)
{
  Scenario sc;
  sc.file = file;
  ObjectReader root(doc, "", file);
  if (!root.has("schemaVersion"))
    root.fail("schemaVersion",
              "missing (this version of ibmig reads schemaVersion " + std::to_string(kSchemaVersion) + ")");
  sc.schema_version = root.integer("schemaVersion", 0, 0, 1000);
  if (sc.schema_version != kSchemaVersion)
    root.fail("schemaVersion", "unsupported version " + std::to_string(sc.schema_version) + " (this ibmig reads " +
                                   std::to_string(kSchemaVersion) + ")");
  sc.name        = root.str("name");
  sc.description = root.str("description", "");
  read_distribution(root, sc);
  read_catalogues(root, sc);
  sc.calibration = read_calibration(root);
  read_networks(root, sc);
  read_nodes(root, sc);
  apply_measured_disks(sc);
  check_distinct_names(sc);
  read_storage_names(root, sc);
  read_volumes(root, sc);
  read_workload(root, sc);
  loader::read_plan(root, sc);
  loader::read_faults(root, sc);
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
  if (!parse_strict_json(text, doc, why)) throw ScenarioError(file, why.path, why.describe(text));
  return load_scenario_document(std::move(doc), file, overrides);
}

/* Overrides into the compact sections apply to the file as written, the others to the expanded document (so that
 * nodes[*] sees every node a range or group made); an error is reported where the user wrote the value. */
Scenario load_scenario_document(json doc, const std::string& file, const std::vector<Override>& overrides)
{
  std::vector<Override> compact, plain;
  for (auto const& ov : overrides)
    (is_compact_path(ov.path) ? compact : plain).push_back(ov);
  const std::vector<OverrideWrite> compact_writes = apply_overrides_reporting(doc, compact, file);
  ExpandedScenario ex;
  try {
    ex = expand_scenario(doc, file);
  } catch (const ScenarioError& e) {
    std::string note = override_note(compact_writes, compact, e.path());
    if (note.empty()) throw;
    throw ScenarioError(e.file(), e.path(), e.reason() + note);
  }
  const std::vector<OverrideWrite> plain_writes = apply_overrides_reporting(ex.document, plain, file);
  try {
    return parse_scenario(ex.document, file);
  } catch (const ScenarioError& e) {
    // Where a --set wrote, say so: the file itself may be right.
    if (std::string note = override_note(plain_writes, plain, e.path()); !note.empty())
      throw ScenarioError(e.file(), e.path(), e.reason() + note);
    if (e.file() != file) throw;
    const std::string written = ex.written_at.of(e.path());
    const std::string note    = override_note(compact_writes, compact, written);
    if (written == e.path() && note.empty()) throw;
    throw ScenarioError(file, written,
                        e.reason() + (written == e.path() ? "" : " (" + e.path() + " once expanded)") + note);
  }
}

} // namespace ibmig
