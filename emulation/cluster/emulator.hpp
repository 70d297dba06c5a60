/* `ibmig emulate`: builds the scenario's cluster for real on this machine (one network namespace and one private
 * mount namespace per node, a bridge per network, shaped veths per NIC (link_shaping.hpp), real glusterd and FUSE
 * mounts), runs the VMs' streams, replays the migration plan step by step, measures, verifies every written byte on
 * every replica, and tears everything down.
 *
 * How the CLI wires it (cli/main.cpp):
 *   ibmig emulate SCENARIO [--json FILE] [--time-scale X] [--rate-scale X] [--inject NAME]... [--rdma]
 *     if (auto why = emu::missing_prerequisites(); !why.empty()) { print why; exit 2; }
 *     Scenario sc = load_scenario(file, overrides);
 *     Report prediction = simulate(sc, ...);              // optional: enables the comparison table
 *     emu::EmulateOptions opt; opt.time_scale = X; opt.rate_scale = Y; opt.concurrent_streams = Y < 1;
 *     opt.inject = {...}; opt.log = &std::cerr;
 *     Report r = emu::emulate(sc, opt, &prediction);      // throws emu::EmulationError: print what(), exit 2
 *     print_report(r, std::cout); emu::print_comparison(r, std::cout); write to_json(r) to FILE if --json;
 *     exit(emu::run_failed(r) ? 1 : 0);
 *   ibmig emulate --cleanup [STATE]   ->  emu::cleanup(STATE or emu::EmulateOptions{}.state_dir); exit 1 if objects
 * remain Needs root, /dev/fuse, glusterd/gluster/glusterfs, ip, tc, nsenter, unshare, ping, ss. */
#pragma once

#include "port_probe.hpp"

#include "report.hpp"
#include "scenario.hpp"

#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ibmig::emu {

/* Missing prerequisites, a wrong option, an interrupted run: one line, the CLI prints it and exits 2. */
class EmulationError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct EmulateOptions {
  double time_scale = 0.01;             // physical steps (power off/on, install NIC, waits) sleep duration*time_scale
  std::vector<std::string> inject;      // names-not-repointed, mtu-mismatch, client-left-mounted, node-does-not-return
  bool rdma             = false;        // the soft-RoCE plane runs (the CLI runs it after the replay)
  PortProbe* ports      = nullptr;      // verify_port steps ask these ports (soft-RoCE guests); none: the model's
  std::string state_dir = "/run/ibmig"; // state file of a run: STATE_DIR/ibmig-RUN.json
  std::string work_dir  = "/var/tmp";   // bricks and per-node files: WORK_DIR/ibmig-RUN/
  Bytes write_bytes{256.0 * 1024 * 1024};    // bytes each sequential-write stream writes per phase
  Bytes read_file_bytes{32.0 * 1024 * 1024}; // size of the image a reading VM reads (read in a loop)
  /* With scenario faults, every sequential-write stream also writes during the replay (so a crash finds writes in
   * flight), at its rate x rate_scale, each 1 MiB confirmed by fdatasync; at most this much per stream. */
  Bytes plan_write_bytes{256.0 * 1024 * 1024};
  int small_files         = 200;  // files a small-file stream creates per phase at most
  double check_deadline_s = 60;   // deadline of every polling check (peers connected, bricks see clients)
  double heal_deadline_s  = 120;  // wait_heal gives up after this long (or the step's timeout when shorter)
  double phase_deadline_s = 120;  // a phase's I/O is killed after this long (a hung mount)
  bool run_after_phase    = true; // the "after" workload, when the replay succeeded
  /* false (default): the VMs of a phase run one after the other, each alone, so a client's figure is not capped by
   * this machine's 2 cores shared by every emulated node (a real node has its own CPUs); paced streams then run
   * for paced_seconds. true: all streams at once, as the scenario describes. */
  bool concurrent_streams = false;
  double paced_seconds    = 3;
  /* (0, 1]: every emulated link and stream class, and every paced stream, this many times slower; every MB/s
   * measured is divided by it in the report (run.rate_scale). Below 1 the machine's CPU stays out of the way, so
   * the CLI runs the VMs of a phase concurrently (concurrent_streams) to check the contention the simulator
   * predicts. Small files per second are not divided: their cost is round trips, not bandwidth. */
  double rate_scale   = 1;
  std::ostream* log   = nullptr; // progress lines
  bool trace_commands = false;   // also log every system command
};

/* What the bricks of a run can hold at most: every stream's bytes per phase (as WorkloadPhases bounds them) times the
 * volume's replica count, both phases, plus the images the reading VMs read. */
Bytes brick_bytes_upper_bound(const Scenario& sc, const EmulateOptions& opt);
/* Size of the tmpfs that holds a run's bricks: the upper bound plus headroom. Throws EmulationError when that
 * exceeds half of `available` (MemAvailable; 0 = unknown, no check). */
Bytes memory_for_bricks(const Scenario& sc, const EmulateOptions& opt, Bytes available);

/* Names the kernel would refuse once half the cluster is built (interface names over 15 characters, a node whose
 * namespace is a switch's): EmulationError naming the scenario file and the JSON path. */
void check_emulatable_names(const Scenario& sc);

/* Returns the measured report (tool "emulate"). `prediction` (may be null): the simulator's report for the same
 * scenario; fills report.emulation->comparison. Throws EmulationError for missing prerequisites, a bad --inject
 * name, or SIGINT/SIGTERM (after tearing down). A failed check is not an exception: the report says it (see
 * run_failed). */
Report emulate(const Scenario& sc, const EmulateOptions& opt, const Report* prediction);

/* `ibmig emulate --cleanup`: removes what crashed runs left, from their state files (a file, or every
 * ibmig-*.json in a directory). Touches only what those files record, and no run whose ibmig still runs. */
struct CleanupSummary {
  int cleaned  = 0; // runs removed completely
  int failures = 0; // objects that could not be removed (still listed in their state files)
  int running  = 0; // runs whose ibmig is still running: left alone
};
CleanupSummary cleanup(const std::string& state_dir_or_file, std::ostream* log = nullptr);

/* "" when everything needed is there, else one line naming what is missing. */
std::string missing_prerequisites();

/* True when the run found a problem: its verdict is not OK (a failed step, a volume or VM not recovered, a plan
 * check error, a difference from the cluster model, bytes lost) or the workload failed. */
bool run_failed(const Report& measured);

/* The predicted-vs-measured table of report.emulation->comparison (metric, predicted, measured, error %, verdict). */
void print_comparison(const Report& measured, std::ostream& out);

} // namespace ibmig::emu
