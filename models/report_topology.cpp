#include "report_topology.hpp"

#include <set>
#include <stdexcept>

using nlohmann::json;

namespace ibmig {

ReportTopology report_topology(const Scenario& sc)
{
  ReportTopology t;
  for (auto const& net : sc.networks)
    t.networks.push_back({net.name, net.sw.name, net.technology});
  for (auto const& node : sc.nodes) {
    ReportTopology::NodeEntry n{node.name, node.server, node.hypervisor, {}};
    for (auto const& nic : node.nics)
      n.nics.push_back({nic.name, nic.network, nic.present, nic.cabled});
    t.nodes.push_back(n);
  }
  return t;
}

json to_json(const ReportTopology& t)
{
  json nets = json::array(), nodes = json::array();
  for (auto const& n : t.networks)
    nets.push_back({{"name", n.name}, {"switch", n.switch_name}, {"technology", n.technology}});
  for (auto const& n : t.nodes) {
    json nics = json::array();
    for (auto const& c : n.nics)
      nics.push_back({{"name", c.name}, {"network", c.network}, {"present", c.present}, {"cabled", c.cabled}});
    nodes.push_back({{"name", n.name}, {"server", n.server}, {"hypervisor", n.hypervisor}, {"nics", nics}});
  }
  return {{"networks", nets}, {"nodes", nodes}};
}

ReportTopology report_topology_from_json(const json& j)
{
  ReportTopology t;
  std::set<std::string> names;
  for (auto const& n : j.at("networks")) {
    t.networks.push_back({n.at("name"), n.at("switch"), n.at("technology")});
    names.insert(t.networks.back().name);
  }
  auto const& nodes = j.at("nodes");
  for (size_t i = 0; i < nodes.size(); i++) {
    auto const& n = nodes.at(i);
    ReportTopology::NodeEntry node{n.at("name"), n.at("server"), n.at("hypervisor"), {}};
    auto const& nics = n.at("nics");
    for (size_t k = 0; k < nics.size(); k++) {
      auto const& c = nics.at(k);
      node.nics.push_back({c.at("name"), c.at("network"), c.at("present"), c.at("cabled")});
      // Topology's constructor looks the network up: an unknown one is bad input, not a crash.
      if (!names.count(node.nics.back().network))
        throw std::invalid_argument("topology.nodes[" + std::to_string(i) + "].nics[" + std::to_string(k) +
                                    "].network: unknown network \"" + node.nics.back().network + "\"");
    }
    t.nodes.push_back(node);
  }
  return t;
}

Scenario skeleton_scenario(const ReportTopology& t)
{
  Scenario sc;
  for (auto const& n : t.networks) {
    Network net;
    net.name       = n.name;
    net.technology = n.technology;
    net.sw.name    = n.switch_name;
    sc.networks.push_back(net);
  }
  for (auto const& n : t.nodes) {
    Node node;
    node.name       = n.name;
    node.server     = n.server;
    node.hypervisor = n.hypervisor;
    for (auto const& c : n.nics) {
      Nic nic;
      nic.name    = c.name;
      nic.network = c.network;
      nic.present = c.present;
      nic.cabled  = c.cabled;
      node.nics.push_back(nic);
    }
    sc.nodes.push_back(node);
  }
  sc.index_nodes();
  return sc;
}

} // namespace ibmig
