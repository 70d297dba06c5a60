#include "topology.hpp"

namespace ibmig {

Topology::Topology(const Scenario& sc, bool include_absent_nics)
{
  for (auto const& net : sc.networks) {
    auto v                         = boost::add_vertex(g_);
    g_[v]                          = {TopologyVertex::Kind::Switch, net.sw.name, "", net.name, nullptr};
    by_name_["switch:" + net.name] = v;
  }
  for (auto const& node : sc.nodes) {
    auto nv                       = boost::add_vertex(g_);
    g_[nv]                        = {TopologyVertex::Kind::Node, node.name, node.name, "", nullptr};
    by_name_["node:" + node.name] = nv;
    for (auto const& nic : node.nics) {
      if (!nic.present && !include_absent_nics) continue;
      auto cv = boost::add_vertex(g_);
      g_[cv]  = {TopologyVertex::Kind::Nic, node.name + "-" + nic.name, node.name, nic.network, &nic};
      boost::add_edge(nv, cv, g_);
      boost::add_edge(cv, by_name_.at("switch:" + nic.network), g_);
    }
  }
}

std::vector<const Nic*> Topology::nics_on(const std::string& node, const std::string& network) const
{
  std::vector<const Nic*> out;
  auto it = by_name_.find("node:" + node);
  if (it == by_name_.end()) return out;
  for (auto [e, end] = boost::out_edges(it->second, g_); e != end; ++e) {
    auto const& v = g_[boost::target(*e, g_)];
    if (v.kind == TopologyVertex::Kind::Nic && v.network == network) out.push_back(v.nic);
  }
  return out;
}

bool Topology::connected(const std::string& a, const std::string& b, const std::string& network) const
{
  if (a == b) return true;
  return !nics_on(a, network).empty() && !nics_on(b, network).empty();
}

} // namespace ibmig
