#include "plan_replay.hpp"

#include "memory_copy.hpp"
#include "precopy.hpp"
#include "text.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace ibmig::emu {

namespace {
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0)
{
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void check_interrupt()
{
  throw_if_interrupted(cluster_torn_down);
}

/* Sleeps in small slices so SIGINT is honoured quickly. */
void interruptible_sleep(double s)
{
  emu::interruptible_sleep(s, cluster_torn_down);
}

std::string fmt_s(double s)
{
  std::ostringstream o;
  o.precision(s < 10 ? 2 : 3);
  o << s << " s";
  return o.str();
}

/* The check passed on the cluster but over the wrong network: the storage names were not moved as the plan meant.
 * Only the replay knows the plan's intention, so this is not a difference from the model. */
class WrongNetwork : public StepFailure {
public:
  using StepFailure::StepFailure;
};

std::string failing_problems(const Transition& t)
{
  std::string out;
  for (auto const& p : t.problems)
    if (p.fails) out += (out.empty() ? "" : "; ") + p.detail;
  return out;
}
} // namespace

bool is_emulated_wait(Action a)
{
  return a == Action::PowerOff || a == Action::PowerOn || a == Action::InstallNic || a == Action::Wait;
}

bool is_check(Action a)
{
  return a == Action::VerifyPing || a == Action::CheckPeers || a == Action::CheckVolume || a == Action::WaitHeal ||
         a == Action::VerifyPort;
}

PlanReplayer::PlanReplayer(EmulatedCluster& cluster, const MistakenPlan& plan, Options opt, double clock_start_s)
    : c_(cluster), plan_(plan), opt_(opt), model_(cluster.scenario()), clock_start_(clock_start_s),
      clock_(clock_start_s), fault_runs_(plan.scenario.faults.size()), fault_reports_(plan.scenario.faults.size())
{
}

void PlanReplayer::scaled_wait(const Step& st)
{
  sleep_ticking(st.duration.nominal().value * opt_.time_scale, true);
}

void PlanReplayer::sleep_ticking(double s, bool scaled)
{
  auto t0 = Clock::now();
  for (;;) {
    double left = s - since(t0);
    if (left <= 0) break;
    double slice = std::min(left, 0.25);
    interruptible_sleep(slice);
    if (scaled) slept_s_ += slice;
    tick(); // may run a recovery's commands: that is machine time of the step, and shortens the sleep
  }
}

double PlanReplayer::wall_s() const
{
  return since(started_);
}

double PlanReplayer::now_clock() const
{
  double in_step = since(step_started_);
  return clock_ + (in_step - slept_s_ - copied_s_) + (opt_.time_scale > 0 ? slept_s_ / opt_.time_scale : 0) +
         copied_s_ * c_.rate_scale();
}

/* ---- faults: a node crash, its return, the heal of what it missed ---- */

std::vector<std::string> PlanReplayer::volumes_on(const std::string& node) const
{
  std::vector<std::string> out;
  for (auto const& v : c_.scenario().volumes)
    if (std::any_of(v.bricks.begin(), v.bricks.end(), [&](const Brick& b) { return b.node == node; }))
      out.push_back(v.name);
  return out;
}

std::vector<FaultReport> PlanReplayer::faults() const
{
  std::vector<FaultReport> out;
  for (size_t i = 0; i < fault_runs_.size(); ++i)
    if (fault_runs_[i].state != FaultRun::State::Waiting) out.push_back(fault_reports_[i]);
  return out;
}

int PlanReplayer::split_brain_files() const
{
  return static_cast<int>(split_brain_.size());
}

void PlanReplayer::fault_event(double t, const std::string& kind, const std::string& message)
{
  events_.push_back({t, kind, message});
  if (c_.log_stream()) *c_.log_stream() << "  [" << kind << "] " << message << "\n";
}

void PlanReplayer::record_model_problems(const Transition& t, const std::string& when)
{
  for (auto const& p : t.problems)
    events_.push_back({now_clock(), "model-warns", p.rule + " (" + when + "): " + p.detail});
}

void PlanReplayer::tick(int starting_step)
{
  if (!replaying_ || fault_runs_.empty()) return;
  if (starting_step >= 0) current_step_ = starting_step;
  auto const& faults = plan_.scenario.faults;
  using S            = FaultRun::State;
  for (size_t i = 0; i < faults.size(); ++i) // recoveries first: a crash due at the same moment finds the node back
    if (fault_runs_[i].state == S::Down && faults[i].down_for &&
        since(fault_runs_[i].crashed) >= faults[i].down_for->value * opt_.time_scale)
      recover(i);
  for (size_t i = 0; i < faults.size(); ++i) {
    auto const& f = faults[i];
    // `at` is on the simulator's clock, where the plan starts after the "before" phase; scaled like a wait.
    bool due = f.after_step >= 0
                   ? current_step_ >= f.after_step
                   : wall_s() >= std::max(0.0, f.at.value - c_.scenario().workload.before.value) * opt_.time_scale;
    if (fault_runs_[i].state == S::Waiting && due) crash(i);
  }
  for (size_t i = 0; i < faults.size(); ++i)
    if (fault_runs_[i].state == S::Healing && wall_s() >= fault_runs_[i].next_poll) poll_heal(i);
}

