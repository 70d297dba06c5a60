/* What the actors of one simulated run share: the scenario, the SimGrid platform, the cluster's state, the running
 * flows and the recorder. Whoever changes the state calls sample() first (so the bytes and bottlenecks up to now
 * are charged to the old state) and changed() after (so clients and heal daemons re-plan). */
#pragma once

#include "cluster_state.hpp"
#include "flow.hpp"
#include "platform_builder.hpp"
#include "recorder.hpp"

#include <map>
#include <set>
#include <simgrid/s4u.hpp>
#include <vector>

namespace ibmig::sim {

class World {
public:
  World(const Scenario& sc, std::vector<Seconds> step_durations);

  const Scenario& sc;
  Platform platform;
  ClusterState state;
  Recorder recorder;
  std::vector<Seconds> step_durations; // sampled (or nominal) duration of each plan step
  simgrid::s4u::MutexPtr mutex;
  simgrid::s4u::ConditionVariablePtr cv;
  bool finished    = false;
  int current_step = -1; // index of the plan step running, -1 before, size() after

  /* Bytes still to heal: pending[volume][brick index]. */
  std::map<std::string, std::vector<double>> pending_heal;
  double pending_heal_bytes(const std::string& volume) const;

  /* Heal transfers in progress, with the two nodes they connect: taking either down cancels them. */
  std::map<Flow*, std::pair<std::string, std::string>> heals;
  void cancel_heals_on(const std::string& node);

  void add_flow(Flow* f) { flows_.insert(f); }
  void remove_flow(Flow* f) { flows_.erase(f); }
  /* Charges progress since the last sample and attributes each flow's bottleneck over that interval. */
  void sample();
  /* Re-evaluates availability (downtime intervals) and wakes every actor waiting for a change. */
  void changed();
  /* Waits for the next change (or `timeout` seconds of simulated time, when positive). */
  void wait_change(double timeout = -1);

  static double now() { return simgrid::s4u::Engine::get_clock(); }

private:
  std::set<Flow*> flows_;
  double last_sample_ = 0;
};

} // namespace ibmig::sim
