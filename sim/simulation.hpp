/* Runs the SimGrid model of a scenario. SimGrid allows one engine per process, so every run happens in a forked
 * child that sends its report back through a pipe: the caller can simulate many times (Monte Carlo, tests, the
 * emulator's prediction) without ever creating an engine itself. */
#pragma once

#include "report.hpp"
#include "scenario.hpp"

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace ibmig::sim {

/* The simulator itself failed (a deadlock, a crash or an abort of a run): never a result. */
class SimulationError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct SimOptions {
  int runs      = 1; // >1: Monte Carlo over the step-duration distributions, P50/P95 in the report
  uint64_t seed = 1;
  int parallel  = 2; // children at once
  // Called after each Monte Carlo run (the progress line of simulate --runs).
  std::function<void()> on_run_done;
};

struct RunStats {
  double wall_s    = 0; // wall time of the nominal run's child
  double cpu_s     = 0; // its user + system CPU time (the figure to compare on a busy machine)
  long max_rss_kib = 0; // its peak resident memory
};

/* The nominal run (distributions at their nominal values) plus, with runs > 1, the Monte Carlo spread.
 * Includes the plan checker's findings. Throws std::runtime_error when a child fails. */
Report simulate(const Scenario& sc, const SimOptions& opt = {}, RunStats* stats = nullptr);

/* One run in this process (creates the SimGrid engine: call it at most once per process). */
Report simulate_in_process(const Scenario& sc, const std::vector<Seconds>& step_durations);

std::vector<Seconds> nominal_durations(const Scenario& sc);
std::vector<Seconds> sample_durations(const Scenario& sc, uint64_t seed);

} // namespace ibmig::sim
