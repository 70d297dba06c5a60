#include "world.hpp"

#include <algorithm>
#include <numeric>
#include <simgrid/Exception.hpp>

namespace ibmig::sim {

World::World(const Scenario& scenario, std::vector<Seconds> durations)
    : sc(scenario), platform(scenario), state(scenario), step_durations(std::move(durations)),
      mutex(simgrid::s4u::Mutex::create()), cv(simgrid::s4u::ConditionVariable::create())
{
  for (auto const& v : sc.volumes)
    pending_heal[v.name] = std::vector<double>(v.bricks.size(), 0.0);
}

double World::pending_heal_bytes(const std::string& volume) const
{
  auto const& p = pending_heal.at(volume);
  return std::accumulate(p.begin(), p.end(), 0.0);
}

void World::cancel_heals_on(const std::string& node)
{
  for (auto const& [flow, ends] : heals)
    if ((ends.first == node || ends.second == node) && flow->exec) flow->exec->cancel();
}

void World::sample()
{
  double t  = now();
  double dt = t - last_sample_;
  if (dt <= 0) return;
  for (Flow* f : flows_)
    f->rate_Bps = f->account() / dt;
  // Resource usage from every flow's rate and weights (max-min: a flow is limited where a saturated resource gives
  // it the largest share).
  std::map<std::string, double> usage;
  for (Flow* f : flows_)
    for (auto const& u : f->uses)
      usage[u.name] += f->rate_Bps * u.weight;
  for (Flow* f : flows_) {
    if (!f->on_bottleneck || f->rate_Bps <= 0) continue;
    const ResourceUse* best = nullptr;
    double best_share = -1, best_util = -1;
    const ResourceUse* fullest = nullptr;
    for (auto const& u : f->uses) {
      double util  = usage[u.name] / u.capacity;
      double share = f->rate_Bps * u.weight / u.capacity;
      if (util >= 0.995 && share > best_share) best = &u, best_share = share;
      if (util > best_util) fullest = &u, best_util = util;
    }
    if (!best) best = fullest;
    if (best) f->on_bottleneck(best->label, dt);
  }
  last_sample_ = t;
}

void World::changed()
{
  double t = now();
  for (auto const& vm : sc.workload.vms) {
    IoPath p = state.io_path(vm, t);
    recorder.set_vm_available(vm.name, p.can_write, p.why_not, t);
  }
  for (auto const& v : sc.volumes) {
    std::string why;
    bool ok = state.volume_available(v, &why);
    recorder.set_volume_available(v.name, ok, why, t);
  }
  cv->notify_all();
}

void World::wait_change(double timeout)
{
  std::unique_lock<simgrid::s4u::Mutex> lock(*mutex);
  try {
    if (timeout > 0)
      cv->wait_for(lock, timeout);
    else
      cv->wait(lock);
  } catch (const simgrid::ForcefulKillException&) {
    // Daemon actors are killed inside wait() when the run ends: the mutex is not held then, so don't unlock it.
    lock.release();
    throw;
  }
}

} // namespace ibmig::sim
