/* The cluster's wiring as a graph (Boost.Graph): vertices are nodes, NICs and switches; edges are a NIC in a node
 * and a NIC's cable to its network's switch. Neither the simulator nor the emulator owns it: the simulator turns it
 * into SimGrid hosts and links, the emulator into namespaces, bridges and veths. */
#pragma once

#include "scenario.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <string>
#include <vector>

namespace ibmig {

struct TopologyVertex {
  enum class Kind { Node, Nic, Switch } kind = Kind::Node;
  std::string name;    // "n1", "n1-eth1", "sw-storage"
  std::string node;    // Node and Nic: the node
  std::string network; // Nic and Switch: the network
  const Nic* nic = nullptr;
};

using TopologyGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, TopologyVertex>;

class Topology {
public:
  explicit Topology(const Scenario& sc, bool include_absent_nics = true);

  const TopologyGraph& graph() const { return g_; }
  /* NICs of `node` attached to `network` (present or, if included, to be installed). */
  std::vector<const Nic*> nics_on(const std::string& node, const std::string& network) const;
  /* Whether a and b can reach each other through `network`'s switch. */
  bool connected(const std::string& a, const std::string& b, const std::string& network) const;

private:
  TopologyGraph g_;
  std::map<std::string, TopologyGraph::vertex_descriptor> by_name_;
};

} // namespace ibmig
