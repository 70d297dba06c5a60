#include "workload_phase.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace ibmig::emu {

namespace {
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0)
{
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/* "vm2.qcow2" + "-before" -> "vm2-before.qcow2" */
std::string stem_of(const std::string& image, const std::string& suffix)
{
  auto dot = image.rfind('.');
  if (dot == std::string::npos || dot == 0) return image + suffix;
  return image.substr(0, dot) + suffix + image.substr(dot);
}

/* 0 when the interface was not there (not installed yet). */
double tx_bytes(const ClusterNicCounters& c, const std::string& node, const std::string& nic)
{
  auto n = c.find(node);
  if (n == c.end()) return 0;
  auto i = n->second.find(nic);
  return i == n->second.end() ? 0 : i->second.tx_bytes;
}
} // namespace

std::vector<const Brick*> data_bricks(const Volume& v, int set)
{
  std::vector<const Brick*> out;
  for (int i = 0; i < v.replica; ++i) {
    if (v.arbiter && i == v.replica - 1) continue;
    out.push_back(&v.bricks[static_cast<size_t>(set * v.replica + i)]);
  }
  return out;
}

ClusterNicCounters nic_counters(EmulatedCluster& cluster)
{
  ClusterNicCounters c;
  for (auto const& n : cluster.scenario().nodes)
    c[n.name] = cluster.nic_counters(n.name);
  return c;
}

void add_nic_phase(const Scenario& sc, const std::string& phase, const ClusterNicCounters& a,
                   const ClusterNicCounters& b, std::vector<NicReport>& nics)
{
  for (auto const& n : sc.nodes)
    for (auto const& nic : n.nics) {
      NicReport* rep = nullptr;
      for (auto& r : nics)
        if (r.node == n.name && r.interface == nic.name) rep = &r;
      if (!rep) {
        nics.push_back({n.name, nic.name, nic.network, {}});
        rep = &nics.back();
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

IoJob WorkloadPhases::job_for(const Vm& vm, const std::string& file, StreamKind kind) const
{
  IoJob j;
  j.vm    = vm.name;
  j.mntns = cluster_.layout().mntns(node_of(vm));
  j.dir   = cluster_.layout().mount_point(node_of(vm), vm.volume);
  j.file  = file;
  j.kind  = kind;
  if (vm.pinned_set) {
    auto vol = cluster_.scenario().find_volume(vm.volume);
    for (auto b : data_bricks(*vol, *vm.pinned_set))
      j.placement_bricks.push_back(cluster_.layout().brick_dir(*b));
  }
  return j;
}

void WorkloadPhases::follow(const ClusterModel& model)
{
  for (auto const& vm : cluster_.scenario().workload.vms)
    if (model.vm(vm.name).node != vm.node)
      node_of_[vm.name] = model.vm(vm.name).node;
    else
      node_of_.erase(vm.name);
}

const std::string& WorkloadPhases::node_of(const Vm& vm) const
{
  auto it = node_of_.find(vm.name);
  return it == node_of_.end() ? vm.node : it->second;
}

const Vm& WorkloadPhases::vm_named(const std::string& name) const
{
  auto const& vms = cluster_.scenario().workload.vms;
  auto it         = std::find_if(vms.begin(), vms.end(), [&](const Vm& v) { return v.name == name; });
  return it != vms.end() ? *it : vms.front();
}

void WorkloadPhases::prefill()
{
  std::vector<IoJob> jobs;
  for (auto const& vm : cluster_.scenario().workload.vms)
    for (auto const& s : vm.streams)
      if (s.kind == StreamKind::SequentialRead && !read_files_.count(vm.name)) {
        auto j      = job_for(vm, stem_of(vm.image, "-image"), StreamKind::SequentialWrite);
        j.max_bytes = static_cast<std::uint64_t>(opt_.read_file_bytes.value);
        j.primary   = true;
        jobs.push_back(j);
        read_files_[vm.name] = "";
      }
  auto results = run_io_jobs(jobs, opt_.phase_deadline_s);
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!results[i].ok) throw StepFailure("prefill of " + jobs[i].vm + "'s image failed: " + results[i].error);
    read_files_[jobs[i].vm] = results[i].file;
    written_.push_back({vm_named(jobs[i].vm).volume, results[i].file, results[i].bytes, jobs[i].vm});
  }
}

std::vector<IoJob> WorkloadPhases::jobs_of(const std::string& phase)
{
  std::vector<IoJob> jobs;
  for (auto const& vm : cluster_.scenario().workload.vms)
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
      j.rate_Bps = s.rate ? s.rate->value * opt_.rate_scale : 0; // the whole world slowed alike
      j.primary  = !s.rate && s.kind != StreamKind::SmallFiles;
      jobs.push_back(j);
    }
  return jobs;
}

