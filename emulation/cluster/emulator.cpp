#include "emulator.hpp"

#include "cluster.hpp"
#include "comparison.hpp"
#include "mistakes.hpp"
#include "plan_checker.hpp"
#include "plan_replay.hpp"
#include "workload.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ibmig::emu {

namespace fs = std::filesystem;

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

/* MemAvailable from /proc/meminfo; 0 when it cannot be read. */
Bytes available_memory()
{
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  double kib = 0;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return Bytes{kib * 1024};
  return Bytes{0};
}

bool in_path(const std::string& exe)
{
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::istringstream in(path);
  std::string dir;
  while (std::getline(in, dir, ':'))
    if (!dir.empty() && ::access((dir + "/" + exe).c_str(), X_OK) == 0) return true;
  return false;
}

std::string make_run_id()
{
  auto t = static_cast<unsigned long>(std::chrono::system_clock::now().time_since_epoch().count());
  std::ostringstream o;
  o << "r" << std::hex << ((t ^ (static_cast<unsigned long>(::getpid()) << 16)) & 0xfffff);
  return o.str();
}

std::string stem_of(const std::string& image, const std::string& suffix)
{
  auto dot = image.rfind('.');
  if (dot == std::string::npos || dot == 0) return image + suffix;
  return image.substr(0, dot) + suffix + image.substr(dot);
}

struct WrittenFile {
  std::string volume;
  std::string path; // relative to the volume root
  std::uint64_t length = 0;
};

/* Data bricks (arbiters hold metadata only) of replica set `set`. */
std::vector<const Brick*> data_bricks(const Volume& v, int set)
{
  std::vector<const Brick*> out;
  for (int i = 0; i < v.replica; ++i) {
    if (v.arbiter && i == v.replica - 1) continue;
    out.push_back(&v.bricks[static_cast<size_t>(set * v.replica + i)]);
  }
  return out;
}

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
  std::vector<IoJob> prefill_jobs();
  PhaseReport run_phase(const std::string& phase, double clock_start);
  std::map<std::string, std::map<std::string, NicCounters>> all_counters();
  void add_nic_phase(const std::string& phase, const std::map<std::string, std::map<std::string, NicCounters>>& a,
                     const std::map<std::string, std::map<std::string, NicCounters>>& b);
  nlohmann::json verify();
  IoJob job_for(const Vm& vm, const std::string& file, StreamKind kind);

  const Scenario& sc_;
  const EmulateOptions& opt_;
  SystemRunner runner_;
  Clock::time_point t0_ = Clock::now();
  std::unique_ptr<EmulatedCluster> cluster_;
  UninterruptibleOnExit guard_{runner_};          // destroyed before cluster_, whose destructor tears down
  std::map<std::string, std::string> read_files_; // vm -> prefilled image it reads
  std::vector<WrittenFile> written_;
  Report report_;
  std::vector<Event> io_events_;
};

IoJob Run::job_for(const Vm& vm, const std::string& file, StreamKind kind)
{
  IoJob j;
  j.vm    = vm.name;
  j.mntns = cluster_->layout().mntns(vm.node);
  j.dir   = cluster_->layout().mount_point(vm.node, vm.volume);
  j.file  = file;
  j.kind  = kind;
  if (vm.pinned_set) {
    auto vol = sc_.find_volume(vm.volume);
    for (auto b : data_bricks(*vol, *vm.pinned_set))
      j.placement_bricks.push_back(cluster_->layout().brick_dir(*b));
  }
  return j;
}

std::vector<IoJob> Run::prefill_jobs()
{
  std::vector<IoJob> jobs;
  for (auto const& vm : sc_.workload.vms)
    for (auto const& s : vm.streams)
      if (s.kind == StreamKind::SequentialRead && !read_files_.count(vm.name)) {
        auto j      = job_for(vm, stem_of(vm.image, "-image"), StreamKind::SequentialWrite);
        j.max_bytes = static_cast<std::uint64_t>(opt_.read_file_bytes.value);
        j.primary   = true;
        jobs.push_back(j);
        read_files_[vm.name] = "";
      }
  return jobs;
}

std::map<std::string, std::map<std::string, NicCounters>> Run::all_counters()
{
  std::map<std::string, std::map<std::string, NicCounters>> c;
  for (auto const& n : sc_.nodes)
    c[n.name] = cluster_->nic_counters(n.name);
  return c;
}

