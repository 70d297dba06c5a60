#include "simulation.hpp"

#include "fault_injector.hpp"
#include "gluster_client.hpp"
#include "plan_checker.hpp"
#include "plan_executor.hpp"
#include "self_heal_daemon.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
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
                                   "--log=xbt_cfg.thres:critical"};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  sg4::Engine engine(&argc, argv.data());
  World world(sc, step_durations);

  sg4::Host* home = world.platform.disk(sc.nodes.front().name);
  std::vector<std::unique_ptr<GlusterClient>> clients;
  for (auto const& vm : sc.workload.vms)
    for (size_t k = 0; k < vm.streams.size(); k++)
      sg4::Actor::create("client-" + vm.name + "#" + std::to_string(k), world.platform.disk(vm.node),
                         GlusterClient(world, vm, k));
  for (auto const& v : sc.volumes)
    sg4::Actor::create("shd-" + v.name, home, SelfHealDaemon(world, v));
  for (auto const& f : sc.faults)
    sg4::Actor::create("fault-" + f.node, home, FaultInjector(world, f));
  auto executor = std::make_shared<PlanExecutor>(world);
  sg4::Actor::create("plan", home, [executor]() { (*executor)(); });
  engine.run();
  return world.recorder.build(sc, executor->plan_start_s, executor->plan_end_s);
}

namespace {

/* Runs `work` in a child; returns what it wrote. */
std::string run_child(const std::function<std::string()>& work, RunStats* stats)
{
  int fd[2];
  if (pipe(fd) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr); // a child must not inherit (and print again) the parent's buffered output
  auto t0   = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(fd[0]);
    int status = 0;
    try {
      std::string out = work();
      size_t off      = 0;
      while (off < out.size()) {
        ssize_t n = write(fd[1], out.data() + off, out.size() - off);
        if (n <= 0) _exit(3);
        off += static_cast<size_t>(n);
      }
    } catch (const std::exception& e) {
      std::string msg = std::string("error: ") + e.what();
      (void)!write(fd[1], msg.data(), msg.size());
      status = 4;
    }
    close(fd[1]);
    _exit(status);
  }
  close(fd[1]);
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd[0], buf, sizeof buf)) > 0)
    out.append(buf, static_cast<size_t>(n));
  close(fd[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  if (stats) {
    stats->wall_s      = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    stats->max_rss_kib = ru.ru_maxrss;
    stats->cpu_s       = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                   static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("the simulation failed (" +
                             (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                                  : "exit status " + std::to_string(WEXITSTATUS(status))) +
                             ")" + (out.rfind("error: ", 0) == 0 ? ": " + out.substr(7) : ""));
  return out;
}

double percentile(std::vector<double> v, double p)
{
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p * v.size()));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

json summary(const Report& r)
{
  json vm = json::object(), vol = json::object();
  for (auto const& d : r.vm_downtime)
    vm[d.name] = d.seconds;
  for (auto const& d : r.volume_downtime)
    vol[d.name] = d.seconds;
  return {{"plan", r.plan_duration_s}, {"vms", vm}, {"volumes", vol}};
}

} // namespace

Report simulate(const Scenario& sc, const SimOptions& opt, RunStats* stats)
{
  Report report = report_from_json(
      json::parse(run_child([&]() { return to_json(simulate_in_process(sc, nominal_durations(sc))).dump(); }, stats)));
  report.runs   = opt.runs;
  report.seed   = opt.seed;
  report.checks = check_plan(sc);
  if (opt.runs <= 1) return report;

  // Monte Carlo: run i uses seed + i; children run `parallel` at a time.
  std::vector<json> results(static_cast<size_t>(opt.runs));
  int next = 0;
  std::map<pid_t, std::pair<int, int>> running; // pid -> (run, read fd)
  std::map<int, std::string> buffers;
  auto launch = [&](int i) {
    int fd[2];
    if (pipe(fd) != 0) throw std::runtime_error("pipe failed");
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      close(fd[0]);
      std::string out;
      try {
        out = summary(simulate_in_process(sc, sample_durations(sc, opt.seed + static_cast<uint64_t>(i)))).dump();
      } catch (...) {
        _exit(4);
      }
      size_t off = 0;
      while (off < out.size()) {
        ssize_t n = write(fd[1], out.data() + off, out.size() - off);
        if (n <= 0) _exit(3);
        off += static_cast<size_t>(n);
      }
      _exit(0);
    }
    close(fd[1]);
    running[pid] = {i, fd[0]};
  };
  while (next < opt.runs || !running.empty()) {
    while (next < opt.runs && static_cast<int>(running.size()) < std::max(1, opt.parallel))
      launch(next++);
    // Drain the oldest child's pipe completely, then reap it (summaries are small: no pipe deadlock).
    auto it       = running.begin();
    auto [i, rfd] = it->second;
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(rfd, buf, sizeof buf)) > 0)
      out.append(buf, static_cast<size_t>(n));
    close(rfd);
    int status = 0;
    waitpid(it->first, &status, 0);
    running.erase(it);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw std::runtime_error("Monte Carlo run " + std::to_string(i) + " failed");
    results[static_cast<size_t>(i)] = json::parse(out);
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
  return report;
}

} // namespace ibmig::sim
