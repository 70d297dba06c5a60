/* Executes the migration plan on the simulated cluster: each step takes its (sampled) duration; what it does to the
 * cluster is the cluster model's (models/cluster_model.hpp: begin at its start, end at its end); this adds only
 * time, SimGrid resource changes and the simulation's own findings (heal-risk, heal timeouts). */
#pragma once

#include "world.hpp"

namespace ibmig::sim {

class PlanExecutor {
public:
  explicit PlanExecutor(World& world) : world_(world) {}
  void operator()();

  double plan_start_s = 0;
  double plan_end_s   = 0;
  bool done           = false; // reached the end of the run (false after engine.run(): a deadlock)

private:
  /* Turns what the model says a step half did into the simulated world: failures, heal-risk events, cancelled
   * heals. */
  void record(const Step& st, const Transition& t, StepReport& rep);
  /* Re-rates NICs whose MTU or mode changed. */
  void rerate(const std::vector<std::pair<std::string, std::string>>& nics);
  void wait_heal(const Step& st, StepReport& rep);
  /* The step's live migrations, one after the other (QEMU pre-copy rounds, then the stop-and-copy pause). */
  void migrate(const Step& st, const std::vector<Migration>& moves, StepReport& rep);
  /* One copy of `bytes` of `vm`'s memory between two nodes; its time, or a negative value when it was cut. */
  double copy_memory(const Step& st, const Migration& m, double bytes);
  void take_down(const std::string& node, const std::string& what, double now);
  void fail(StepReport& rep, const std::string& why);
  /* What the system itself needs for the step (calibration, measured by ibmig emulate); none for physical steps. */
  std::string machine_time_source(const Step& st) const; // the calibration value behind machine_time
  std::optional<double> machine_time(const Step& st) const;

  World& world_;
};

} // namespace ibmig::sim
