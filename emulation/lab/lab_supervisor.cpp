/* The supervisor of a lab (lab.hpp): builds the cluster through the emulator's one build path, keeps the VMs
 * writing, serves the shims, and tears down on SIGINT/SIGTERM. Every change it makes goes through EmulatedCluster,
 * so the state file keeps recording every pid and object. */
#include "cluster_model.hpp"
#include "lab.hpp"
#include "lab_observation.hpp"

#include "cluster_bring_up.hpp"
#include "mistakes.hpp"
#include "node_access.hpp"
#include "verification.hpp"
#include "workload_phase.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <poll.h>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace ibmig::lab {

using emu::StepFailure;

namespace {
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t)
{
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string unit_of(std::string u)
{
  if (auto p = u.rfind(".service"); p != std::string::npos && p + 8 == u.size()) u.resize(p);
  return u == "openibd" ? "rdma" : u;
}

std::map<std::string, std::string> read_ifcfg(const std::string& text)
{
  std::map<std::string, std::string> kv;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    auto v = line.substr(eq + 1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
    kv[line.substr(0, eq)] = v;
  }
  return kv;
}

const Vm& vm_named(const Scenario& sc, const std::string& name)
{
  for (auto const& vm : sc.workload.vms)
    if (vm.name == name) return vm;
  throw std::invalid_argument("no VM " + name + " in the scenario");
}

class Supervisor {
public:
  Supervisor(const Scenario& sc, const LabOptions& opt) : sc_(sc), opt_(opt), eopt_(opt.emulate)
  {
    eopt_.plan_write_bytes = opt.writer_bytes;
    eopt_.phase_deadline_s = 5; // a writer on a node going down must not hold a request for long
  }
  int run(int ready_fd);

private:
  void build();
  void serve();
  void answer(int fd);
  Reply handle(const std::string& node, std::vector<std::string> argv);
  Reply operation(const nlohmann::json& req); // lab status and train: {"op": "observe"}, {"op": "inject", ...}
  Reply service(const std::string& node, const std::string& unit, const std::string& verb);
  Reply power_off(const std::string& node);
  Reply power_on(const std::string& node);
  Reply install_hca(const std::string& node);
  Reply interface(const std::string& node, const std::string& iface, bool up);
  Reply devinfo(const std::string& node);
  Reply guest_devinfo(const std::string& node, const std::map<std::string, emu::ObservedInterface>& seen);
  Reply virsh(const std::string& node, const std::vector<std::string>& argv);
  Reply chkconfig_list(const std::string& node, const std::vector<std::string>& args);
  Reply inject(const std::string& drill);
  bool drilled(const std::string& drill, const std::string& node) const
  {
    auto it = drills_.find(drill);
    return it != drills_.end() && it->second == node;
  }
  LabObservation observe();
  void publish();
  void restart_writers(bool verify = true);
  // A request that ends a period starts the next after its reply: the writers are forked, and a child holding the
  // asker's connection would keep it from seeing the end of the reply.
  void end_period(bool verify);
  void begin_period();
  void set_vm(const std::string& vm, bool running);
  void log(const std::string& line) { std::cerr << "[lab " << opt_.name << "] " << line << std::endl; }

  const Scenario& sc_;
  const LabOptions& opt_;
  emu::EmulateOptions eopt_;
  emu::SystemRunner runner_;
  emu::MistakenPlan plan_;
  std::unique_ptr<emu::EmulatedCluster> cluster_;
  std::unique_ptr<NodeAccess> access_;
  std::unique_ptr<emu::WorkloadPhases> workload_; // destroyed before the cluster: its writers stop first
  std::string dir_, socket_;
  int listen_fd_ = -1;
  std::set<std::string> off_, rdma_active_;
  std::set<std::string> disabled_, unconfigured_; // "node:unit", "node:iface" (a new HCA not yet ifup'd)
  std::function<void()> after_reply_; // poweroff: the reply goes out before the node (and the asker) goes down
  Clock::time_point t0_ = Clock::now();
  Clock::time_point up_ = Clock::now();
  std::optional<LabObservation> last_seen_; // what heal info cannot tell now (bricks down) comes from the last look

  // The VMs as `virsh` knows them: a VM that runs has writers; shut off (by virsh or its node's power) it has none.
  struct VmRun {
    bool running            = true;
    Clock::time_point since = Clock::now(); // shut off since
    double down_s           = 0;            // earlier times shut off
    std::optional<BytesPerSecond> rate;     // its writes in the last period
  };
  std::map<std::string, VmRun> vms_;
  std::map<std::pair<std::string, std::string>, emu::WrittenFile> latest_; // (volume, file) -> what it holds
  std::optional<Verification> verification_;
  std::map<std::string, std::string> drills_; // drill -> the node it strikes
};

int Supervisor::run(int ready_fd)
{
  auto report = [&](const std::string& line) {
    if (ready_fd >= 0) (void)!::write(ready_fd, (line + "\n").data(), line.size() + 1);
  };
  try {
    build();
  } catch (const std::exception& e) {
    std::string why = e.what();
    emu::clear_interrupt();
    runner_.set_interruptible(false);
    workload_.reset();
    cluster_.reset(); // tears down what got built
    if (listen_fd_ >= 0) ::close(listen_fd_);
    report("failed: " + why);
    std::cerr << "ibmig lab up: " << why << "\n";
    return 2;
  }
  std::ostringstream ready;
  ready << "lab " << opt_.name << " is up (run " << cluster_->layout().run_id << ", supervisor pid " << ::getpid()
        << ", state file " << cluster_->layout().state_file() << ")\n"
        << "  shell:  ibmig lab shell NODE [--lab " << opt_.name << "] [-- COMMAND]\n"
        << access_->how_to_reach() << "  down:   ibmig lab down " << opt_.name << "\n";
  std::cout << ready.str() << std::flush;
  if (ready_fd >= 0) {
    report("ready");
    ::close(ready_fd);
    // Detached from the terminal: lab up has returned; the log goes to the lab's directory.
    ::setsid();
    int logfd = ::open((dir_ + "/supervisor.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null  = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(logfd, 1);
    ::dup2(logfd, 2);
    ::close(logfd);
    ::close(null);
    if (::chdir("/") != 0) log("chdir /: " + std::string(std::strerror(errno)));
  }
  // After detaching: the writers (forked) must not hold lab up's output open.
  for (auto const& vm : sc_.workload.vms)
    vms_[vm.name] = {};
  begin_period();
  up_ = t0_;
  serve();
  log("tearing down");
  runner_.set_interruptible(false);
  emu::clear_interrupt();
  ::close(listen_fd_);
  for (auto const& n : sc_.nodes)
    cluster_->record_processes(n.name); // lab shells and ssh sessions too: teardown kills them with the rest
  workload_.reset();
  int left = cluster_->teardown();
  log(left ? std::to_string(left) + " object(s) could not be removed" : "torn down");
  return left ? 1 : 0;
}

void Supervisor::build()
{
  plan_       = emu::apply_mistakes(sc_, {});
  auto layout = emu::make_run_layout(sc_, eopt_);
  cluster_    = emu::make_cluster(plan_.scenario, layout, runner_, eopt_);
  dir_        = layout.work_dir + "/lab";
  socket_     = dir_ + "/supervisor.sock";
  publish(); // the state file names the lab from its first object on: --cleanup and lab list see it
  log("run " + layout.run_id + ": building the cluster (state file " + layout.state_file() + ")");
  emu::bring_up(*cluster_, plan_, eopt_);
  access_ = std::make_unique<NodeAccess>(*cluster_, runner_, dir_, socket_, opt_.ibmig_binary);
  access_->set_up();
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_.c_str(), sizeof addr.sun_path - 1);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0)
    throw StepFailure("cannot listen on " + socket_ + ": " + std::strerror(errno));
  workload_ = std::make_unique<emu::WorkloadPhases>(*cluster_, eopt_);
}

void Supervisor::publish()
{
  std::vector<std::string> nodes, off(off_.begin(), off_.end());
  for (auto const& n : sc_.nodes)
    nodes.push_back(n.name);
  auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto j   = cluster_->state().lab();
  cluster_->state().set_lab({{"name", opt_.name},
                             {"scenario", sc_.file},
                             {"scenario_path", opt_.scenario_path},
                             {"sets", opt_.sets},
                             {"dir", dir_},
                             {"socket", socket_},
                             {"start", j.is_object() ? j.value("start", now) : now},
                             {"nodes", nodes},
                             {"powered_off", off},
                             {"rdma", opt_.rdma}});
}

void Supervisor::serve()
{
  while (!emu::interrupt_requested()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) answer(fd);
    }
    if (since(t0_) > opt_.writer_period.value) restart_writers();
  }
}

