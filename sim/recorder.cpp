#include "recorder.hpp"

#include <algorithm>

namespace ibmig::sim {

void Recorder::begin_phase(const std::string& name, double now)
{
  if (!phases_.empty()) phases_.back().end_s = now;
  PhaseAcc p;
  p.name    = name;
  p.start_s = now;
  if (!phases_.empty()) p.client_node = phases_.back().client_node; // migrated VMs stay where they went
  phases_.push_back(std::move(p));
}

void Recorder::finish(double now)
{
  end_s_ = now;
  if (!phases_.empty()) phases_.back().end_s = now;
  vms_.close_all(now);
  volumes_.close_all(now);
}

void Recorder::set_vm_available(const std::string& vm, bool available, const std::string& reason, double now)
{
  vms_.set(vm, available, reason, now);
}

void Recorder::set_volume_available(const std::string& vol, bool available, const std::string& reason, double now)
{
  volumes_.set(vol, available, reason, now);
}

namespace {

std::string most_common(const std::map<std::string, double>& weights)
{
  std::string best;
  double w = 0;
  for (auto const& [k, v] : weights)
    if (v > w) best = k, w = v;
  return best;
}

} // namespace

Report Recorder::build(const Scenario& sc, double plan_start_s, double plan_end_s) const
{
  Report r;
  r.tool            = "simulate";
  r.scenario        = sc.name;
  r.scenario_file   = sc.file;
  r.plan_duration_s = plan_end_s - plan_start_s;
  r.steps           = steps_;
  r.events          = events_;
  r.checks          = findings_;
  r.faults          = faults_;
  r.migrations      = migrations_;
  for (auto const& p : phases_) {
    PhaseReport pr;
    pr.name    = p.name;
    pr.start_s = p.start_s;
    pr.end_s   = p.end_s;
    double dt  = std::max(p.end_s - p.start_s, 1e-9);
    std::map<std::string, double> phase_limits;
    for (auto const& vm : sc.workload.vms) {
      ClientFigures c;
      c.name            = vm.name;
      c.node            = p.client_node.count(vm.name) ? p.client_node.at(vm.name) : vm.node;
      const Volume& vol = *sc.find_volume(vm.volume);
      int set           = replica_set_of(sc, vm);
      for (int k = 0; k < vol.replica; k++) {
        if (vol.arbiter && k == vol.replica - 1) continue;
        c.replicas++;
        c.replicas_local += vol.bricks[set * vol.replica + k].node == c.node;
      }
      auto it = p.clients.find(vm.name);
      if (it != p.clients.end()) {
        const ClientPhase& cp        = it->second;
        c.write_MBps                 = cp.write_bytes / dt / 1e6;
        c.read_MBps                  = cp.read_bytes / dt / 1e6;
        c.small_files_per_s          = cp.files / dt;
        c.nic_bytes_per_byte_written = cp.write_bytes > 0 ? cp.nic_sent_bytes / cp.write_bytes : 0;
        c.bottleneck                 = most_common(cp.limit_seconds);
        if (auto s = cp.limit_source.find(c.bottleneck); s != cp.limit_source.end()) c.bottleneck_source = s->second;
        if (!c.bottleneck.empty()) phase_limits[c.bottleneck] += cp.write_bytes + cp.read_bytes;
      }
      pr.aggregate_write_MBps += c.write_MBps;
      pr.aggregate_read_MBps += c.read_MBps;
      pr.clients.push_back(c);
    }
    pr.bottleneck = most_common(phase_limits);
    r.phases.push_back(pr);
  }
  for (auto const& node : sc.nodes)
    for (auto const& nic : node.nics) {
      NicReport nr{node.name, nic.name, nic.network, {}};
      for (auto const& p : phases_) {
        auto it = p.nics.find(node.name + "-" + nic.name);
        nr.phases.push_back(
            {p.name, it == p.nics.end() ? 0 : it->second.tx_bytes, it == p.nics.end() ? 0 : it->second.rx_bytes});
      }
      r.nics.push_back(nr);
    }
  for (auto const& v : sc.volumes)
    r.volume_downtime.push_back(downtime_entry(v.name, volumes_.intervals(v.name), steps_, plan_start_s, plan_end_s));
  for (auto const& vm : sc.workload.vms)
    r.vm_downtime.push_back(downtime_entry(vm.name, vms_.intervals(vm.name), steps_, plan_start_s, plan_end_s));
  return r;
}

} // namespace ibmig::sim
