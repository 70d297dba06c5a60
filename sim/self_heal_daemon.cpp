#include "self_heal_daemon.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace ibmig::sim {

/* Brick `src` (nothing to heal itself) can give brick `dst` what it missed now. */
bool SelfHealDaemon::can_heal(size_t src, size_t dst) const
{
  const ClusterModel& cm = world_.model;
  return cm.brick_serving(vol_.bricks[src]) && cm.brick_serving(vol_.bricks[dst]) &&
         cm.reachable(vol_.bricks[src].node, vol_.bricks[dst].node, heal_network(src));
}

/* AFR keeps the pending index on the good bricks: the self-heal daemon of the source's node heals the stale brick,
 * reaching it where that node's storage names resolve. */
std::string SelfHealDaemon::heal_network(size_t src) const
{
  return world_.model.node(vol_.bricks[src].node).names_network;
}

bool SelfHealDaemon::heal_one()
{
  std::vector<double>& todo = world_.pending_heal[vol_.name];
  for (size_t dst = 0; dst < vol_.bricks.size(); dst++) {
    if (todo[dst] <= 0) continue;
    int set = static_cast<int>(dst) / vol_.replica;
    for (int k = 0; k < vol_.replica; k++) {
      size_t src = static_cast<size_t>(set * vol_.replica + k);
      if (src == dst || todo[src] > 0 || !can_heal(src, dst)) continue;
      const std::string& sn         = vol_.bricks[src].node;
      const std::string& dn         = vol_.bricks[dst].node;
      const std::string network     = heal_network(src);
      NicResources* sr              = world_.platform.nic_on(sn, network);
      NicResources* dr              = world_.platform.nic_on(dn, network);
      const Node& snode             = *world_.sc.find_node(sn);
      double payload                = todo[dst];
      std::vector<sg4::Host*> hosts = {world_.platform.heal_limit(vol_.name), sr->host, dr->host,
                                       world_.platform.disk(sn), world_.platform.disk(dn)};
      std::vector<double> flops = {payload, 0, 0, payload * snode.disk.write.value / snode.disk.read.value, payload};
      std::vector<double> bytes(25, 0.0);
      bytes[1 * 5 + 2]    = payload;
      auto flow           = std::make_shared<Flow>();
      flow->payload_bytes = payload;
      flow->heal_between  = std::make_pair(sn, dn);
      // Heals load the same resources as the workload: list them so the clients' bottleneck analysis sees them.
      sg4::Link* sw = world_.platform.switch_link(network);
      flow->uses    = {{sr->link->get_name() + "_UP", "", sr->capacity_Bps, 1.0, ""},
                       {dr->link->get_name() + "_DOWN", "", dr->capacity_Bps, 1.0, ""},
                       {sw->get_name(), "", sw->get_bandwidth(), 1.0, ""},
                       {hosts[3]->get_name(), "", hosts[3]->get_speed(), flops[3] / payload, ""},
                       {hosts[4]->get_name(), "", hosts[4]->get_speed(), 1.0, ""}};
      // Captures what outlives the flow (the world, the scenario's volume), never this actor.
      World* world       = &world_;
      std::string volume = vol_.name;
      std::string sk = Topology::nic_name(sn, sr->nic->name), dk = Topology::nic_name(dn, dr->nic->name);
      flow->on_progress = [world, volume, dst, sk, dk](double delta) {
        double& left = world->pending_heal[volume][dst];
        left         = std::max(0.0, left - delta);
        world->recorder.phase().nics[sk].tx_bytes += delta;
        world->recorder.phase().nics[dk].rx_bytes += delta;
      };
      flow->start(hosts, flops, bytes);
      world_.add_flow(flow);
      // Starting took simcalls: the run may have finished, or a node gone, meanwhile (their cancel loops ran
      // before this flow was registered).
      if (world_.finished || !can_heal(src, dst) || heal_network(src) != network) flow->cancel();
      double t0 = World::now();
      bool done = flow->running();
      try {
        if (done) flow->exec->wait();
      } catch (const simgrid::CancelException&) {
        done = false; // a node of the heal went down, or the run ended
      }
      world_.sample();
      flow->account();
      world_.remove_flow(flow);
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
  while (!world_.finished) {
    uint64_t seen = world_.generation();
    if (!heal_one()) world_.wait_change(seen);
  }
}

} // namespace ibmig::sim
