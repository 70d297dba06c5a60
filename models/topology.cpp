#include "topology.hpp"

namespace ibmig {

namespace {
using Kind = TopologyVertex::Kind;

/* The vertices of one kind, in the order they were added (vecS keeps it). */
template <typename T, typename Get> std::vector<const T*> of_kind(const TopologyGraph& g, Kind kind, Get get)
{
  std::vector<const T*> out;
  for (auto [v, end] = boost::vertices(g); v != end; ++v)
    if (g[*v].kind == kind) out.push_back(get(g[*v]));
  return out;
}
} // namespace

Topology::Topology(const Scenario& sc, bool include_absent_nics)
{
  for (auto const& net : sc.networks) {
    auto v              = boost::add_vertex({Kind::Switch, net.sw.name, nullptr, nullptr, &net}, g_);
    switches_[net.name] = v;
  }
  for (auto const& node : sc.nodes) {
    auto nv           = boost::add_vertex({Kind::Node, node.name, &node, nullptr, nullptr}, g_);
    nodes_[node.name] = nv;
    for (auto const& nic : node.nics) {
      if (!nic.present && !include_absent_nics) continue;
      auto sw = switches_.at(nic.network);
      auto cv = boost::add_vertex({Kind::Nic, nic_name(node.name, nic.name), &node, &nic, g_[sw].network}, g_);
      boost::add_edge(nv, cv, g_);
      boost::add_edge(cv, sw, g_);
    }
  }
}

std::vector<const Network*> Topology::networks() const
{
  return of_kind<Network>(g_, Kind::Switch, [](const TopologyVertex& v) { return v.network; });
}

std::vector<const Node*> Topology::nodes() const
{
  return of_kind<Node>(g_, Kind::Node, [](const TopologyVertex& v) { return v.node; });
}

std::vector<Cable> Topology::cables(const std::string& node) const
{
  std::vector<Cable> out;
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return out;
  for (auto [c, c_end] = boost::adjacent_vertices(it->second, g_); c != c_end; ++c) {
    auto const& nic = g_[*c];
    if (nic.kind != Kind::Nic) continue;
    for (auto [s, s_end] = boost::adjacent_vertices(*c, g_); s != s_end; ++s)
      if (g_[*s].kind == Kind::Switch) out.push_back({nic.node, nic.nic, g_[*s].network});
  }
  return out;
}

std::vector<const Nic*> Topology::nics_on(const std::string& node, const std::string& network) const
{
  std::vector<const Nic*> out;
  for (auto const& c : cables(node))
    if (c.network->name == network) out.push_back(c.nic);
  return out;
}

const Nic* Topology::nic_on(const std::string& node, const std::string& network) const
{
  // What carries the node's traffic there: an installed NIC with a cable, else the one the plan installs; a NIC on
  // an uncabled HCA port (the other port of a dual-port card) only when there is nothing else.
  const Nic* best = nullptr;
  auto rank       = [](const Nic* n) { return (n->cabled ? 2 : 0) + (n->present ? 1 : 0); };
  for (const Nic* nic : nics_on(node, network))
    if (!best || rank(nic) > rank(best)) best = nic;
  return best;
}

bool Topology::connected(const std::string& a, const std::string& b, const std::string& network) const
{
  if (a == b) return true;
  return !nics_on(a, network).empty() && !nics_on(b, network).empty();
}

} // namespace ibmig
