/* Operator mistakes injected into a replay (`ibmig emulate --inject NAME`). Each one is applied to a copy of the
 * scenario, so the same mistaken plan is replayed for real and read by the static plan checker. */
#pragma once

#include "scenario.hpp"

#include <string>
#include <vector>

namespace ibmig::emu {

/* names-not-repointed, mtu-mismatch, client-left-mounted, node-does-not-return */
const std::vector<std::string>& known_mistakes();

struct MistakenPlan {
  /* The cluster the run emulates: the scenario with the mistaken plan (for client-left-mounted, also the victim's
   * new NICs installed in an earlier maintenance window, so that the node need not be power-cycled). The run
   * builds, replays and checks this one. */
  Scenario scenario;
  /* Per step of `plan`: the network the storage names should resolve to once that step is done, as the original
   * plan intends (checks compare what the cluster really uses against it). */
  std::vector<std::string> intended_names_network;
  std::vector<std::string> descriptions; // what was changed, in plain words, one per mistake
  std::string victim_node;               // the node a mistake singles out ("" for none)
};

/* Applies the mistakes in order; throws std::invalid_argument for an unknown name or one that does not apply to
 * this plan (e.g. mtu-mismatch without a configure_interface step). */
MistakenPlan apply_mistakes(const Scenario& sc, const std::vector<std::string>& names);

} // namespace ibmig::emu
