/* The report: one format written by `ibmig simulate` (predicted) and `ibmig emulate` (measured). Documented field by
 * field in README.md, section "Reading a report". MB = 10^6 bytes. */
#pragma once

#include "report_topology.hpp"
#include "units.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ibmig {

/* Closed vocabularies of the report. Each to_string gives the word the JSON report carries (README, "Reading a
 * report"); each parse_* takes that word back and throws std::invalid_argument naming the accepted ones. */
enum class StepOutcome { Ok, Failed };
enum class StepTiming {
  Simulated,   // simulate: every step
  Measured,    // emulate: the commands and checks ran here
  EmulatedWait // emulate: a physical step (power, NIC install, wait) stood for by a scaled sleep
};
enum class Severity { Warning, Error };
enum class FindingOrigin {
  Check,      // the plan checker
  Simulation, // only a simulated run can see it
  Emulation   // the emulated cluster differs from what the cluster model expects
};
const char* to_string(StepOutcome o);   // "ok", "failed"
const char* to_string(StepTiming t);    // "simulated", "measured", "emulated-wait"
const char* to_string(Severity s);      // "warning", "error"
const char* to_string(FindingOrigin o); // "check", "simulation", "emulation"
StepOutcome parse_step_outcome(const std::string& word);
StepTiming parse_step_timing(const std::string& word);
Severity parse_severity(const std::string& word);
FindingOrigin parse_finding_origin(const std::string& word);

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
  std::string bottleneck_source;         // where that limit's figure comes from (the scenario's "source" text)
  /* The figure is set by a parameter nobody measured: a user must re-measure it before trusting the answer. */
  bool rests_on_assumption() const;
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
  StepOutcome outcome = StepOutcome::Ok;
  std::string detail; // why it failed, or what it observed
  StepTiming timing = StepTiming::Simulated;
  std::optional<double> machine_s;  // the machine time of the step: simulate: modelled (null for physical steps);
                                    // emulate: measured (commands and checks, scaled sleeps excluded)
  std::string duration_source;      // what made the step longer than its runbook duration (a calibration value's
                                    // source: heal_MBps for a heal, glusterd_start_s, ...); empty: the runbook's
  bool rests_on_assumption() const; // its length was set by a parameter whose source is an assumption
};

struct CheckFinding {
  std::string rule; // e.g. "NAMES_NOT_REPOINTED"
  Severity severity = Severity::Error;
  std::string message;
  std::string step; // step name ("" when about the whole plan)
  FindingOrigin origin = FindingOrigin::Check;
};

struct Event {
  double t_s = 0;
  std::string kind; // "fault", "stall", "quorum-lost", "heal-done", "check-failed", ...
  std::string message;
};

/* One injected fault (scenario `faults`), as the run lived it. Both tools write it: the simulator predicts when the
 * node's bricks are healed, the emulator measures it (`gluster volume heal VOL info` with no pending entry). */
struct FaultReport {
  std::string node;
  std::string json_path; // "faults[0]"
  double crashed_s = 0;
  std::optional<double> back_s;   // the node booted again (down_for); none: it stayed down
  std::optional<double> healed_s; // every brick of a volume with a brick there had nothing left to heal
  /* healed_s - the moment the node's bricks served again: the heal of what it missed (none: not healed in the run). */
  std::optional<double> heal_s;
  std::vector<std::string> split_brain; // emulate: "VOL:/path" files Gluster reports in split-brain after it
};

/* One live migration (migrate_vms), as the run lived it. Both tools write it: the simulator times the pre-copy rounds
 * as flows, the emulator sends them as bytes between the two nodes (at --rate-scale R it runs 1/R times longer and
 * reports its times multiplied by R, back on the scenario's clock). */
struct MigrationReport {
  std::string vm;
  std::string step; // the migrate_vms step's name
  std::string from{}, to{}, network{};
  int precopy_rounds = 0; // rounds before the stop-and-copy
  double bytes       = 0; // every round's bytes, the stop-and-copy's included
  double seconds     = 0; // from the first byte to the end of the stop-and-copy
  double pause_s     = 0; // the stop-and-copy: the VM's downtime
  bool completed     = false;
  std::string why_not{}; // when not completed: cut, or does not converge
};

/* The sections only `ibmig emulate` writes; each is a top-level key of the JSON report, named as the member. */

