/* What the lesson says about a step: what to do (the runbook's commands for the scenario's distribution, runbook.hpp)
 * and why (the reasoning of the write-up, in a few lines), and what a drill is and how to find it. */
#pragma once

#include "runbook.hpp"
#include "scenario.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace ibmig::lab {

/* The runbook step's work as the trainee types it: by hand, then per node (nodes with the same commands together),
 * then the checks with the output they expect. */
void print_what_to_do(const RunbookStep& rs, std::ostream& out);
/* The checks of a runbook step, one line each ("on n1: gluster peer status  -> expect: State: Peer in Cluster"). */
std::vector<std::string> check_lines(const RunbookStep& rs);
/* Why the step is done this way, from what is known of Gluster and IPoIB (FIELD-NOTES): lines of plain text. */
std::vector<std::string> why(const Scenario& sc, const Step& st);

/* A drill (--inject NAME, the names emulate knows: mistakes.hpp): what it does, what to look for, and the check
 * that confirms it. */
struct Drill {
  std::string name;
  std::string what;     // what the lab does wrong
  std::string look_for; // the symptom, with the real tools
  std::string confirm;  // the command that confirms it
};
/* Throws std::invalid_argument naming the known drills for an unknown name. */
Drill drill(const std::string& name);

/* True for the first steps that change the fabric: the lesson asks for a prediction before them. */
bool changes_fabric(const Step& st);

} // namespace ibmig::lab
