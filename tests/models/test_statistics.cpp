/* The one percentile: the simulator's Monte Carlo P50/P95 and the RDMA benchmarks' medians and P99 latencies all
 * come from it, so a wrong rank here misreports every spread. */
#include "statistics.hpp"

#include <gtest/gtest.h>

using ibmig::percentile;

// If this fails, the rank is not nearest-rank: P50 of an even count must be the lower middle value, and the input's
// order must not matter.
TEST(Percentile, SmallVectors)
{
  EXPECT_EQ(percentile({3, 1, 2}, 0.50), 2.0);
  EXPECT_EQ(percentile({4, 1, 3, 2}, 0.50), 2.0);
  EXPECT_EQ(percentile({4, 1, 3, 2}, 0.95), 4.0);
  EXPECT_EQ(percentile({5, 4, 3, 2, 1, 10, 9, 8, 7, 6}, 0.95), 10.0);
  EXPECT_EQ(percentile({5, 4, 3, 2, 1, 10, 9, 8, 7, 6}, 0.90), 9.0);
}

// If this fails, P95 over 20 Monte Carlo runs is not the 19th smallest plan duration.
TEST(Percentile, TwentyRuns)
{
  std::vector<double> runs;
  for (int i = 20; i >= 1; --i)
    runs.push_back(100.0 * i);
  EXPECT_EQ(percentile(runs, 0.95), 1900.0);
  EXPECT_EQ(percentile(runs, 0.50), 1000.0);
}

// If this fails, the ends are out of range: p = 0 is the minimum, p = 1 the maximum, never past either end.
TEST(Percentile, Ends)
{
  EXPECT_EQ(percentile({2, 7, 5}, 0.0), 2.0);
  EXPECT_EQ(percentile({2, 7, 5}, 1.0), 7.0);
  EXPECT_EQ(percentile({2, 7, 5}, 1.5), 7.0);
  EXPECT_EQ(percentile({2, 7, 5}, -0.5), 2.0);
}

// If this fails, one figure has a spread other than itself.
TEST(Percentile, OneValue)
{
  EXPECT_EQ(percentile({42}, 0.50), 42.0);
  EXPECT_EQ(percentile({42}, 0.95), 42.0);
  EXPECT_EQ(percentile({42}, 0.0), 42.0);
}

// If this fails, no figures read as a figure (and would have been read past the end of the vector).
TEST(Percentile, NoValues)
{
  EXPECT_FALSE(percentile({}, 0.50).has_value());
  EXPECT_FALSE(percentile({}, 0.95).has_value());
}