void PlanReplayer::crash(size_t i)
{
  auto const& f     = plan_.scenario.faults[i];
  auto& run         = fault_runs_[i];
  double now        = now_clock();
  fault_reports_[i] = {f.node, f.json_path, now, {}, {}, {}, {}};
  if (model_.node(f.node).crashed) { // a second fault on a node still down: nothing more to kill
    run.state = FaultRun::State::Done;
    fault_event(now, "fault", "node " + f.node + " is already down (" + f.json_path + " has no effect)");
    return;
  }
  record_model_problems(model_.crash(f.node), f.node + " crashed");
  double stall = model_.stall_clients_of(f.node, now);
  c_.crash(f.node);
  if (on_crash) on_crash(f.node);
  run.state   = FaultRun::State::Down;
  run.crashed = Clock::now();
  fault_event(now, "fault",
              "node " + f.node + " crashed (" + f.json_path +
                  "): SIGKILL of every process of the run in it, its interfaces down, no clean stop; its VMs "
                  "died" +
                  (stall > 0 ? "; clients of its bricks stall for network.ping-timeout (" + fmt_s(stall) + ")" : "") +
                  (f.down_for ? "; back in " + fmt_s(f.down_for->value * opt_.time_scale) + " (down_for " +
                                    fmt_s(f.down_for->value) + " x time scale)"
                              : "; it stays down"));
  mark_unavailable(now);
  Step as_step;
  as_step.name = "fault: " + f.node + " crashes";
  for (auto const& d : differences(model_, f.node, c_.observe(f.node)))
    differs(as_step, d);
}

void PlanReplayer::recover(size_t i)
{
  auto const& f             = plan_.scenario.faults[i];
  auto& run                 = fault_runs_[i];
  const ClusterModel before = model_;
  record_model_problems(model_.recover(f.node), f.node + " came back");
  Step boot;
  boot.action = Action::PowerOn;
  boot.name   = "fault: " + f.node + " comes back";
  boot.nodes  = {f.node};
  try {
    // A reboot empties /run (a tmpfs in the node): no stale pid file or socket of the killed daemons.
    c_.node_run(f.node, {"sh", "-c", "rm -rf /run/* /run/.[!.]*"}, 10);
    for (auto const& cmd : commands_for(boot, before, model_)) {
      check_interrupt();
      c_.run_command(cmd);
    }
    // The model keeps "glusterd runs" through a crash (the node is off: nothing serves); the processes died.
    if (model_.node(f.node).glusterd) c_.start_glusterd(f.node);
  } catch (const StepFailure& e) {
    differs(boot, std::string("the node did not come back as the model says: ") + e.what());
  }
  double now               = now_clock();
  fault_reports_[i].back_s = now;
  run.state                = volumes_on(f.node).empty() ? FaultRun::State::Done : FaultRun::State::Healing;
  run.next_poll            = wall_s();
  fault_event(now, "fault-end",
              "node " + f.node + " is back: interfaces up as configured" +
                  (model_.node(f.node).glusterd ? ", glusterd started (enabled at boot)" : "") +
                  "; its VMs stay stopped until started");
  for (auto const& d : differences(model_, f.node, c_.observe(f.node)))
    differs(boot, d);
}

/* Measured heal: from the node's bricks online again to `heal info` with no pending entry on any brick of the
 * volumes it holds bricks of; entries that stay and that `heal info split-brain` lists twice in a row are a
 * split-brain, which no heal will finish. */
void PlanReplayer::poll_heal(size_t i)
{
  auto const& f = plan_.scenario.faults[i];
  auto& run     = fault_runs_[i];
  auto& rep     = fault_reports_[i];
  run.next_poll = wall_s() + 1.0;
  auto server   = c_.any_running_server();
  if (server.empty()) return;
  auto vols = volumes_on(f.node);
  if (!run.bricks_serving) {
    for (auto const& v : vols) {
      auto status = c_.volume_status(server, v);
      for (auto const& b : c_.scenario().find_volume(v)->bricks) {
        auto name = c_.brick_name(b);
        if (b.node == f.node &&
            !std::any_of(status.begin(), status.end(), [&](auto const& st) { return st.brick == name && st.online; }))
          return;
      }
    }
    run.bricks_serving = true;
    run.serving        = Clock::now();
    for (auto const& v : vols) // as wait_heal does (an admin would); the self-heal daemon also starts on its own
      c_.gluster(server, {"volume", "heal", v});
  }
  long pending = 0;
  for (auto const& v : vols) {
    auto bricks = c_.heal_info(server, v);
    if (bricks.empty()) return;
    for (auto const& b : bricks) {
      if (!b.connected) return; // a brick not answering: nothing can be said yet
      pending += b.entries;
    }
  }
  double now = now_clock();
  if (pending == 0) {
    rep.healed_s = now;
    rep.heal_s   = since(run.serving);
    run.state    = FaultRun::State::Done;
    fault_event(now, "heal-done",
                "the bricks of " + f.node + " healed " + fmt_s(*rep.heal_s) +
                    " after they were online again (heal info: no pending entry on any brick)");
    return;
  }
  std::vector<std::string> files = split_brain_now(server, vols);
  run.split_brain_seen           = files.empty() ? 0 : files == run.split_files ? run.split_brain_seen + 1 : 1;
  run.split_files                = files;
  if (run.split_brain_seen >= 2) note_split_brain(files, "after " + f.node + " came back");
}

