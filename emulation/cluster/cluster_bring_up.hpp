/* The one build path of an emulated cluster, shared by `ibmig emulate` (emulator.cpp) and `ibmig lab up`
 * (emulation/lab): the run's names, the cluster object (whose destructor tears down whatever got built), built with
 * every VM's volume mounted and seen by every brick. */
#pragma once

#include "cluster.hpp"
#include "emulator.hpp"
#include "mistakes.hpp"

#include <memory>
#include <string>

namespace ibmig::emu {

std::string make_run_id();
/* Run id, state and work directories, and the size of the tmpfs that holds the bricks (memory_for_bricks). */
RunLayout make_run_layout(const Scenario& sc, const EmulateOptions& opt);
/* Not built yet: EmulationError for a rate scale outside (0, 1]. */
std::unique_ptr<EmulatedCluster> make_cluster(const Scenario& sc, const RunLayout& layout, CommandRunner& runner,
                                              const EmulateOptions& opt);
/* Namespaces, glusterd, volumes (EmulatedCluster::build), then every VM's volume mounted and recovered on every
 * brick. StepFailure when it cannot be. */
void bring_up(EmulatedCluster& cluster, const MistakenPlan& plan, const EmulateOptions& opt);

} // namespace ibmig::emu
