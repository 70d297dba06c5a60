#include "state_rules.hpp"

#include <map>

namespace ibmig {
namespace {

std::string in_quotes(const std::string& s)
{
  return "\"" + s + "\"";
}

} // namespace

std::string join_words(const std::vector<std::string>& items)
{
  std::string out;
  for (size_t i = 0; i < items.size(); i++)
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return out;
}

std::set<std::string> new_storage_networks(const Scenario& sc)
{
  std::set<std::string> out;
  const Network* old_net = sc.find_network(sc.storage_names.network);
  bool old_is_ib         = old_net && sc.technology_of(*old_net).kind == LinkKind::InfiniBand;
  std::set<std::string> repointed;
  for (auto const& st : sc.plan.steps)
    if (st.action == Action::RepointNames || st.action == Action::RewritePeerAddresses) repointed.insert(st.network);
  for (auto const& st : sc.plan.steps) {
    if (st.action != Action::ConfigureInterface) continue;
    for (auto const& n : st.nodes) {
      const Nic* nic = sc.find_node(n)->find_nic(st.interface);
      if (nic->network == sc.storage_names.network) continue;
      const Network* net = sc.find_network(nic->network);
      bool is_ib         = sc.technology_of(*net).kind == LinkKind::InfiniBand;
      if (!nic->present || repointed.count(nic->network) || (is_ib && !old_is_ib)) out.insert(nic->network);
    }
  }
  return out;
}

std::string mtu_mismatch(const ClusterModel& m, const std::string& net)
{
  std::map<int, std::vector<std::string>> by_mtu;
  std::vector<std::string> unconfigured;
  for (auto const& node : m.scenario().nodes)
    for (auto const& nic : node.nics) {
      const InterfaceState& i = m.node(node.name).interfaces.at(nic.name);
      if (nic.network != net || !i.present || !nic.cabled) continue; // an uncabled port is on no network
      if (!i.configured)
        unconfigured.push_back(node.name + " " + nic.name);
      else if (i.up)
        by_mtu[i.mtu].push_back(node.name + " " + nic.name);
    }
  if (by_mtu.size() <= 1 && (by_mtu.empty() || unconfigured.empty())) return "";
  std::string what;
  if (by_mtu.size() > 1) {
    std::vector<std::string> parts;
    for (auto const& [mtu, who] : by_mtu)
      parts.push_back("MTU " + std::to_string(mtu) + " on " + join_words(who));
    what = "interfaces on network " + in_quotes(net) + " have different MTUs (" + join_words(parts) +
           "): packets larger than the smallest MTU are dropped between them";
  }
  if (!unconfigured.empty())
    what += std::string(what.empty() ? "" : "; and ") + join_words(unconfigured) +
            (unconfigured.size() > 1 ? " are" : " is") + " installed on network " + in_quotes(net) +
            " but not configured while the other nodes are";
  return what;
}

std::string mtu_mismatch_message(const std::string& when, const std::string& what)
{
  return when + ", but " + what + ". Give every interface on the network the same MTU.";
}

std::string move_pool_rule(const Scenario& sc)
{
  return sc.storage_names.by_ip() ? "PEER_ADDRESSES_NOT_REWRITTEN" : "NAMES_NOT_REPOINTED";
}

std::string where_pool_points(const Scenario& sc)
{
  return sc.storage_names.by_ip() ? "glusterd's state files (the pool was probed by IP) still hold addresses on"
                                  : "the storage names still resolve to";
}

std::string move_pool_advice(const Scenario& sc)
{
  return sc.storage_names.by_ip()
             ? "Rewrite the peers' and bricks' addresses in /var/lib/glusterd (rewrite_peer_addresses, with "
               "glusterd stopped on every node)"
             : "Re-point the storage names (repoint_names)";
}

OldNetworkGlusterd glusterd_on_old_network(const ClusterModel& m, const std::set<std::string>& new_nets,
                                           const std::vector<std::string>& glusterd_nodes)
{
  OldNetworkGlusterd out;
  out.rule = move_pool_rule(m.scenario());
  for (auto const& n : glusterd_nodes) {
    if (new_nets.count(m.pool_network(n))) continue;
    for (auto const& net : new_nets)
      if (m.interface_up_on(n, net)) {
        out.nodes.push_back(n);
        out.new_up.insert(in_quotes(net));
      }
  }
  return out;
}

std::string glusterd_on_old_network_message(const ClusterModel& m, const std::string& subject,
                                            const OldNetworkGlusterd& found)
{
  const Scenario& sc = m.scenario();
  return subject + " " + join_words(found.nodes) + " while " + where_pool_points(sc) + " network " +
         in_quotes(m.pool_network(found.nodes.front())) + ", although the new network " +
         join_words(std::vector<std::string>(found.new_up.begin(), found.new_up.end())) +
         " is up there: glusterd, its peers and bricks come back on the old network. " + move_pool_advice(sc) +
         " before starting glusterd.";
}

} // namespace ibmig