/* Files Gluster lists in split-brain, as "VOL:/path" (unresolved gfids left out when the path is listed too). */
std::vector<std::string> PlanReplayer::split_brain_now(const std::string& server, const std::vector<std::string>& vols)
{
  std::vector<std::string> files;
  for (auto const& v : vols)
    for (auto const& sb : c_.heal_split_brain(server, v))
      for (auto const& file : sb.files)
        if (file.rfind("<gfid:", 0) != 0 && std::find(files.begin(), files.end(), v + ":" + file) == files.end())
          files.push_back(v + ":" + file);
  return files;
}

/* A split-brain, seen by a fault's heal measurement or a wait_heal: once per file, an event and a finding, and the
 * files on every fault whose heal touches their volume (those heals will never finish). */
void PlanReplayer::note_split_brain(const std::vector<std::string>& files, const std::string& when)
{
  std::vector<std::string> fresh;
  for (auto const& file : files)
    if (std::find(split_brain_.begin(), split_brain_.end(), file) == split_brain_.end()) fresh.push_back(file);
  for (size_t i = 0; i < fault_runs_.size(); ++i) {
    if (fault_runs_[i].state != FaultRun::State::Healing) continue;
    auto vols = volumes_on(plan_.scenario.faults[i].node);
    for (auto const& file : files)
      if (std::find(vols.begin(), vols.end(), file.substr(0, file.find(':'))) != vols.end())
        fault_reports_[i].split_brain.push_back(file);
    if (!fault_reports_[i].split_brain.empty()) fault_runs_[i].state = FaultRun::State::Done;
  }
  if (fresh.empty()) return;
  split_brain_.insert(split_brain_.end(), fresh.begin(), fresh.end());
  std::string list;
  for (auto const& file : fresh)
    list += (list.empty() ? "" : ", ") + file;
  std::string msg = std::to_string(fresh.size()) + " file(s) in split-brain " + when + ": " + list +
                    ". Each copy holds acknowledged writes the other lacks; self-heal will not choose one (`gluster "
                    "volume heal VOL split-brain ...` by hand, losing one side's writes). With "
                    "cluster.quorum-type none a replica-2 set takes writes on whichever brick is up.";
  fault_event(now_clock(), "split-brain", msg);
  findings_.push_back({"SPLIT_BRAIN", Severity::Error, msg, "", FindingOrigin::Emulation});
}

void PlanReplayer::finish_faults()
{
  using S       = FaultRun::State;
  step_started_ = Clock::now();
  slept_s_      = 0;
  current_step_ = static_cast<int>(plan_.scenario.plan.steps.size());
  double wait   = c_.timeouts().heal_s;
  for (size_t i = 0; i < fault_runs_.size(); ++i)
    if (fault_runs_[i].state == S::Down && plan_.scenario.faults[i].down_for)
      wait += plan_.scenario.faults[i].down_for->value * opt_.time_scale;
  auto t0      = Clock::now();
  auto pending = [&] {
    for (size_t i = 0; i < fault_runs_.size(); ++i)
      if (fault_runs_[i].state == S::Waiting || fault_runs_[i].state == S::Healing ||
          (fault_runs_[i].state == S::Down && plan_.scenario.faults[i].down_for))
        return true;
    return false;
  };
  tick();
  while (pending() && since(t0) < wait)
    sleep_ticking(0.5, false);
  for (size_t i = 0; i < fault_runs_.size(); ++i)
    if (fault_runs_[i].state == S::Healing)
      events_.push_back({now_clock(), "heal",
                         "the bricks of " + plan_.scenario.faults[i].node + " were not healed within " + fmt_s(wait) +
                             " after the plan ended"});
  clock_ = now_clock();
}

std::string PlanReplayer::network_of_address(const std::string& node, const std::string& address) const
{
  for (auto const& nic : c_.scenario().find_node(node)->nics)
    if (nic.address == address) return nic.network;
  return "?";
}

void PlanReplayer::differs(const Step& st, const std::string& message)
{
  findings_.push_back({"EMULATION_DIFFERS", Severity::Error, message, st.name, FindingOrigin::Emulation});
  events_.push_back({clock_, "model-differs", st.name + ": " + message});
}