void Run::add_nic_phase(const std::string& phase, const std::map<std::string, std::map<std::string, NicCounters>>& a,
                        const std::map<std::string, std::map<std::string, NicCounters>>& b)
{
  for (auto const& n : sc_.nodes)
    for (auto const& nic : n.nics) {
      NicReport* rep = nullptr;
      for (auto& r : report_.nics)
        if (r.node == n.name && r.interface == nic.name) rep = &r;
      if (!rep) {
        report_.nics.push_back({n.name, nic.name, nic.network, {}});
        rep = &report_.nics.back();
      }
      NicPhaseBytes pb{phase, 0, 0};
      auto ib = b.at(n.name).find(nic.name);
      if (ib != b.at(n.name).end()) {
        auto ia            = a.at(n.name).find(nic.name);
        NicCounters before = ia != a.at(n.name).end() ? ia->second : NicCounters{};
        pb.tx_bytes        = ib->second.tx_bytes - before.tx_bytes;
        pb.rx_bytes        = ib->second.rx_bytes - before.rx_bytes;
      }
      rep->phases.push_back(pb);
    }
}

PhaseReport Run::run_phase(const std::string& phase, double clock_start)
{
  std::vector<IoJob> jobs;
  for (auto const& vm : sc_.workload.vms)
    for (size_t k = 0; k < vm.streams.size(); ++k) {
      auto const& s   = vm.streams[k];
      std::string tag = "-" + phase + (k ? "-" + std::to_string(k) : "");
      IoJob j;
      if (s.kind == StreamKind::SequentialWrite) {
        j           = job_for(vm, stem_of(vm.image, tag), s.kind);
        j.max_bytes = static_cast<std::uint64_t>(opt_.write_bytes.value);
      } else if (s.kind == StreamKind::SequentialRead) {
        j = job_for(vm, read_files_[vm.name], s.kind);
        j.placement_bricks.clear();
        j.max_bytes = static_cast<std::uint64_t>(opt_.write_bytes.value);
      } else {
        j = job_for(vm, vm.name + tag + "-files", s.kind);
        j.placement_bricks.clear();
        j.max_files = opt_.small_files;
        j.file_size = static_cast<std::uint64_t>(s.file_size.value);
      }
      j.rate_Bps = s.rate ? s.rate->value : 0;
      j.primary  = !s.rate && s.kind != StreamKind::SmallFiles;
      jobs.push_back(j);
    }
  auto c0      = all_counters();
  auto t_phase = Clock::now();
  std::vector<IoResult> results;
  std::map<std::string, std::map<std::string, NicCounters>> c1;
  std::map<std::string, double> node_tx_share; // isolated mode: tx of a VM's node while that VM ran alone
  if (opt_.concurrent_streams) {
    results = run_io_jobs(jobs, opt_.phase_deadline_s);
  } else {
    for (auto const& vm : sc_.workload.vms) {
      std::vector<IoJob> mine;
      for (auto j : jobs)
        if (j.vm == vm.name) {
          j.primary = true;
          if (j.rate_Bps > 0 && j.kind != StreamKind::SmallFiles) // paced: a fixed time instead of a size
            j.max_bytes =
                std::min<std::uint64_t>(j.max_bytes, static_cast<std::uint64_t>(j.rate_Bps * opt_.paced_seconds));
          mine.push_back(j);
        }
      auto a = all_counters();
      for (auto& r : run_io_jobs(mine, opt_.phase_deadline_s))
        results.push_back(r);
      auto b   = all_counters();
      auto nic = cluster_->nic_on(vm.node, cluster_->node(vm.node).names_network);
      if (nic) node_tx_share[vm.name] = b[vm.node][nic->name].tx_bytes - a[vm.node][nic->name].tx_bytes;
    }
    std::vector<IoJob> ordered; // results follow the VMs' order: realign the jobs
    for (auto const& vm : sc_.workload.vms)
      for (auto const& j : jobs)
        if (j.vm == vm.name) ordered.push_back(j);
    jobs.swap(ordered);
  }
  double wall = since(t_phase);
  c1          = all_counters();
  add_nic_phase(phase, c0, c1);

  PhaseReport pr;
  pr.name    = phase;
  pr.start_s = clock_start;
  pr.end_s   = clock_start + wall;
  std::map<std::string, double> written_by_node, written_by_vm;
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto const& j = jobs[i];
    auto const& r = results[i];
    if (!r.ok) io_events_.push_back({clock_start, "io-error", phase + ": " + j.vm + ": " + r.error});
    if (r.bad_bytes)
      io_events_.push_back({clock_start, "data-mismatch",
                            phase + ": " + j.vm + " read " + std::to_string(r.bad_bytes) + " bytes that differ"});
    auto const* vm = &sc_.workload.vms.front();
    for (auto const& v : sc_.workload.vms)
      if (v.name == j.vm) vm = &v;
    if (j.kind != StreamKind::SequentialRead && r.bytes > 0) {
      written_by_node[vm->node] += static_cast<double>(r.bytes);
      written_by_vm[vm->name] += static_cast<double>(r.bytes);
      if (j.kind == StreamKind::SequentialWrite)
        written_.push_back({vm->volume, r.file, r.bytes});
      else
        for (int f = 0; f < r.files; ++f) {
          char name[32];
          std::snprintf(name, sizeof name, "/f%05d", f);
          written_.push_back({vm->volume, j.file + name, j.file_size});
        }
    }
    ClientFigures* cf = nullptr;
    for (auto& c : pr.clients)
      if (c.name == vm->name) cf = &c;
    if (!cf) {
      pr.clients.push_back({});
      cf           = &pr.clients.back();
      cf->name     = vm->name;
      cf->node     = vm->node;
      auto vol     = sc_.find_volume(vm->volume);
      auto set     = replica_set_of(sc_, *vm);
      auto data    = data_bricks(*vol, set);
      cf->replicas = static_cast<int>(data.size());
      for (auto b : data)
        cf->replicas_local += b->node == vm->node ? 1 : 0;
      cf->bottleneck = "measured";
    }
    double rate = r.seconds > 0 ? static_cast<double>(r.bytes) / r.seconds / 1e6 : 0;
    if (j.kind == StreamKind::SequentialWrite)
      cf->write_MBps += rate;
    else if (j.kind == StreamKind::SequentialRead)
      cf->read_MBps += rate;
    else
      cf->small_files_per_s += r.seconds > 0 ? r.files / r.seconds : 0;
  }
  for (auto& cf : pr.clients) {
    pr.aggregate_write_MBps += cf.write_MBps;
    pr.aggregate_read_MBps += cf.read_MBps;
    auto names_net = cluster_->node(cf.node).names_network;
    auto nic       = cluster_->nic_on(cf.node, names_net);
    if (!opt_.concurrent_streams && written_by_vm[cf.name] > 0 && cf.write_MBps > 0) {
      cf.nic_bytes_per_byte_written = node_tx_share[cf.name] / written_by_vm[cf.name];
    } else if (nic && written_by_node[cf.node] > 0 && cf.write_MBps > 0) {
      double tx                     = c1[cf.node][nic->name].tx_bytes - c0[cf.node][nic->name].tx_bytes;
      cf.nic_bytes_per_byte_written = tx / written_by_node[cf.node];
    }
  }
  pr.bottleneck = "measured";
  return pr;
}