/* The VMs keep writing: each period their bounded files are rewritten from the start. Between two periods no writer
 * runs: every file is read back from its replicas then (emulate's verification), and each VM's rate is its bytes
 * acknowledged over the time it took. */
void Supervisor::restart_writers(bool verify)
{
  end_period(verify);
  begin_period();
}

void Supervisor::begin_period()
{
  workload_->start_plan_writers([&](const Vm& vm) { return vms_[vm.name].running; }, true);
  t0_ = Clock::now();
}

void Supervisor::end_period(bool verify)
{
  std::vector<Event> ignored; // failed writes of a node that went down are the trainee's doing, not the lab's
  std::map<std::string, std::pair<double, double>> wrote; // vm -> (bytes, seconds)
  for (auto const& a : workload_->stop_plan_writers(0, ignored)) {
    if (a.file.empty()) continue;
    auto& w = wrote[a.vm];
    w.first += static_cast<double>(a.acked);
    w.second = std::max(w.second, a.busy_s);
    // Rewritten in place with the same bytes: the file holds the longest of its periods' acknowledged writes.
    auto& f = latest_[{vm_named(sc_, a.vm).volume, a.file}];
    f       = {vm_named(sc_, a.vm).volume, a.file, std::max(f.length, a.acked), a.vm};
  }
  double period = since(t0_);
  for (auto& [name, vm] : vms_)
    if (auto it = wrote.find(name); it != wrote.end() && it->second.second > 0)
      vm.rate = BytesPerSecond{it->second.first / it->second.second};
    else if (it != wrote.end() && period >= 1)
      vm.rate = BytesPerSecond{0}; // it ran a whole second and nothing was acknowledged: its disk hangs
    else if (!vm.running)
      vm.rate.reset();
  std::vector<emu::WrittenFile> files;
  for (auto const& [key, f] : latest_)
    files.push_back(f);
  if (verify && !files.empty()) verification_ = emu::verify_written_files(sc_, cluster_->layout(), files);
}