bool PlanReplayer::run()
{
  auto const& steps = plan_.scenario.plan.steps;
  replaying_        = true;
  started_          = Clock::now();
  for (size_t i = 0; i < steps.size(); ++i) {
    auto const& st = steps[i];
    check_interrupt();
    StepReport rep;
    rep.name      = st.name;
    rep.action    = to_string(st.action);
    rep.timing    = is_emulated_wait(st.action) ? StepTiming::EmulatedWait : StepTiming::Measured;
    rep.start_s   = clock_;
    slept_s_      = 0;
    copied_s_     = 0;
    auto t0       = Clock::now();
    step_started_ = t0;
    tick(static_cast<int>(i)); // a fault "after_step" happens as its step starts
    if (st.json_path.rfind("inject:", 0) == 0) events_.push_back({clock_, "mistake", "injected step: " + st.name});
    try {
      rep.detail = run_step(st, plan_.intended_names_network[i]);
    } catch (const StepFailure& f) {
      rep.outcome = StepOutcome::Failed;
      rep.detail  = f.what();
    }
    mark_unavailable(rep.start_s);
    if (rep.outcome == StepOutcome::Ok) try {
        confirm_recovered(); // waiting for the real recovery belongs to this step
      } catch (const StepFailure& f) {
        rep.outcome = StepOutcome::Failed;
        rep.detail  = f.what();
      }
    // The machine's part is what the commands and checks took (the scaled sleeps stand for physical time).
    rep.machine_s = since(t0) - slept_s_ - copied_s_ + copied_s_ * c_.rate_scale();
    rep.end_s     = rep.start_s + step_duration_s(st.duration.nominal().value, rep.machine_s);
    clock_        = rep.end_s;
    if (rep.outcome == StepOutcome::Ok) mark_recovered(rep.end_s);
    if (c_.log_stream())
      *c_.log_stream() << "  [" << to_string(rep.timing) << " " << fmt_s(*rep.machine_s) << "] " << st.name << ": "
                       << to_string(rep.outcome) << (rep.detail.empty() ? "" : " - " + rep.detail) << "\n";
    steps_.push_back(rep);
    if (rep.outcome != StepOutcome::Ok) {
      events_.push_back({rep.start_s, "check-failed", st.name + ": " + rep.detail});
      events_.push_back({clock_, "replay-stopped",
                         "the replay stopped at \"" + st.name + "\"; " + std::to_string(steps.size() - i - 1) +
                             " later step(s) were not run, as an admin would stop the runbook here"});
      volumes_.close_all(clock_, " (not recovered)");
      vms_.close_all(clock_, " (not recovered)");
      return false;
    }
  }
  finish_faults();
  bool ok = all_recovered() && split_brain_files() == 0;
  if (!all_recovered()) { // the runbook is over but something is still down: say what, as a failed final check
    std::string down;
    for (auto* log : {&volumes_, &vms_})
      for (auto const& [name, reason] : log->down_now())
        down += (down.empty() ? "" : ", ") + name + " (" + reason + ")";
    StepReport rep;
    rep.name    = "End of plan: everything recovered";
    rep.action  = "check_volume";
    rep.timing  = StepTiming::Measured;
    rep.start_s = rep.end_s = clock_;
    rep.outcome             = StepOutcome::Failed;
    rep.detail              = "the plan ended with these still down: " + down;
    steps_.push_back(rep);
    events_.push_back({clock_, "check-failed", rep.detail});
  }
  volumes_.close_all(clock_, " (not recovered)");
  vms_.close_all(clock_, " (not recovered)");
  return ok;
}

bool PlanReplayer::all_recovered() const
{
  return volumes_.down_now().empty() && vms_.down_now().empty();
}

/* What the model says is unavailable after the step went down when the step started, as in the simulator. */
void PlanReplayer::mark_unavailable(double start)
{
  auto const& sc = c_.scenario();
  for (auto const& v : sc.volumes) {
    std::string why;
    if (!model_.volume_available(v, &why)) volumes_.set(v.name, false, why, start);
  }
  for (auto const& vm : sc.workload.vms) {
    IoPath p = model_.io_path(vm, clock_);
    if (!p.can_write) vms_.set(vm.name, false, p.why_not, start);
  }
}

/* What the model says is back must be back for real: every brick online and seeing every mounted client. */
void PlanReplayer::confirm_recovered()
{
  // What the model says is back must be back for real, and no more: the bricks it says serve, each client it says
  // writes again seen by the bricks its writes reach. A mount it holds down (bound to a network that is gone) is the
  // business of the plan's check_volume, where the checker and the simulator fail too.
  auto const& sc = c_.scenario();
  std::map<std::string, std::map<std::string, std::set<std::string>>> to_check; // volume -> client -> brick nodes
  for (auto const& v : sc.volumes)
    if (volumes_.down(v.name) && model_.volume_available(v)) to_check[v.name];
  for (auto const& vm : sc.workload.vms) {
    IoPath p = model_.io_path(vm, clock_);
    if (!p.can_write || !(vms_.down(vm.name) || to_check.count(vm.volume))) continue;
    auto& bricks = to_check[vm.volume][model_.vm(vm.name).node];
    for (int b : p.write_bricks)
      bricks.insert(sc.find_volume(vm.volume)->bricks[static_cast<size_t>(b)].node);
  }
  // Over whatever network the model binds each mount to: whether that is the one the plan meant is for its checks.
  for (auto const& [v, clients] : to_check)
    wait_recovered(v, "", &clients);
}

