/* `ibmig generate`: a valid scenario of a given size, for capacity studies and benchmarks. Same shape as the
 * reference cluster (hyperconverged nodes, 1GbE storage network, full-downtime migration to IPoIB). */
#pragma once

#include "units.hpp"

#include <nlohmann/json.hpp>

namespace ibmig {

struct GeneratorOptions {
  int nodes        = 4;
  int vms_per_node = 2;
  int replica      = 2;
  Seconds duration{60}; // length of the "before" and "after" workload phases
};

nlohmann::json generate_scenario(const GeneratorOptions& opt);

} // namespace ibmig
