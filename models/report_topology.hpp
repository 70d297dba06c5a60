/* The cluster's wiring as the report carries it (JSON "topology", optional: reports written before it have none),
 * so that `ibmig report` can draw the diagram from the report alone. It is the scenario's networks and nodes with
 * their NICs, nothing derived: the diagram is drawn from a Topology rebuilt from it (skeleton_scenario). */
#pragma once

#include "scenario.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ibmig {

struct ReportTopology {
  struct NetworkEntry {
    std::string name;
    std::string switch_name;
    std::string technology;
  };
  struct NicEntry {
    std::string name;
    std::string network;
    bool present = true; // false: the plan installs it
    bool cabled  = true;
  };
  struct NodeEntry {
    std::string name;
    bool server     = false;
    bool hypervisor = false;
    std::vector<NicEntry> nics;
  };
  std::vector<NetworkEntry> networks;
  std::vector<NodeEntry> nodes;
};

ReportTopology report_topology(const Scenario& sc);
nlohmann::json to_json(const ReportTopology& t);
/* Throws std::invalid_argument with the JSON path ("topology.nodes[1].nics[0].network: ...") for a NIC on a network
 * the topology does not list; nlohmann's exceptions for a missing field or a wrong type. */
ReportTopology report_topology_from_json(const nlohmann::json& j);
/* A scenario holding only what Topology reads (networks, switches, nodes, NICs): to rebuild the graph. */
Scenario skeleton_scenario(const ReportTopology& t);

} // namespace ibmig
