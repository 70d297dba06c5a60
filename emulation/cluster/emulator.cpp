#include "emulator.hpp"

#include "cluster.hpp"
#include "cluster_bring_up.hpp"
#include "comparison.hpp"
#include "mistakes.hpp"
#include "plan_checker.hpp"
#include "plan_replay.hpp"
#include "prerequisites.hpp"
#include "verification.hpp"
#include "workload_phase.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <unistd.h>

namespace ibmig::emu {

namespace {
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0)
{
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/* Teardown must finish even after SIGINT: commands stop being interruptible before the cluster unwinds. */
struct UninterruptibleOnExit {
  SystemRunner& runner;
  ~UninterruptibleOnExit() { runner.set_interruptible(false); }
};

/* One `ibmig emulate` run: go() is the pipeline, each stage a method below. */
class Run {
public:
  Run(const Scenario& sc, const EmulateOptions& opt)
      : sc_(sc), opt_(opt), runner_(opt.trace_commands ? opt.log : nullptr)
  {
  }

  Report go(const Report* prediction);

private:
  void log(const std::string& line)
  {
    if (opt_.log) *opt_.log << "[emulate " << std::fixed;
    if (opt_.log) {
      opt_.log->precision(1);
      *opt_.log << since(t0_) << "s] " << line << std::endl;
      opt_.log->unsetf(std::ios::fixed);
    }
  }
  MistakenPlan mistaken_plan() const;
  void describe_run();
  void check_replayed_plan(const MistakenPlan& plan);
  RunLayout make_layout();
  void create_cluster(const RunLayout& layout);
  void set_up_cluster(const MistakenPlan& plan, const RunLayout& layout);
  bool replay_plan(const MistakenPlan& plan, PlanReplayer& replay, double plan_start);
  void tear_down(const RunLayout& layout);

  const Scenario& sc_;
  const EmulateOptions& opt_;
  SystemRunner runner_;
  Clock::time_point t0_ = Clock::now();
  MistakenPlan plan_; // the scenario the run emulates (its plan with the injected mistakes): outlives cluster_
  std::unique_ptr<EmulatedCluster> cluster_;
  UninterruptibleOnExit guard_{runner_}; // destroyed before cluster_, whose destructor tears down
  std::unique_ptr<WorkloadPhases> workload_;
  Report report_;
  EmulationSections& sections_ = report_.emulation.emplace(); // the report's emulate-only sections
};

Report Run::go(const Report* prediction)
{
  check_emulatable_names(sc_);
  plan_                    = mistaken_plan();
  const MistakenPlan& plan = plan_;
  describe_run();
  check_replayed_plan(plan);
  auto layout = make_layout();
  create_cluster(layout);
  bool failed = false;
  try {
    set_up_cluster(plan, layout);
    log("phase before");
    report_.phases.push_back(workload_->run("before", 0, report_.nics));
    double plan_start = report_.phases.back().end_s;
    PlanReplayer replay(*cluster_, plan, {opt_.time_scale, opt_.ports}, plan_start);
    if (!sc_.faults.empty()) { // a crash must find writes in flight: the VMs write through the replay
      log("faults: the VMs' writers run through the replay");
      workload_->start_plan_writers();
      replay.on_crash = [this](const std::string& node) { workload_->kill_vms_on(node); };
    }
    bool ok = replay_plan(plan, replay, plan_start);
    workload_->stop_plan_writers(replay.clock(), report_.events);
    report_.faults     = replay.faults();
    report_.migrations = replay.migrations();
    workload_->follow(replay.model()); // the VMs a live migration moved write from their new node
    if (ok && opt_.run_after_phase) {
      log("phase after");
      report_.phases.push_back(workload_->run("after", replay.clock(), report_.nics));
    }
    for (auto const& e : workload_->events())
      report_.events.push_back(e);
    log("verifying every written byte on every replica");
    sections_.verification =
        verify_replicas(*cluster_, workload_->written(), replay, ok, opt_.heal_deadline_s, report_.events);
    failed = !ok || sections_.verification.bytes_lost > 0 || !workload_->events().empty();
  } catch (const StepFailure& f) {
    throw_if_interrupted(cluster_torn_down);
    // The cluster could not be built or set up: a missing prerequisite in practice.
    throw EmulationError(std::string("emulated cluster setup failed: ") + f.what());
  }
  tear_down(layout);
  sections_.failed = failed;
  if (prediction)
    sections_.comparison = build_comparison(report_, *prediction, sections_.workload_mode, opt_.concurrent_streams,
                                            sc_.storage_names.network);
  log(failed ? "done: the run found problems (see steps and events)" : "done");
  return report_;
}

MistakenPlan Run::mistaken_plan() const
{
  try {
    return apply_mistakes(sc_, opt_.inject);
  } catch (const std::invalid_argument& e) {
    throw EmulationError(std::string("--inject: ") + e.what());
  }
}

void Run::describe_run()
{
  report_.tool                  = "emulate";
  report_.scenario              = sc_.name;
  report_.scenario_file         = sc_.file;
  sections_.run.time_scale      = opt_.time_scale;
  sections_.run.write_bytes     = opt_.write_bytes;
  sections_.run.read_file_bytes = opt_.read_file_bytes;
  sections_.run.small_files     = opt_.small_files;
  sections_.run.rate_scale      = opt_.rate_scale;
  if (opt_.rdma)
    sections_.rdma = std::string("requested: IPoIB traffic runs on the namespaces' stand-in; ") +
                     (opt_.ports ? "verify_port steps query soft-RoCE guests at their step"
                                 : "verify_port steps take the model's answer (no soft-RoCE guests here)") +
                     "; the fabric check and RDMA benchmark run after the replay";
  sections_.workload_mode =
      opt_.concurrent_streams
          ? "streams of a phase run concurrently as the scenario describes, bounded: each max-rate writer writes " +
                format_bytes(opt_.write_bytes) +
                " (fdatasync included), paced streams run at their rate alongside "
                "and stop when the max-rate writers finish; the simulator predicts the same concurrent streams"
          : "VMs of a phase run one at a time (each alone: this machine's 2 cores are shared by every emulated "
            "node, a real node has its own), max-rate writers write " +
                format_bytes(opt_.write_bytes) + " (fdatasync included), paced streams run " +
                std::to_string(static_cast<int>(opt_.paced_seconds)) +
                " s at their rate; the simulator predicts all streams at once, so a client that shares a NIC or a "
                "brick with another busy client is predicted lower than measured here";
  if (opt_.rate_scale < 1) {
    std::ostringstream x;
    x << opt_.rate_scale;
    sections_.workload_mode += "; rate scale " + x.str() +
                               ": links, stream classes and paced streams ran that many times slower and every MB/s "
                               "is divided by it (small files per second are not: round trips, not bandwidth; the "
                               "host's own costs, FUSE and CPU, are not slowed, so they limit less than they would)";
  }
}

/* What the static checker says about the plan that is replayed, and whether it flags the injected mistakes. */
void Run::check_replayed_plan(const MistakenPlan& plan)
{
  const Scenario& mistaken = plan.scenario;
  report_.checks           = check_plan(mistaken);
  if (!opt_.inject.empty()) {
    auto base = check_plan(sc_);
    PlanCheckerInfo info;
    info.mistakes = opt_.inject;
    for (auto const& f : report_.checks) {
      bool in_base = false;
      for (auto const& b : base)
        in_base = in_base || (b.rule == f.rule && b.step == f.step && b.message == f.message);
      if (!in_base) info.new_findings.push_back(f);
    }
    info.flagged           = !info.new_findings.empty();
    info.note              = info.flagged ? "the static plan checker flags it too"
                                          : "the static plan checker does not flag this mistake: only the replay "
                                            "found it";
    sections_.plan_checker = info;
    for (auto const& d : plan.descriptions)
      report_.events.push_back({0, "mistake", "injected: " + d});
  }
}

RunLayout Run::make_layout()
{
  auto layout = make_run_layout(sc_, opt_);
  sections_.run.bricks =
      "in memory: a tmpfs of " + format_bytes(layout.work_dir_memory) +
      " per run, so each node's bricks do not share this machine's one disk; the emulated brick disks are not a "
      "limit here: where the simulator predicts a disk-bound client (after the migration, for instance), the "
      "emulator measures more (the simulator's disk model is not checked by emulation)";
  sections_.run.id         = layout.run_id;
  sections_.run.state_file = layout.state_file();
  return layout;
}

/* The cluster object exists before anything is built: its destructor tears down whatever the build got to. */
void Run::create_cluster(const RunLayout& layout)
{
  cluster_  = make_cluster(plan_.scenario, layout, runner_, opt_);
  workload_ = std::make_unique<WorkloadPhases>(*cluster_, opt_);
}

/* Built, every VM's volume mounted and seen by every brick, and the images the VMs read written. */
void Run::set_up_cluster(const MistakenPlan& plan, const RunLayout& layout)
{
  log("run " + layout.run_id + ": building the cluster (state file " + layout.state_file() + ")");
  bring_up(*cluster_, plan, opt_);
  log("cluster up; prefilling the images the VMs read");
  workload_->prefill();
}

/* The migration plan, step by step, with the NIC bytes it moved; the report gets its steps, downtime and events. */
bool Run::replay_plan(const MistakenPlan& plan, PlanReplayer& replay, double plan_start)
{
  log("replaying the plan (" + std::to_string(plan.scenario.plan.steps.size()) + " steps)");
  auto c0 = nic_counters(*cluster_);
  bool ok = replay.run();
  add_nic_phase(plan_.scenario, "migration", c0, nic_counters(*cluster_), report_.nics);
  report_.steps           = replay.steps();
  report_.volume_downtime = replay.volume_downtime();
  report_.vm_downtime     = replay.vm_downtime();
  report_.plan_duration_s = replay.clock() - plan_start;
  for (auto const& e : replay.events())
    report_.events.push_back(e);
  for (auto const& f : replay.findings())
    report_.checks.push_back(f);
  return ok;
}

void Run::tear_down(const RunLayout& layout)
{
  log("tearing down");
  runner_.set_interruptible(false);
  int left = cluster_->teardown();
  if (left)
    report_.events.push_back(
        {0, "teardown", std::to_string(left) + " object(s) could not be removed: see " + layout.state_file()});
}
} // namespace

std::string make_run_id()
{
  auto t = static_cast<unsigned long>(std::chrono::system_clock::now().time_since_epoch().count());
  std::ostringstream o;
  o << "r" << std::hex << ((t ^ (static_cast<unsigned long>(::getpid()) << 16)) & 0xfffff);
  return o.str();
}

RunLayout make_run_layout(const Scenario& sc, const EmulateOptions& opt)
{
  RunLayout layout{make_run_id(), opt.state_dir, opt.work_dir + "/ibmig-"};
  layout.work_dir += layout.run_id;
  layout.work_dir_memory = memory_for_bricks(sc, opt, available_memory());
  return layout;
}

std::unique_ptr<EmulatedCluster> make_cluster(const Scenario& sc, const RunLayout& layout, CommandRunner& runner,
                                              const EmulateOptions& opt)
{
  std::error_code ec;
  std::filesystem::create_directories(opt.state_dir, ec);
  if (!(opt.rate_scale > 0 && opt.rate_scale <= 1))
    throw EmulationError("rate scale must be above 0 and at most 1, got " + std::to_string(opt.rate_scale));
  auto cluster                = std::make_unique<EmulatedCluster>(sc, layout, runner, opt.log, opt.rate_scale);
  cluster->timeouts().check_s = opt.check_deadline_s;
  cluster->timeouts().heal_s  = opt.heal_deadline_s;
  return cluster;
}

void bring_up(EmulatedCluster& cluster, const MistakenPlan& plan, const EmulateOptions& opt)
{
  const Scenario& sc = plan.scenario;
  cluster.build();
  for (auto const& vm : sc.workload.vms)
    cluster.mount(vm.node, vm.volume);
  PlanReplayer setup(cluster, plan, {opt.time_scale}, 0);
  for (auto const& v : sc.volumes)
    setup.wait_recovered(v.name, sc.storage_names.network);
}

Report emulate(const Scenario& sc, const EmulateOptions& opt, const Report* prediction)
{
  // Said before anything is built: with faults the VMs' writers run through the replay, and they do not follow a
  // live migration to its target (the phases' writers do).
  for (auto const& st : sc.plan.steps)
    if (st.action == Action::MigrateVms && !sc.faults.empty())
      throw EmulationError(sc.file + ": " + st.json_path + ": step \"" + st.name +
                           "\" is a live migration (migrate_vms) in a scenario with faults, which the emulator does "
                           "not replay yet (the writers that run through a replay with faults stay on their node): "
                           "`ibmig simulate` and `ibmig check` handle it");
  if (auto why = missing_prerequisites(); !why.empty()) throw EmulationError(why);
  InterruptGuard signals; // SIGINT/SIGTERM: commands and waits throw Interrupted, the run unwinds through teardown
  try {
    Run run(sc, opt);
    return run.go(prediction);
  } catch (const Interrupted& e) {
    clear_interrupt();
    throw EmulationError(e.what());
  } catch (const StepFailure& e) {
    throw EmulationError(e.what());
  }
}

bool run_failed(const Report& r)
{
  // The verdict as simulate has it (failed steps, checker errors, model differences, bytes lost), and what only a
  // run can fail on (the workload's own errors).
  return !verdict(r).ok() || (r.emulation && r.emulation->failed);
}

} // namespace ibmig::emu