void Supervisor::set_vm(const std::string& name, bool running)
{
  auto& vm = vms_[name];
  if (vm.running == running) return;
  if (running) vm.down_s += since(vm.since);
  vm.since   = Clock::now();
  vm.running = running;
}

LabObservation Supervisor::observe()
{
  for (auto const& n : sc_.nodes)
    if (!off_.count(n.name)) cluster_->sync_mounts(n.name); // the trainee mounts and unmounts by hand
  LabObservation seen = observe_lab(*cluster_, sc_, last_seen_ ? &*last_seen_ : nullptr);
  for (auto& [name, n] : seen.nodes) {
    n.powered               = off_.count(name) == 0; // the lab's own power switch, not a guess from what runs
    n.seen.vms_observed     = true;
    n.seen.enabled_observed = true;
    n.seen.glusterd_enabled = !disabled_.count(name + ":glusterd");
  }
  std::optional<double> total;
  double longest = 0;
  for (auto const& vm : sc_.workload.vms) {
    auto const& run = vms_[vm.name];
    LabVm v{vm.node, run.running, run.running ? run.rate : std::nullopt,
            Seconds{run.down_s + (run.running ? 0 : since(run.since))}};
    if (run.running) seen.nodes[vm.node].seen.vms_running.insert(vm.name);
    if (v.write_rate) total = total.value_or(0) + v.write_rate->value;
    longest           = std::max(longest, v.down.value);
    seen.vms[vm.name] = v;
  }
  if (total) seen.vm_write_rate = BytesPerSecond{*total};
  seen.downtime     = Seconds{longest};
  seen.verification = verification_;
  seen.at           = Seconds{since(up_)};
  last_seen_        = seen;
  return seen;
}

