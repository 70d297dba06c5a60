/* A node that goes away without warning (scenario "faults"): clients whose replica sets include one of its bricks
 * stall for network.ping-timeout, then carry on with the surviving bricks if client quorum allows, or stop. With
 * down_for it comes back; the report's fault entry says when, and when its bricks had nothing left to heal. */
#pragma once

#include "world.hpp"

namespace ibmig::sim {

class FaultInjector {
public:
  FaultInjector(World& world, const Fault& fault) : world_(world), fault_(fault) {}
  void operator()();

private:
  void record_problems(double now, const Transition& t);
  double pending_on_node() const; // bytes still to heal onto the node's bricks

  World& world_;
  const Fault& fault_;
};

} // namespace ibmig::sim