void WorkloadPhases::start_plan_writers(const std::function<bool(const Vm&)>& runs, bool keep_contents)
{
  std::vector<IoJob> jobs;
  for (auto const& vm : cluster_.scenario().workload.vms)
    for (size_t k = 0; k < vm.streams.size() && (!runs || runs(vm)); ++k) {
      auto const& s = vm.streams[k];
      if (s.kind != StreamKind::SequentialWrite) continue;
      auto j          = job_for(vm, stem_of(vm.image, "-plan" + (k ? "-" + std::to_string(k) : std::string())), s.kind);
      j.max_bytes     = static_cast<std::uint64_t>(opt_.plan_write_bytes.value);
      j.rate_Bps      = s.rate ? s.rate->value * opt_.rate_scale : 0;
      j.keep_contents = keep_contents;
      jobs.push_back(j);
    }
  plan_writers_ = std::make_unique<BackgroundWriters>(jobs);
}

void WorkloadPhases::kill_vms_on(const std::string& node)
{
  if (!plan_writers_) return;
  for (auto const& vm : cluster_.scenario().workload.vms)
    if (node_of(vm) == node) plan_writers_->kill_vm(vm.name);
}

std::vector<AckedWrite> WorkloadPhases::stop_plan_writers(double clock, std::vector<Event>& retried)
{
  if (!plan_writers_) return {};
  auto acked = plan_writers_->stop(opt_.phase_deadline_s);
  for (auto const& a : acked) {
    if (!a.file.empty()) written_.push_back({vm_named(a.vm).volume, a.file, a.acked, a.vm});
    if (a.failures)
      retried.push_back({clock, "io-retried",
                         "plan: " + a.vm + ": " + std::to_string(a.failures) + " write(s) failed and were retried (" +
                             a.last_error + "); " + std::to_string(a.acked) + " bytes acknowledged"});
    if (a.killed)
      retried.push_back({clock, "io-killed",
                         "plan: " + a.vm + " died with its node; " + std::to_string(a.acked) +
                             " bytes acknowledged by fdatasync before that are verified, the write in flight is not"});
  }
  plan_writers_.reset();
  return acked;
}

std::vector<IoResult> WorkloadPhases::run_alone(std::vector<IoJob>& jobs, std::map<std::string, double>& node_tx_share)
{
  std::vector<IoResult> results;
  for (auto const& vm : cluster_.scenario().workload.vms) {
    std::vector<IoJob> mine;
    for (auto j : jobs)
      if (j.vm == vm.name) {
        j.primary = true;
        if (j.rate_Bps > 0 && j.kind != StreamKind::SmallFiles) // paced: a fixed time instead of a size
          j.max_bytes =
              std::min<std::uint64_t>(j.max_bytes, static_cast<std::uint64_t>(j.rate_Bps * opt_.paced_seconds));
        mine.push_back(j);
      }
    auto a = nic_counters(cluster_);
    for (auto& r : run_io_jobs(mine, opt_.phase_deadline_s))
      results.push_back(r);
    auto b                  = nic_counters(cluster_);
    const std::string& node = node_of(vm);
    auto nic                = cluster_.nic_on(node, cluster_.pool_network(node));
    if (nic) node_tx_share[vm.name] = b[node][nic->name].tx_bytes - a[node][nic->name].tx_bytes;
  }
  std::vector<IoJob> ordered; // results follow the VMs' order: realign the jobs
  for (auto const& vm : cluster_.scenario().workload.vms)
    for (auto const& j : jobs)
      if (j.vm == vm.name) ordered.push_back(j);
  jobs.swap(ordered);
  return results;
}