void Supervisor::answer(int fd)
{
  std::string in;
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (in.find('\n') == std::string::npos && ::poll(&p, 1, 5000) > 0) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  Reply r;
  try {
    auto j = nlohmann::json::parse(in);
    if (j.contains("op"))
      r = operation(j);
    else
      r = handle(j.at("node").get<std::string>(), j.at("argv").get<std::vector<std::string>>());
  } catch (const emu::Interrupted&) {
    r = {1, "the lab is going down\n"};
  } catch (const std::exception& e) {
    r = {1, std::string(e.what()) + "\n"};
  }
  auto out = nlohmann::json{{"status", r.status}, {"out", r.out}}.dump();
  (void)!::write(fd, out.data(), out.size());
  ::close(fd);
  if (after_reply_) {
    auto act     = std::move(after_reply_);
    after_reply_ = nullptr;
    try {
      act();
    } catch (const std::exception& e) {
      log(e.what());
    }
  }
}

Reply Supervisor::operation(const nlohmann::json& req)
{
  auto op = req.at("op").get<std::string>();
  if (op == "observe") {
    // "verify": end the writers' period now, so the bytes-lost figure is of this moment (lab status asks so).
    if (req.value("verify", false)) {
      end_period(true);
      after_reply_ = [this] { begin_period(); };
    }
    return {0, to_json(observe()).dump()};
  }
  if (op == "measure") {
    // A period of its own: the VMs' rates over it (a trainee waits for the answer; the shims wait meanwhile).
    double wait = std::clamp(req.value("seconds", 5.0), 1.0, 30.0);
    restart_writers(false); // the children of this period are gone before the reply
    for (auto t = Clock::now(); since(t) < wait && !emu::interrupt_requested();)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    end_period(false);
    after_reply_ = [this] { begin_period(); };
    auto seen    = observe();
    return {0, nlohmann::json{{"vm_write_rate",
                               seen.vm_write_rate ? nlohmann::json(seen.vm_write_rate->value) : nlohmann::json()}}
                   .dump()};
  }
  if (op == "inject") return inject(req.value("drill", std::string()));
  return {2, "unknown request \"" + op + "\"\n"};
}

Reply Supervisor::handle(const std::string& node, std::vector<std::string> argv)
{
  if (!sc_.find_node(node)) return {2, "no node " + node + " in this lab\n"};
  if (argv.empty()) return {2, "no command\n"};
  auto cmd = argv[0];
  log(node + ": " + emu::join_command(argv));
  std::vector<std::string> args; // without options (--now, -q, ...)
  for (size_t i = 1; i < argv.size(); ++i)
    if (argv[i].empty() || argv[i][0] != '-') args.push_back(argv[i]);
  // Host-side, physical work (ibmig lab power-on / install-hca).
  if (cmd == "power-on") return power_on(node);
  if (cmd == "install-hca") return install_hca(node);
  if (off_.count(node)) return {1, node + " is powered off\n"};
  if (cmd == "poweroff" || cmd == "halt" || (cmd == "init" && args == std::vector<std::string>{"0"}) ||
      cmd == "shutdown" || (cmd == "systemctl" && !args.empty() && args[0] == "poweroff"))
    return power_off(node);
  if (cmd == "systemctl" && args.size() >= 2) return service(node, unit_of(args[1]), args[0]);
  if (cmd == "service" && args.size() >= 2 && args[1] == "status") {
    // SysV's words, as on the runbook's CentOS 6 (`service glusterd status`: "glusterd (pid N) is running...").
    auto r = service(node, unit_of(args[0]), "is-active");
    if (r.status > 3) return r;
    std::string pids;
    if (r.status == 0 && unit_of(args[0]) == "glusterd")
      for (auto const& o : cluster_->state().objects())
        if (o.kind == emu::CreatedObject::Kind::Process && o.name == "glusterd" &&
            o.netns == cluster_->layout().netns(node))
          pids += (pids.empty() ? "" : " ") + std::to_string(o.pid);
    return {r.status,
            unit_of(args[0]) +
                (r.status == 0 ? (pids.empty() ? "" : " (pid  " + pids + ")") + " is running...\n" : " is stopped\n")};
  }
  if (cmd == "service" && args.size() >= 2) return service(node, unit_of(args[0]), args[1]);
  if (cmd == "virsh") return virsh(node, {argv.begin() + 1, argv.end()});
  if (cmd == "chkconfig" && argv.size() >= 2 && argv[1] == "--list") return chkconfig_list(node, args);
  if ((cmd == "yum" || cmd == "dnf") && !args.empty() && args[0] == "install")
    return {0, "ibmig lab: the node's packages are the host's (rdma-core, infiniband-diags, glusterfs): nothing to "
               "install.\nNothing to do.\n"};
  if (cmd == "chkconfig" && args.size() == 2 && (args[1] == "on" || args[1] == "off"))
    return service(node, unit_of(args[0]), args[1] == "on" ? "enable" : "disable");
  if ((cmd == "ifup" || cmd == "ifdown") && args.size() == 1) return interface(node, args[0], cmd == "ifup");
  if (cmd == "ibv_devinfo") return devinfo(node);
  if (cmd == "systemctl")
    return {1, "usage (lab): systemctl start|stop|restart|status|is-active|enable|disable UNIT\n"};
  if (cmd == "service") return {1, "usage (lab): service UNIT start|stop|restart|status\n"};
  if (cmd == "chkconfig") return {1, "usage (lab): chkconfig UNIT on|off, chkconfig --list [UNIT]\n"};
  if (cmd == "yum" || cmd == "dnf") return {1, "usage (lab): " + cmd + " install PACKAGE...\n"};
  if (cmd == "ifup" || cmd == "ifdown") return {1, "usage: " + cmd + " IFACE\n"};
  return {1, cmd + ": not something this lab provides\n"};
}

