#include "observed_state.hpp"

#include "step_commands.hpp"

#include <algorithm>
#include <sstream>

namespace ibmig::emu {

std::string names_network_in_hosts(const Scenario& sc, const std::string& hosts_text)
{
  std::istringstream in(hosts_text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string address, name;
    if (!(words >> address)) continue;
    while (words >> name)
      for (auto const& n : sc.nodes)
        if (n.storage_name == name)
          for (auto const& nic : n.nics)
            if (nic.address == address) return nic.network;
  }
  return "";
}

std::string state_network_in_peers(const Scenario& sc, const std::vector<std::string>& peer_files)
{
  std::string found;
  for (auto const& text : peer_files) {
    std::istringstream in(text);
    std::string line, net = "?";
    while (std::getline(in, line))
      if (line.rfind("hostname1=", 0) == 0)
        for (auto const& n : sc.nodes)
          for (auto const& nic : n.nics)
            if (nic.address == line.substr(10)) net = nic.network;
    if (found.empty())
      found = net;
    else if (found != net)
      return "mixed";
  }
  return found;
}

std::vector<std::string> differences(const ClusterModel& m, const std::string& node, const ObservedNode& seen)
{
  std::vector<std::string> out;
  const NodeState& want = m.node(node);
  auto say              = [&](const std::string& what) { out.push_back(node + ": " + what); };
  bool glusterd = want.glusterd && want.powered; // a crashed node keeps the model's "runs" for its boot: it is off
  if (glusterd != seen.glusterd)
    say(glusterd ? "glusterd should run, it does not" : "glusterd runs, it should be stopped");
  for (auto const& [iface, i] : want.interfaces) {
    auto it = seen.interfaces.find(iface);
    if (i.present != (it != seen.interfaces.end())) {
      say(iface + (i.present ? " should exist, it does not" : " exists, it should not be installed yet"));
      continue;
    }
    if (!i.present) continue;
    bool up = want.powered && i.up;
    if (up != it->second.up) say(iface + (up ? " should be up, it is down" : " is up, it should be down"));
    if (up && it->second.up && i.mtu != it->second.mtu)
      say(iface + " has MTU " + std::to_string(it->second.mtu) + ", the model expects " + std::to_string(i.mtu));
  }
  if (seen.enabled_observed && m.scenario().find_node(node)->server && want.glusterd_enabled != seen.glusterd_enabled)
    say(want.glusterd_enabled ? "glusterd should start at boot, it is disabled"
                              : "glusterd starts at boot, it should be disabled");
  if (seen.vms_observed)
    for (auto const& vm : m.scenario().workload.vms) {
      if (m.vm(vm.name).node != node) continue;
      bool runs = want.powered && m.vm(vm.name).running;
      if (runs != (seen.vms_running.count(vm.name) > 0))
        say(vm.name + (runs ? " should be running, it is shut off" : " is running, it should be shut off"));
    }
  const std::vector<std::string> want_mounted = mounted_volumes(m, node);
  for (auto const& v : want_mounted)
    if (!seen.mounted.count(v)) say(v + " should be mounted, it is not");
  for (auto const& v : seen.mounted)
    if (std::find(want_mounted.begin(), want_mounted.end(), v) == want_mounted.end())
      say(v + " is mounted, it should not be");
  auto const& sc = m.scenario();
  size_t servers =
      static_cast<size_t>(std::count_if(sc.nodes.begin(), sc.nodes.end(), [](const Node& n) { return n.server; }));
  if (sc.storage_names.by_ip() && sc.find_node(node)->server && servers > 1 && want.state_network != seen.state_network)
    say("glusterd's peer files hold addresses on " + (seen.state_network.empty() ? "nothing" : seen.state_network) +
        ", the model expects " + want.state_network);
  // The emulated nodes of a pool probed by IP have no storage names (cluster.cpp, hosts_text).
  if (!sc.storage_names.by_ip() && want.names_network != seen.names_network)
    say("the storage names resolve to " + (seen.names_network.empty() ? "nothing" : seen.names_network) +
        ", the model expects " + want.names_network);
  return out;
}

} // namespace ibmig::emu
