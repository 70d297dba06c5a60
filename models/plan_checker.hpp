/* The plan checker reads a scenario's plan without executing it and reports mistakes a real migration would suffer
 * from. Each finding has a rule id, a severity and names the step. Rules are listed in README.md. */
#pragma once

#include "report.hpp"
#include "scenario.hpp"

#include <vector>

namespace ibmig {

std::vector<CheckFinding> check_plan(const Scenario& sc);

/* True when any finding is an error (ibmig check then exits with status 1). */
bool has_errors(const std::vector<CheckFinding>& findings);

} // namespace ibmig