Reply Supervisor::service(const std::string& node, const std::string& unit, const std::string& verb)
{
  auto const* n = sc_.find_node(node);
  bool known    = (unit == "glusterd" && n->server) || unit == "rdma";
  if (!known) return {verb == "status" ? 4 : 5, "Unit " + unit + ".service could not be found.\n"};
  bool has_hca = false;
  for (auto const& [iface, seen] : cluster_->observe(node).interfaces)
    for (auto const& nic : n->nics)
      has_hca = has_hca || (nic.name == iface && !nic.hca.empty());
  auto active = [&] { return unit == "glusterd" ? cluster_->glusterd_running(node) : rdma_active_.count(node) > 0; };
  if (verb == "start" || verb == "restart") {
    if (unit == "glusterd" && drilled("names-not-repointed", node))
      // The drill: something (a configuration manager) wrote the old /etc/hosts back before glusterd started.
      cluster_->write_hosts(node, sc_.storage_names.network);
    if (unit == "glusterd") {
      if (verb == "restart") cluster_->stop_glusterd(node);
      cluster_->start_glusterd(node);
    } else if (!has_hca) {
      return {1, "Job for rdma.service failed: no InfiniBand HCA in " + node + " (`ibmig lab install-hca " + node +
                     "` from the host)\n"};
    } else {
      rdma_active_.insert(node);
    }
    return {0, ""};
  }
  if (verb == "stop") {
    if (unit == "glusterd") cluster_->stop_glusterd(node);
    if (unit == "rdma") rdma_active_.erase(node);
    return {0, ""};
  }
  if (verb == "enable" || verb == "disable") {
    if (verb == "enable")
      disabled_.erase(node + ":" + unit);
    else
      disabled_.insert(node + ":" + unit);
    return {0, ""};
  }
  bool enabled = !disabled_.count(node + ":" + unit);
  if (verb == "is-enabled") return {enabled ? 0 : 1, enabled ? "enabled\n" : "disabled\n"};
  if (verb == "is-active") return {active() ? 0 : 3, active() ? "active\n" : "inactive\n"};
  if (verb == "status")
    return {active() ? 0 : 3, "* " + unit + ".service - " + (unit == "glusterd" ? "GlusterFS" : "RDMA") +
                                  " (ibmig lab)\n     Loaded: loaded (" + (enabled ? "enabled" : "disabled") +
                                  ")\n     Active: " + (active() ? "active (running)" : "inactive (dead)") + "\n"};
  return {1, "Unknown command verb " + verb + ".\n"};
}

Reply Supervisor::power_off(const std::string& node)
{
  // As the model's power_off: the node's processes die, its mounts go, its interfaces go down; sshd and every
  // shell in it too (the asker's session ends, as on a real server).
  off_.insert(node);
  publish();
  for (auto const& vm : sc_.workload.vms)
    if (vm.node == node) set_vm(vm.name, false); // killed with the node; after power-on they stay shut off
  after_reply_ = [this, node] {
    workload_->kill_vms_on(node);
    // A shutdown hangs up the sessions first: an interactive shell ignores SIGTERM and would hold power_off for
    // its 5 s of grace.
    cluster_->record_processes(node);
    for (auto const& o : cluster_->state().objects())
      if (o.kind == emu::CreatedObject::Kind::Process && o.netns == cluster_->layout().netns(node) &&
          o.name == "other" && emu::read_process_start_time(o.pid) == o.start_time)
        ::kill(static_cast<pid_t>(o.pid), SIGHUP);
    cluster_->power_off(node);
    rdma_active_.erase(node);
    log(node + " powered off");
  };
  return {0, "Powering off " + node + "...\n"};
}

