/* Downtime, kept the same way by both worlds: an AvailabilityLog is told the current truth (available or not, and
 * why) at every change and closes an interval when it flips; downtime_entry attributes the intervals to the plan's
 * steps, with what fell before and after the plan. The step clock rule lives here too, so the simulator and the
 * emulator time a step alike. */
#pragma once

#include "report.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ibmig {

/* A step lasts its runbook duration or the time the machine needs for it, whichever is longer (an admin cannot
 * finish a step before its commands have). */
inline double step_duration_s(double runbook_s, std::optional<double> machine_s)
{
  return machine_s && *machine_s > runbook_s ? *machine_s : runbook_s;
}

class AvailabilityLog {
public:
  /* The truth for `name` at `now`: an interval opens when it becomes unavailable and closes when it is available
   * again or unavailable for another reason (then a new one opens). */
  void set(const std::string& name, bool available, const std::string& reason, double now);
  bool down(const std::string& name) const;
  /* Closes every open interval at `now`, appending `suffix` to its reason (e.g. " (not recovered)"). */
  void close_all(double now, const std::string& suffix = "");
  /* What is down now, with the reason it went down. */
  std::map<std::string, std::string> down_now() const;
  std::vector<Interval> intervals(const std::string& name) const;

private:
  struct Status {
    bool down    = false;
    double since = 0;
    std::string reason;
  };
  std::map<std::string, Status> status_;
  std::map<std::string, std::vector<Interval>> intervals_;
};

/* Total and per-step downtime of `name`: the overlap of its intervals with each step, and what fell before
 * `plan_start` or after `plan_end` ("before", "after"). */
DowntimeEntry downtime_entry(const std::string& name, const std::vector<Interval>& intervals,
                             const std::vector<StepReport>& steps, double plan_start, double plan_end);

} // namespace ibmig
