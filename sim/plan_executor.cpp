#include "plan_executor.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

XBT_LOG_NEW_DEFAULT_CATEGORY(ibmig_plan, "Migration plan executor");

namespace sg4 = simgrid::s4u;

namespace ibmig::sim {

namespace {
std::string mode_name(IpoibMode m)
{
  return m == IpoibMode::Connected ? "connected" : m == IpoibMode::Datagram ? "datagram" : "";
}
} // namespace

void PlanExecutor::fail(StepReport& rep, const std::string& why)
{
  rep.outcome = "failed";
  rep.detail += (rep.detail.empty() ? "" : "; ") + why;
  world_.recorder.event(World::now(), "step-failed", rep.name + ": " + why);
}

void PlanExecutor::take_down(const std::string& node, const std::string& what, double now)
{
  world_.cancel_heals_on(node); // the state already says the node is gone: no new heal can start on it
  // Taking a brick down while another brick of its replica set still has writes to heal leaves those writes on
  // no serving brick: the rolling-plan trap the checker also flags.
  for (auto const& v : world_.sc.volumes)
    for (size_t b = 0; b < v.bricks.size(); b++) {
      if (v.bricks[b].node != node) continue;
      int set = static_cast<int>(b) / v.replica;
      for (int k = 0; k < v.replica; k++) {
        int other = set * v.replica + k;
        if (other != static_cast<int>(b) && world_.pending_heal[v.name][other] > 0)
          world_.recorder.event(now, "heal-risk",
                                what + " on " + node + " while brick " + v.bricks[other].node + ":" +
                                    v.bricks[other].path + " still had " +
                                    std::to_string(static_cast<long long>(world_.pending_heal[v.name][other] / 1e6)) +
                                    " MB to heal: those writes now have no serving copy");
      }
    }
}

void PlanExecutor::apply_at_start(const Step& st, StepReport& rep)
{
  ClusterState& cs = world_.state;
  double now       = World::now();
  switch (st.action) {
  case Action::StopClients:
    for (auto const& vm : world_.sc.workload.vms)
      if (std::count(st.nodes.begin(), st.nodes.end(), vm.node)) cs.vm(vm.name).running = false;
    break;
  case Action::RemountClients:
    for (auto const& vm : world_.sc.workload.vms)
      if (std::count(st.nodes.begin(), st.nodes.end(), vm.node) && cs.vm(vm.name).running)
        cs.vm(vm.name).remounting = true;
    break;
  case Action::StopService:
    for (auto const& n : st.nodes) {
      bool was            = cs.node(n).glusterd;
      cs.node(n).glusterd = false;
      if (was) take_down(n, "glusterd stopped", now);
    }
    break;
  case Action::PowerOff:
    for (auto const& n : st.nodes) {
      bool serving       = cs.node(n).glusterd && cs.node(n).powered;
      cs.node(n).powered = false;
      for (auto const& vm : world_.sc.workload.vms)
        if (vm.node == n) cs.vm(vm.name).running = false;
      if (serving) take_down(n, "power off", now);
    }
    break;
  case Action::InterfaceDown:
  case Action::InterfaceUp:
    for (auto const& n : st.nodes) {
      InterfaceState& i = cs.node(n).interfaces.at(st.interface);
      if (st.action == Action::InterfaceUp && !(i.present && i.configured))
        fail(rep, st.interface + " on " + n + " is not installed and configured");
      i.up = st.action == Action::InterfaceUp && i.present && i.configured;
      if (!i.up) world_.cancel_heals_on(n); // heals restart over whatever path is left
    }
    break;
  default:
    break;
  }
  (void)rep;
}

void PlanExecutor::apply_at_end(const Step& st, StepReport& rep)
{
  ClusterState& cs   = world_.state;
  const Scenario& sc = world_.sc;
  switch (st.action) {
  case Action::StartClients:
  case Action::RemountClients:
    for (auto const& vm : sc.workload.vms) {
      if (!std::count(st.nodes.begin(), st.nodes.end(), vm.node)) continue;
      VmState& v = cs.vm(vm.name);
      if (st.action == Action::StartClients && !v.running) {
        if (!cs.node(vm.node).powered) {
          fail(rep, vm.name + " cannot start: " + vm.node + " is powered off");
          continue;
        }
        v.running       = true;
        v.bound_network = cs.names_network; // a fresh mount resolves the storage names now
      }
      if (st.action == Action::RemountClients && v.running) {
        v.remounting    = false;
        v.bound_network = cs.names_network;
      }
    }
    break;
  case Action::StartService:
    for (auto const& n : st.nodes) {
      if (!cs.node(n).powered)
        fail(rep, "glusterd cannot start on " + n + ": it is powered off");
      else if (!sc.find_node(n)->server)
        fail(rep, n + " is not a Gluster server");
      else
        cs.node(n).glusterd = true;
    }
    break;
  case Action::EnableService:
  case Action::DisableService:
    for (auto const& n : st.nodes)
      cs.node(n).glusterd_enabled = st.action == Action::EnableService && sc.find_node(n)->server;
    break;
  case Action::PowerOn:
    for (auto const& n : st.nodes) {
      NodeState& ns = cs.node(n);
      ns.powered    = true;
      ns.crashed    = false;
      ns.glusterd   = ns.glusterd_enabled;
      for (auto& [name, i] : ns.interfaces)
        i.up = i.present && i.configured;
    }
    break;
  case Action::InstallNic:
    for (auto const& n : st.nodes) {
      if (cs.node(n).powered) fail(rep, "HCA installed in " + n + " while it was powered on");
      InterfaceState& i = cs.node(n).interfaces.at(st.interface);
      if (!i.present)
        i = {true, false, false, sc.find_node(n)->find_nic(st.interface)->mtu,
             sc.find_node(n)->find_nic(st.interface)->mode};
    }
    break;
  case Action::ConfigureInterface: {
    std::vector<std::string> ok_nodes;
    for (auto const& n : st.nodes) {
      const Nic& nic      = *sc.find_node(n)->find_nic(st.interface);
      const Technology& t = sc.technology_of(*sc.find_network(nic.network));
      InterfaceState& i   = cs.node(n).interfaces.at(st.interface);
      IpoibMode mode      = st.mode != IpoibMode::None ? st.mode : i.mode;
      int mtu             = st.mtu > 0 ? st.mtu : i.mtu;
      if (!i.present) {
        fail(rep, st.interface + " is not installed in " + n);
        continue;
      }
      if (!cs.node(n).powered) {
        fail(rep, n + " is powered off");
        continue;
      }
      if (t.kind == LinkKind::InfiniBand && mode == IpoibMode::Connected && !sc.hcas.at(nic.hca).connected_mode) {
        fail(rep, nic.hca + " in " + n + " does not support IPoIB connected mode: it stays in datagram mode");
        mode = IpoibMode::Datagram;
        mtu  = std::min(mtu, t.mtu_default);
      }
      int max = largest_mtu(t, t.kind == LinkKind::InfiniBand && mode == IpoibMode::Datagram);
      if (mtu > max) {
        fail(rep, "MTU " + std::to_string(mtu) + " refused on " + n + "-" + st.interface + " (" +
                      (mode_name(mode).empty() ? t.name : mode_name(mode) + " mode") + " allows at most " +
                      std::to_string(max) + "): it keeps MTU " + std::to_string(std::min(i.mtu, max)));
        mtu = std::min(i.mtu, max);
      }
      i.mtu  = mtu;
      i.mode = mode;
      i.up   = false; // re-rated below once no flow crosses it
      ok_nodes.push_back(n);
    }
    // No flow may cross the interface while its capacity changes (SimGrid 3.32 may abort otherwise): the ones
    // that do are cancelled, and their owners (which re-plan on changed()) unregister them within a few rounds.
    std::vector<std::string> links;
    for (auto const& n : ok_nodes) {
      const std::string link = world_.platform.nic(n, st.interface).link->get_name();
      links.push_back(link + "_UP");
      links.push_back(link + "_DOWN");
    }
    world_.cancel_flows_using(links);
    world_.changed();
    for (int round = 0; world_.any_flow_uses(links); round++) {
      if (round == 10000) throw std::logic_error("configure_interface: a flow still crosses " + links.front());
      sg4::this_actor::yield();
    }
    for (auto const& n : ok_nodes) {
      InterfaceState& i = cs.node(n).interfaces.at(st.interface);
      world_.platform.configure_nic(n, st.interface, i.mtu, i.mode);
      i.configured = true;
      i.up         = true;
    }
    break;
  }
  case Action::VerifyPing: {
    std::string network = st.network;
    if (network.empty()) network = sc.find_node(st.nodes.front())->find_nic(st.interface)->network;
    std::set<int> mtus;
    int min_mtu = 65520;
    for (auto const& n : st.nodes) {
      bool up = false;
      for (auto const& nic : sc.find_node(n)->nics)
        if (nic.network == network) {
          auto const& i = cs.node(n).interfaces.at(nic.name);
          if (i.present && i.up && cs.node(n).powered) {
            up = true;
            mtus.insert(i.mtu);
            min_mtu = std::min(min_mtu, i.mtu);
          }
        }
      if (!up) fail(rep, n + " has no interface up on " + network);
    }
    int size = st.mtu > 0 ? st.mtu : min_mtu - 28;
    if (mtus.size() > 1)
      fail(rep, "MTUs differ on " + network + " (" + std::to_string(*mtus.begin()) + " vs " +
                    std::to_string(*mtus.rbegin()) + "): large pings with don't-fragment fail between them");
    else if (!mtus.empty() && size > min_mtu - 28)
      fail(rep, "a " + std::to_string(size) + "-byte ping does not fit MTU " + std::to_string(min_mtu) +
                    " with don't-fragment");
    if (rep.outcome == "ok") rep.detail = std::to_string(size) + "-byte pings with don't-fragment pass on " + network;
    break;
  }
  case Action::RepointNames:
    cs.names_network = st.network;
    rep.detail       = "storage names resolve to " + st.network + " (" + st.method + ")";
    break;
  case Action::CheckPeers: {
    std::vector<std::string> servers;
    for (auto const& n : sc.nodes)
      if (n.server) servers.push_back(n.name);
    for (auto const& a : servers) {
      const NodeState& s = cs.node(a);
      if (!s.powered || s.crashed || !s.glusterd) {
        fail(rep, "peer " + a + " is not running glusterd");
        continue;
      }
      for (auto const& b : servers)
        if (a < b && cs.node(b).glusterd && cs.node(b).powered && !cs.reachable(a, b, cs.names_network))
          fail(rep, "peers " + a + " and " + b + " cannot reach each other over " + cs.names_network);
    }
    if (rep.outcome == "ok") rep.detail = std::to_string(servers.size()) + " peers connected over " + cs.names_network;
    break;
  }
  case Action::CheckVolume: {
    const Volume& vol = *sc.find_volume(st.volume);
    for (auto const& b : vol.bricks)
      if (!cs.brick_serving(b)) fail(rep, "brick " + b.node + ":" + b.path + " is offline");
    for (auto const& vm : sc.workload.vms) {
      if (vm.volume != vol.name || !cs.vm(vm.name).running) continue;
      for (auto const& b : vol.bricks)
        if (cs.brick_serving(b) && !cs.reachable(vm.node, b.node, cs.vm(vm.name).bound_network))
          fail(rep, "brick " + b.node + " does not see client " + vm.name + " (mounted over " +
                        cs.vm(vm.name).bound_network + ")");
    }
    if (rep.outcome == "ok")
      rep.detail = "all " + std::to_string(vol.bricks.size()) + " bricks online and see every running client";
    break;
  }
  default:
    break;
  }
}

std::optional<double> PlanExecutor::machine_time(const Step& st) const
{
  const Calibration& c = world_.sc.calibration;
  const double nodes   = static_cast<double>(st.nodes.size());
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
  if (left > 0)
    fail(rep, "self-heal of " + st.volume + " not finished after " + format_duration(st.timeout) + " (" +
                  std::to_string(static_cast<long long>(left / 1e6)) + " MB left)");
  else
    rep.detail = "nothing left to heal on " + st.volume;
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
    rep.name      = st.name;
    rep.action    = to_string(st.action);
    rep.start_s   = World::now();
    rep.machine_s = machine_time(st);
    apply_at_start(st, rep);
    world_.changed();
    if (st.action == Action::WaitHeal)
      wait_heal(st, rep);
    else // a step takes the runbook's time, but never less than the machine needs
      sg4::this_actor::sleep_for(std::max(world_.step_durations[i].value, rep.machine_s.value_or(0.0)));
    world_.sample();
    apply_at_end(st, rep);
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
