/* The live lab next to the plan (`ibmig lab status`): which steps are done, as observed (the observation compared
 * with the cluster model's state after each step, emu::differences), the current step, the VMs' throughput and
 * downtime so far, and the checker's rules the observed state breaks, in the checker's words (state_rules.hpp asked
 * of a ClusterModel whose state is overwritten with the observation). Pure logic. */
#pragma once

#include "cluster_model.hpp"
#include "lab_observation.hpp"
#include "report.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ibmig::lab {

enum class StepProgress { NotDone, Partly, Done };
const char* to_string(StepProgress p);

struct StepStatus {
  std::string name;
  std::string json_path;
  StepProgress progress = StepProgress::NotDone;
  std::vector<std::string> done_on;     // Partly: the step's nodes that already look as after it
  std::vector<std::string> differences; // the current step: what differs from the state after it, per node
  bool observable = true;               // it changes something observe() sees (a check or a wait does not)
};

struct LabStatus {
  std::vector<StepStatus> steps;
  size_t current = 0;    // the first step not done (steps.size(): the plan is done)
  bool on_plan   = true; // the lab is in a state the plan passes through (or between two of them, node by node)
  std::vector<std::string> off_plan; // !on_plan: what differs from the nearest state of the plan
  std::optional<BytesPerSecond> vm_write_rate;
  std::optional<Seconds> downtime;
  std::map<std::string, LabVm> vms;
  std::optional<Verification> verification;
  std::map<std::string, std::string> volume_networks; // volume -> the network its first server's pool uses
  std::vector<CheckFinding> broken_rules;             // rules the observed state breaks and the plan's does not
};

/* The cluster model after each step: [0] is the cluster as the scenario declares it, [k] after plan step k. */
std::vector<ClusterModel> states_along_plan(const Scenario& sc);
/* What observe() would see on `node` in the model's state (the inverse of emu::differences): a hand-made observation
 * for tests and the fake lab. */
emu::ObservedNode expected_observation(const ClusterModel& m, const std::string& node);
/* The same for every node (powered as the model says); no volume information. */
LabObservation expected_lab(const ClusterModel& m);

LabStatus lab_status(const Scenario& sc, const LabObservation& obs);
/* The status of an observation against precomputed states (the lesson asks at every Enter). */
LabStatus lab_status(const Scenario& sc, const std::vector<ClusterModel>& states, const LabObservation& obs);

void print_lab_status(const LabStatus& s, std::ostream& out);
nlohmann::json to_json(const LabStatus& s);

} // namespace ibmig::lab
