#include "statistics.hpp"

#include <algorithm>
#include <cmath>

namespace ibmig {

std::optional<double> percentile(std::vector<double> values, double p)
{
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

} // namespace ibmig