nlohmann::json Run::verify()
{
  std::uint64_t verified = 0, lost = 0;
  int files               = 0;
  nlohmann::json problems = nlohmann::json::array();
  for (auto const& f : written_) {
    auto vol  = sc_.find_volume(f.volume);
    auto seed = pattern_seed(f.path);
    int home  = -1;
    for (int set = 0; set < vol->replica_sets() && home < 0; ++set)
      for (auto b : data_bricks(*vol, set)) {
        struct stat st;
        auto p = cluster_->layout().brick_dir(*b) + "/" + f.path;
        // A DHT link file (sticky bit, empty) only points elsewhere; the data lives where a real copy is.
        if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && !((st.st_mode & S_ISVTX) && st.st_size == 0))
          home = set;
      }
    ++files;
    auto bricks = home >= 0 ? data_bricks(*vol, home) : data_bricks(*vol, 0);
    for (auto b : bricks) {
      auto good = home >= 0 ? matching_bytes(cluster_->layout().brick_dir(*b) + "/" + f.path, seed, f.length) : 0;
      verified += good;
      lost += f.length - good;
      if (good < f.length && problems.size() < 10)
        problems.push_back(f.volume + ":" + f.path + " on " + b->node + ": " + std::to_string(f.length - good) +
                           " bytes missing or different");
    }
  }
  return {{"files", files},
          {"bytes_verified", verified},
          {"bytes_lost", lost},
          {"problems", problems},
          {"method", "each written file read back from every data brick of its replica set (brick directories "
                     "read directly) and compared with its deterministic pattern"}};
}

