#include "precopy.hpp"

#include <cstdio>

namespace ibmig {

bool Precopy::round_done(double bytes, double seconds)
{
  rounds_++;
  sent_ += bytes;
  const double rate  = seconds > 0 ? bytes / seconds : 1e300;
  const double dirty = memory_.dirty_rate.value;
  const double next  = dirty * seconds; // dirtied while that round was sent
  if (next <= rate * limit_s_) {
    left_ = next;
    return true;
  }
  if (next >= bytes || rounds_ >= kMaxRounds) {
    char why[160];
    if (next >= bytes)
      std::snprintf(why, sizeof why, "%.1f MB/s for the copy, %.1f MB/s dirtied", rate / 1e6, dirty / 1e6);
    else
      std::snprintf(why, sizeof why, "still %.0f MB to copy after %d rounds", next / 1e6, rounds_);
    stalled_ = why;
  }
  left_ = next;
  return false;
}

} // namespace ibmig
