#include "world.hpp"

#include <algorithm>
#include <numeric>
#include <simgrid/Exception.hpp>

namespace sg4 = simgrid::s4u;

namespace ibmig::sim {

World::World(const Scenario& scenario, std::vector<Seconds> durations)
    : sc(scenario), platform(scenario), model(scenario), step_durations(std::move(durations)),
      mutex_(sg4::Mutex::create()), cv_(sg4::ConditionVariable::create()), sample_mutex_(sg4::Mutex::create())
{
  for (auto const& v : sc.volumes)
    pending_heal[v.name] = std::vector<double>(v.bricks.size(), 0.0);
}

double World::pending_heal_bytes(const std::string& volume) const
{
  auto const& p = pending_heal.at(volume);
  return std::accumulate(p.begin(), p.end(), 0.0);
}

void World::add_flow(const FlowPtr& f)
{
  f->active       = true;
  flows_[f.get()] = f;
}

void World::remove_flow(const FlowPtr& f)
{
  f->active = false;
  flows_.erase(f.get());
}

std::vector<FlowPtr> World::snapshot() const
{
  std::vector<FlowPtr> out;
  out.reserve(flows_.size());
  for (auto const& [raw, f] : flows_)
    out.push_back(f);
  return out;
}

void World::cancel_heals_on(const std::string& node)
{
  for (FlowPtr const& f : snapshot())
    if (f->active && f->heal_between && (f->heal_between->first == node || f->heal_between->second == node))
      f->cancel();
}

namespace {
bool uses_any(const Flow& f, const std::vector<std::string>& names)
{
  for (auto const& u : f.uses)
    if (std::find(names.begin(), names.end(), u.name) != names.end()) return true;
  return false;
}
} // namespace

bool World::any_flow_uses(const std::vector<std::string>& names) const
{
  for (auto const& [raw, f] : flows_)
    if (uses_any(*f, names)) return true;
  return false;
}

bool World::any_running_flow_uses(const std::vector<std::string>& names) const
{
  for (auto const& [raw, f] : flows_)
    if (f->running() && uses_any(*f, names)) return true;
  return false;
}

void World::cancel_flows_using(const std::vector<std::string>& names)
{
  for (FlowPtr const& f : snapshot())
    if (f->active && uses_any(*f, names)) f->cancel();
}

void World::sample()
{
  std::unique_lock<sg4::Mutex> lock(*sample_mutex_);
  double t  = now();
  double dt = t - last_sample_;
  if (dt <= 0) return;
  std::vector<FlowPtr> flows = snapshot();
  for (FlowPtr const& f : flows)
    f->rate_Bps = f->active ? f->account() / dt : 0; // account() queries SimGrid: other actors may run meanwhile
  last_sample_ = t;
  // Resource usage from every flow's rate and weights (max-min: a flow is limited where a saturated resource gives
  // it the largest share). No simcall from here on.
  std::map<std::string, double> usage;
  for (FlowPtr const& f : flows)
    for (auto const& u : f->uses)
      usage[u.name] += f->rate_Bps * u.weight;
  for (FlowPtr const& f : flows) {
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
    if (best) f->on_bottleneck(*best, dt);
  }
}

void World::changed()
{
  double t = now();
  if (finished) { // the recorder has closed its intervals: only wake the actors so they leave
    std::unique_lock<sg4::Mutex> lock(*mutex_);
    generation_++;
    cv_->notify_all();
    return;
  }
  for (auto const& vm : sc.workload.vms) {
    IoPath p = model.io_path(vm, t);
    recorder.set_vm_available(vm.name, p.can_write, p.why_not, t);
  }
  for (auto const& v : sc.volumes) {
    std::string why;
    bool ok = model.volume_available(v, &why);
    recorder.set_volume_available(v.name, ok, why, t);
  }
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  generation_++;
  cv_->notify_all();
}

void World::finish()
{
  // `finished` first, then the snapshot, with no simcall between: a heal daemon that registers a flow after the
  // snapshot sees `finished` and cancels its own (SelfHealDaemon::heal_one).
  finished = true;
  for (FlowPtr const& f : snapshot())
    if (f->heal_between) f->cancel();
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  generation_++;
  cv_->notify_all();
}

void World::wait_change(uint64_t seen)
{
  wait(seen, nullptr);
}

void World::wait_change_until(uint64_t seen, double deadline)
{
  wait(seen, &deadline);
}

void World::wait(uint64_t seen, const double* deadline)
{
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  try {
    // The condition is read under the lock, and changed() bumps it under the lock: no change slips between the
    // check and the wait.
    while (!finished && generation_ == seen) {
      if (!deadline)
        cv_->wait(lock);
      else if (now() >= *deadline || cv_->wait_until(lock, *deadline) == std::cv_status::timeout)
        break;
    }
  } catch (const simgrid::ForcefulKillException&) {
    // An actor killed inside wait() does not hold the mutex then: don't unlock it.
    lock.release();
    throw;
  }
}

} // namespace ibmig::sim
