#include "self_heal_daemon.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace ibmig::sim {

bool SelfHealDaemon::heal_one()
{
  ClusterState& cs          = world_.state;
  std::vector<double>& todo = world_.pending_heal[vol_.name];
  for (size_t dst = 0; dst < vol_.bricks.size(); dst++) {
    if (todo[dst] <= 0 || !cs.brick_serving(vol_.bricks[dst])) continue;
    int set = static_cast<int>(dst) / vol_.replica;
    for (int k = 0; k < vol_.replica; k++) {
      size_t src = static_cast<size_t>(set * vol_.replica + k);
      if (src == dst || todo[src] > 0 || !cs.brick_serving(vol_.bricks[src])) continue;
      const std::string& sn = vol_.bricks[src].node;
      const std::string& dn = vol_.bricks[dst].node;
      if (!cs.reachable(sn, dn, cs.names_network)) continue;
      NicResources* sr              = world_.platform.nic_on(sn, cs.names_network);
      NicResources* dr              = world_.platform.nic_on(dn, cs.names_network);
      const Node& snode             = *world_.sc.find_node(sn);
      double payload                = todo[dst];
      std::vector<sg4::Host*> hosts = {world_.platform.heal_limit(vol_.name), sr->host, dr->host,
                                       world_.platform.disk(sn), world_.platform.disk(dn)};
      std::vector<double> flops = {payload, 0, 0, payload * snode.disk.write.value / snode.disk.read.value, payload};
      std::vector<double> bytes(25, 0.0);
      bytes[1 * 5 + 2]    = payload;
      flow_.payload_bytes = payload;
      // Heals load the same resources as the workload: list them so the clients' bottleneck analysis sees them.
      const std::string sw = "switch-" + world_.sc.find_network(cs.names_network)->sw.name;
      flow_.uses           = {{sr->link->get_name() + "_UP", "", sr->capacity_Bps, 1.0},
                              {dr->link->get_name() + "_DOWN", "", dr->capacity_Bps, 1.0},
                              {sw, "", world_.platform.switch_link(cs.names_network)->get_bandwidth(), 1.0},
                              {hosts[3]->get_name(), "", hosts[3]->get_speed(), flops[3] / payload},
                              {hosts[4]->get_name(), "", hosts[4]->get_speed(), 1.0}};
      std::string sk = sn + "-" + sr->nic->name, dk = dn + "-" + dr->nic->name;
      flow_.on_progress = [this, dst, sk, dk](double delta) {
        double& left = world_.pending_heal[vol_.name][dst];
        left         = std::max(0.0, left - delta);
        world_.recorder.phase().nics[sk].tx_bytes += delta;
        world_.recorder.phase().nics[dk].rx_bytes += delta;
      };
      flow_.start(hosts, flops, bytes);
      world_.add_flow(&flow_);
      world_.heals[&flow_] = {sn, dn};
      double t0            = World::now();
      bool done            = true;
      try {
        flow_.exec->wait();
      } catch (const simgrid::CancelException&) {
        done = false;
      }
      world_.sample();
      flow_.account();
      world_.remove_flow(&flow_);
      world_.heals.erase(&flow_);
      flow_.exec = nullptr;
      if (done) {
        todo[dst] = 0;
        world_.recorder.event(World::now(), "heal-done",
                              "brick " + dn + ":" + vol_.bricks[dst].path + " healed from " + sn + " (" +
                                  std::to_string(static_cast<long long>(payload / 1e6)) + " MB in " +
                                  std::to_string(static_cast<long long>(World::now() - t0)) + " s)");
      }
      world_.changed();
      return true;
    }
  }
  return false;
}

void SelfHealDaemon::operator()()
{
  while (!world_.finished)
    if (!heal_one()) world_.wait_change();
}

} // namespace ibmig::sim
