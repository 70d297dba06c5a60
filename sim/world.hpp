/* What the actors of one simulated run share: the scenario, the SimGrid platform, the cluster's state, the running
 * flows and the recorder. Whoever changes the state calls sample() first (so the bytes and bottlenecks up to now
 * are charged to the old state) and changed() after (so clients and heal daemons re-plan).
 *
 * Actors interleave at every simcall (starting, cancelling or querying an activity, locking, sleeping), so:
 * - shared lists are never walked across a simcall: walkers take a snapshot of FlowPtrs, which also keeps each
 *   flow's Exec alive until the walk is done;
 * - a change is a generation number: an actor reads generation() before it looks at the state, and
 *   wait_change(seen) returns at once if anything changed (or the run finished) since, so no wakeup is lost. */
#pragma once

#include "cluster_model.hpp"
#include "flow.hpp"
#include "platform_builder.hpp"
#include "recorder.hpp"

#include <cstdint>
#include <map>
#include <simgrid/s4u.hpp>
#include <vector>

namespace ibmig::sim {

class World {
public:
  World(const Scenario& sc, std::vector<Seconds> step_durations);

  const Scenario& sc;
  Platform platform;
  ClusterModel model; // the one cluster model: what the plan and faults do to power, services, NICs, names, VMs
  Recorder recorder;
  std::vector<Seconds> step_durations; // sampled (or nominal) duration of each plan step
  bool finished    = false;            // set by finish(): actors leave their loops
  int current_step = -1;               // index of the plan step running, -1 before, size() after

  /* Bytes still to heal: pending[volume][brick index]. */
  std::map<std::string, std::vector<double>> pending_heal;
  double pending_heal_bytes(const std::string& volume) const;

  void add_flow(const FlowPtr& f);
  void remove_flow(const FlowPtr& f);
  /* Cancels the heal transfers to or from `node` (call after the state says the node is gone). */
  void cancel_heals_on(const std::string& node);
  /* Some registered flow crosses one of these SimGrid resources. */
  bool any_flow_uses(const std::vector<std::string>& names) const;
  bool any_running_flow_uses(const std::vector<std::string>& names) const;
  /* Cancels the running flows that cross one of them (their owners see the cancellation and re-plan). */
  void cancel_flows_using(const std::vector<std::string>& names);
  /* Charges progress since the last sample and attributes each flow's bottleneck over that interval. One sampler
   * at a time: a second one waits, then finds nothing left to charge. */
  void sample();
  /* Re-evaluates availability (downtime intervals) and wakes every actor waiting for a change. */
  void changed();
  /* Ends the run: actors leave their loops and running heals are cancelled (they must not keep it going). */
  void finish();

  uint64_t generation() const { return generation_; }
  /* Waits until the generation differs from `seen` or the run finished (returns at once if so already). */
  void wait_change(uint64_t seen);
  /* The same, but also returns at simulated time `deadline`. */
  void wait_change_until(uint64_t seen, double deadline);

  static double now() { return simgrid::s4u::Engine::get_clock(); }

private:
  std::vector<FlowPtr> snapshot() const;
  void wait(uint64_t seen, const double* deadline);

  simgrid::s4u::MutexPtr mutex_;
  simgrid::s4u::ConditionVariablePtr cv_;
  simgrid::s4u::MutexPtr sample_mutex_;
  uint64_t generation_ = 0;
  std::map<const Flow*, FlowPtr> flows_;
  double last_sample_ = 0;
};

} // namespace ibmig::sim