Reply Supervisor::power_on(const std::string& node)
{
  if (!off_.count(node)) return {1, node + " is not powered off\n"};
  // The drill: the button is pressed, nothing boots. The trainee finds it by ping and gluster peer status.
  if (drilled("node-does-not-return", node)) return {0, node + " powered on\n"};
  for (auto const& [iface, seen] : cluster_->observe(node).interfaces)
    if (!unconfigured_.count(node + ":" + iface)) cluster_->set_interface(node, iface, true);
  access_->start_sshd(node);
  auto const* n = sc_.find_node(node);
  if (n->server && !disabled_.count(node + ":glusterd")) cluster_->start_glusterd(node);
  if (!disabled_.count(node + ":rdma") && !n->nics.empty()) {
    for (auto const& [iface, seen] : cluster_->observe(node).interfaces)
      for (auto const& nic : n->nics)
        if (nic.name == iface && !nic.hca.empty()) rdma_active_.insert(node);
  }
  off_.erase(node);
  publish();
  // Its VMs stay shut off and their volumes unmounted, as the model has it after a power-on: `mount` and
  // `virsh start` bring them back.
  cluster_->sync_mounts(node);
  return {0, node + " powered on\n"};
}

Reply Supervisor::install_hca(const std::string& node)
{
  if (!off_.count(node)) return {1, node + " is running: power it off first (`poweroff` in the node)\n"};
  auto seen = cluster_->observe(node).interfaces;
  for (auto const& nic : sc_.find_node(node)->nics)
    if (!nic.hca.empty() && !seen.count(nic.name)) {
      cluster_->install_nic(node, nic);
      cluster_->set_interface(node, nic.name, false); // a new card: its interface is down until ifup configures it
      access_->hca_files(node, nic, access_->hca_id(node, nic));
      unconfigured_.insert(node + ":" + nic.name);
      return {0, "installed the " + nic.hca + " HCA in " + node + " (" + nic.name + ")\n"};
    }
  return {1, node + " has no InfiniBand HCA left to install (the scenario gives it none, or it is installed)\n"};
}

Reply Supervisor::interface(const std::string& node, const std::string& iface, bool up)
{
  const Nic* nic = nullptr;
  for (auto const& x : sc_.find_node(node)->nics)
    if (x.name == iface) nic = &x;
  if (!nic || !cluster_->observe(node).interfaces.count(iface))
    return {1, "ERROR: could not find device " + iface + " in " + node + "\n"};
  if (!up) {
    cluster_->set_interface(node, iface, false);
    return {0, ""};
  }
  auto path = "/etc/sysconfig/network-scripts/ifcfg-" + iface; // the node's own /etc (node_access.hpp)
  auto text = cluster_->node_run(node, {"cat", path}, 10);
  if (!text.ok()) return {1, "ifup: " + path + ": no such file (write it first; see `ip link` for " + iface + ")\n"};
  auto kv           = read_ifcfg(text.out);
  Nic as_configured = *nic;
  if (kv.count("IPADDR")) as_configured.address = kv["IPADDR"];
  int mtu = nic->mtu;
  try {
    if (kv.count("MTU")) mtu = std::stoi(kv["MTU"]);
  } catch (const std::exception&) {
    return {1, path + ": MTU=" + kv["MTU"] + " is not a number\n"};
  }
  auto mode = nic->mode;
  if (!nic->hca.empty() && kv.count("CONNECTED_MODE"))
    mode = kv["CONNECTED_MODE"] == "yes" ? IpoibMode::Connected : IpoibMode::Datagram;
  if (drilled("mtu-mismatch", node) && !nic->hca.empty()) {
    mode = IpoibMode::Datagram; // the drill: this HCA's driver ignores connected mode, as ConnectX-4 and newer do
    mtu  = std::min(mtu, 2044);
  }
  cluster_->configure_interface(node, as_configured, mtu, mode);
  if (!nic->hca.empty()) access_->set_ipoib_mode(node, iface, mode);
  unconfigured_.erase(node + ":" + iface);
  return {0, ""};
}

