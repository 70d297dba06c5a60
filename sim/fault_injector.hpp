/* A node that goes away without warning (scenario "faults"): clients whose replica sets include one of its bricks
 * stall for network.ping-timeout, then carry on with the surviving bricks if client quorum allows, or stop. */
#pragma once

#include "world.hpp"

namespace ibmig::sim {

class FaultInjector {
public:
  FaultInjector(World& world, const Fault& fault) : world_(world), fault_(fault) {}
  void operator()();

private:
  World& world_;
  const Fault& fault_;
};

} // namespace ibmig::sim