Report Run::go(const Report* prediction)
{
  check_emulatable_names(sc_);
  MistakenPlan plan;
  try {
    plan = apply_mistakes(sc_, opt_.inject);
  } catch (const std::invalid_argument& e) {
    throw EmulationError(std::string("--inject: ") + e.what());
  }
  report_.tool          = "emulate";
  report_.scenario      = sc_.name;
  report_.scenario_file = sc_.file;
  report_.extra["run"]  = {{"time_scale", opt_.time_scale},
                           {"write_bytes", opt_.write_bytes.value},
                           {"read_file_bytes", opt_.read_file_bytes.value},
                           {"small_files", opt_.small_files}};
  if (opt_.rdma)
    report_.extra["rdma"] = "requested; the soft-RoCE plane is not wired into emulate yet: IPoIB stand-in only";
  std::string mode =
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
  report_.extra["workload_mode"] = mode;

  // What the static checker says about the plan that is replayed, and whether it flags the injected mistakes.
  Scenario mistaken = sc_;
  mistaken.plan     = plan.plan;
  report_.checks    = check_plan(mistaken);
  if (!opt_.inject.empty()) {
    auto base            = check_plan(sc_);
    nlohmann::json fresh = nlohmann::json::array();
    for (auto const& f : report_.checks) {
      bool in_base = false;
      for (auto const& b : base)
        in_base = in_base || (b.rule == f.rule && b.step == f.step && b.message == f.message);
      if (!in_base)
        fresh.push_back({{"rule", f.rule}, {"severity", f.severity}, {"step", f.step}, {"message", f.message}});
    }
    report_.extra["plan_checker"] = {{"mistakes", opt_.inject},
                                     {"flagged", !fresh.empty()},
                                     {"new_findings", fresh},
                                     {"note", fresh.empty() ? "the static plan checker does not flag this mistake: "
                                                              "only the replay found it"
                                                            : "the static plan checker flags it too"}};
    for (auto const& d : plan.descriptions)
      report_.events.push_back({0, "mistake", "injected: " + d});
  }

  RunLayout layout{make_run_id(), opt_.state_dir, opt_.work_dir + "/ibmig-"};
  layout.work_dir += layout.run_id;
  layout.work_dir_memory = memory_for_bricks(sc_, opt_, available_memory());
  report_.extra["run"]["bricks"] =
      "in memory: a tmpfs of " + format_bytes(layout.work_dir_memory) +
      " per run, so each node's bricks do not share this machine's one disk; the emulated brick disks are not a "
      "limit here: where the simulator predicts a disk-bound client (after the migration, for instance), the "
      "emulator measures more (the simulator's disk model is not checked by emulation)";
  report_.extra["run"]["id"]         = layout.run_id;
  report_.extra["run"]["state_file"] = layout.state_file();
  std::error_code ec;
  fs::create_directories(opt_.state_dir, ec);
  cluster_                     = std::make_unique<EmulatedCluster>(sc_, layout, runner_, opt_.log);
  cluster_->timeouts().check_s = opt_.check_deadline_s;
  cluster_->timeouts().heal_s  = opt_.heal_deadline_s;
  bool failed                  = false;
  try {
    log("run " + layout.run_id + ": building the cluster (state file " + layout.state_file() + ")");
    cluster_->build();
    for (auto const& vm : sc_.workload.vms)
      cluster_->mount(vm.node, vm.volume);
    PlanReplayer setup(*cluster_, plan, {opt_.time_scale}, 0);
    for (auto const& v : sc_.volumes)
      setup.wait_recovered(v.name, sc_.storage_names.network);
    log("cluster up; prefilling the images the VMs read");
    auto prefill = prefill_jobs();
    auto pre     = run_io_jobs(prefill, opt_.phase_deadline_s);
    for (size_t i = 0; i < prefill.size(); ++i) {
      if (!pre[i].ok) throw StepFailure("prefill of " + prefill[i].vm + "'s image failed: " + pre[i].error);
      read_files_[prefill[i].vm] = pre[i].file;
      for (auto const& vm : sc_.workload.vms)
        if (vm.name == prefill[i].vm) written_.push_back({vm.volume, pre[i].file, pre[i].bytes});
    }
    log("phase before");
    report_.phases.push_back(run_phase("before", 0));
    double plan_start = report_.phases.back().end_s;

    log("replaying the plan (" + std::to_string(plan.plan.steps.size()) + " steps)");
    auto c0 = all_counters();
    PlanReplayer replay(*cluster_, plan, {opt_.time_scale}, plan_start);
    bool ok = replay.run();
    add_nic_phase("migration", c0, all_counters());
    report_.steps           = replay.steps();
    report_.volume_downtime = replay.volume_downtime();
    report_.vm_downtime     = replay.vm_downtime();
    report_.plan_duration_s = replay.clock() - plan_start;
    for (auto const& e : replay.events())
      report_.events.push_back(e);
    failed = !ok;
    if (ok && opt_.run_after_phase) {
      log("phase after");
      report_.phases.push_back(run_phase("after", replay.clock()));
    }
    for (auto const& e : io_events_)
      report_.events.push_back(e);
    log("verifying every written byte on every replica");
    auto ver = verify();
    if (ver["bytes_lost"].get<std::uint64_t>() > 0 && ok) {
      // Trap seen here: right after a restart some writes reached one replica only; self-heal repairs that.
      report_.events.push_back({replay.clock(), "heal", "replicas differ after the run; waiting for self-heal"});
      for (auto const& v : sc_.volumes) {
        Step heal;
        heal.action  = Action::WaitHeal;
        heal.volume  = v.name;
        heal.timeout = Seconds{opt_.heal_deadline_s};
        try {
          replay.run_step(heal, "");
        } catch (const StepFailure& f) {
          report_.events.push_back({replay.clock(), "heal", f.what()});
        }
      }
      ver = verify();
    }
    report_.extra["verification"] = ver;
    failed                        = failed || ver["bytes_lost"].get<std::uint64_t>() > 0 || !io_events_.empty();
  } catch (const StepFailure& f) {
    throw_if_interrupted(cluster_torn_down);
    // The cluster could not be built or set up: a missing prerequisite in practice.
    throw EmulationError(std::string("emulated cluster setup failed: ") + f.what());
  }
  log("tearing down");
  runner_.set_interruptible(false);
  int left = cluster_->teardown();
  if (left)
    report_.events.push_back(
        {0, "teardown", std::to_string(left) + " object(s) could not be removed: see " + layout.state_file()});
  report_.extra["failed"] = failed;
  if (prediction) report_.extra["comparison"] = build_comparison(report_, *prediction, mode);
  log(failed ? "done: the run found problems (see steps and events)" : "done");
  return report_;
}
} // namespace

