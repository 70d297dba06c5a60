#include "step_commands.hpp"

#include <algorithm>
#include <set>

namespace ibmig::emu {

namespace {
bool effectively_up(const NodeState& n, const InterfaceState& i)
{
  return n.powered && i.present && i.up;
}
} // namespace

std::string to_string(const NodeCommand& c)
{
  std::string s = c.node + ": ";
  switch (c.kind) {
  case NodeCommand::Kind::Unmount:
    return s + "unmount " + c.target;
  case NodeCommand::Kind::StopGlusterd:
    return s + "stop glusterd";
  case NodeCommand::Kind::InterfaceDown:
    return s + "ip link set " + c.target + " down";
  case NodeCommand::Kind::PowerOff:
    return s + "power off";
  case NodeCommand::Kind::InstallNic:
    return s + "install NIC " + c.target;
  case NodeCommand::Kind::ConfigureInterface:
    return s + "configure " + c.target + " (MTU " + std::to_string(c.mtu) +
           (mode_name(c.mode).empty() ? "" : ", " + mode_name(c.mode)) + ")";
  case NodeCommand::Kind::InterfaceUp:
    return s + "ip link set " + c.target + " up";
  case NodeCommand::Kind::WriteHosts:
    return s + "storage names -> " + c.target;
  case NodeCommand::Kind::RewriteState:
    return s + "rewrite /var/lib/glusterd: addresses on " + c.source + " -> " + c.target;
  case NodeCommand::Kind::StartGlusterd:
    return s + "start glusterd";
  case NodeCommand::Kind::Mount:
    return s + "mount " + c.target;
  }
  return s;
}

std::vector<std::string> mounted_volumes(const ClusterModel& m, const std::string& node)
{
  std::set<std::string> vols;
  for (auto const& vm : m.scenario().workload.vms)
    if (m.vm(vm.name).node == node && m.vm(vm.name).running) vols.insert(vm.volume); // where it runs now
  return {vols.begin(), vols.end()};
}

std::vector<NodeCommand> commands_for(const Step& st, const ClusterModel& before, const ClusterModel& after)
{
  using K = NodeCommand::Kind;
  std::vector<NodeCommand> out;
  auto const& sc = after.scenario();
  for (auto const& node : sc.nodes) {
    const std::string& n = node.name;
    const NodeState& b   = before.node(n);
    const NodeState& a   = after.node(n);
    auto had             = mounted_volumes(before, n);
    auto has             = mounted_volumes(after, n);
    bool remount =
        st.action == Action::RemountClients && std::find(st.nodes.begin(), st.nodes.end(), n) != st.nodes.end();
    for (auto const& v : had)
      if (remount || std::find(has.begin(), has.end(), v) == has.end()) out.push_back({K::Unmount, n, v});
    if (b.glusterd && !a.glusterd) out.push_back({K::StopGlusterd, n, ""});
    for (auto const& [iface, ia] : a.interfaces) {
      const InterfaceState& ib = b.interfaces.at(iface);
      if (effectively_up(b, ib) && !effectively_up(a, ia)) out.push_back({K::InterfaceDown, n, iface});
    }
    if (b.powered && !a.powered) out.push_back({K::PowerOff, n, ""});
    for (auto const& [iface, ia] : a.interfaces) {
      const InterfaceState& ib = b.interfaces.at(iface);
      if (!ib.present && ia.present) out.push_back({K::InstallNic, n, iface});
      bool reconfigured = ia.configured && (!ib.configured || ia.mtu != ib.mtu || ia.mode != ib.mode);
      if (reconfigured && a.powered)
        out.push_back({K::ConfigureInterface, n, iface, ia.mtu, ia.mode});
      else if (!effectively_up(b, ib) && effectively_up(a, ia))
        out.push_back({K::InterfaceUp, n, iface});
    }
    if (a.names_network != b.names_network) out.push_back({K::WriteHosts, n, a.names_network});
    if (a.state_network != b.state_network)
      out.push_back({K::RewriteState, n, a.state_network, 0, IpoibMode::None, b.state_network});
    if (!b.glusterd && a.glusterd) out.push_back({K::StartGlusterd, n, ""});
    for (auto const& v : has)
      if (remount || std::find(had.begin(), had.end(), v) == had.end()) out.push_back({K::Mount, n, v});
  }
  // Stops before starts across nodes too: a re-point with glusterd restarts must not start one node's daemon while
  // another's still runs on the old names.
  std::stable_sort(out.begin(), out.end(), [](const NodeCommand& x, const NodeCommand& y) {
    bool xs = x.kind <= K::PowerOff, ys = y.kind <= K::PowerOff;
    return xs && !ys;
  });
  return out;
}

} // namespace ibmig::emu
