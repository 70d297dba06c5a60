/* Attaching `ibmig lab status` and `ibmig train` to a running lab: the lab's supervisor observes its cluster
 * (observe_lab) when asked over its socket, so these commands never hold the cluster themselves. */
#pragma once

#include "lab.hpp"
#include "lesson.hpp"
#include "scenario.hpp"

#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

namespace ibmig::lab {

/* A lab is not running, or cannot be attached: the command prints what() and exits with status 2. */
class LabNotRunning : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/* The live lab named `name` ("": the only one running); throws LabNotRunning with "no lab named L is running (ibmig
 * lab up SCENARIO)", or naming the labs to choose from. */
LabInfo running_lab(const std::string& state_dir, const std::string& name);

/* The running lab as the lesson sees it: observations and drills are requests to its supervisor. */
std::unique_ptr<Lab> attach_lab(const LabInfo& lab, const Scenario& sc);

/* `ibmig lab status [LAB] [--json]`: the status of the running lab against `sc`'s plan (text, or JSON) and the exit
 * status (0; 2 when the lab is not running). */
int lab_status_command(const Scenario& sc, const std::string& lab, bool json, const std::string& state_dir,
                       std::ostream& out, std::ostream& err);

} // namespace ibmig::lab
