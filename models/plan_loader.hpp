/* The plan loader: the migration plan's steps (rolling blocks unrolled into one step per node, in order) and the
 * faults, read after the nodes, networks and volumes they refer to. Part of the scenario loader
 * (scenario_loader.hpp); errors name the file and the JSON path. */
#pragma once

#include "object_reader.hpp"
#include "scenario.hpp"

namespace ibmig::loader {

void read_plan(ObjectReader& root, Scenario& sc);   // "plan"
void read_faults(ObjectReader& root, Scenario& sc); // "faults", after the plan: a fault may name a step

} // namespace ibmig::loader
