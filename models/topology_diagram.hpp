/* The cluster's wiring as a diagram: the Topology graph written by Boost.Graph's write_graphviz, laid out by
 * Graphviz's dot into SVG. Nodes are boxes (with their VMs), NICs ellipses (dashed: the plan installs it), switches
 * diamonds; an uncabled HCA port's link is dotted. */
#pragma once

#include "filter_runner.hpp"
#include "topology.hpp"

#include <map>
#include <string>
#include <vector>

namespace ibmig {

/* node name -> the VMs it hosts at the start, shown in the node's box */
using VmsByNode = std::map<std::string, std::vector<std::string>>;

std::string topology_dot(const Topology& topology, const VmsByNode& vms);
/* Throws ToolError when dot is missing or fails. */
std::string topology_svg(const Topology& topology, const VmsByNode& vms, FilterRunner& runner);

} // namespace ibmig