void PlanReplayer::mark_recovered(double end)
{
  auto const& sc = c_.scenario();
  for (auto const& v : sc.volumes)
    if (volumes_.down(v.name) && model_.volume_available(v)) {
      volumes_.set(v.name, true, "", end);
      events_.push_back({end, "recovered", "volume " + v.name + ": every brick sees every client"});
    }
  for (auto const& vm : sc.workload.vms)
    if (vms_.down(vm.name) && model_.io_path(vm, clock_).can_write) vms_.set(vm.name, true, "", end);
}

std::vector<DowntimeEntry> PlanReplayer::volume_downtime() const
{
  std::vector<DowntimeEntry> out;
  for (auto const& v : c_.scenario().volumes)
    out.push_back(downtime_entry(v.name, volumes_.intervals(v.name), steps_, clock_start_, clock_));
  return out;
}

std::vector<DowntimeEntry> PlanReplayer::vm_downtime() const
{
  std::vector<DowntimeEntry> out;
  for (auto const& vm : c_.scenario().workload.vms)
    out.push_back(downtime_entry(vm.name, vms_.intervals(vm.name), steps_, clock_start_, clock_));
  return out;
}

std::string PlanReplayer::run_step(const Step& st, const std::string& intended_network)
{
  if (st.action == Action::MigrateVms) return migrate(st);
  const ClusterModel before = model_;
  Transition expected       = model_.apply(st);
  if (is_check(st.action)) return run_check(st, expected, intended_network);
  if (st.action == Action::PowerOn) scaled_wait(st); // the machine boots, then its services come up
  std::ostringstream done;
  for (auto const& cmd : commands_for(st, before, model_)) {
    check_interrupt();
    c_.run_command(cmd);
    done << (done.tellp() ? "; " : "") << to_string(cmd);
  }
  if (st.action == Action::PowerOff || st.action == Action::InstallNic || st.action == Action::Wait) scaled_wait(st);
  compare_with_model(st);
  // What the model refuses (an MTU the mode does not allow, a step on a node that is off) fails the step here as in
  // the simulator: a veth accepts any MTU and a namespace cannot be "off", so the cluster itself would not say it.
  if (expected.step_failed()) throw StepFailure(failing_problems(expected));
  std::string seen = done.str();
  if (st.action == Action::RepointNames && st.method == "dns") seen += " (dns emulated by each node's hosts file)";
  return seen;
}

/* The moves in the model's order, one after the other as the simulator makes them; then the mounts follow the VMs
 * (the sources that no longer run a VM of the volume unmount it). */
std::string PlanReplayer::migrate(const Step& st)
{
  const ClusterModel before = model_;
  Transition began          = model_.begin(st);
  if (began.step_failed()) { // the model refuses the move (no room on the target, its network down): as elsewhere
    model_.end(st);
    throw StepFailure(failing_problems(began));
  }
  std::ostringstream done;
  for (auto const& m : began.migrations) {
    migrations_.push_back({m.vm, st.name, m.from, m.to, m.network});
    MigrationReport& rep = migrations_.back();
    copy_memory(st, m, rep);
    char line[256];
    std::snprintf(line, sizeof line, "%s: %s -> %s over %s, %d pre-copy rounds, %.0f MB in %.2f s, paused %.3f s",
                  m.vm.c_str(), m.from.c_str(), m.to.c_str(), m.network.c_str(), rep.precopy_rounds, rep.bytes / 1e6,
                  rep.seconds, rep.pause_s);
    done << (done.tellp() ? "; " : "") << line;
    events_.push_back({now_clock(), "migrated", line});
  }
  model_.end(st);
  for (auto const& cmd : commands_for(st, before, model_)) {
    check_interrupt();
    if (cmd.kind == NodeCommand::Kind::Mount && c_.mounted(cmd.node, cmd.target)) continue; // mounted for the copy
    c_.run_command(cmd);
  }
  compare_with_model(st);
  return done.str();
}

/* One VM's pre-copy, decided by models/precopy as in the simulator. At --rate-scale R every rate is R times lower
 * (the link, the dirty rate, max_bandwidth) and every time 1/R longer (the downtime limit), so the rounds have the
 * simulator's sizes; the times go into the report multiplied by R. */
