#include "simulation.hpp"

#include "fault_injector.hpp"
#include "gluster_client.hpp"
#include "plan_checker.hpp"
#include "plan_executor.hpp"
#include "report_wire.hpp"
#include "self_heal_daemon.hpp"
#include "statistics.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>
#include <malloc.h>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sg4 = simgrid::s4u;
using nlohmann::json;

namespace ibmig::sim {

std::vector<Seconds> nominal_durations(const Scenario& sc)
{
  std::vector<Seconds> d;
  for (auto const& st : sc.plan.steps)
    d.push_back(st.duration.nominal());
  return d;
}

std::vector<Seconds> sample_durations(const Scenario& sc, uint64_t seed)
{
  std::mt19937_64 rng(seed);
  std::vector<Seconds> d;
  for (auto const& st : sc.plan.steps)
    d.push_back(st.duration.sample(rng));
  return d;
}

Report simulate_in_process(const Scenario& sc, const std::vector<Seconds>& step_durations)
{
  // ptask_L07: a replicated write is one activity crossing client NIC, switch, brick NICs and disks at one rate.
  std::vector<std::string> args = {"ibmig", "--cfg=host/model:ptask_L07", "--log=root.thres:critical",
                                   "--log=xbt_cfg.thres:critical",
                                   // One actor per VM stream: a guard page per stack would split each stack into
                                   // two memory mappings, and 4,096 nodes x 10 VMs exceed the kernel's 65,530
                                   // (vm.max_map_count). Our actors are shallow: 256 KiB each.
                                   "--cfg=contexts/guard-size:0", "--cfg=contexts/stack-size:256"};
  // Unguarded stacks come from malloc: keep blocks of 128 KiB and more in mappings of their own, so a stack's pages
  // are only touched as it grows (glibc would otherwise raise the threshold and zero them on the heap).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer cannot follow SimGrid's own stack switching (raw contexts): give each actor a thread.
  args.emplace_back("--cfg=contexts/factory:thread");
  args.emplace_back("--cfg=contexts/stack-size:4096"); // instrumented frames are larger: no 256 KiB stacks
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  args.emplace_back("--cfg=contexts/factory:thread");
  args.emplace_back("--cfg=contexts/stack-size:4096"); // instrumented frames are larger: no 256 KiB stacks
#endif
#endif
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  sg4::Engine engine(&argc, argv.data());
  World world(sc, step_durations);

  sg4::Host* home = world.platform.disk(sc.nodes.front().name);
  // An exception in an actor would make SimGrid abort the process: record the first one, end the run, report it.
  std::string internal_error;
  auto guarded = [&world, &internal_error](std::string name, auto actor) {
    return [&world, &internal_error, name, actor]() mutable {
      try {
        actor();
      } catch (const std::exception& e) {
        if (internal_error.empty()) internal_error = "actor " + name + ": " + e.what();
        if (!world.finished) world.finish();
      }
    };
  };
  for (auto const& vm : sc.workload.vms)
    for (size_t k = 0; k < vm.streams.size(); k++) {
      std::string name = "client-" + vm.name + "#" + std::to_string(k);
      sg4::Actor::create(name, world.platform.disk(vm.node), guarded(name, GlusterClient(world, vm, k)));
    }
  for (auto const& v : sc.volumes)
    sg4::Actor::create("shd-" + v.name, home, guarded("shd-" + v.name, SelfHealDaemon(world, v)));
  for (auto const& f : sc.faults)
    sg4::Actor::create("fault-" + f.node, home, guarded("fault-" + f.node, FaultInjector(world, f)));
  auto executor = std::make_shared<PlanExecutor>(world);
  sg4::Actor::create("plan", home, guarded("plan", [executor]() { (*executor)(); }));
  bool deadlock = false;
  sg4::Engine::on_deadlock_cb([&deadlock]() { deadlock = true; });
  engine.run();
  if (!internal_error.empty()) throw SimulationError("internal error in the simulator: " + internal_error);
  // SimGrid ends a deadlocked run by killing its actors and returning normally: that answer is truncated.
  if (deadlock || !executor->done)
    throw SimulationError("SimGrid found a deadlock at t = " + std::to_string(World::now()) + " s during " +
                          (world.current_step < 0 ? std::string("the phase before the plan")
                           : world.current_step >= static_cast<int>(sc.plan.steps.size())
                               ? std::string("the phase after the plan")
                               : "step \"" + sc.plan.steps[static_cast<size_t>(world.current_step)].name + "\"") +
                          ": the run is truncated (a bug in ibmig's simulator: please report it with the scenario)");
  return world.recorder.build(sc, executor->plan_start_s, executor->plan_end_s);
}

namespace {

/* A forked run: its pid and the pipe it writes its answer to. */
struct Child {
  pid_t pid = -1;
  int fd    = -1;
  std::chrono::steady_clock::time_point started;
};

/* Runs `work` in a child. The child writes the answer, or "error: WHY" with exit status 4 when it throws. */
Child spawn(const std::function<std::string()>& work)
{
  int fd[2];
  if (pipe(fd) != 0) throw SimulationError(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr); // a child must not inherit (and print again) the parent's buffered output
  Child c;
  c.started = std::chrono::steady_clock::now();
  c.pid     = fork();
  if (c.pid < 0) {
    close(fd[0]);
    close(fd[1]);
    throw SimulationError(std::string("fork: ") + std::strerror(errno));
  }
  if (c.pid == 0) {
    close(fd[0]);
    int status = 0;
    std::string out;
    try {
      out = work();
    } catch (const std::exception& e) {
      out    = std::string("error: ") + e.what();
      status = 4;
    } catch (...) {
      out    = "error: an unknown exception";
      status = 4;
    }
    for (size_t off = 0; off < out.size();) {
      ssize_t n = write(fd[1], out.data() + off, out.size() - off);
      if (n <= 0) _exit(3);
      off += static_cast<size_t>(n);
    }
    close(fd[1]);
    _exit(status);
  }
  close(fd[1]);
  c.fd = fd[0];
  return c;
}

/* Reads the child's answer to the end, reaps it, and throws SimulationError unless it succeeded. */
std::string collect(Child& c, const std::string& what, RunStats* stats = nullptr)
{
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(c.fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  close(c.fd);
  int status = 0;
  struct rusage ru {};
  while (wait4(c.pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  if (stats) {
    stats->wall_s      = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started).count();
    stats->max_rss_kib = ru.ru_maxrss;
    stats->cpu_s       = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                   static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return out;
  std::string why = WIFSIGNALED(status)
                        ? "signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")"
                        : "exit status " + std::to_string(WEXITSTATUS(status));
  if (out.rfind("error: ", 0) == 0) throw SimulationError(what + " failed: " + out.substr(7));
  throw SimulationError(what + " failed (" + why + ")");
}

int failed_steps(const Report& r)
{
  return static_cast<int>(
      std::count_if(r.steps.begin(), r.steps.end(), [](auto& s) { return s.outcome != StepOutcome::Ok; }));
}

json summary(const Report& r)
{
  json vm = json::object(), vol = json::object();
  for (auto const& d : r.vm_downtime)
    vm[d.name] = d.seconds;
  for (auto const& d : r.volume_downtime)
    vol[d.name] = d.seconds;
  return {{"plan", r.plan_duration_s}, {"vms", vm}, {"volumes", vol}, {"failed_steps", failed_steps(r)}};
}

} // namespace

Report simulate(const Scenario& sc, const SimOptions& opt, RunStats* stats)
{
  // The report comes back as bytes, not JSON: at 4,096 nodes its JSON tree cost more than the simulation.
  Child nominal                    = spawn([&]() { return to_wire(simulate_in_process(sc, nominal_durations(sc))); });
  Report report                    = report_from_wire(collect(nominal, "the simulation", stats));
  report.runs                      = opt.runs;
  report.seed                      = opt.seed;
  std::vector<CheckFinding> checks = check_plan(sc); // the plan check's findings first, then the simulation's
  report.checks.insert(report.checks.begin(), checks.begin(), checks.end());
  if (opt.runs <= 1) return report;

  // Monte Carlo: run i uses seed + i; children run `parallel` at a time, collected in launch order (summaries are
  // small: a child never blocks on a full pipe while an older one is read).
  std::vector<json> results(static_cast<size_t>(opt.runs));
  std::deque<std::pair<int, Child>> running;
  int next = 0;
  try {
    while (next < opt.runs || !running.empty()) {
      while (next < opt.runs && static_cast<int>(running.size()) < std::max(1, opt.parallel)) {
        uint64_t seed = opt.seed + static_cast<uint64_t>(next);
        running.emplace_back(next++, spawn([&sc, seed]() {
                               return summary(simulate_in_process(sc, sample_durations(sc, seed))).dump();
                             }));
      }
      auto [i, child] = running.front();
      running.pop_front();
      results[static_cast<size_t>(i)] =
          json::parse(collect(child, "Monte Carlo run " + std::to_string(i) + " (seed " +
                                         std::to_string(opt.seed + static_cast<uint64_t>(i)) + ")"));
      if (opt.on_run_done) opt.on_run_done();
    }
  } catch (...) {
    for (auto& [i, child] : running) { // don't leave children behind
      kill(child.pid, SIGKILL);
      close(child.fd);
      waitpid(child.pid, nullptr, 0);
    }
    throw;
  }
  auto spread = [&](const std::function<double(const json&)>& get, std::optional<double>& p50,
                    std::optional<double>& p95) {
    std::vector<double> v;
    for (auto const& r : results)
      v.push_back(get(r));
    p50 = percentile(v, 0.50);
    p95 = percentile(v, 0.95);
  };
  spread([](const json& r) { return r.at("plan").get<double>(); }, report.plan_duration_p50_s,
         report.plan_duration_p95_s);
  for (auto& d : report.vm_downtime)
    spread([&](const json& r) { return r.at("vms").at(d.name).get<double>(); }, d.p50_s, d.p95_s);
  for (auto& d : report.volume_downtime)
    spread([&](const json& r) { return r.at("volumes").at(d.name).get<double>(); }, d.p50_s, d.p95_s);
  report.runs_with_failed_steps = static_cast<int>(
      std::count_if(results.begin(), results.end(), [](const json& r) { return r.at("failed_steps").get<int>() > 0; }));
  return report;
}

} // namespace ibmig::sim
