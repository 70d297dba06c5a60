/* QEMU's pre-copy decision (models/precopy.hpp) on a link of constant rate: the rounds shrink by dirty/rate, the
 * stop-and-copy comes once what is left fits the downtime limit, and a guest that dirties as fast as the link sends
 * never gets there. */
#include "precopy.hpp"

#include <gtest/gtest.h>

using namespace ibmig;

namespace {

VmMemory memory(double gib, double dirty_MBps)
{
  return {Bytes{gib * 1024 * 1024 * 1024}, BytesPerSecond{dirty_MBps * 1e6}, "test"};
}

} // namespace

// If this fails, the simulator's rounds or its stop-and-copy size differ from QEMU's rule (threshold = rate x
// downtime limit on the bytes dirtied during the last round).
TEST(Precopy, RoundsShrinkUntilTheRestFitsTheDowntimeLimit)
{
  Step st; // QEMU's defaults: 300 ms
  Precopy copy(memory(4, 20), st);
  const double rate = 100e6; // bytes/s, the same every round
  double expected   = 4.0 * 1024 * 1024 * 1024;
  int rounds        = 0;
  while (true) {
    ASSERT_NEAR(copy.next_round(), expected, 1);
    double t = copy.next_round() / rate;
    rounds++;
    bool last = copy.round_done(copy.next_round(), t);
    expected *= 20e6 / rate; // what 20 MB/s dirties while the round is sent
    if (last) break;
    ASSERT_TRUE(copy.stalled().empty());
    ASSERT_LT(rounds, 10);
  }
  EXPECT_EQ(rounds, 4); // 4295, 859, 172 and 34 MB; then 6.9 MB <= 100 MB/s x 0.3 s = 30 MB
  EXPECT_NEAR(copy.next_round(), expected, 1);
  EXPECT_LE(copy.next_round(), rate * 0.3);
  EXPECT_GT(expected * rate / 20e6, rate * 0.3); // the round before did not fit
}

// If this fails, a guest that dirties memory as fast as the copy sends would loop forever (QEMU has no cap).
TEST(Precopy, AGuestDirtyingAsFastAsTheCopyStalls)
{
  Step st;
  Precopy copy(memory(1, 120), st);
  EXPECT_FALSE(copy.round_done(copy.next_round(), copy.next_round() / 100e6));
  EXPECT_NE(copy.stalled().find("100.0 MB/s for the copy, 120.0 MB/s dirtied"), std::string::npos) << copy.stalled();
}
