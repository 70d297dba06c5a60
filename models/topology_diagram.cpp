#include "topology_diagram.hpp"

#include <boost/graph/graphviz.hpp>
#include <sstream>

namespace ibmig {

namespace {

using Kind = TopologyVertex::Kind;

struct VertexWriter {
  const TopologyGraph* g;
  const VmsByNode* vms;
  void operator()(std::ostream& out, TopologyGraph::vertex_descriptor v) const
  {
    auto const& x     = (*g)[v];
    std::string label = x.name;
    if (x.kind == Kind::Node) {
      std::string roles = x.node->server && x.node->hypervisor ? "server, hypervisor"
                          : x.node->server                     ? "server"
                          : x.node->hypervisor                 ? "hypervisor"
                                                               : "";
      if (!roles.empty()) label += "\n" + roles;
      if (auto it = vms->find(x.name); it != vms->end() && !it->second.empty()) {
        label += "\n";
        for (size_t i = 0; i < it->second.size(); i++)
          label += (i ? " " : "") + it->second[i];
      }
      out << "[shape=box, style=\"rounded,filled\", fillcolor=\"#dbe9f6\", label=" << boost::escape_dot_string(label)
          << "]";
    } else if (x.kind == Kind::Nic) {
      // The plan installs it: dashed, so the diagram shows the cluster before and after at once.
      out << "[shape=ellipse, fontsize=10, style=\"" << (x.nic->present ? "solid" : "dashed")
          << "\", label=" << boost::escape_dot_string(label + (x.nic->present ? "" : "\n(installed by the plan)"))
          << "]";
    } else {
      label += "\n" + x.network->name + (x.network->technology.empty() ? "" : ", " + x.network->technology);
      out << "[shape=diamond, style=filled, fillcolor=\"#f3e3c3\", label=" << boost::escape_dot_string(label) << "]";
    }
  }
};

struct EdgeWriter {
  const TopologyGraph* g;
  void operator()(std::ostream& out, TopologyGraph::edge_descriptor e) const
  {
    auto const& a             = (*g)[boost::source(e, *g)];
    auto const& b             = (*g)[boost::target(e, *g)];
    const TopologyVertex& nic = a.kind == Kind::Nic ? a : b;
    bool to_switch            = a.kind == Kind::Switch || b.kind == Kind::Switch;
    if (to_switch && !nic.nic->cabled) out << "[style=dotted, label=\"uncabled\", fontsize=9]";
  }
};

struct GraphWriter {
  void operator()(std::ostream& out) const
  {
    out << "graph [rankdir=TB, fontname=\"sans-serif\", nodesep=0.25, ranksep=0.6];\n"
        << "node [fontname=\"sans-serif\", fontsize=11];\n";
  }
};

} // namespace

std::string topology_dot(const Topology& topology, const VmsByNode& vms)
{
  std::ostringstream out;
  auto const& g = topology.graph();
  boost::write_graphviz(out, g, VertexWriter{&g, &vms}, EdgeWriter{&g}, GraphWriter{});
  return out.str();
}

std::string topology_svg(const Topology& topology, const VmsByNode& vms, FilterRunner& runner)
{
  return run_tool(runner, {"dot", "-Tsvg"}, topology_dot(topology, vms), "graphviz");
}

} // namespace ibmig
