/* Order statistics of measured or simulated figures: the one percentile the simulator's Monte Carlo spread and the
 * RDMA benchmarks' medians and tail latencies are computed with. No Boost: the verbs tools link it too. */
#pragma once

#include <optional>
#include <vector>

namespace ibmig {

/* Nearest-rank percentile, p in [0, 1]: the smallest value that at least p of the values are at or below (p = 0.5 of
 * {1, 2, 3, 4} is 2, p = 0 the minimum, p = 1 the maximum). Nothing for no values. */
std::optional<double> percentile(std::vector<double> values, double p);

} // namespace ibmig