Bytes brick_bytes_upper_bound(const Scenario& sc, const EmulateOptions& opt)
{
  double bytes = 0;
  for (auto const& vm : sc.workload.vms) {
    auto vol     = sc.find_volume(vm.volume);
    int replicas = vol ? vol->replica : 1;
    for (auto const& s : vm.streams) {
      double per_phase = 0;
      if (s.kind == StreamKind::SequentialWrite) {
        per_phase = opt.write_bytes.value;
        if (s.rate && !opt.concurrent_streams) // paced, alone: rate x paced_seconds (see run_phase)
          per_phase = std::min(per_phase, s.rate->value * opt.paced_seconds);
      } else if (s.kind == StreamKind::SmallFiles) {
        per_phase = static_cast<double>(opt.small_files) * s.file_size.value;
      } else {
        bytes += opt.read_file_bytes.value * replicas; // the image it reads, written once before the phases
      }
      bytes += 2 * per_phase * replicas; // phases before and after
    }
  }
  return Bytes{bytes};
}

Bytes memory_for_bricks(const Scenario& sc, const EmulateOptions& opt, Bytes available)
{
  // Headroom for glusterd state, logs, .glusterfs metadata and rounding: 256 MiB plus 10%.
  Bytes want{brick_bytes_upper_bound(sc, opt).value * 1.1 + 256.0 * 1024 * 1024};
  if (available.value > 0 && want.value > available.value / 2)
    throw EmulationError("the emulated bricks live in memory and this run may write " + format_bytes(want) +
                         " (replicas included), more than half of the " + format_bytes(available) +
                         " this machine has available: use a smaller workload or a machine with more memory");
  return want;
}

