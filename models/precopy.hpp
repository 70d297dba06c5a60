/* QEMU's pre-copy decision (migration/migration.c, docs/research/runbook-sources.md Q6-Q8), apart from how a round
 * is carried: send all memory, then what the guest dirtied meanwhile, round after round; once what is left fits the
 * downtime limit at the rate the last round got, pause the guest and send it (the stop-and-copy). QEMU has no round
 * limit: a copy whose rounds stop shrinking (the NICs it shares leave it less than the dirty rate), or that takes
 * kMaxRounds, is reported as not converging rather than run forever. The simulator times the rounds as flows; the
 * emulator (when it replays migrations) sends them as bytes. */
#pragma once

#include "scenario.hpp"

#include <string>

namespace ibmig {

class Precopy {
public:
  static constexpr int kMaxRounds = 30;

  Precopy(const VmMemory& memory, const Step& st) : memory_(memory), limit_s_(st.downtime_limit.value) {}

  /* Bytes of the next round (all memory at first). */
  double next_round() const { return left_; }
  /* The round of `bytes` took `seconds`: what it dirtied is next; true when that is the stop-and-copy. */
  bool round_done(double bytes, double seconds);
  /* The copy cannot finish: why ("" while it can). */
  const std::string& stalled() const { return stalled_; }
  int rounds() const { return rounds_; }
  double sent() const { return sent_; }

private:
  VmMemory memory_;
  double limit_s_;
  double left_ = memory_.size.value;
  double sent_ = 0;
  int rounds_  = 0;
  std::string stalled_;
};

} // namespace ibmig
