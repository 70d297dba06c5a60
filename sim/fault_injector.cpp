#include "fault_injector.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace ibmig::sim {

namespace {
/* Sleeps until `t` unless the run finishes first (an actor must not outlive the run). */
bool wait_until(World& world, double t)
{
  for (;;) {
    uint64_t seen = world.generation();
    if (world.finished || World::now() >= t) break;
    world.wait_change_until(seen, t);
  }
  return !world.finished;
}
} // namespace

void FaultInjector::operator()()
{
  if (fault_.after_step >= 0)
    for (;;) {
      uint64_t seen = world_.generation();
      if (world_.current_step >= fault_.after_step || world_.finished) break;
      world_.wait_change(seen);
    }
  else
    wait_until(world_, fault_.at.value);
  if (world_.finished) return;
  double t0 = World::now();
  world_.sample();
  size_t rec = world_.recorder.add_fault({fault_.node, fault_.json_path, t0, {}, {}, {}, {}});
  record_problems(t0, world_.model.crash(fault_.node));
  world_.cancel_heals_on(fault_.node);
  double longest_stall = world_.model.stall_clients_of(fault_.node, t0);
  world_.recorder.event(t0, "fault",
                        "node " + fault_.node +
                            " crashed; its VMs are down and clients of its bricks stall for network.ping-timeout");
  world_.changed();
  if (longest_stall > 0) {
    if (!wait_until(world_, t0 + longest_stall)) return;
    world_.sample();
    world_.recorder.event(World::now(), "stall-end",
                          "ping-timeout expired: clients carry on without " + fault_.node + " where quorum allows");
    world_.changed();
  }
  if (fault_.down_for) {
    if (!wait_until(world_, t0 + fault_.down_for->value) || !world_.model.node(fault_.node).crashed) return;
    world_.sample();
    double back = World::now();
    record_problems(back, world_.model.recover(fault_.node));
    world_.recorder.fault(rec).back_s = back;
    world_.recorder.event(back, "fault-end", "node " + fault_.node + " is back (its VMs stay stopped until started)");
    world_.changed();
    // The heal of what it missed: until no brick on the node has anything pending (the run may end first).
    for (;;) {
      uint64_t seen = world_.generation();
      if (world_.finished) return;
      if (pending_on_node() <= 0) break;
      world_.wait_change(seen);
    }
    FaultReport& f = world_.recorder.fault(rec);
    f.healed_s     = World::now();
    f.heal_s       = World::now() - back;
  }
}

/* What the model finds wrong with the crash or the recovery (a stale copy left alone, a split-brain): findings of
 * the simulated run, and a split-brain also an event the verdict counts. */
void FaultInjector::record_problems(double now, const Transition& t)
{
  for (auto const& p : t.problems) {
    world_.recorder.finding(p.rule, "", p.detail);
    if (p.rule == "SPLIT_BRAIN_RISK") world_.recorder.event(now, "split-brain-risk", p.detail);
  }
}

double FaultInjector::pending_on_node() const
{
  double left = 0;
  for (auto const& v : world_.sc.volumes)
    for (size_t b = 0; b < v.bricks.size(); b++)
      if (v.bricks[b].node == fault_.node) left += world_.pending_heal.at(v.name)[b];
  return left;
}

} // namespace ibmig::sim