void PlanReplayer::copy_memory(const Step& st, const Migration& m, MigrationReport& rep)
{
  const double r  = c_.rate_scale();
  auto const& vms = c_.scenario().workload.vms;
  const Vm& vm    = *std::find_if(vms.begin(), vms.end(), [&](const Vm& v) { return v.name == m.vm; });
  const Nic* to   = c_.nic_on(m.to, m.network);
  if (!vm.memory || !to)
    throw StepFailure(m.vm + " cannot be migrated: no memory in the scenario or no NIC of " + m.to + " on " +
                      m.network);
  VmMemory memory = *vm.memory;
  memory.dirty_rate.value *= r;
  Step scaled = st;
  scaled.downtime_limit.value /= r;
  // The target opens the VM's disk before the copy begins (QEMU's incoming side opens its drives).
  if (!c_.mounted(m.to, vm.volume)) c_.mount(m.to, vm.volume);
  Precopy copy(memory, scaled);
  MemoryCopy wire(c_.layout().netns(m.from), c_.layout().netns(m.to), to->address);
  const double max_Bps = st.max_bandwidth.value * r, stall_s = c_.timeouts().check_s;
  const auto t0 = Clock::now();
  bool paused   = false;
  try {
    while (copy.stalled().empty()) {
      double bytes = copy.next_round(), t = wire.send_round(bytes, max_Bps, stall_s);
      copied_s_ += t;
      if (!copy.round_done(bytes, t)) continue;
      model_.set_paused(m.vm, paused = true);
      vms_.set(m.vm, false, "paused: the stop-and-copy of its live migration", now_clock());
      double last = copy.next_round(), tf = wire.send_round(last, max_Bps, stall_s);
      copied_s_ += tf;
      copy.round_done(last, tf);
      model_.finish_migration(m);
      vms_.set(m.vm, true, "", now_clock());
      rep.pause_s = tf * r;
      break;
    }
  } catch (const StepFailure& f) {
    if (paused) { // the copy broke during the stop-and-copy: the source resumes the guest, as QEMU does
      model_.set_paused(m.vm, false);
      vms_.set(m.vm, true, "", now_clock());
    }
    rep.why_not = std::string("cut: ") + f.what();
    throw StepFailure("live migration of " + m.vm + " from " + m.from + " to " + m.to + " over " + m.network +
                      " was cut: " + f.what());
  }
  rep.bytes          = copy.sent();
  rep.seconds        = since(t0) * r;
  rep.completed      = copy.stalled().empty();
  rep.precopy_rounds = copy.rounds() - (rep.completed ? 1 : 0);
  if (!rep.completed) {
    rep.why_not = "does not converge: " + copy.stalled();
    std::string why =
        "live migration of " + m.vm + " from " + m.from + " to " + m.to + " over " + m.network + " " + rep.why_not;
    findings_.push_back({"MIGRATION_DOES_NOT_CONVERGE", Severity::Error, "Step \"" + st.name + "\": " + why, st.name,
                         FindingOrigin::Emulation});
    throw StepFailure(why);
  }
}

void PlanReplayer::compare_with_model(const Step& st)
{
  for (auto const& n : c_.scenario().nodes)
    for (auto const& d : differences(model_, n.name, c_.observe(n.name)))
      differs(st, d);
}

/* A check's outcome is what the cluster shows; when the model expected the other outcome, that is a finding. */
std::string PlanReplayer::run_check(const Step& st, const Transition& expected, const std::string& intended_network)
{
  bool model_fails = expected.step_failed();
  if (st.action == Action::WaitHeal)
    return wait_heal(st); // heal time is the simulator's: the model does not predict it
  try {
    std::string seen;
    switch (st.action) {
    case Action::VerifyPing:
      seen = verify_ping(st);
      break;
    case Action::CheckPeers:
      seen = check_peers(intended_network);
      break;
    case Action::CheckVolume:
      seen = wait_recovered(st.volume, intended_network);
      break;
    case Action::VerifyPort:
      seen = verify_port(st, expected);
      break;
    default:
      break;
    }
    if (model_fails)
      differs(st, "the model expected this check to fail (" + failing_problems(expected) +
                      "), the emulated cluster passed it: " + seen);
    return seen;
  } catch (const WrongNetwork&) {
    throw;
  } catch (const StepFailure& f) {
    if (!model_fails)
      differs(st, std::string("the model expected this check to pass") +
                      (expected.observed.empty() ? "" : " (" + expected.observed + ")") +
                      ", the emulated cluster failed it: " + f.what());
    throw;
  }
}

/* ibv_devinfo on each node's port, through the probe (soft-RoCE guests with --rdma). The namespaces have no verbs
 * stack, so without a probe the outcome is the model's and the step says so. */
std::string PlanReplayer::verify_port(const Step& st, const Transition& expected)
{
  if (!opt_.ports) {
    if (expected.step_failed()) throw StepFailure(failing_problems(expected));
    return expected.observed + " (the model's answer: the namespaces have no verbs stack; emulate --rdma asks "
                               "soft-RoCE guests)";
  }
  std::vector<PortQuery> asked = port_queries(st, model_);
  PortOutcome o                = port_outcome(st, asked, opt_.ports->probe(asked));
  // Nodes that are off or lack the HCA were not asked: the model's words for them.
  if (asked.size() < st.nodes.size() && expected.step_failed()) o.failures.push_back(failing_problems(expected));
  if (!o.failures.empty()) throw StepFailure(join(o.failures, "; "));
  return o.seen;
}