void check_emulatable_names(const Scenario& sc)
{
  auto where = [&](const std::string& path) { return sc.file + ": " + path + ": "; };
  for (size_t i = 0; i < sc.nodes.size(); ++i) {
    auto const& n = sc.nodes[i];
    for (auto const& net : sc.networks)
      if (n.name == "sw-" + net.name) // its namespace would be the switch namespace of that network
        throw EmulationError(where("nodes[" + std::to_string(i) + "].name") + "node \"" + n.name +
                             "\" cannot be emulated next to network \"" + net.name + "\" (namespace names clash)");
    for (size_t k = 0; k < n.nics.size(); ++k) {
      auto port = RunLayout::switch_port(n.name, n.nics[k].name);
      if (port.size() > 15) // IFNAMSIZ - 1: the kernel refuses longer interface names
        throw EmulationError(where("nodes[" + std::to_string(i) + "].nics[" + std::to_string(k) + "].name") +
                             "the emulated switch port \"" + port +
                             "\" (node name, '-', NIC name) is longer than the kernel's 15-character limit for "
                             "interface names: use shorter node or NIC names to emulate this scenario");
    }
  }
}

std::string missing_prerequisites()
{
  std::vector<std::string> missing;
  if (::geteuid() != 0) missing.push_back("root (namespaces, mounts and glusterd need it)");
  if (::access("/dev/fuse", R_OK | W_OK) != 0) missing.push_back("/dev/fuse");
  for (auto exe : {"glusterd", "gluster", "glusterfs", "mount.glusterfs", "ip", "tc", "nsenter", "unshare", "ping",
                   "ss", "timeout"})
    if (!in_path(exe)) missing.push_back(exe);
  if (missing.empty()) return "";
  std::string s = "ibmig emulate needs ";
  for (size_t i = 0; i < missing.size(); ++i)
    s += (i ? ", " : "") + missing[i];
  return s + " (packages: glusterfs-server glusterfs-client iproute2 iputils-ping util-linux)";
}

Report emulate(const Scenario& sc, const EmulateOptions& opt, const Report* prediction)
{
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

CleanupSummary cleanup(const std::string& state_dir_or_file, std::ostream* log)
{
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(state_dir_or_file, ec)) {
    for (auto const& e : fs::directory_iterator(state_dir_or_file, ec)) {
      auto name = e.path().filename().string();
      if (name.rfind("ibmig-", 0) == 0 && e.path().extension() == ".json") files.push_back(e.path().string());
    }
  } else if (fs::exists(state_dir_or_file, ec)) {
    files.push_back(state_dir_or_file);
  } else {
    throw EmulationError(state_dir_or_file + ": no such state file or directory");
  }
  SystemRunner runner(nullptr);
  runner.set_interruptible(false);
  CleanupSummary summary;
  for (auto const& f : files) {
    RunState st;
    try {
      st = RunState::load(f);
    } catch (const std::exception& e) {
      if (log) *log << e.what() << "\n";
      continue;
    }
    if (st.owner_alive()) {
      if (log) *log << "run " << st.run_id() << " is still running (pid " << st.owner_pid() << "): left alone\n";
      ++summary.running;
      continue;
    }
    Teardown td(runner, log);
    int left = td.undo_all(st);
    if (log) *log << "cleaned run " << st.run_id() << (left ? " (" + std::to_string(left) + " failures)" : "") << "\n";
    if (left == 0) {
      fs::remove(f, ec);
      ++summary.cleaned;
    }
    summary.failures += left;
  }
  return summary;
}

bool run_failed(const Report& r)
{
  if (r.extra.contains("failed") && r.extra["failed"].is_boolean() && r.extra["failed"].get<bool>()) return true;
  for (auto const& s : r.steps)
    if (s.outcome != "ok") return true;
  if (r.extra.contains("verification") && r.extra["verification"].value("bytes_lost", 0.0) > 0) return true;
  return false;
}

} // namespace ibmig::emu
