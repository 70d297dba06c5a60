/* The VMs' I/O of a run on the emulated cluster, phase by phase ("before" and "after" the migration): the
 * scenario's streams become IoJobs (workload.hpp), run each VM alone or all at once (EmulateOptions), and give the
 * phase's per-client figures and NIC bytes. Every file written is remembered for verification.hpp. */
#pragma once

#include "cluster.hpp"
#include "cluster_model.hpp"
#include "emulator.hpp"
#include "report.hpp"
#include "workload.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ibmig::emu {

struct WrittenFile {
  std::string volume;
  std::string path; // relative to the volume root
  std::uint64_t length = 0;
  std::string vm; // who wrote it, where known
};

/* Data bricks (arbiters hold metadata only) of replica set `set`. */
std::vector<const Brick*> data_bricks(const Volume& v, int set);

/* Byte counters of every NIC of every node: node -> interface -> counters. */
using ClusterNicCounters = std::map<std::string, std::map<std::string, NicCounters>>;
ClusterNicCounters nic_counters(EmulatedCluster& cluster);
/* Adds what each NIC of the scenario moved from `a` to `b` to `nics`, as phase `phase`. */
void add_nic_phase(const Scenario& sc, const std::string& phase, const ClusterNicCounters& a,
                   const ClusterNicCounters& b, std::vector<NicReport>& nics);

class WorkloadPhases {
public:
  WorkloadPhases(EmulatedCluster& cluster, const EmulateOptions& opt) : cluster_(cluster), opt_(opt) {}

  /* Writes the images the reading VMs read, once before the phases; StepFailure when one cannot be written. */
  void prefill();
  /* Runs every VM's streams; the phase starts at `clock_start` on the report's clock. Its NIC bytes go to `nics`. */
  PhaseReport run(const std::string& phase, double clock_start, std::vector<NicReport>& nics);

  /* With faults: every VM's sequential-write streams keep writing through the replay (BackgroundWriters), each to
   * its own file ("vm1-plan.qcow2"). */
  /* runs: which VMs (default all); keep_contents: rewrite the files in place (IoJob). */
  void start_plan_writers(const std::function<bool(const Vm&)>& runs = nullptr, bool keep_contents = false);
  /* A crash of `node`: its VMs' writers die with it (SIGKILL). */
  void kill_vms_on(const std::string& node);
  /* Stops them; what each got acknowledged joins written(); the writes that failed and were retried are events
   * (`retried`), not workload errors: a crash makes them. */
  std::vector<AckedWrite> stop_plan_writers(double clock, std::vector<Event>& retried);

  /* Where each VM runs now (a live migration moved it): its streams enter that node and write through its mount. */
  void follow(const ClusterModel& model);

  const std::vector<WrittenFile>& written() const { return written_; }
  /* I/O errors and data mismatches of the phases run so far. */
  const std::vector<Event>& events() const { return events_; }

private:
  IoJob job_for(const Vm& vm, const std::string& file, StreamKind kind) const;
  std::vector<IoJob> jobs_of(const std::string& phase);
  /* One VM after the other, each alone; returns the results in the VMs' order (and reorders `jobs` to match) and
   * what each VM's node sent on its storage NIC while that VM ran. */
  std::vector<IoResult> run_alone(std::vector<IoJob>& jobs, std::map<std::string, double>& node_tx_share);
  PhaseReport figures(const std::string& phase, double clock_start, double wall, const std::vector<IoJob>& jobs,
                      const std::vector<IoResult>& results, const ClusterNicCounters& c0, const ClusterNicCounters& c1,
                      std::map<std::string, double>& node_tx_share);
  const Vm& vm_named(const std::string& name) const;
  const std::string& node_of(const Vm& vm) const;

  EmulatedCluster& cluster_;
  const EmulateOptions& opt_;
  std::map<std::string, std::string> read_files_; // vm -> prefilled image it reads
  std::map<std::string, std::string> node_of_;    // vm -> node, for the VMs a live migration moved
  std::vector<WrittenFile> written_;
  std::vector<Event> events_;
  std::unique_ptr<BackgroundWriters> plan_writers_;
};

} // namespace ibmig::emu