/* virsh for the scenario's VMs on `node`: a VM is its writers (the workload's sequential-write streams). */
Reply Supervisor::virsh(const std::string& node, const std::vector<std::string>& argv)
{
  std::vector<std::string> args;
  for (auto const& a : argv)
    if (a.rfind("--", 0) != 0) args.push_back(a);
  bool all   = std::find(argv.begin(), argv.end(), "--all") != argv.end();
  auto usage = Reply{1, "usage (lab): virsh list [--all] | domstate VM | start VM | shutdown VM | destroy VM\n"};
  if (args.empty()) return usage;
  const std::string& verb = args[0];
  if (verb == "list") {
    std::ostringstream out;
    out << " Id   Name        State\n-----------------------------\n";
    int id = 1;
    for (auto const& vm : sc_.workload.vms)
      if (vm.node == node && (all || vms_[vm.name].running)) {
        bool runs = vms_[vm.name].running;
        out << " " << std::left << std::setw(4) << (runs ? std::to_string(id++) : "-") << " " << std::setw(11)
            << vm.name << " " << (runs ? "running" : "shut off") << "\n";
      }
    return {0, out.str() + "\n"};
  }
  if (args.size() != 2) return usage;
  const Vm* vm = nullptr;
  for (auto const& v : sc_.workload.vms)
    if (v.name == args[1] && v.node == node) vm = &v;
  if (!vm) return {1, "error: failed to get domain '" + args[1] + "'\n"};
  auto& run = vms_[vm->name];
  if (verb == "domstate") return {0, std::string(run.running ? "running" : "shut off") + "\n\n"};
  if (verb == "start") {
    if (run.running)
      return {1, "error: Failed to start domain '" + vm->name +
                     "'\nerror: Requested operation is not valid: domain is already running\n"};
    cluster_->sync_mounts(node);
    if (!cluster_->mounted(node, vm->volume))
      return {1, "error: Failed to start domain '" + vm->name + "'\nerror: Cannot access storage file '/mnt/" +
                     vm->volume + "/" + vm->image + "': No such file or directory (mount the volume first)\n"};
    set_vm(vm->name, true);
    end_period(false); // a new period, with its writers (the files are verified at a period's end)
    after_reply_ = [this] { begin_period(); };
    return {0, "Domain '" + vm->name + "' started\n\n"};
  }
  if (verb == "shutdown" || verb == "destroy") {
    if (!run.running)
      return {1, "error: Failed to " + verb + " domain '" + vm->name +
                     "'\nerror: Requested operation is not valid: domain is not running\n"};
    set_vm(vm->name, false);
    end_period(false); // its writers stop after their current write (acknowledged bytes kept), the others go on
    after_reply_ = [this] { begin_period(); };
    return {0, "Domain '" + vm->name + "' " + (verb == "shutdown" ? "is being shutdown" : "destroyed") + "\n\n"};
  }
  return usage;
}

/* A drill of `ibmig train --inject`, on a node of the lab's choosing (the last that it can strike), found with the
 * real tools: it is not shown in lab status. */
Reply Supervisor::inject(const std::string& drill)
{
  auto const& known = emu::known_mistakes();
  if (std::find(known.begin(), known.end(), drill) == known.end()) return {2, "unknown drill \"" + drill + "\"\n"};
  std::string target;
  for (auto const& n : sc_.nodes) {
    bool hca = std::any_of(n.nics.begin(), n.nics.end(), [](const Nic& c) { return !c.hca.empty(); });
    if ((drill == "mtu-mismatch" && hca) ||
        ((drill == "node-does-not-return" || drill == "names-not-repointed") && n.server))
      target = n.name;
  }
  if (drill == "client-left-mounted")
    return {1, "the drill client-left-mounted needs a mount the trainee does not make; in a lab it is not available "
               "(ibmig emulate --inject client-left-mounted replays it)\n"};
  if (target.empty()) return {1, "no node of this lab can take the drill \"" + drill + "\"\n"};
  drills_[drill] = target;
  log("drill " + drill + " on " + target);
  return {0, ""};
}

