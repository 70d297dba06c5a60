#include "downtime.hpp"

#include <algorithm>

namespace ibmig {

void AvailabilityLog::set(const std::string& name, bool available, const std::string& reason, double now)
{
  Status& st = status_[name];
  if (st.down && (available || st.reason != reason)) {
    if (now > st.since) intervals_[name].push_back({st.since, now, st.reason});
    st.down = false;
  }
  if (!available && !st.down) st = {true, now, reason};
}

bool AvailabilityLog::down(const std::string& name) const
{
  auto it = status_.find(name);
  return it != status_.end() && it->second.down;
}

void AvailabilityLog::close_all(double now, const std::string& suffix)
{
  for (auto& [name, st] : status_)
    if (st.down) {
      intervals_[name].push_back({st.since, now, st.reason + suffix});
      st.down = false;
    }
}

std::map<std::string, std::string> AvailabilityLog::down_now() const
{
  std::map<std::string, std::string> out;
  for (auto const& [name, st] : status_)
    if (st.down) out[name] = st.reason;
  return out;
}

std::vector<Interval> AvailabilityLog::intervals(const std::string& name) const
{
  auto it = intervals_.find(name);
  return it == intervals_.end() ? std::vector<Interval>{} : it->second;
}

DowntimeEntry downtime_entry(const std::string& name, const std::vector<Interval>& intervals,
                             const std::vector<StepReport>& steps, double plan_start, double plan_end)
{
  DowntimeEntry d;
  d.name      = name;
  d.intervals = intervals;
  for (auto const& i : intervals)
    d.seconds += i.end_s - i.start_s;
  auto overlap = [&](double a, double b) {
    double s = 0;
    for (auto const& i : intervals)
      s += std::max(0.0, std::min(b, i.end_s) - std::max(a, i.start_s));
    return s;
  };
  double before = overlap(-1e300, plan_start), after = overlap(plan_end, 1e300);
  if (before > 0) d.by_step.push_back({"before", before});
  for (auto const& s : steps)
    d.by_step.push_back({s.name, overlap(s.start_s, s.end_s)});
  if (after > 0) d.by_step.push_back({"after", after});
  return d;
}

} // namespace ibmig
