/* Collects what the simulated run does (bytes per phase, bottleneck time, availability intervals, step times,
 * events) and turns it into the shared Report. */
#pragma once

#include "downtime.hpp"
#include "report.hpp"
#include "scenario.hpp"

#include <map>
#include <string>
#include <vector>

namespace ibmig::sim {

struct ClientPhase {
  double write_bytes    = 0;
  double read_bytes     = 0;
  double files          = 0;
  double nic_sent_bytes = 0; // payload its node's NIC sent for this VM's writes
  std::map<std::string, double> limit_seconds;
  std::map<std::string, std::string> limit_source; // limit label -> where its figure comes from
};

struct NicPhase {
  double tx_bytes = 0;
  double rx_bytes = 0;
};

struct PhaseAcc {
  std::string name;
  double start_s = 0;
  double end_s   = 0;
  std::map<std::string, ClientPhase> clients;
  std::map<std::string, NicPhase> nics;           // key "n1-eth1"
  std::map<std::string, std::string> client_node; // VMs that a live migration moved: where they are at its end
};

class Recorder {
public:
  void begin_phase(const std::string& name, double now);
  void finish(double now);
  PhaseAcc& phase() { return phases_.back(); }
  /* A live migration moved `vm`: its I/O comes from `node` from now on (and in the later phases). */
  void vm_moved(const std::string& vm, const std::string& node) { phases_.back().client_node[vm] = node; }

  /* Availability: call with the current truth at every change; intervals are closed when it flips. */
  void set_vm_available(const std::string& vm, bool available, const std::string& reason, double now);
  void set_volume_available(const std::string& vol, bool available, const std::string& reason, double now);

  void step_done(StepReport s) { steps_.push_back(std::move(s)); }
  void event(double t, const std::string& kind, const std::string& message) { events_.push_back({t, kind, message}); }
  /* What only a simulated run can find (a heal longer than its wait, writes left with no serving copy), in the
   * checker's form: the report lists them with the plan check's findings. */
  void finding(const std::string& rule, const std::string& step, const std::string& message)
  {
    findings_.push_back({rule, Severity::Error, message, step, FindingOrigin::Simulation});
  }

  /* A fault as it happens (FaultInjector): its index, to fill in when the node is back and healed. */
  size_t add_fault(FaultReport f)
  {
    faults_.push_back(std::move(f));
    return faults_.size() - 1;
  }
  FaultReport& fault(size_t i) { return faults_.at(i); }
  void migration(MigrationReport m) { migrations_.push_back(std::move(m)); }

  Report build(const Scenario& sc, double plan_start_s, double plan_end_s) const;

private:
  std::vector<PhaseAcc> phases_;
  AvailabilityLog vms_, volumes_;
  std::vector<StepReport> steps_;
  std::vector<Event> events_;
  std::vector<CheckFinding> findings_;
  std::vector<FaultReport> faults_;
  std::vector<MigrationReport> migrations_;
  double end_s_ = 0;
};

} // namespace ibmig::sim
