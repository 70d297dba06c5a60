/* `ibmig lab`: the training lab (emulation/lab/README.md).
 *   ibmig lab up SCENARIO [--name LAB] [--set PATH=VALUE]... [--rate-scale X] [--rdma] [--foreground]
 *   ibmig lab down [LAB]            ibmig lab list            ibmig lab status [LAB] [--json]
 *   ibmig lab shell NODE [--lab LAB] [-- COMMAND...]
 *   ibmig lab install-hca NODE [--lab LAB]     ibmig lab power-on NODE [--lab LAB]
 *   ibmig lab node-op --socket S --node N -- COMMAND...   (what the shims inside a node call) */
#include "commands.hpp"
#include "usage_error.hpp"

#include "overrides.hpp"
#include "scenario_loader.hpp"

#ifdef IBMIG_HAVE_EMULATION
#include "lab.hpp"
#include "running_lab.hpp"
#ifdef IBMIG_HAVE_RDMA
#include "rdma_fabric.hpp"
#include "rdma_plane.hpp"
#endif
#endif

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ibmig::cli {

#ifdef IBMIG_HAVE_EMULATION
namespace {

constexpr const char* kStateDir = "/run/ibmig";
constexpr const char* kLabUsage =
    "usage: ibmig lab up SCENARIO [--name LAB] [--set PATH=VALUE]... [--rate-scale X] [--rdma] [--foreground]\n"
    "       ibmig lab down [LAB] | list | status [LAB] [--json] | shell NODE [--lab LAB] [-- COMMAND...]\n"
    "       ibmig lab install-hca NODE [--lab LAB] | power-on NODE [--lab LAB]";

int usage(const std::string& line)
{
  std::cerr << "ibmig lab: " << line << "\n";
  return 2;
}

/* Arguments after the subcommand: positionals, "--opt VALUE" options, flags, and what follows "--". */
struct LabArgs {
  std::vector<std::string> positional, sets, rest;
  std::map<std::string, std::string> value;
  std::set<std::string> flags;
};

LabArgs parse(int argc, char** argv, const std::set<std::string>& with_value, const std::set<std::string>& flags)
{
  LabArgs a;
  for (int i = 3; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--") {
      a.rest.assign(argv + i + 1, argv + argc);
      break;
    }
    if (s.rfind("--", 0) == 0) {
      if (flags.count(s)) {
        a.flags.insert(s);
      } else if (with_value.count(s)) {
        if (i + 1 >= argc) throw UsageError(s + " needs a value");
        (s == "--set" ? a.sets.push_back(argv[++i]) : (void)(a.value[s] = argv[++i]));
      } else {
        throw UsageError("unknown option " + s);
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

/* The lab a command names, or the only one running. */
lab::LabInfo lab_named(const std::string& name)
{
  auto labs = lab::find_labs(kStateDir);
  if (name.empty()) {
    if (labs.size() == 1) return labs.front();
    throw UsageError(labs.empty() ? "no lab is running (`ibmig lab up SCENARIO`)"
                                  : "several labs are running: say which with --lab LAB (`ibmig lab list`)");
  }
  for (auto& l : labs)
    if (l.name == name) return l;
  throw UsageError("no lab named \"" + name + "\" (`ibmig lab list`)");
}

std::string self_binary()
{
  char buf[4096];
  auto n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "ibmig";
}

int lab_up(int argc, char** argv)
{
  auto a = parse(argc, argv, {"--name", "--set", "--rate-scale"}, {"--rdma", "--foreground"});
  if (a.positional.size() != 1) return usage("lab up needs one SCENARIO file");
  std::vector<Override> overrides;
  for (auto const& s : a.sets)
    overrides.push_back(parse_override(s));
  Scenario sc = load_scenario(a.positional[0], overrides);
  emu::check_emulatable_names(sc);
  lab::LabOptions opt;
  opt.name          = a.value.count("--name") ? a.value["--name"] : sc.name;
  opt.rdma          = a.flags.count("--rdma") > 0;
  opt.ibmig_binary  = self_binary();
  opt.sets          = a.sets;
  opt.scenario_path = std::filesystem::absolute(a.positional[0]).string();
  opt.emulate.log   = &std::cerr;
  if (a.value.count("--rate-scale")) try {
      opt.emulate.rate_scale = std::stod(a.value["--rate-scale"]);
    } catch (const std::exception&) {
      return usage("--rate-scale: not a number: " + a.value["--rate-scale"]);
    }
  if (!(opt.emulate.rate_scale > 0 && opt.emulate.rate_scale <= 1))
    return usage("--rate-scale must be above 0 and at most 1");
  if (opt.name.empty() || opt.name.find_first_of("/ \t") != std::string::npos)
    return usage("a lab name must be a plain word, got \"" + opt.name + "\"");
  // Input first, then the machine: a wrong command line says so on any machine.
  if (auto why = emu::missing_prerequisites(); !why.empty()) {
    std::cerr << "ibmig lab up: " << why << "\n";
    return 2;
  }
  for (auto exe : {"/usr/sbin/sshd", "/usr/bin/ssh-keygen"}) {
    if (::access(exe, X_OK) != 0) {
      std::cerr << "ibmig lab up: missing " << exe << " (Debian: openssh-server, openssh-client)\n";
      return 2;
    }
  }
  // --rdma: ibv_devinfo in a node boots that node's soft-RoCE guest; without the guests the flag would mean nothing.
#ifdef IBMIG_HAVE_RDMA
  const std::string guest_image = guest_image_dir();
  std::optional<GuestPortProbe> ports;
  if (opt.rdma) {
    if (std::string why = rdma::RdmaPlane::unavailable_reason(guest_image); !why.empty()) {
      std::cerr << "ibmig lab up --rdma: " << why << "\n";
      return 2;
    }
    ports.emplace(guest_image, &std::cerr);
    opt.emulate.ports = &*ports;
  }
#else
  if (opt.rdma) {
    std::cerr << "ibmig lab up --rdma: this ibmig was built without the soft-RoCE plane (rdma-core's headers)\n";
    return 2;
  }
#endif
  if (auto l = lab::find_lab(kStateDir, opt.name)) {
    std::cerr << "ibmig lab up: a lab named " << opt.name << " exists already (supervisor pid " << l->pid
              << (l->alive ? ", running" : ", dead") << "): `ibmig lab down " << opt.name << "` first\n";
    return 2;
  }
  if (a.flags.count("--foreground")) return lab::supervise(sc, opt, -1);
  int ready[2];
  if (::pipe(ready) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    std::_Exit(lab::supervise(sc, opt, ready[1]));
  }
  ::close(ready[1]);
  // Ctrl-C while it builds reaches the supervisor too (same process group): it tears down and says so.
  std::signal(SIGINT, SIG_IGN);
  std::string line;
  char c;
  while (::read(ready[0], &c, 1) == 1 && c != '\n')
    line += c;
  ::close(ready[0]);
  if (line == "ready") return 0;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 2;
}

int lab_down(int argc, char** argv)
{
  auto a = parse(argc, argv, {}, {});
  if (a.positional.size() > 1) return usage("lab down takes at most one LAB");
  auto l = lab_named(a.positional.empty() ? "" : a.positional[0]);
  if (l.alive) {
    std::cerr << "lab " << l.name << ": stopping its supervisor (pid " << l.pid << ")\n";
    ::kill(static_cast<pid_t>(l.pid), SIGTERM);
    for (int i = 0; i < 1200 && ::access(l.state_file.c_str(), F_OK) == 0; ++i) { // bounded: 2 min
      if (!lab::find_lab(kStateDir, l.name).value_or(lab::LabInfo{}).alive) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  if (::access(l.state_file.c_str(), F_OK) == 0) { // dead, or it could not remove everything
    auto s = emu::cleanup(l.state_file, &std::cerr);
    if (s.running || s.failures) {
      std::cerr << "ibmig lab down: " << l.name << " is not completely gone: see " << l.state_file << "\n";
      return 1;
    }
  }
  std::cout << "lab " << l.name << " is down\n";
  return 0;
}

/* ibmig lab status [LAB] [--json]: the lab's observed state against its scenario's plan (lab_status.hpp). */
int lab_status(int argc, char** argv)
{
  auto a = parse(argc, argv, {"--lab"}, {"--json"});
  if (a.positional.size() > 1) return usage("lab status takes at most one LAB");
  auto name = a.positional.empty() ? (a.value.count("--lab") ? a.value["--lab"] : "") : a.positional[0];
  auto l    = lab_named(name);
  std::vector<Override> overrides;
  for (auto const& s : l.sets)
    overrides.push_back(parse_override(s));
  Scenario sc = load_scenario(l.scenario_path, overrides);
  return lab::lab_status_command(sc, l.name, a.flags.count("--json") > 0, kStateDir, std::cout, std::cerr);
}

int lab_list(int argc, char** argv)
{
  auto a = parse(argc, argv, {}, {});
  if (!a.positional.empty()) return usage("lab list takes no arguments");
  auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::printf("%-16s %-28s %-6s %-8s %-8s %s\n", "LAB", "SCENARIO", "NODES", "AGE", "PID", "STATE");
  for (auto const& l : lab::find_labs(kStateDir)) {
    auto age          = static_cast<long>(now - l.start);
    auto ages         = age >= 3600 ? std::to_string(age / 3600) + "h" + std::to_string(age % 3600 / 60) + "m"
                                    : std::to_string(age / 60) + "m" + std::to_string(age % 60) + "s";
    std::string state = l.alive ? "alive" : "dead (ibmig lab down " + l.name + ")";
    if (l.alive && !l.powered_off.empty()) {
      state += ", powered off:";
      for (auto const& n : l.powered_off)
        state += " " + n;
    }
    std::printf("%-16s %-28s %-6zu %-8s %-8ld %s\n", l.name.c_str(), l.scenario.c_str(), l.nodes.size(), ages.c_str(),
                l.pid, state.c_str());
  }
  return 0;
}

int lab_shell(int argc, char** argv)
{
  auto a = parse(argc, argv, {"--lab"}, {});
  if (a.positional.size() != 1) return usage("lab shell needs one NODE");
  auto l    = lab_named(a.value.count("--lab") ? a.value["--lab"] : "");
  auto node = a.positional[0];
  if (!l.has_node(node)) return usage("lab " + l.name + " has no node \"" + node + "\"");
  if (!l.alive) {
    std::cerr << "ibmig lab shell: lab " << l.name << " is dead (its supervisor is gone): `ibmig lab down " << l.name
              << "`\n";
    return 1;
  }
  if (l.is_off(node)) {
    std::cerr << "ibmig lab shell: " << node << " is powered off: `ibmig lab power-on " << node
              << "` (from the host)\n";
    return 1;
  }
  // The node's namespaces; its /usr/local/sbin holds the shims (first on root's PATH, also here).
  std::vector<std::string> cmd = {"nsenter",
                                  "--mount=" + l.mntns(node),
                                  "--net=/run/netns/" + l.netns(node),
                                  "--",
                                  "env",
                                  "IBMIG_LAB_NODE=" + node,
                                  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                  "PS1=[root@" + node + " \\W]# "};
  if (a.rest.empty()) {
    cmd.insert(cmd.begin() + 1, "--wd=/root"); // a login lands in root's home: [root@n1 ~]#
    cmd.insert(cmd.end(), {"bash", "--norc", "--noprofile", "-i"});
  } else
    cmd.insert(cmd.end(), a.rest.begin(), a.rest.end());
  std::vector<char*> args;
  for (auto& s : cmd)
    args.push_back(s.data());
  args.push_back(nullptr);
  ::execvp("nsenter", args.data());
  std::perror("ibmig lab shell: nsenter");
  return 127;
}

/* A request to the supervisor, and its answer printed as the real command would. */
int lab_request(const std::string& socket, const std::string& node, const std::vector<std::string>& argv)
{
  auto r = lab::request(socket, {{"node", node}, {"argv", argv}});
  (r.status == 0 ? std::cout : std::cerr) << r.out << std::flush;
  return r.status;
}

int lab_host_work(int argc, char** argv, const std::string& what)
{
  auto a = parse(argc, argv, {"--lab"}, {});
  if (a.positional.size() != 1) return usage("lab " + what + " needs one NODE");
  auto l = lab_named(a.value.count("--lab") ? a.value["--lab"] : "");
  if (!l.has_node(a.positional[0])) return usage("lab " + l.name + " has no node \"" + a.positional[0] + "\"");
  return lab_request(l.socket, a.positional[0], {what});
}

int lab_node_op(int argc, char** argv)
{
  auto a = parse(argc, argv, {"--socket", "--node"}, {});
  if (!a.value.count("--socket") || !a.value.count("--node") || a.rest.empty())
    return usage("lab node-op needs --socket S --node N -- COMMAND...");
  return lab_request(a.value["--socket"], a.value["--node"], a.rest);
}

} // namespace

int run_lab(int argc, char** argv)
{
  if (argc < 3) {
    std::cerr << kLabUsage << "\n";
    return 2;
  }
  std::string sub = argv[2];
  try {
    if (sub == "up") return lab_up(argc, argv);
    if (sub == "down") return lab_down(argc, argv);
    if (sub == "list") return lab_list(argc, argv);
    if (sub == "status") return lab_status(argc, argv);
    if (sub == "shell") return lab_shell(argc, argv);
    if (sub == "install-hca" || sub == "power-on") return lab_host_work(argc, argv, sub);
    if (sub == "node-op") return lab_node_op(argc, argv);
  } catch (const UsageError& e) {
    return usage(e.what());
  } catch (const emu::EmulationError& e) {
    std::cerr << "ibmig lab " << sub << ": " << e.what() << "\n";
    return 2;
  }
  return usage("unknown lab command \"" + sub + "\"");
}
#else
int run_lab(int, char**)
{
  std::cerr << "ibmig lab: this build has no emulator (configure with -DIBMIG_EMULATION=ON)\n";
  return 2;
}
#endif

} // namespace ibmig::cli