std::string PlanReplayer::verify_ping(const Step& st)
{
  auto const& sc      = c_.scenario();
  std::string network = st.network;
  std::vector<std::string> nodes;
  for (auto const& n : st.nodes) {
    if (network.empty() && sc.find_node(n)->find_nic(st.interface))
      network = sc.find_node(n)->find_nic(st.interface)->network;
  }
  for (auto const& n : st.nodes)
    if (c_.nic_on(n, network)) nodes.push_back(n);
  int pings = 0;
  for (auto const& a : nodes) {
    auto nic_a = c_.nic_on(a, network);
    auto ia    = c_.observe(a).interfaces[nic_a->name];
    if (!ia.up)
      throw StepFailure(a + "'s " + nic_a->name + " is not up" + (model_.node(a).powered ? "" : " (powered off)"));
    int payload = st.mtu ? st.mtu : ia.mtu - 28;
    for (auto const& b : nodes) {
      if (a == b) continue;
      check_interrupt();
      auto nic_b = c_.nic_on(b, network);
      auto r     = c_.ping(a, nic_b->address, payload);
      ++pings;
      if (!r.ok()) {
        auto ib         = c_.observe(b).interfaces[nic_b->name];
        std::string why = ia.mtu - 28 < payload
                              ? a + "'s " + nic_a->name + " has MTU " + std::to_string(ia.mtu) + ", too small for it"
                          : ib.mtu - 28 < payload ? b + "'s " + nic_b->name + " has MTU " + std::to_string(ib.mtu) +
                                                        ": the frame is dropped there (MTU mismatch on the network)"
                                                  : b + "'s " + nic_b->name + (ib.up ? " does not answer" : " is down");
        throw StepFailure("ping -M do -s " + std::to_string(payload) + " from " + a + " (" + nic_a->name + " MTU " +
                          std::to_string(ia.mtu) + ") to " + b + " " + nic_b->address + " failed (" + r.summary() +
                          "): " + why);
      }
    }
  }
  return std::to_string(pings) + " pings on " + network + " with don't-fragment succeeded";
}

std::string PlanReplayer::check_peers(const std::string& intended_network)
{
  auto const& sc = c_.scenario();
  std::vector<std::string> servers;
  for (auto const& n : sc.nodes)
    if (n.server) servers.push_back(n.name);
  for (auto const& s : servers)
    if (!c_.glusterd_running(s))
      throw StepFailure("glusterd is not running on " + s + (model_.node(s).powered ? "" : " (powered off)"));
  auto t0 = Clock::now();
  std::string problem;
  // A pool that looks whole may still reject a peer once the glusterds have compared their state (the handshake
  // follows the connection; seen in CI: every peer "in Cluster", then one Rejected): it must look whole twice, a few
  // seconds apart.
  constexpr double kSettle_s = 3;
  double whole_at            = -1; // since t0, when it last began to look whole (-1: it does not)
  while (true) {
    problem.clear();
    for (auto const& s : servers) {
      auto peers       = c_.peer_status(s);
      size_t connected = 0;
      for (auto const& p : peers)
        // "Peer Rejected (Connected)" is connected, and not in the pool: a pool whose state files disagree.
        if (p.connected && p.state.rfind("Peer in Cluster", 0) == 0)
          ++connected;
        else if (problem.empty())
          problem = s + " sees peer " + p.hostname + " as \"" + p.state + "\"";
      if (connected != servers.size() - 1 && problem.empty())
        problem =
            s + " sees " + std::to_string(connected) + " connected peers of " + std::to_string(servers.size() - 1);
      if (!problem.empty()) break;
    }
    if (problem.empty() && whole_at >= 0 && since(t0) - whole_at >= kSettle_s) break;
    if (problem.empty() && whole_at < 0) whole_at = since(t0);
    if (!problem.empty()) whole_at = -1;
    if (!problem.empty() && since(t0) > c_.timeouts().check_s)
      throw StepFailure("peers not all connected and in the pool after " + fmt_s(c_.timeouts().check_s) + ": " +
                        problem);
    sleep_ticking(0.5, false);
  }
  // Connected is not enough: the pool must talk over the network the storage names were meant to move to.
  for (auto const& s : servers)
    for (auto const& addr : c_.glusterd_peer_addresses(s)) {
      auto net = network_of_address(s, addr);
      if (net != intended_network)
        throw WrongNetwork("peers are connected, but glusterd on " + s + " talks to its peers from " + addr +
                           " (network " + net + "), not over " + intended_network +
                           (c_.scenario().storage_names.by_ip()
                                ? ": its state files still hold the old addresses (were they rewritten?)"
                                : ": the storage names still resolve to the old network (were they re-pointed?)"));
    }
  return std::to_string(servers.size()) + " servers, all peers connected over " + intended_network + " after " +
         fmt_s(since(t0));
}

