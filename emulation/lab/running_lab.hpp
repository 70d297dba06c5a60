/* Finding a running lab by name (state files ibmig-*.json of the emulator's state dir, run_state.hpp, whose owner
 * lives), and attaching the lesson and lab status to it. */
#pragma once

#include "lesson.hpp"
#include "scenario.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ibmig::lab {

/* A lab is not running, or cannot be attached: the command prints what() and exits with status 2. */
class LabNotRunning : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct RunningLab {
  std::string name;       // the run id
  std::string state_file; // DIR/ibmig-NAME.json
};
/* The runs of `state_dir` whose owner process still lives. */
std::vector<RunningLab> running_labs(const std::string& state_dir);
/* The lab named `name` ("" : the only one running); throws LabNotRunning with "no lab named L is running (ibmig lab
 * up SCENARIO)". */
RunningLab find_lab(const std::string& state_dir, const std::string& name);

/* The running lab as the lesson sees it. The lab commands (`ibmig lab up`, another file) own the cluster; until they
 * provide this, it throws LabNotRunning saying this build cannot attach. */
std::unique_ptr<Lab> attach_lab(const RunningLab& lab, const Scenario& sc);

/* `ibmig lab status [--lab LAB] [--json]`, for the lab command to call: prints the status of the running lab
 * against `sc`'s plan (text, or JSON with --json) and returns the exit status (0; 2 when the lab is not running). */
int lab_status_command(const Scenario& sc, const std::string& lab, bool json, const std::string& state_dir,
                       std::ostream& out, std::ostream& err);

} // namespace ibmig::lab
