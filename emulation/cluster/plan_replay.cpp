#include "plan_replay.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

namespace ibmig::emu {

namespace {
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0)
{
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void check_interrupt()
{
  throw_if_interrupted(cluster_torn_down);
}

/* Sleeps in small slices so SIGINT is honoured quickly. */
void interruptible_sleep(double s)
{
  emu::interruptible_sleep(s, cluster_torn_down);
}

std::string fmt_s(double s)
{
  std::ostringstream o;
  o.precision(s < 10 ? 2 : 3);
  o << s << " s";
  return o.str();
}
} // namespace

bool is_emulated_wait(Action a)
{
  return a == Action::PowerOff || a == Action::PowerOn || a == Action::InstallNic || a == Action::Wait;
}

PlanReplayer::PlanReplayer(EmulatedCluster& cluster, const MistakenPlan& plan, Options opt, double clock_start_s)
    : c_(cluster), plan_(plan), opt_(opt), clock_(clock_start_s)
{
  for (auto const& v : c_.scenario().volumes)
    volumes_[v.name] = {};
  for (auto const& vm : c_.scenario().workload.vms)
    vms_[vm.name] = {};
}

std::vector<std::string> PlanReplayer::targets(const Step& st) const
{
  if (!st.nodes.empty()) return st.nodes;
  std::vector<std::string> all;
  for (auto const& n : c_.scenario().nodes)
    all.push_back(n.name);
  return all;
}

void PlanReplayer::scaled_wait(const Step& st)
{
  double s = st.duration.nominal().value * opt_.time_scale;
  interruptible_sleep(s);
  slept_s_ += s;
}

bool PlanReplayer::volume_serving(const Volume& v) const
{
  auto up = [&](const Brick& b) {
    auto const& n = c_.nodes().at(b.node);
    return n.powered && n.glusterd;
  };
  for (int set = 0; set < v.replica_sets(); ++set) {
    std::vector<bool> up_in_set;
    for (int i = 0; i < v.replica; ++i)
      up_in_set.push_back(up(v.bricks[static_cast<size_t>(set * v.replica + i)]));
    if (!v.has_quorum(up_in_set)) return false;
  }
  return true;
}

bool PlanReplayer::client_mounted(const std::string& node, const std::string& volume) const
{
  auto const& n = c_.nodes().at(node);
  return n.powered && n.mounts.count(volume) > 0;
}

std::string PlanReplayer::network_of_address(const std::string& node, const std::string& address) const
{
  for (auto const& nic : c_.scenario().find_node(node)->nics)
    if (nic.address == address) return nic.network;
  return "?";
}

bool PlanReplayer::run()
{
  auto const& steps = plan_.plan.steps;
  for (size_t i = 0; i < steps.size(); ++i) {
    auto const& st = steps[i];
    check_interrupt();
    StepReport rep;
    rep.name    = st.name;
    rep.action  = to_string(st.action);
    rep.timing  = is_emulated_wait(st.action) ? "emulated-wait" : "measured";
    rep.start_s = clock_;
    slept_s_    = 0;
    auto t0     = Clock::now();
    if (st.json_path.rfind("inject:", 0) == 0) events_.push_back({clock_, "mistake", "injected step: " + st.name});
    try {
      rep.detail = run_step(st, plan_.intended_names_network[i]);
    } catch (const StepFailure& f) {
      rep.outcome = "failed";
      rep.detail  = f.what();
    }
    double wall = since(t0);
    // Scenario clock: measured steps take their wall time; emulated waits their nominal duration (the scaled
    // sleep is replaced by what it stands for, the commands around it stay measured).
    double dur = is_emulated_wait(st.action) ? wall - slept_s_ + st.duration.nominal().value : wall;
    clock_ += dur;
    rep.end_s = clock_;
    if (rep.outcome == "ok") {
      auto t1 = Clock::now(); // waiting for the real recovery belongs to this step
      try {
        update_availability(st, rep.start_s, rep.start_s + dur, plan_.intended_names_network[i]);
      } catch (const StepFailure& f) {
        rep.outcome = "failed";
        rep.detail  = f.what();
      }
      clock_ += since(t1);
      rep.end_s = clock_;
    }
    if (c_.log_stream())
      *c_.log_stream() << "  [" << rep.timing << " " << fmt_s(wall) << "] " << st.name << ": " << rep.outcome
                       << (rep.detail.empty() ? "" : " - " + rep.detail) << "\n";
    steps_.push_back(rep);
    if (rep.outcome != "ok") {
      events_.push_back({rep.start_s, "check-failed", st.name + ": " + rep.detail});
      events_.push_back({clock_, "replay-stopped",
                         "the replay stopped at \"" + st.name + "\"; " + std::to_string(steps.size() - i - 1) +
                             " later step(s) were not run, as an admin would stop the runbook here"});
      close_open_intervals();
      return false;
    }
  }
  bool ok = all_recovered();
  if (!ok) { // the runbook is over but something is still down: say what, as a failed final check
    std::string down;
    for (auto* m : {&volumes_, &vms_})
      for (auto const& [name, a] : *m)
        if (a.down) down += (down.empty() ? "" : ", ") + name + " (down since \"" + a.reason + "\")";
    StepReport rep;
    rep.name    = "End of plan: everything recovered";
    rep.action  = "check_volume";
    rep.timing  = "measured";
    rep.start_s = rep.end_s = clock_;
    rep.outcome             = "failed";
    rep.detail              = "the plan ended with these still down: " + down;
    steps_.push_back(rep);
    events_.push_back({clock_, "check-failed", rep.detail});
  }
  close_open_intervals();
  return ok;
}

void PlanReplayer::close_open_intervals()
{
  for (auto* m : {&volumes_, &vms_})
    for (auto& [name, a] : *m)
      if (a.down) {
        a.intervals.push_back({a.since, clock_, a.reason + " (not recovered)"});
        a.down = false;
      }
}

bool PlanReplayer::all_recovered() const
{
  for (auto* m : {&volumes_, &vms_})
    for (auto const& [name, a] : *m)
      if (a.down) return false;
  return true;
}

void PlanReplayer::update_availability(const Step& st, double start, double end, const std::string& intended_network)
{
  auto const& sc = c_.scenario();
  auto t_update  = Clock::now();
  std::set<std::string> to_check;
  for (auto const& v : sc.volumes) {
    auto& a      = volumes_[v.name];
    bool serving = volume_serving(v);
    bool clients = true;
    for (auto const& vm : sc.workload.vms)
      if (vm.volume == v.name) clients = clients && client_mounted(vm.node, v.name);
    if (!a.down && !serving) {
      a.down   = true;
      a.since  = start;
      a.reason = st.name;
    } else if (a.down && serving && clients) {
      to_check.insert(v.name);
    }
  }
  for (auto const& vm : sc.workload.vms) {
    auto& a = vms_[vm.name];
    bool up = client_mounted(vm.node, vm.volume) && !volumes_[vm.volume].down;
    if (!a.down && !up) {
      a.down   = true;
      a.since  = start;
      a.reason = st.name;
    } else if (a.down && (up || to_check.count(vm.volume))) {
      to_check.insert(vm.volume);
    }
  }
  for (auto const& v : to_check) {
    wait_recovered(v, intended_network);
    double now = end + since(t_update); // the real recovery wait extends the step
    auto& a    = volumes_[v];
    if (a.down) {
      a.intervals.push_back({a.since, now, a.reason});
      a.down = false;
      events_.push_back({now, "recovered", "volume " + v + ": every brick sees every client"});
    }
    for (auto const& vm : sc.workload.vms)
      if (vm.volume == v && vms_[vm.name].down && client_mounted(vm.node, v)) {
        vms_[vm.name].intervals.push_back({vms_[vm.name].since, now, vms_[vm.name].reason});
        vms_[vm.name].down = false;
      }
  }
}

std::vector<DowntimeEntry> PlanReplayer::downtime(const std::map<std::string, Availability>& what) const
{
  std::vector<DowntimeEntry> out;
  for (auto const& [name, a] : what) {
    DowntimeEntry e;
    e.name      = name;
    e.intervals = a.intervals;
    std::map<std::string, double> by;
    std::vector<std::string> order;
    for (auto const& iv : a.intervals) {
      e.seconds += iv.end_s - iv.start_s;
      for (auto const& s : steps_) {
        double overlap = std::min(iv.end_s, s.end_s) - std::max(iv.start_s, s.start_s);
        if (overlap > 0) {
          if (!by.count(s.name)) order.push_back(s.name);
          by[s.name] += overlap;
        }
      }
    }
    for (auto const& s : order)
      e.by_step.push_back({s, by[s]});
    out.push_back(e);
  }
  return out;
}

std::string PlanReplayer::run_step(const Step& st, const std::string& intended_network)
{
  auto const& sc = c_.scenario();
  std::ostringstream seen;
  switch (st.action) {
  case Action::StopClients:
    for (auto const& n : targets(st))
      for (auto v : std::set<std::string>(c_.node(n).mounts))
        c_.unmount(n, v);
    return "clients unmounted";
  case Action::StartClients:
  case Action::RemountClients:
    for (auto const& n : targets(st)) {
      std::set<std::string> vols;
      for (auto const& vm : sc.workload.vms)
        if (vm.node == n) vols.insert(vm.volume);
      for (auto const& v : vols) {
        if (st.action == Action::RemountClients) c_.unmount(n, v);
        c_.mount(n, v);
      }
    }
    return "clients mounted";
  case Action::StopService:
  case Action::StartService:
  case Action::EnableService:
  case Action::DisableService:
    if (st.service != "glusterd") return "service " + st.service + " is not emulated (only glusterd)";
    for (auto const& n : targets(st)) {
      if (!sc.find_node(n)->server) continue;
      if (st.action == Action::StopService)
        c_.stop_glusterd(n);
      else if (st.action == Action::StartService)
        c_.start_glusterd(n);
      else
        c_.node(n).glusterd_enabled = st.action == Action::EnableService;
    }
    return "";
  case Action::PowerOff:
    for (auto const& n : targets(st))
      c_.power_off(n);
    scaled_wait(st);
    return "";
  case Action::PowerOn:
    scaled_wait(st);
    for (auto const& n : targets(st))
      c_.power_on(n);
    return "";
  case Action::InstallNic:
    for (auto const& n : targets(st)) {
      auto nic = sc.find_node(n)->find_nic(st.interface);
      if (!nic) throw StepFailure(n + " has no NIC " + st.interface + " in the scenario");
      if (c_.node(n).powered)
        events_.push_back({clock_, "warning", "NIC " + st.interface + " installed in " + n + " while it runs"});
      c_.install_nic(n, *nic);
    }
    scaled_wait(st);
    return "";
  case Action::ConfigureInterface:
    for (auto const& n : targets(st)) {
      auto nic = sc.find_node(n)->find_nic(st.interface);
      if (!nic) throw StepFailure(n + " has no NIC " + st.interface + " in the scenario");
      if (!c_.node(n).powered)
        throw StepFailure(n + " is powered off: " + st.interface +
                          " cannot be configured (the node did not come "
                          "back)");
      int mtu          = st.mtu ? st.mtu : nic->mtu;
      IpoibMode mode   = st.mode != IpoibMode::None ? st.mode : nic->mode;
      auto const& tech = sc.technology_of(*sc.find_network(nic->network));
      if (tech.kind == LinkKind::InfiniBand) {
        if (mode == IpoibMode::Connected && !nic->hca.empty() && sc.hcas.count(nic->hca) &&
            !sc.hcas.at(nic->hca).connected_mode)
          throw StepFailure(n + "'s HCA " + nic->hca + " runs IPoIB in datagram mode only: connected mode and MTU " +
                            std::to_string(mtu) + " are refused");
        int dg_max = largest_mtu(tech, true);
        if (mode == IpoibMode::Datagram && mtu > dg_max)
          throw StepFailure("IPoIB datagram mode allows an MTU up to " + std::to_string(dg_max) + ", not " +
                            std::to_string(mtu) + " (" + n + " " + st.interface + ")");
      }
      if (int max = largest_mtu(tech, false); mtu > max)
        throw StepFailure(std::to_string(mtu) + " exceeds the largest MTU of " + tech.name + " (" +
                          std::to_string(max) + ")");
      c_.configure_interface(n, *nic, mtu, mode);
      seen << (seen.tellp() ? ", " : "") << n << " " << st.interface << " MTU " << mtu;
    }
    return seen.str();
  case Action::InterfaceDown:
  case Action::InterfaceUp:
    for (auto const& n : targets(st)) {
      if (!c_.node(n).powered) throw StepFailure(n + " is powered off");
      c_.set_interface(n, st.interface, st.action == Action::InterfaceUp);
    }
    return "";
  case Action::VerifyPing:
    return verify_ping(st);
  case Action::RepointNames:
    for (auto const& n : targets(st))
      c_.write_hosts(n, st.network);
    return "storage names resolve to network " + st.network +
           (st.method == "dns" ? " (dns emulated by each node's hosts file)" : "");
  case Action::CheckPeers:
    return check_peers(intended_network);
  case Action::CheckVolume:
    return wait_recovered(st.volume, intended_network);
  case Action::WaitHeal:
    return wait_heal(st);
  case Action::Wait:
    scaled_wait(st);
    return "";
  }
  return "";
}

std::string PlanReplayer::verify_ping(const Step& st)
{
  auto const& sc      = c_.scenario();
  std::string network = st.network;
  std::vector<std::string> nodes;
  for (auto const& n : targets(st)) {
    if (network.empty() && sc.find_node(n)->find_nic(st.interface))
      network = sc.find_node(n)->find_nic(st.interface)->network;
  }
  for (auto const& n : targets(st))
    if (c_.nic_on(n, network)) nodes.push_back(n);
  int pings = 0;
  for (auto const& a : nodes) {
    auto nic_a     = c_.nic_on(a, network);
    auto const& ia = c_.node(a).interfaces[nic_a->name];
    if (!c_.node(a).powered || !ia.up)
      throw StepFailure(a + "'s " + nic_a->name + " is not up" + (c_.node(a).powered ? "" : " (powered off)"));
    int payload = st.mtu ? st.mtu : ia.mtu - 28;
    for (auto const& b : nodes) {
      if (a == b) continue;
      check_interrupt();
      auto nic_b = c_.nic_on(b, network);
      auto r     = c_.ping(a, nic_b->address, payload);
      ++pings;
      if (!r.ok()) {
        auto const& ib  = c_.node(b).interfaces[nic_b->name];
        std::string why = ia.mtu - 28 < payload
                              ? a + "'s " + nic_a->name + " has MTU " + std::to_string(ia.mtu) + ", too small for it"
                          : ib.mtu - 28 < payload ? b + "'s " + nic_b->name + " has MTU " + std::to_string(ib.mtu) +
                                                        ": the frame is dropped there (MTU mismatch on the network)"
                                                  : b + "'s " + nic_b->name + (ib.up ? " does not answer" : " is down");
        throw StepFailure("ping -M do -s " + std::to_string(payload) + " from " + a + " (" + nic_a->name + " MTU " +
                          std::to_string(ia.mtu) + ") to " + b + " " + nic_b->address + " failed (" + r.summary() +
                          "): " + why);
      }
    }
  }
  return std::to_string(pings) + " pings on " + network + " with don't-fragment succeeded";
}

std::string PlanReplayer::check_peers(const std::string& intended_network)
{
  auto const& sc = c_.scenario();
  std::vector<std::string> servers;
  for (auto const& n : sc.nodes)
    if (n.server) servers.push_back(n.name);
  for (auto const& s : servers)
    if (!c_.node(s).powered || !c_.node(s).glusterd)
      throw StepFailure("glusterd is not running on " + s + (c_.node(s).powered ? "" : " (powered off)"));
  auto t0 = Clock::now();
  std::string problem;
  while (true) {
    problem.clear();
    for (auto const& s : servers) {
      auto peers       = c_.peer_status(s);
      size_t connected = 0;
      for (auto const& p : peers)
        if (p.connected)
          ++connected;
        else if (problem.empty())
          problem = s + " sees peer " + p.hostname + " as \"" + p.state + "\"";
      if (connected != servers.size() - 1 && problem.empty())
        problem =
            s + " sees " + std::to_string(connected) + " connected peers of " + std::to_string(servers.size() - 1);
      if (!problem.empty()) break;
    }
    if (problem.empty()) break;
    if (since(t0) > c_.timeouts().check_s)
      throw StepFailure("peers not all connected after " + fmt_s(c_.timeouts().check_s) + ": " + problem);
    interruptible_sleep(0.5);
  }
  // Connected is not enough: the pool must talk over the network the storage names were meant to move to.
  for (auto const& s : servers)
    for (auto const& addr : c_.glusterd_peer_addresses(s)) {
      auto net = network_of_address(s, addr);
      if (net != intended_network)
        throw StepFailure("peers are connected, but glusterd on " + s + " talks to its peers from " + addr +
                          " (network " + net + "), not over " + intended_network +
                          ": the storage names still resolve to the old network (were they re-pointed?)");
    }
  return std::to_string(servers.size()) + " servers, all peers connected over " + intended_network + " after " +
         fmt_s(since(t0));
}

std::string PlanReplayer::explain_hung_client(const std::string& node, const std::string& volume)
{
  auto mp = c_.layout().mount_point(node, volume);
  auto r  = c_.node_run(
       node, {"timeout", "10", "sh", "-c", "stat " + mp + " >/dev/null && echo probe > " + mp + "/.ibmig-probe"}, 15);
  if (r.ok()) return "I/O through it still works";
  std::string why =
      r.exit_status == 124 ? "I/O on it hangs (no answer within 10 s)" : "I/O on it fails: " + r.summary();
  return why;
}

std::string PlanReplayer::wait_recovered(const std::string& volume, const std::string& intended_network)
{
  auto const& sc = c_.scenario();
  auto vol       = sc.find_volume(volume);
  auto t0        = Clock::now();
  std::string problem;
  std::string hung_node;
  while (true) {
    check_interrupt();
    problem.clear();
    hung_node.clear();
    auto server = c_.any_running_server();
    if (server.empty()) {
      problem = "no glusterd is running";
    } else {
      auto status  = c_.volume_status(server, volume);
      auto clients = c_.volume_clients(server, volume);
      std::vector<std::string> online;
      for (auto const& b : vol->bricks) {
        auto name = c_.brick_name(b);
        bool up = std::any_of(status.begin(), status.end(), [&](auto const& s) { return s.brick == name && s.online; });
        if (!up) {
          auto const& n = c_.nodes().at(b.node);
          problem       = "brick " + name + " is offline" +
                    (!n.powered    ? " (" + b.node + " is powered off)"
                     : !n.glusterd ? " (glusterd stopped on " + b.node + ")"
                                   : "");
          break;
        }
        online.push_back(name);
      }
      for (auto const& n : sc.nodes) {
        if (!problem.empty()) break;
        if (!client_mounted(n.name, volume)) continue;
        auto eps = c_.client_endpoints(n.name, volume);
        for (auto const& bname : online) {
          auto it   = std::find_if(clients.begin(), clients.end(), [&](auto const& bc) { return bc.brick == bname; });
          bool sees = it != clients.end() && std::any_of(it->clients.begin(), it->clients.end(),
                                                         [&](auto const& e) { return eps.count(e) > 0; });
          if (!sees) {
            problem   = "brick " + bname + " does not see the client mounted on " + n.name;
            hung_node = n.name;
            break;
          }
        }
        for (auto const& ep : eps) {
          auto net = network_of_address(n.name, address_of(ep));
          if (problem.empty() && net != intended_network)
            throw StepFailure("every brick sees the clients, but the client on " + n.name + " reaches them from " +
                              address_of(ep) + " (network " + net + "), not over " + intended_network +
                              ": the storage names still resolve to the old network");
        }
      }
    }
    if (problem.empty()) break;
    if (since(t0) > c_.timeouts().check_s) {
      std::string extra;
      if (!hung_node.empty())
        extra = "; " + explain_hung_client(hung_node, volume) +
                " - a client that stayed mounted keeps its old connection and source address and must be remounted";
      throw StepFailure("volume " + volume + " did not recover within " + fmt_s(c_.timeouts().check_s) + ": " +
                        problem + extra);
    }
    interruptible_sleep(1.0);
  }
  return "every brick of " + volume + " online and seeing every mounted client after " + fmt_s(since(t0));
}

std::string PlanReplayer::wait_heal(const Step& st)
{
  double deadline = std::min(st.timeout.value, c_.timeouts().heal_s);
  auto t0         = Clock::now();
  auto server     = c_.any_running_server();
  if (server.empty()) throw StepFailure("no glusterd is running: self-heal cannot be queried");
  c_.gluster(server, {"volume", "heal", st.volume});
  std::string problem;
  while (true) {
    check_interrupt();
    auto bricks = c_.heal_info(server, st.volume);
    problem     = bricks.empty() ? "no answer from heal info" : "";
    for (auto const& b : bricks)
      if (problem.empty() && (!b.connected || b.entries != 0))
        problem = "brick " + b.brick +
                  (b.connected ? " has " + std::to_string(b.entries) + " entries to heal" : " is not connected");
    if (problem.empty()) return "nothing left to heal after " + fmt_s(since(t0));
    if (since(t0) > deadline) throw StepFailure("self-heal not done within " + fmt_s(deadline) + ": " + problem);
    interruptible_sleep(1.0);
  }
}

} // namespace ibmig::emu
