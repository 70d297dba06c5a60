/* `ibmig generate`: a valid scenario of a given size, for capacity studies and benchmarks. Same shape as the
 * reference cluster (hyperconverged nodes, 1GbE storage network, full-downtime migration to IPoIB). */
#pragma once

#include "units.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace ibmig {

struct GeneratorOptions {
  int nodes        = 4;
  int vms_per_node = 2;
  int replica      = 2;
  Seconds duration{60}; // length of the "before" and "after" workload phases
};

/* Largest generated cluster in VMs (nodes x VMs per node). Measured peak memory of `ibmig generate -o /dev/null`
 * (Release, /usr/bin/time -v): 2.3 kB per VM plus 7.2 kB per node (1000 x 100: 273 MB, 4000 x 100: 994 MB,
 * 62500 x 0: 449 MB, 62500 x 8: 1.58 GB). The worst case at the cap, 62500 nodes x 4, peaks at 0.99 GB and fits
 * the 2 GB address space of `ulimit -v 2000000`, in which 62500 x 12 died of bad_alloc. Simulating needs about
 * 57 kB per VM (100 x 10: 91 MB, 200 x 10: 148 MB), some 14 GB at the cap: a larger cluster is of no use. */
constexpr long long kMaxGeneratedVms = 250000;

/* Why a cluster of this size is not generated (naming the command-line flags), or "" within the cap. */
std::string generated_size_problem(int nodes, int vms_per_node);

nlohmann::json generate_scenario(const GeneratorOptions& opt); // throws std::invalid_argument on a problem

} // namespace ibmig
