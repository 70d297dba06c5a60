#include "lab_observation.hpp"

#include "cluster.hpp"

namespace ibmig::lab {

std::vector<bool> stale_bricks(const Volume& vol, const std::vector<emu::HealBrick>& heal,
                               const std::vector<bool>& previous)
{
  std::vector<bool> out(vol.bricks.size(), false);
  for (size_t b = 0; b < out.size(); b++) {
    size_t first = b / static_cast<size_t>(vol.replica) * static_cast<size_t>(vol.replica);
    bool told = false, lacks = false;
    for (size_t o = first; o < first + static_cast<size_t>(vol.replica) && o < heal.size(); o++) {
      if (o == b || !heal[o].connected || heal[o].entries < 0) continue;
      told  = true;
      lacks = lacks || heal[o].entries > 0;
    }
    out[b] = told ? lacks : b < previous.size() && previous[b];
  }
  return out;
}

LabObservation observe_lab(emu::EmulatedCluster& cluster, const Scenario& sc, const LabObservation* previous)
{
  LabObservation obs;
  for (auto const& n : sc.nodes) {
    LabNode& ln = obs.nodes[n.name];
    ln.seen     = cluster.observe(n.name);
    bool link   = false;
    for (auto const& [name, i] : ln.seen.interfaces)
      link = link || i.up;
    // The emulator powers a node off by stopping everything in it and taking its links down
    // (EmulatedCluster::power_off).
    ln.powered = link || ln.seen.glusterd || !ln.seen.mounted.empty();
    if (ln.seen.glusterd) ln.peers = cluster.peer_status(n.name);
  }
  std::string asked = cluster.any_running_server();
  for (auto const& vol : sc.volumes) {
    LabVolume& lv = obs.volumes[vol.name];
    if (!asked.empty()) {
      lv.bricks = cluster.volume_status(asked, vol.name);
      lv.heal   = cluster.heal_info(asked, vol.name);
    }
    std::vector<bool> before;
    if (previous && previous->volumes.count(vol.name)) before = previous->volumes.at(vol.name).stale;
    lv.stale = stale_bricks(vol, lv.heal, before);
  }
  return obs;
}

namespace {

using nlohmann::json;

template <class T> json optional_value(const std::optional<T>& v)
{
  return v ? json(v->value) : json(nullptr);
}
template <class T> std::optional<T> optional_of(const json& j, const char* key)
{
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return T{j.at(key).get<double>()};
}

} // namespace

json to_json(const LabObservation& o)
{
  json nodes = json::object(), volumes = json::object();
  for (auto const& [name, n] : o.nodes) {
    json ifaces = json::object(), peers = json::array();
    for (auto const& [i, seen] : n.seen.interfaces)
      ifaces[i] = {{"up", seen.up}, {"mtu", seen.mtu}};
    for (auto const& p : n.peers)
      peers.push_back({{"hostname", p.hostname}, {"uuid", p.uuid}, {"state", p.state}, {"connected", p.connected}});
    nodes[name] = {{"powered", n.powered},
                   {"glusterd", n.seen.glusterd},
                   {"interfaces", ifaces},
                   {"mounted", n.seen.mounted},
                   {"names_network", n.seen.names_network},
                   {"state_network", n.seen.state_network},
                   {"vms_observed", n.seen.vms_observed},
                   {"vms_running", n.seen.vms_running},
                   {"enabled_observed", n.seen.enabled_observed},
                   {"glusterd_enabled", n.seen.glusterd_enabled},
                   {"peers", peers}};
  }
  for (auto const& [name, v] : o.volumes) {
    json bricks = json::array(), heal = json::array();
    for (auto const& b : v.bricks)
      bricks.push_back({{"brick", b.brick}, {"online", b.online}, {"pid", b.pid}});
    for (auto const& h : v.heal)
      heal.push_back({{"brick", h.brick}, {"connected", h.connected}, {"entries", h.entries}});
    volumes[name] = {{"bricks", bricks}, {"heal", heal}, {"stale", v.stale}};
  }
  json vms = json::object();
  for (auto const& [name, v] : o.vms)
    vms[name] = {
        {"node", v.node}, {"running", v.running}, {"write_rate", optional_value(v.write_rate)}, {"down", v.down.value}};
  json verification = o.verification ? to_json(*o.verification) : json(nullptr);
  return {{"at", optional_value(o.at)},
          {"nodes", nodes},
          {"volumes", volumes},
          {"vms", vms},
          {"vm_write_rate", optional_value(o.vm_write_rate)},
          {"downtime", optional_value(o.downtime)},
          {"verification", verification}};
}

LabObservation observation_from_json(const json& j)
{
  LabObservation o;
  o.at            = optional_of<Seconds>(j, "at");
  o.vm_write_rate = optional_of<BytesPerSecond>(j, "vm_write_rate");
  o.downtime      = optional_of<Seconds>(j, "downtime");
  for (auto const& [name, n] : j.at("nodes").items()) {
    LabNode& node      = o.nodes[name];
    node.powered       = n.at("powered").get<bool>();
    node.seen.glusterd = n.at("glusterd").get<bool>();
    for (auto const& [i, seen] : n.at("interfaces").items())
      node.seen.interfaces[i] = {seen.at("up").get<bool>(), seen.at("mtu").get<int>()};
    node.seen.mounted          = n.at("mounted").get<std::set<std::string>>();
    node.seen.names_network    = n.at("names_network").get<std::string>();
    node.seen.state_network    = n.at("state_network").get<std::string>();
    node.seen.vms_observed     = n.value("vms_observed", false);
    node.seen.enabled_observed = n.value("enabled_observed", false);
    node.seen.glusterd_enabled = n.value("glusterd_enabled", false);
    if (n.contains("vms_running")) node.seen.vms_running = n.at("vms_running").get<std::set<std::string>>();
    for (auto const& p : n.at("peers"))
      node.peers.push_back({p.at("hostname").get<std::string>(), p.at("uuid").get<std::string>(),
                            p.at("state").get<std::string>(), p.at("connected").get<bool>()});
  }
  for (auto const& [name, v] : j.at("volumes").items()) {
    LabVolume& vol = o.volumes[name];
    for (auto const& b : v.at("bricks"))
      vol.bricks.push_back({b.at("brick").get<std::string>(), b.at("online").get<bool>(), b.at("pid").get<long>()});
    for (auto const& h : v.at("heal"))
      vol.heal.push_back(
          {h.at("brick").get<std::string>(), h.at("connected").get<bool>(), h.at("entries").get<long>()});
    vol.stale = v.at("stale").get<std::vector<bool>>();
  }
  if (j.contains("vms"))
    for (auto const& [name, v] : j.at("vms").items())
      o.vms[name] = {v.at("node").get<std::string>(), v.at("running").get<bool>(),
                     optional_of<BytesPerSecond>(v, "write_rate"), Seconds{v.at("down").get<double>()}};
  if (j.contains("verification") && !j.at("verification").is_null())
    o.verification = verification_from_json(j.at("verification"));
  return o;
}

} // namespace ibmig::lab
