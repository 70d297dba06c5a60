/* The self-heal daemon of one volume: when a brick that missed writes is serving again, copy what it missed from a
 * good brick of its replica set. Healing starts as soon as the brick is back (AFR triggers an index heal when a
 * brick reconnects, rather than waiting for cluster.heal-timeout's 600 s crawl) and competes with the workload for
 * NICs and disks, limited by calibration.heal_MBps. */
#pragma once

#include "world.hpp"

namespace ibmig::sim {

class SelfHealDaemon {
public:
  SelfHealDaemon(World& world, const Volume& vol) : world_(world), vol_(vol) {}
  void operator()();

private:
  bool heal_one(); // false when nothing can be healed now
  bool can_heal(size_t src, size_t dst) const;
  std::string heal_network(size_t src) const;

  World& world_;
  const Volume& vol_;
};

} // namespace ibmig::sim
