#include "port_probe.hpp"

#include "text.hpp"

namespace ibmig::emu {

std::vector<PortQuery> port_queries(const Step& st, const ClusterModel& model)
{
  std::vector<PortQuery> out;
  for (auto const& n : st.nodes) {
    const NodeState& ns = model.node(n);
    if (!ns.powered || ns.crashed || !ns.interfaces.at(st.interface).present) continue;
    const Nic& nic                   = *model.scenario().find_node(n)->find_nic(st.interface);
    ClusterModel::PortState expected = model.port_state(n, st.interface);
    PortQuery q;
    q.node         = n;
    q.interface    = st.interface;
    q.port         = nic.hca_port;
    q.stack_loaded = ns.ib_stack;
    q.cabled       = nic.cabled;
    if (expected.active_mtu > 0) q.ib_mtu = expected.active_mtu;
    out.push_back(q);
  }
  return out;
}

PortOutcome port_outcome(const Step&, const std::vector<PortQuery>& asked, const std::vector<PortReading>& got)
{
  PortOutcome o;
  std::vector<std::string> seen;
  for (size_t i = 0; i < asked.size(); i++) {
    const PortQuery& q  = asked[i];
    std::string who     = q.node + " " + q.interface + " (port " + std::to_string(q.port) + ")";
    const PortReading r = i < got.size() ? got[i] : PortReading{q.node, "", 0, "", "no reading", "", -1};
    if (r.state == "PORT_ACTIVE") {
      seen.push_back(who + " PORT_ACTIVE, active MTU " + std::to_string(r.active_mtu) + " (" + r.device + ", " +
                     r.where + ")");
      continue;
    }
    std::string what = r.state.empty()          ? "could not be queried"
                       : r.state == "NO_DEVICE" ? "has no RDMA device"
                                                : r.state;
    o.failures.push_back(who + ": ibv_devinfo: " + what + " (" + r.where + ")");
  }
  o.seen = join(seen, "; ");
  return o;
}

} // namespace ibmig::emu