/* The read-back of every written byte (emulation/cluster/verification.hpp). */
struct Verification {
  int files                    = 0;
  std::uint64_t bytes_verified = 0;
  std::uint64_t bytes_lost     = 0;
  std::vector<std::string> problems; // at most 10
  std::string method;                // how the bytes were read back, in plain words
};

/* One row of the predicted-vs-measured table (emulation/cluster/comparison.hpp). */
struct ComparisonRow {
  std::string metric;
  double predicted     = 0;
  double measured      = 0;
  double error_pct     = 0;
  double tolerance_pct = 0;
  bool within          = true;
  std::string note;
  const char* verdict() const; // the JSON "verdict": "within tolerance" or "DISAGREE: off by more than the tolerance"
};

/* How the emulated run was sized and where its state is. */
struct RunInfo {
  double time_scale = 0; // physical steps sleep duration * time_scale
  Bytes write_bytes;     // each max-rate writer, per phase (JSON: a number of bytes)
  Bytes read_file_bytes;
  int small_files = 0;
  std::string bricks; // where the bricks live, in plain words
  std::string id;     // the run id
  std::string state_file;
  /* --rate-scale: every link and stream class ran this many times slower, and every MB/s in the report was
   * divided by it (back to the scenario's speeds). JSON "rate_scale"; 1 when absent (reports before it existed). */
  double rate_scale = 1;
};

/* With --inject: whether the static plan checker flags the injected mistakes too. */
struct PlanCheckerInfo {
  std::vector<std::string> mistakes;
  bool flagged = false;
  std::vector<CheckFinding> new_findings; // not found on the plan without the mistakes (JSON: no "origin")
  std::string note;
};

struct EmulationSections {
  RunInfo run;
  std::string workload_mode; // how the phases ran, in plain words
  std::optional<PlanCheckerInfo> plan_checker;
  Verification verification;
  bool failed = false;                                  // the run found a problem (emulation/cluster/emulator.hpp)
  std::optional<std::vector<ComparisonRow>> comparison; // with a prediction
  /* With --rdma: the soft-RoCE plane's own report (cli/rdma_fabric.hpp, emulation/rdma). Kept as JSON: that plane
   * produces and prints it, the report only carries it. Null without --rdma. */
  nlohmann::json rdma;
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
  std::vector<FaultReport> faults;
  std::vector<MigrationReport> migrations;
  std::optional<EmulationSections> emulation; // emulate only
  /* The scenario's networks and nodes, for the diagram of `ibmig report --html`; absent in older reports. */
  std::optional<ReportTopology> topology;
};

/* Did the plan work? What a CI job reads: the exit status of `ibmig simulate` is 1 unless ok(). */
struct Verdict {
  int failed_steps           = 0; // steps whose outcome is not "ok"
  int checker_errors         = 0; // plan checker findings of severity "error"
  int unserved_write_events  = 0; // "heal-risk" events: a brick went down while only it held some writes
  int runs_with_failed_steps = 0; // Monte Carlo runs (--runs N) in which a step failed
  int model_differences      = 0; // emulate: where the emulated cluster did not do what the cluster model says
  double bytes_lost          = 0; // emulate: bytes the read-back verification did not find
  int split_brain            = 0; // "split-brain-risk" events (simulate) and files in split-brain (emulate)
  bool ok() const
  {
    return failed_steps == 0 && checker_errors == 0 && unserved_write_events == 0 && runs_with_failed_steps == 0 &&
           model_differences == 0 && bytes_lost == 0 && split_brain == 0;
  }
  std::string summary() const; // one line: "Result: OK ..." or "Result: FAILED: 5 steps failed, ..."
};
Verdict verdict(const Report& r);

nlohmann::json to_json(const Report& r);
/* The report's "verification" object (also a lab's observation and status). */
nlohmann::json to_json(const Verification& v);
Verification verification_from_json(const nlohmann::json& v);
/* For comparing a saved prediction with a measurement. Throws std::invalid_argument for a word outside a closed
 * vocabulary or an unknown top-level key (with its JSON path), nlohmann::json's exceptions for a missing field. */
Report report_from_json(const nlohmann::json& j);
void print_report(const Report& r, std::ostream& out);
void print_checks(const std::vector<CheckFinding>& checks, std::ostream& out);

} // namespace ibmig