PhaseReport WorkloadPhases::run(const std::string& phase, double clock_start, std::vector<NicReport>& nics)
{
  auto jobs    = jobs_of(phase);
  auto c0      = nic_counters(cluster_);
  auto t_phase = Clock::now();
  std::map<std::string, double> node_tx_share; // isolated mode: tx of a VM's node while that VM ran alone
  auto results = opt_.concurrent_streams ? run_io_jobs(jobs, opt_.phase_deadline_s) : run_alone(jobs, node_tx_share);
  double wall  = since(t_phase);
  auto c1      = nic_counters(cluster_);
  add_nic_phase(cluster_.scenario(), phase, c0, c1, nics);
  return figures(phase, clock_start, wall, jobs, results, c0, c1, node_tx_share);
}

PhaseReport WorkloadPhases::figures(const std::string& phase, double clock_start, double wall,
                                    const std::vector<IoJob>& jobs, const std::vector<IoResult>& results,
                                    const ClusterNicCounters& c0, const ClusterNicCounters& c1,
                                    std::map<std::string, double>& node_tx_share)
{
  auto const& sc = cluster_.scenario();
  PhaseReport pr;
  pr.name    = phase;
  pr.start_s = clock_start;
  pr.end_s   = clock_start + wall;
  std::map<std::string, double> written_by_node, written_by_vm;
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto const& j = jobs[i];
    auto const& r = results[i];
    if (!r.ok) events_.push_back({clock_start, "io-error", phase + ": " + j.vm + ": " + r.error});
    if (r.bad_bytes)
      events_.push_back({clock_start, "data-mismatch",
                         phase + ": " + j.vm + " read " + std::to_string(r.bad_bytes) + " bytes that differ"});
    auto const* vm = &vm_named(j.vm);
    // Acknowledged only: a sequential write counts once its fdatasync returned (r.ok), small files once closed.
    if (j.kind != StreamKind::SequentialRead && r.bytes > 0 && (r.ok || j.kind == StreamKind::SmallFiles)) {
      written_by_node[node_of(*vm)] += static_cast<double>(r.bytes);
      written_by_vm[vm->name] += static_cast<double>(r.bytes);
      if (j.kind == StreamKind::SequentialWrite)
        written_.push_back({vm->volume, r.file, r.bytes, vm->name});
      else
        for (int f = 0; f < r.files; ++f) {
          char name[32];
          std::snprintf(name, sizeof name, "/f%05d", f);
          written_.push_back({vm->volume, j.file + name, j.file_size, vm->name});
        }
    }
    ClientFigures* cf = nullptr;
    for (auto& c : pr.clients)
      if (c.name == vm->name) cf = &c;
    if (!cf) {
      pr.clients.push_back({});
      cf           = &pr.clients.back();
      cf->name     = vm->name;
      cf->node     = node_of(*vm);
      auto vol     = sc.find_volume(vm->volume);
      auto set     = replica_set_of(sc, *vm);
      auto data    = data_bricks(*vol, set);
      cf->replicas = static_cast<int>(data.size());
      for (auto b : data)
        cf->replicas_local += b->node == cf->node ? 1 : 0;
      cf->bottleneck = "measured";
    }
    // Back to the scenario's speeds: the links and paced streams ran rate_scale times slower.
    double rate = r.seconds > 0 ? static_cast<double>(r.bytes) / r.seconds / 1e6 / opt_.rate_scale : 0;
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
    auto names_net = cluster_.pool_network(cf.node);
    auto nic       = cluster_.nic_on(cf.node, names_net);
    if (!opt_.concurrent_streams && written_by_vm[cf.name] > 0 && cf.write_MBps > 0) {
      cf.nic_bytes_per_byte_written = node_tx_share[cf.name] / written_by_vm[cf.name];
    } else if (nic && written_by_node[cf.node] > 0 && cf.write_MBps > 0) {
      double tx                     = tx_bytes(c1, cf.node, nic->name) - tx_bytes(c0, cf.node, nic->name);
      cf.nic_bytes_per_byte_written = tx / written_by_node[cf.node];
    }
  }
  pr.bottleneck = "measured";
  return pr;
}

} // namespace ibmig::emu
