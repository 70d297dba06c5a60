/* A seeded generator of random valid scenarios (as JSON, for parse_scenario): random clusters, or a given cluster
 * with a random workload, plan and faults. Plans use every action of the step vocabulary, rolling blocks, faults
 * at a time and after a step (with and without down_for), and workload phases of 0 s. "Valid" means the loader
 * accepts it; the plan itself may be a bad one (steps that fail, checker errors): that is what is being tested.
 * The same seed and options give the same scenario on every machine (no std:: distributions). */
#pragma once

#include "scenario.hpp"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>

namespace ibmig::fuzz {

struct RandomScenarioOptions {
  /* A scenario whose cluster is kept (technologies, hcas, calibration, networks, nodes, storage_names, volumes):
   * only the workload, plan and faults are random. Null: the cluster is random too. */
  nlohmann::json base;
  bool keep_workload = false; // with a base: keep its workload too, so only the plan and faults vary
  // Random clusters (0: chosen by the seed).
  int nodes       = 0;  // 1..8 nodes
  int replica     = 0;  // replica count of the first volume: 1, 2 or 3 (needs that many servers)
  int max_entries = 10; // top-level plan entries (steps or rolling blocks)
  bool faults     = true;
  /* Random clusters: names that collided in the SimGrid platform before issue 7 (two switches with one name; node
   * "a" with NIC "b-eth1" beside node "a-b" with NIC "eth1"). The loader may refuse them with the path of the name;
   * anything else than a refusal or a clean run is a finding. */
  bool clashing_names = false;
};

/* A whole scenario: schemaVersion, name, cluster (random or opt.base's), workload, plan, faults. */
nlohmann::json random_scenario(uint64_t seed, const RandomScenarioOptions& opt = {});

/* Only a random cluster (no workload, plan or faults), as random_scenario builds without a base. */
nlohmann::json random_cluster(uint64_t seed, const RandomScenarioOptions& opt = {});

/* A random 8-node cluster whose first volume is replica 3, with a workload and an empty plan: the first seed whose
 * NIC definitions pass the plan checker (random clusters may declare NICs the rules refuse, and then no plan on
 * them is clean). Null when none of the first 1000 seeds does. */
nlohmann::json clean_8node_replica3_base();

/* The differential tests' plans: from `first_seed` on, random plans on `base` (its cluster and workload kept, no
 * faults) until `count` of them load; `visit` gets each with its seed. Returns how many the loader refused (the
 * generator's rare invalid plan). */
int for_each_plan_on(const nlohmann::json& base, uint64_t first_seed, int count,
                     const std::function<void(uint64_t seed, const Scenario& sc)>& visit);

} // namespace ibmig::fuzz
