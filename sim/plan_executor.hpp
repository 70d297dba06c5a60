/* Executes the migration plan on the simulated cluster: each step takes its (sampled) duration and changes the
 * cluster's state at its start (things that stop) or at its end (things that start), as a runbook step does. */
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
  void apply_at_start(const Step& st, StepReport& rep);
  void apply_at_end(const Step& st, StepReport& rep);
  void wait_heal(const Step& st, StepReport& rep);
  void take_down(const std::string& node, const std::string& what, double now);
  void fail(StepReport& rep, const std::string& why);
  /* What the system itself needs for the step (calibration, measured by ibmig emulate); none for physical steps. */
  std::optional<double> machine_time(const Step& st) const;

  World& world_;
};

} // namespace ibmig::sim
