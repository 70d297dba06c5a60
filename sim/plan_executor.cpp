#include "plan_executor.hpp"

#include "downtime.hpp"
#include "precopy.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <stdexcept>

XBT_LOG_NEW_DEFAULT_CATEGORY(ibmig_plan, "Migration plan executor");

namespace sg4 = simgrid::s4u;

namespace ibmig::sim {

void PlanExecutor::fail(StepReport& rep, const std::string& why)
{
  rep.outcome = StepOutcome::Failed;
  rep.detail += (rep.detail.empty() ? "" : "; ") + why;
  world_.recorder.event(World::now(), "step-failed", rep.name + ": " + why);
}

void PlanExecutor::take_down(const std::string& node, const std::string& what, double now)
{
  world_.cancel_heals_on(node); // the model already says the node is gone: no new heal can start on it
  // Taking a brick down while another brick of its replica set still has writes to heal leaves those writes on
  // no serving brick: the rolling-plan trap the checker also flags.
  for (auto const& v : world_.sc.volumes)
    for (size_t b = 0; b < v.bricks.size(); b++) {
      if (v.bricks[b].node != node) continue;
      int set = static_cast<int>(b) / v.replica;
      for (int k = 0; k < v.replica; k++) {
        int other = set * v.replica + k;
        if (other != static_cast<int>(b) && world_.pending_heal[v.name][other] > 0) {
          std::string msg = what + " on " + node + " while brick " + v.bricks[other].node + ":" + v.bricks[other].path +
                            " still had " +
                            std::to_string(static_cast<long long>(world_.pending_heal[v.name][other] / 1e6)) +
                            " MB to heal: those writes now have no serving copy";
          world_.recorder.event(now, "heal-risk", msg);
          const Step& st = world_.sc.plan.steps[static_cast<size_t>(world_.current_step)];
          world_.recorder.finding("NO_SERVING_COPY", st.name,
                                  "At step \"" + st.name + "\" (" + st.json_path + "), " + msg +
                                      ". Wait for the heal (wait_heal) before taking " + node + " down.");
        }
      }
    }
}

void PlanExecutor::record(const Step& st, const Transition& t, StepReport& rep)
{
  double now = World::now();
  for (auto const& p : t.problems)
    if (p.fails) fail(rep, p.detail);
  for (auto const& n : t.bricks_stopped)
    take_down(n, st.action == Action::PowerOff ? "power off" : "glusterd stopped", now);
  for (auto const& [node, iface] : t.links_down)
    world_.cancel_heals_on(node); // heals restart over whatever path is left
  if (!t.observed.empty() && rep.outcome == StepOutcome::Ok) rep.detail = t.observed;
}

void PlanExecutor::rerate(const std::vector<std::pair<std::string, std::string>>& nics)
{
  // No flow may cross an interface while its capacity changes (SimGrid 3.32 may abort otherwise): cancel the ones
  // that do, let the kernel clean them up, re-rate, and only then tell the owners (changed()) to re-plan.
  std::vector<std::string> links;
  for (auto const& [n, iface] : nics) {
    const std::string link = world_.platform.nic(n, iface).link->get_name();
    links.push_back(link + "_UP");
    links.push_back(link + "_DOWN");
  }
  for (int round = 0;; round++) {
    world_.cancel_flows_using(links);
    sg4::this_actor::yield();
    if (!world_.any_running_flow_uses(links)) break;
    if (round == 1000) throw std::logic_error("configure_interface: a flow still crosses " + links.front());
  }
  for (auto const& [n, iface] : nics) {
    const InterfaceState& i = world_.model.node(n).interfaces.at(iface);
    world_.platform.configure_nic(n, iface, i.mtu, i.mode);
  }
}

std::optional<double> PlanExecutor::machine_time(const Step& st) const
{
  const Calibration& c = world_.sc.calibration;
  const double nodes   = static_cast<double>(st.nodes.size());
  if (st.service == "rdma") return std::nullopt; // loading modules, a chkconfig: negligible, not modelled
  switch (st.action) {
  case Action::StartService:
    return c.glusterd_start_s.value;
  case Action::StopService:
    return c.service_stop_s.value;
  case Action::CheckPeers:
  case Action::CheckVolume:
    return c.gluster_check_s.value;
  case Action::VerifyPing:
    return c.ping_pair_s.value * nodes * (nodes - 1);
  case Action::StartClients:
  case Action::RemountClients:
    return c.mount_s.value * nodes;
  case Action::StopClients:
    return c.unmount_s.value * nodes;
  case Action::ConfigureInterface:
  case Action::InterfaceDown:
  case Action::InterfaceUp:
    return c.command_s.value;
  default:               // power, hardware, waits and heals: the scenario's time or the simulated heal's; file edits
    return std::nullopt; // (hosts file, systemctl enable) are negligible and not modelled
  }
}

std::string PlanExecutor::machine_time_source(const Step& st) const
{
  const Calibration& c = world_.sc.calibration;
  switch (st.action) {
  case Action::StartService:
    return "glusterd_start_s: " + c.glusterd_start_s.source;
  case Action::StopService:
    return "service_stop_s: " + c.service_stop_s.source;
  case Action::CheckPeers:
  case Action::CheckVolume:
    return "gluster_check_s: " + c.gluster_check_s.source;
  case Action::VerifyPing:
    return "ping_pair_s: " + c.ping_pair_s.source;
  case Action::StartClients:
  case Action::RemountClients:
    return "mount_s: " + c.mount_s.source;
  case Action::StopClients:
    return "unmount_s: " + c.unmount_s.source;
  default:
    return "command_s: " + c.command_s.source;
  }
}

void PlanExecutor::wait_heal(const Step& st, StepReport& rep)
{
  double deadline = World::now() + st.timeout.value;
  sg4::this_actor::sleep_for(world_.step_durations[world_.current_step].value);
  for (;;) {
    uint64_t seen = world_.generation();
    if (world_.pending_heal_bytes(st.volume) <= 0 || World::now() >= deadline) break;
    world_.wait_change_until(seen, deadline);
  }
  double left = world_.pending_heal_bytes(st.volume);
  if (left > 0) {
    std::string why = "self-heal of " + st.volume + " not finished after " + format_duration(st.timeout) + " (" +
                      std::to_string(static_cast<long long>(left / 1e6)) + " MB left)";
    fail(rep, why);
    world_.recorder.finding("HEAL_TIMEOUT", st.name,
                            "Step \"" + st.name + "\" (" + st.json_path + "): " + why +
                                ": the heal takes longer than the step waits, at the simulated rates. Raise its "
                                "timeout, or heal faster (calibration.heal_MBps is what this rests on).");
  } else
    rep.detail = "nothing left to heal on " + st.volume;
  // A heal that outlasted the runbook's wait is as long as the simulated heal: say what that rests on.
  if (World::now() > rep.start_s + world_.step_durations[world_.current_step].value + 1e-9)
    rep.duration_source = "the self-heal's simulated rate: heal_MBps: " + world_.sc.calibration.heal_MBps.source;
}

double PlanExecutor::copy_memory(const Step& st, const Migration& m, double bytes)
{
  NicResources* from = world_.platform.nic_on(m.from, m.network);
  NicResources* to   = world_.platform.nic_on(m.to, m.network);
  if (!from || !to || bytes <= 0) return bytes <= 0 ? 0 : -1;
  sg4::Host* limit              = world_.platform.migration(m.vm);
  std::vector<sg4::Host*> hosts = {limit, from->host, to->host};
  std::vector<double> flops     = {bytes * Platform::kCostUnit / st.max_bandwidth.value, 0, 0};
  std::vector<double> transfer(9, 0.0);
  transfer[1 * 3 + 2] = bytes;
  auto flow           = std::make_shared<Flow>();
  flow->payload_bytes = bytes;
  // Listed so that the Gluster clients' bottleneck analysis sees the memory copy on the NICs it shares with them.
  sg4::Link* sw  = world_.platform.switch_link(m.network);
  flow->uses     = {{from->link->get_name() + "_UP", "", from->capacity_Bps, 1.0, ""},
                    {to->link->get_name() + "_DOWN", "", to->capacity_Bps, 1.0, ""},
                    {sw->get_name(), "", sw->get_bandwidth(), 1.0, ""}};
  World* world   = &world_;
  std::string sk = Topology::nic_name(m.from, from->nic->name), dk = Topology::nic_name(m.to, to->nic->name);
  flow->on_progress = [world, sk, dk](double delta) {
    world->recorder.phase().nics[sk].tx_bytes += delta;
    world->recorder.phase().nics[dk].rx_bytes += delta;
  };
  double t0 = World::now();
  flow->start(hosts, flops, transfer);
  world_.add_flow(flow);
  bool done = flow->running();
  try {
    if (done) flow->exec->wait();
  } catch (const simgrid::CancelException&) {
    done = false;
  }
  world_.sample();
  flow->account();
  world_.remove_flow(flow);
  return done ? World::now() - t0 : -1;
}

/* The step's live migrations, one after the other: the pre-copy's decisions are models/precopy.hpp's, each round a
 * flow on the NICs of the migration network. */
void PlanExecutor::migrate(const Step& st, const std::vector<Migration>& moves, StepReport& rep)
{
  for (auto const& m : moves) {
    const Vm& vm    = *std::find_if(world_.sc.workload.vms.begin(), world_.sc.workload.vms.end(),
                                    [&](const Vm& v) { return v.name == m.vm; });
    const double t0 = World::now();
    Precopy copy(*vm.memory, st);
    double pause = -1;
    bool cut     = false;
    while (copy.stalled().empty()) {
      double bytes = copy.next_round();
      double t     = copy_memory(st, m, bytes);
      if (t < 0) {
        cut = true;
        break;
      }
      if (!copy.round_done(bytes, t)) continue;
      world_.sample();
      world_.model.set_paused(m.vm, true);
      world_.changed();
      double p0 = World::now();
      double tf = copy_memory(st, m, copy.next_round());
      if (tf < 0) {
        cut = true;
        break;
      }
      copy.round_done(copy.next_round(), tf);
      pause = World::now() - p0;
      world_.sample();
      world_.model.finish_migration(m);
      world_.recorder.vm_moved(m.vm, m.to);
      world_.changed();
      break;
    }
    MigrationReport mr{m.vm,
                       st.name,
                       m.from,
                       m.to,
                       m.network,
                       copy.rounds() - (pause < 0 ? 0 : 1),
                       copy.sent(),
                       World::now() - t0,
                       std::max(pause, 0.0),
                       pause >= 0,
                       ""};
    if (pause < 0) {
      world_.sample();
      world_.model.set_paused(m.vm, false);
      world_.changed();
      std::string why =
          "live migration of " + m.vm + " from " + m.from + " to " + m.to + " over " + m.network +
          (cut ? " was cut (a node or its interface went down)" : " does not converge: " + copy.stalled());
      fail(rep, why);
      mr.why_not = why;
      world_.recorder.migration(mr);
      if (!cut) // what only a run finds: the rate the copy gets while it shares the NICs
        world_.recorder.finding("MIGRATION_DOES_NOT_CONVERGE", st.name,
                                "Step \"" + st.name + "\" (" + st.json_path + "): " + why +
                                    ". The copy shares the NICs of " + m.network +
                                    " with other traffic. Migrate over a network of its own, raise max_bandwidth or "
                                    "downtime_limit, or migrate while the guest is quieter.");
      continue;
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s: %s -> %s over %s, %d pre-copy rounds, %.0f MB in %.1f s, paused %.3f s",
                  m.vm.c_str(), m.from.c_str(), m.to.c_str(), m.network.c_str(), copy.rounds() - 1, copy.sent() / 1e6,
                  World::now() - t0, pause);
    world_.recorder.event(World::now(), "migrated", buf);
    world_.recorder.migration(mr);
    rep.detail += (rep.detail.empty() ? "" : "; ") + std::string(buf);
  }
}

void PlanExecutor::operator()()
{
  Recorder& rec = world_.recorder;
  rec.begin_phase("before", World::now());
  world_.changed();
  sg4::this_actor::sleep_for(world_.sc.workload.before.value);
  plan_start_s      = World::now();
  auto const& steps = world_.sc.plan.steps;
  for (size_t i = 0; i < steps.size(); i++) {
    const Step& st = steps[i];
    world_.sample();
    world_.current_step = static_cast<int>(i);
    rec.begin_phase(st.name, World::now());
    StepReport rep;
    rep.name         = st.name;
    rep.action       = to_string(st.action);
    rep.start_s      = World::now();
    rep.machine_s    = machine_time(st);
    Transition began = world_.model.begin(st);
    record(st, began, rep);
    world_.changed();
    if (st.action == Action::WaitHeal)
      wait_heal(st, rep);
    else if (st.action == Action::MigrateVms) {
      // The copies take what they take; the step lasts at least its own duration.
      migrate(st, began.migrations, rep);
      double left = rep.start_s + world_.step_durations[i].value - World::now();
      if (left > 0)
        sg4::this_actor::sleep_for(left);
      else if (!began.migrations.empty())
        rep.duration_source = "the simulated pre-copy: each VM's memory (size, dirty_rate), max_bandwidth and the "
                              "network's rate";
    } else {
      sg4::this_actor::sleep_for(step_duration_s(world_.step_durations[i].value, rep.machine_s));
      if (rep.machine_s && *rep.machine_s > world_.step_durations[i].value)
        rep.duration_source = "its machine time: " + machine_time_source(st);
    }
    world_.sample();
    Transition done = world_.model.end(st);
    if (!done.rerated.empty()) rerate(done.rerated);
    record(st, done, rep);
    world_.changed();
    rep.end_s = World::now();
    rec.step_done(rep);
  }
  world_.sample();
  plan_end_s          = World::now();
  world_.current_step = static_cast<int>(steps.size());
  rec.begin_phase("after", World::now());
  world_.changed();
  sg4::this_actor::sleep_for(world_.sc.workload.after.value);
  world_.sample();
  rec.finish(World::now());
  world_.finish();
  done = true;
}

} // namespace ibmig::sim
