/* Replays a migration plan on the emulated cluster. The cluster model (models/cluster_model.hpp) says what each step
 * does; the replay carries the model's changes out as node commands (step_commands.hpp), runs the real checks
 * (ping, gluster peer/volume/heal state with deadlines), and after every step compares what it observes with what
 * the model expects: a difference is a finding naming the step. Physical steps (power, install a NIC, waits) sleep
 * their runbook duration times the time scale. The scenario clock follows the simulator's rule: a step lasts its
 * runbook duration or its measured machine time, whichever is longer (downtime.hpp). */
#pragma once

#include "cluster.hpp"
#include "cluster_model.hpp"
#include "downtime.hpp"
#include "mistakes.hpp"
#include "port_probe.hpp"
#include "report.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ibmig::emu {

/* True for steps whose real-world duration is physical or human waiting (emulated by a scaled sleep). */
bool is_emulated_wait(Action a);
/* True for steps that look at the cluster instead of changing it: their outcome is what the real check sees. */
bool is_check(Action a);

class PlanReplayer {
public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    double time_scale = 0.01;
    PortProbe* ports  = nullptr; // verify_port asks real ports (emulate --rdma); none: the model's outcome
  };

  PlanReplayer(EmulatedCluster& cluster, const MistakenPlan& plan, Options opt, double clock_start_s);

  /* Called when a fault crashes `node`, after its processes died: the workload kills its VMs' writers. */
  std::function<void(const std::string& node)> on_crash;

  /* Runs the steps in order and stops at the first failure. Returns true when every step succeeded and every
   * volume and VM recovered. Throws Interrupted (interrupt_guard.hpp). */
  bool run();
  /* One step (exposed for tests): applies it to the model, runs its commands or its check; throws StepFailure
   * with a plain-words reason; returns what it observed. */
  std::string run_step(const Step& st, const std::string& intended_network);

  const ClusterModel& model() const { return model_; }
  const std::vector<StepReport>& steps() const { return steps_; }
  const std::vector<Event>& events() const { return events_; }
  /* Where the emulated cluster did not do what the model says (origin "emulation"). */
  const std::vector<CheckFinding>& findings() const { return findings_; }
  std::vector<DowntimeEntry> volume_downtime() const;
  std::vector<DowntimeEntry> vm_downtime() const;
  double clock() const { return clock_; }
  bool all_recovered() const;
  /* The scenario's faults as replayed: when each node crashed, came back and was healed (heal_s: measured, from
   * its bricks serving again to `heal info` showing no pending entry on any brick), and what is in split-brain. */
  std::vector<FaultReport> faults() const; // those that happened
  /* The live migrations as replayed: the rounds of models/precopy sent as bytes, times on the scenario's clock. */
  const std::vector<MigrationReport>& migrations() const { return migrations_; }
  /* Files Gluster reported in split-brain after a fault (also SPLIT_BRAIN findings and "split-brain" events). */
  int split_brain_files() const;

  /* Polls until every brick of `volume` is online and sees every mounted client, over `intended_network` when
   * not empty. With `expected` (client node -> the nodes of the bricks its writes reach, as the model says), only the
   * bricks the model says serve must be online, and each listed client must be seen by its bricks. Throws
   * StepFailure after the check deadline. Returns a description of what it saw. */
  std::string wait_recovered(const std::string& volume, const std::string& intended_network,
                             const std::map<std::string, std::set<std::string>>* expected = nullptr);

private:
  /* One scenario fault through the replay. */
  struct FaultRun {
    enum class State { Waiting, Down, Healing, Done } state = State::Waiting;
    Clock::time_point crashed, serving;
    bool bricks_serving  = false;
    double next_poll     = 0; // wall seconds since the replay started
    int split_brain_seen = 0; // consecutive polls that found the same split-brain
    std::vector<std::string> split_files;
  };
  /* Faults due now: recoveries first, then crashes (`starting_step`: the step about to start, -1 in between), then
   * one poll of each heal being measured. Called between steps and every slice of a wait. */
  void tick(int starting_step = -1);
  void crash(size_t i);
  void recover(size_t i);
  void poll_heal(size_t i);
  /* After the last step: the faults whose heal is still being measured, until done (or the heal deadline). */
  void finish_faults();
  std::vector<std::string> split_brain_now(const std::string& server, const std::vector<std::string>& vols);
  void note_split_brain(const std::vector<std::string>& files, const std::string& when);
  void record_model_problems(const Transition& t, const std::string& when);
  void fault_event(double t, const std::string& kind, const std::string& message); // an event, also logged
  std::vector<std::string> volumes_on(const std::string& node) const;
  /* The scenario clock now: the current step's start plus its machine time so far plus its scaled sleeps unscaled. */
  double now_clock() const;
  double wall_s() const;
  /* Sleeps `s` in slices, ticking the faults; counts toward the step's scaled sleeps when `scaled`. */
  void sleep_ticking(double s, bool scaled);
  void scaled_wait(const Step& st);
  void mark_unavailable(double start);
  void confirm_recovered();
  void mark_recovered(double end);
  void compare_with_model(const Step& st);
  /* migrate_vms: each move's pre-copy sent between the two nodes, the VM paused for the stop-and-copy. */
  std::string migrate(const Step& st);
  void copy_memory(const Step& st, const Migration& m, MigrationReport& rep);
  std::string run_check(const Step& st, const Transition& expected, const std::string& intended_network);
  std::string check_peers(const std::string& intended_network);
  std::string verify_ping(const Step& st);
  std::string verify_port(const Step& st, const Transition& expected);
  std::string wait_heal(const Step& st);
  std::string explain_hung_client(const std::string& node, const std::string& volume);
  std::string network_of_address(const std::string& node, const std::string& address) const;
  void differs(const Step& st, const std::string& message);

  EmulatedCluster& c_;
  const MistakenPlan& plan_;
  Options opt_;
  ClusterModel model_;
  double clock_start_;
  double clock_;
  double slept_s_            = 0; // scaled sleeping inside the current step
  double copied_s_           = 0; // memory copies inside the current step, at --rate-scale (they count x rate scale)
  Clock::time_point started_ = Clock::now(), step_started_ = Clock::now();
  bool replaying_   = false; // faults happen during run() only (not while the emulator sets the cluster up)
  int current_step_ = -1;
  std::vector<FaultRun> fault_runs_;
  std::vector<FaultReport> fault_reports_;
  std::vector<std::string> split_brain_; // "VOL:/path", every file found in split-brain so far
  std::vector<StepReport> steps_;
  std::vector<Event> events_;
  std::vector<CheckFinding> findings_;
  std::vector<MigrationReport> migrations_;
  AvailabilityLog volumes_;
  AvailabilityLog vms_;
};

} // namespace ibmig::emu