std::string PlanReplayer::explain_hung_client(const std::string& node, const std::string& volume)
{
  auto mp = c_.layout().mount_point(node, volume);
  auto r  = c_.node_run(
       node, {"timeout", "10", "sh", "-c", "stat " + mp + " >/dev/null && echo probe > " + mp + "/.ibmig-probe"}, 15);
  if (r.ok()) return "I/O through it still works";
  std::string why =
      r.exit_status == 124 ? "I/O on it hangs (no answer within 10 s)" : "I/O on it fails: " + r.summary();
  return why;
}

std::string PlanReplayer::wait_recovered(const std::string& volume, const std::string& intended_network,
                                         const std::map<std::string, std::set<std::string>>* expected)
{
  auto const& sc = c_.scenario();
  auto vol       = sc.find_volume(volume);
  auto t0        = Clock::now();
  std::string problem;
  std::string hung_node;
  while (true) {
    check_interrupt();
    problem.clear();
    hung_node.clear();
    auto server = c_.any_running_server();
    if (server.empty()) {
      problem = "no glusterd is running";
    } else {
      auto status  = c_.volume_status(server, volume);
      auto clients = c_.volume_clients(server, volume);
      std::vector<std::pair<std::string, std::string>> online; // (brick name, its node)
      for (auto const& b : vol->bricks) {
        auto name = c_.brick_name(b, server);
        bool up = std::any_of(status.begin(), status.end(), [&](auto const& s) { return s.brick == name && s.online; });
        if (expected && !model_.brick_serving(b)) continue; // the model holds it down: not part of this recovery
        if (!up) {
          problem = "brick " + name + " is offline" +
                    (!model_.node(b.node).powered   ? " (" + b.node + " is powered off)"
                     : !c_.glusterd_running(b.node) ? " (glusterd stopped on " + b.node + ")"
                                                    : "");
          break;
        }
        online.push_back({name, b.node});
      }
      for (auto const& n : sc.nodes) {
        if (!problem.empty()) break;
        if (!c_.mounted(n.name, volume) || (expected && !expected->count(n.name))) continue;
        auto eps = c_.client_endpoints(n.name, volume);
        for (auto const& brick : online) {
          const std::string& bname = brick.first; // not a structured binding: clang 14 cannot capture one
          if (expected && !expected->at(n.name).count(brick.second)) continue;
          auto it   = std::find_if(clients.begin(), clients.end(), [&](auto const& bc) { return bc.brick == bname; });
          bool sees = it != clients.end() && std::any_of(it->clients.begin(), it->clients.end(),
                                                         [&](auto const& e) { return eps.count(e) > 0; });
          if (!sees) {
            problem   = "brick " + bname + " does not see the client mounted on " + n.name;
            hung_node = n.name;
            break;
          }
        }
        for (auto const& ep : eps) {
          auto net = network_of_address(n.name, address_of(ep));
          if (problem.empty() && !intended_network.empty() && net != intended_network)
            throw WrongNetwork("every brick sees the clients, but the client on " + n.name + " reaches them from " +
                               address_of(ep) + " (network " + net + "), not over " + intended_network +
                               ": the storage names still resolve to the old network");
        }
      }
    }
    if (problem.empty()) break;
    if (since(t0) > c_.timeouts().check_s) {
      std::string extra;
      if (!hung_node.empty())
        extra = "; " + explain_hung_client(hung_node, volume) +
                " - a client that stayed mounted keeps its old connection and source address and must be remounted";
      throw StepFailure("volume " + volume + " did not recover within " + fmt_s(c_.timeouts().check_s) + ": " +
                        problem + extra);
    }
    sleep_ticking(1.0, false);
  }
  return "every brick of " + volume + " online and seeing every mounted client after " + fmt_s(since(t0));
}

std::string PlanReplayer::wait_heal(const Step& st)
{
  double deadline = std::min(st.timeout.value, c_.timeouts().heal_s);
  auto t0         = Clock::now();
  auto server     = c_.any_running_server();
  if (server.empty()) throw StepFailure("no glusterd is running: self-heal cannot be queried");
  c_.gluster(server, {"volume", "heal", st.volume});
  std::string problem;
  std::vector<std::string> split_seen;
  while (true) {
    check_interrupt();
    auto bricks = c_.heal_info(server, st.volume);
    problem     = bricks.empty() ? "no answer from heal info" : "";
    for (auto const& b : bricks)
      if (problem.empty() && (!b.connected || b.entries != 0))
        problem = "brick " + b.brick +
                  (b.connected ? " has " + std::to_string(b.entries) + " entries to heal" : " is not connected");
    if (problem.empty()) return "nothing left to heal after " + fmt_s(since(t0));
    auto split = split_brain_now(server, {st.volume});
    if (!split.empty() && split == split_seen) { // twice: a file caught mid-transaction is not a split-brain
      note_split_brain(split, "on " + st.volume + " (" + st.name + ")");
      throw StepFailure(std::to_string(split.size()) + " file(s) of " + st.volume +
                        " in split-brain (heal info split-brain): no heal will finish");
    }
    split_seen = split;
    if (since(t0) > deadline) throw StepFailure("self-heal not done within " + fmt_s(deadline) + ": " + problem);
    sleep_ticking(1.0, false);
  }
}

} // namespace ibmig::emu
