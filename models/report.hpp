/* The report: one format written by `ibmig simulate` (predicted) and `ibmig emulate` (measured). Documented field by
 * field in README.md, section "Reading a report". MB = 10^6 bytes. */
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ibmig {

struct ClientFigures {
  std::string name; // VM name
  std::string node;
  double write_MBps                 = 0;
  double read_MBps                  = 0;
  double small_files_per_s          = 0;
  int replicas                      = 0; // bricks in the replica set of its image (data bricks, arbiter excluded)
  int replicas_local                = 0; // of those, on the VM's own node
  double nic_bytes_per_byte_written = 0; // payload bytes its node's storage NIC sent per byte the VM wrote
  std::string bottleneck;                // what limits it in this phase ("" when idle)
};

struct PhaseReport {
  std::string name; // "before", a step name, "after"
  double start_s              = 0;
  double end_s                = 0;
  double aggregate_write_MBps = 0;
  double aggregate_read_MBps  = 0;
  std::string bottleneck; // the most common limit among the clients that did I/O
  std::vector<ClientFigures> clients;
};

struct NicPhaseBytes {
  std::string phase;
  double tx_bytes = 0;
  double rx_bytes = 0;
};

struct NicReport {
  std::string node;
  std::string interface;
  std::string network;
  std::vector<NicPhaseBytes> phases;
};

struct DowntimeByStep {
  std::string step;
  double seconds = 0;
};

struct Interval {
  double start_s = 0;
  double end_s   = 0;
  std::string reason;
};

struct DowntimeEntry {
  std::string name; // VM or volume name
  double seconds = 0;
  std::optional<double> p50_s; // with --runs > 1
  std::optional<double> p95_s;
  std::vector<DowntimeByStep> by_step;
  std::vector<Interval> intervals;
};

struct StepReport {
  std::string name;
  std::string action;
  double start_s      = 0;
  double end_s        = 0;
  std::string outcome = "ok";       // "ok" or "failed"
  std::string detail;               // why it failed, or what it observed
  std::string timing = "simulated"; // simulate: "simulated"; emulate: "measured" or "emulated-wait"
  std::optional<double> machine_s;  // the machine time of the step: simulate: modelled (null for physical steps);
                                    // emulate: measured (commands and checks, scaled sleeps excluded)
};

struct CheckFinding {
  std::string rule;     // e.g. "NAMES_NOT_REPOINTED"
  std::string severity; // "error" or "warning"
  std::string message;
  std::string step;             // step name ("" when about the whole plan)
  std::string origin = "check"; // "check": the plan checker; "simulation": only a simulated run can see it;
                                // "emulation": the emulated cluster differs from what the cluster model expects
};

struct Event {
  double t_s = 0;
  std::string kind; // "fault", "stall", "quorum-lost", "heal-done", "check-failed", ...
  std::string message;
};

struct Report {
  std::string tool; // "simulate" or "emulate"
  std::string scenario;
  std::string scenario_file;
  int runs                = 1;
  unsigned long long seed = 0;
  double plan_duration_s  = 0;
  std::optional<double> plan_duration_p50_s;
  std::optional<double> plan_duration_p95_s;
  std::optional<int> runs_with_failed_steps; // with runs > 1: how many sampled runs had a step fail
  std::vector<PhaseReport> phases;
  std::vector<NicReport> nics;
  std::vector<DowntimeEntry> volume_downtime;
  std::vector<DowntimeEntry> vm_downtime;
  std::vector<StepReport> steps;
  std::vector<CheckFinding> checks;
  std::vector<Event> events;
  nlohmann::json extra = nlohmann::json::object(); // tool-specific sections: "verification", "comparison", "rdma"
};

/* Did the plan work? What a CI job reads: the exit status of `ibmig simulate` is 1 unless ok(). */
struct Verdict {
  int failed_steps           = 0; // steps whose outcome is not "ok"
  int checker_errors         = 0; // plan checker findings of severity "error"
  int unserved_write_events  = 0; // "heal-risk" events: a brick went down while only it held some writes
  int runs_with_failed_steps = 0; // Monte Carlo runs (--runs N) in which a step failed
  int model_differences      = 0; // emulate: where the emulated cluster did not do what the cluster model says
  double bytes_lost          = 0; // emulate: bytes the read-back verification did not find
  bool ok() const
  {
    return failed_steps == 0 && checker_errors == 0 && unserved_write_events == 0 && runs_with_failed_steps == 0 &&
           model_differences == 0 && bytes_lost == 0;
  }
  std::string summary() const; // one line: "Result: OK ..." or "Result: FAILED: 5 steps failed, ..."
};
Verdict verdict(const Report& r);

nlohmann::json to_json(const Report& r);
Report report_from_json(const nlohmann::json& j); // for comparing a saved prediction with a measurement
void print_report(const Report& r, std::ostream& out);
void print_checks(const std::vector<CheckFinding>& checks, std::ostream& out);

} // namespace ibmig
