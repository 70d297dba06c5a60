/* The cluster's wiring as a graph (Boost.Graph): vertices are nodes, NICs and switches; edges are a NIC in a node
 * and a NIC's cable to its network's switch. Neither the simulator nor the emulator owns it: the simulator turns it
 * into SimGrid hosts and links, the emulator into namespaces, bridges and veths; both iterate it (networks(),
 * nodes(), cables()) and ask it which NIC a node uses on a network (nic_on). It points into the Scenario it was
 * built from, which must outlive it. */
#pragma once

#include "scenario.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <map>
#include <string>
#include <vector>

namespace ibmig {

struct TopologyVertex {
  enum class Kind { Node, Nic, Switch } kind = Kind::Node;
  std::string name;                 // "n1", "n1-eth1", "sw-storage"
  const Node* node       = nullptr; // Node and Nic
  const Nic* nic         = nullptr; // Nic
  const Network* network = nullptr; // Nic and Switch
};

using TopologyGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, TopologyVertex>;

/* One NIC of a node and the network whose switch it is cabled to. */
struct Cable {
  const Node* node       = nullptr;
  const Nic* nic         = nullptr;
  const Network* network = nullptr;
};

class Topology {
public:
  explicit Topology(const Scenario& sc, bool include_absent_nics = true);

  /* The one name of a NIC outside its node: "n1-eth1" (graph vertices, switch ports, report keys). */
  static std::string nic_name(const std::string& node, const std::string& nic) { return node + "-" + nic; }

  const TopologyGraph& graph() const { return g_; }
  /* The networks (one switch each) and the nodes, in scenario order. */
  std::vector<const Network*> networks() const;
  std::vector<const Node*> nodes() const;
  /* The NICs of `node` in scenario order, each with its network; empty for an unknown node. */
  std::vector<Cable> cables(const std::string& node) const;
  /* NICs of `node` attached to `network` (present or, if included, to be installed). */
  std::vector<const Nic*> nics_on(const std::string& node, const std::string& network) const;
  /* The NIC of `node` on `network`: its first present cabled one, else the first cabled one the plan installs (a NIC
   * on an uncabled HCA port only when there is no other); nullptr if none. */
  const Nic* nic_on(const std::string& node, const std::string& network) const;
  /* Whether a and b can reach each other through `network`'s switch. */
  bool connected(const std::string& a, const std::string& b, const std::string& network) const;

private:
  TopologyGraph g_;
  std::map<std::string, TopologyGraph::vertex_descriptor> nodes_;    // node name -> its vertex
  std::map<std::string, TopologyGraph::vertex_descriptor> switches_; // network name -> its switch's vertex
};

} // namespace ibmig