Reply Supervisor::chkconfig_list(const std::string& node, const std::vector<std::string>& args)
{
  std::string out;
  for (std::string unit : {"glusterd", "rdma"}) {
    if (!args.empty() && unit_of(args[0]) != unit) continue;
    if (unit == "glusterd" && !sc_.find_node(node)->server) continue;
    bool on = !disabled_.count(node + ":" + unit);
    out += unit + std::string(16 - unit.size(), ' ') + "0:off\t1:off\t2:" + (on ? "on" : "off") +
           "\t3:" + (on ? "on" : "off") + "\t4:" + (on ? "on" : "off") + "\t5:" + (on ? "on" : "off") + "\t6:off\n";
  }
  if (out.empty())
    return {1, "error reading information on service " + (args.empty() ? std::string("?") : args[0]) +
                   ": No such file or directory\n"};
  return {0, out};
}

Reply Supervisor::devinfo(const std::string& node)
{
  std::string out;
  auto seen = cluster_->observe(node).interfaces;
  if (opt_.emulate.ports) return guest_devinfo(node, seen);
  for (auto const& nic : sc_.find_node(node)->nics) {
    if (nic.hca.empty() || !seen.count(nic.name)) continue;
    // The port is the HCA's, not IPoIB's: active once cabled to the (subnet-managed) switch.
    out += "hca_id:\t" + access_->hca_id(node, nic) + "\n\ttransport:\t\t\tInfiniBand (0)\n\tport:\t" +
           std::to_string(nic.hca_port ? nic.hca_port : 1) + "\n\t\tstate:\t\t\t" +
           (nic.cabled ? "PORT_ACTIVE (4)" : "PORT_DOWN (1)") + "\n\t\tlink_layer:\t\tInfiniBand\n";
  }
  // rdma-core's ibv_devinfo without a device: this line and exit 255 (seen from a soft-RoCE guest's, lab --rdma).
  if (out.empty()) return {255, "No IB devices found\n"};
  return {0, out};
}

Reply Supervisor::guest_devinfo(const std::string& node, const std::map<std::string, emu::ObservedInterface>& seen)
{
  // The node's soft-RoCE guest, booted for this question with the port's world as the lab has it now: the verbs
  // stack loaded once the rdma service runs, a cable as the scenario has it, the subnet's IB MTU (a 4K MTU configured
  // in the node is not followed here).
  std::vector<emu::PortQuery> asked;
  for (auto const& nic : sc_.find_node(node)->nics) {
    if (nic.hca.empty() || !seen.count(nic.name)) continue;
    emu::PortQuery q;
    q.node         = node;
    q.interface    = nic.name;
    q.port         = nic.hca_port ? nic.hca_port : 1;
    q.stack_loaded = rdma_active_.count(node) > 0;
    q.cabled       = nic.cabled;
    q.ib_mtu       = ClusterModel::default_ib_mtu(sc_.technology_of(*sc_.find_network(nic.network)));
    asked.push_back(q);
    break; // one guest per node: rxe has one port, standing for the node's first HCA port
  }
  if (asked.empty()) return {255, "No IB devices found\n"};
  auto got = opt_.emulate.ports->probe(asked);
  if (got.empty() || got[0].text.empty())
    return {1, "ibmig lab: the node's soft-RoCE guest did not answer" +
                   (got.empty() ? std::string() : ": " + got[0].where) + "\n"};
  const Nic& nic           = *sc_.find_node(node)->find_nic(asked[0].interface);
  const std::string stands = asked[0].stack_loaded ? "its rxe0 port 1 stands for " + access_->hca_id(node, nic) +
                                                         " port " + std::to_string(asked[0].port)
                                                   : "no verbs stack loaded there, as the rdma service is stopped";
  const int status         = got[0].exit_status >= 0 ? got[0].exit_status : 1; // the guest's ibv_devinfo's own status
  return {status, got[0].text + "# ibmig lab: answered by " + node + "'s soft-RoCE guest (" + got[0].where +
                      "): " + stands + "\n"};
}
} // namespace

int supervise(const Scenario& sc, const LabOptions& opt, int ready_fd)
{
  emu::InterruptGuard signals; // SIGINT/SIGTERM: serve() returns, everything is torn down
  Supervisor s(sc, opt);
  return s.run(ready_fd);
}

} // namespace ibmig::lab
