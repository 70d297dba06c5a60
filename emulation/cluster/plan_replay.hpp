/* Replays a migration plan on the emulated cluster: each Step becomes real actions in the node namespaces, checks
 * poll the real Gluster state with deadlines, and physical steps (power, install a NIC, waits) sleep their nominal
 * duration times the time scale. Keeps a scenario clock in which measured steps take their measured wall time and
 * emulated waits their nominal duration, so downtime is comparable with the simulator's. */
#pragma once

#include "cluster.hpp"
#include "mistakes.hpp"
#include "report.hpp"

#include <map>
#include <string>
#include <vector>

namespace ibmig::emu {

/* True for steps whose real-world duration is physical or human waiting (emulated by a scaled sleep). */
bool is_emulated_wait(Action a);

class PlanReplayer {
public:
  struct Options {
    double time_scale = 0.01;
  };

  PlanReplayer(EmulatedCluster& cluster, const MistakenPlan& plan, Options opt, double clock_start_s);

  /* Runs the steps in order and stops at the first failure. Returns true when every step succeeded and every
   * volume and VM recovered. Throws Interrupted (interrupt_guard.hpp). */
  bool run();
  /* One step (exposed for tests): throws StepFailure with a plain-words reason; returns what it observed. */
  std::string run_step(const Step& st, const std::string& intended_network);

  const std::vector<StepReport>& steps() const { return steps_; }
  const std::vector<Event>& events() const { return events_; }
  std::vector<DowntimeEntry> volume_downtime() const { return downtime(volumes_); }
  std::vector<DowntimeEntry> vm_downtime() const { return downtime(vms_); }
  double clock() const { return clock_; }
  bool all_recovered() const;

  /* Polls until every online brick of `volume` sees every mounted client, over `intended_network` when given.
   * Throws StepFailure after the check deadline. Returns a description of what it saw. */
  std::string wait_recovered(const std::string& volume, const std::string& intended_network);

private:
  struct Availability {
    bool down    = false;
    double since = 0;
    std::string reason;
    std::vector<Interval> intervals;
  };
  std::vector<std::string> targets(const Step& st) const;
  void close_open_intervals(); // at the end of the replay: still down = down until now, "(not recovered)"
  void scaled_wait(const Step& st);
  bool volume_serving(const Volume& v) const;
  bool client_mounted(const std::string& node, const std::string& volume) const;
  void update_availability(const Step& st, double start, double end, const std::string& intended_network);
  std::vector<DowntimeEntry> downtime(const std::map<std::string, Availability>& what) const;
  std::string check_peers(const std::string& intended_network);
  std::string verify_ping(const Step& st);
  std::string wait_heal(const Step& st);
  std::string explain_hung_client(const std::string& node, const std::string& volume);
  std::string network_of_address(const std::string& node, const std::string& address) const;

  EmulatedCluster& c_;
  const MistakenPlan& plan_;
  Options opt_;
  double clock_;
  double slept_s_ = 0; // scaled sleeping inside the current step
  std::vector<StepReport> steps_;
  std::vector<Event> events_;
  std::map<std::string, Availability> volumes_;
  std::map<std::string, Availability> vms_;
};

} // namespace ibmig::emu
