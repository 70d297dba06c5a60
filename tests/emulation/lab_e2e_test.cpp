/* End to end, the training lab through the real CLI: `ibmig lab up` of the reference scenario, a shell and ssh on
 * the nodes, the shims round trip, a drill, the three ways a lab ends (lab down, Ctrl-C of a foreground lab, a
 * killed supervisor then `ibmig emulate --cleanup`), each leaving nothing behind, and a scripted trainee doing the
 * whole reference lesson in tmux. Labels root;fuse; skipped with the reason
 * when root, /dev/fuse, glusterd or sshd is missing. */
#include "e2e_util.hpp"
#include "runbook.hpp"
#include "scenario_loader.hpp"

#include <memory>
#include <regex>
#include <set>

using namespace ibmig;
using namespace ibmig::test;

namespace {

const std::string ibmig_bin = std::string(IBMIG_BINARY_DIR) + "/ibmig";
const std::string scenario  = std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json";

struct Result {
  int status = -1;
  std::string out; // stdout and stderr
};

/* Runs a shell command line, bounded at 120 s; output through a file, so daemons that inherit it do not hold it. */
Result sh(const std::string& cmd)
{
  std::string file = "/tmp/ibmig-lab-e2e-" + std::to_string(::getpid()) + ".out";
  int st           = std::system(("timeout 120 " + cmd + " > " + file + " 2>&1").c_str());
  Result r{WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_file(file)};
  std::remove(file.c_str());
  return r;
}

std::string lab_name()
{
  return "e2e" + std::to_string(::getpid());
}

/* "(run r1a2b3," in lab up's output. */
std::string run_id_of(const std::string& out)
{
  std::smatch m;
  return std::regex_search(out, m, std::regex("\\(run (r[0-9a-f]+),")) ? m[1].str() : "";
}

long supervisor_of(const std::string& out)
{
  std::smatch m;
  return std::regex_search(out, m, std::regex("supervisor pid ([0-9]+)")) ? std::stol(m[1].str()) : 0;
}

/* Listening TCP sockets of the host's own namespace ("addr:port"). */
std::set<std::string> host_listeners()
{
  std::set<std::string> s;
  std::istringstream in(command_output("ss -Hltn"));
  std::string state, rq, sq, local, peer;
  while (in >> state >> rq >> sq >> local >> peer)
    s.insert(local);
  return s;
}

/* lab status --json after the whole reference plan: every step done, the volume on "ib", bytes read back from every
 * replica and none lost, every VM running, no checker rule broken. */
void expect_migration_done(const std::string& name)
{
  auto r = sh(ibmig_bin + " lab status " + name + " --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto status = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  for (auto const& step : status["steps"])
    EXPECT_EQ(step["progress"], "done") << step.dump();
  EXPECT_TRUE(status["plan_done"].get<bool>()) << status.dump(1);
  EXPECT_EQ(status["volume_networks"]["vmstore"], "ib") << status.dump(1);
  ASSERT_TRUE(status["verification"].is_object()) << status.dump(1);
  EXPECT_EQ(status["verification"]["bytes_lost"], 0) << status.dump(1);
  EXPECT_GT(status["verification"]["bytes_verified"].get<double>(), 0) << status.dump(1);
  for (auto const& [vm, v] : status["vms"].items())
    EXPECT_EQ(v["state"], "running") << vm;
  EXPECT_TRUE(status["broken_rules"].empty()) << status.dump(1);
}

#define SKIP_WITHOUT_LAB_PREREQUISITES()                                                                               \
  do {                                                                                                                 \
    SKIP_WITHOUT_PREREQUISITES();                                                                                      \
    if (::access("/usr/sbin/sshd", X_OK) != 0 || ::access("/usr/bin/ssh", X_OK) != 0)                                  \
      GTEST_SKIP() << "no /usr/sbin/sshd or /usr/bin/ssh (Debian: openssh-server, openssh-client)";                    \
  } while (0)

} // namespace

// The lab a trainee gets: wrong if a node's gluster does not see its 3 peers, if ssh with the lab's key does not
// land in every node (its own address, the shims on PATH), if anything listens in the host's namespace that did not
// before, if systemctl/poweroff do not act on the cluster (glusterd stopped and started; a powered-off node refusing
// a shell; power-on bringing glusterd and sshd back), or if lab down leaves anything.
TEST(LabE2E, ShellSshShimsThenDownLeavesNothing)
{
  SKIP_WITHOUT_LAB_PREREQUISITES();
  auto before = host_listeners();
  auto name   = lab_name();
  // A relative scenario path, as a trainee types it: lab status below runs from another directory.
  auto up = sh("bash -c 'cd " + std::string(IBMIG_SOURCE_DIR) + " && " + ibmig_bin +
               " lab up scenarios/reference.json --name " + name + "'");
  auto id = run_id_of(up.out);
  ASSERT_EQ(up.status, 0) << up.out;
  ASSERT_FALSE(id.empty()) << up.out;
  auto shell = [&](const std::string& node, const std::string& cmd) {
    return sh(ibmig_bin + " lab shell " + node + " --lab " + name + " -- " + cmd);
  };

  auto peers = shell("n1", "gluster peer status");
  EXPECT_EQ(peers.status, 0) << peers.out;
  EXPECT_EQ(std::count(peers.out.begin(), peers.out.end(), '\n') > 0, true);
  EXPECT_NE(peers.out.find("Number of Peers: 3"), std::string::npos) << peers.out;

  std::string dir = "/var/tmp/ibmig-" + id + "/lab";
  for (int i = 1; i <= 4; ++i) {
    auto node = "n" + std::to_string(i);
    auto addr = "10.10.0.1" + std::to_string(i); // the reference scenario's vmbridge addresses
    auto r    = sh("ssh -i " + dir + "/id_ed25519 -o UserKnownHostsFile=" + dir +
                   "/known_hosts -o BatchMode=yes -o ConnectTimeout=10 root@" + addr +
                   " 'echo node=$IBMIG_LAB_NODE; ip -o -4 addr show; command -v systemctl'");
    EXPECT_EQ(r.status, 0) << node << ": " << r.out;
    EXPECT_NE(r.out.find("node=" + node), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("inet " + addr + "/"), std::string::npos) << "not in " << node << "'s namespace: " << r.out;
    EXPECT_NE(r.out.find("/usr/local/sbin/systemctl"), std::string::npos) << "the shims are not first on PATH";
  }
  EXPECT_EQ(host_listeners(), before) << "something of the lab listens in the host's namespace";

  // lab status, observed: a fresh lab is at the plan's first step, no step done, no rule broken.
  auto status = [&] {
    auto r = sh("bash -c 'cd / && " + ibmig_bin + " lab status " + name + " --json'"); // not lab up's directory
    EXPECT_EQ(r.status, 0) << r.out;
    return nlohmann::json::parse(r.out.substr(r.out.find('{')));
  };
  auto fresh = status();
  EXPECT_TRUE(fresh["on_plan"].get<bool>()) << fresh.dump(1);
  EXPECT_EQ(fresh["current_step"], "Stop VMs");
  for (auto const& step : fresh["steps"])
    EXPECT_EQ(step["progress"], "not done") << step.dump();
  EXPECT_TRUE(fresh["broken_rules"].empty()) << fresh.dump(1);

  EXPECT_EQ(shell("n2", "systemctl stop glusterd").status, 0);
  auto stopped = status(); // glusterd stopped while the VMs still run: no state of the plan, and it says where
  EXPECT_FALSE(stopped["on_plan"].get<bool>()) << stopped.dump(1);
  EXPECT_NE(stopped["off_plan"].dump().find("n2: glusterd should run"), std::string::npos) << stopped.dump(1);
  auto inactive = shell("n2", "systemctl is-active glusterd");
  EXPECT_EQ(inactive.status, 3) << inactive.out;
  // The host shares the nodes' pid namespace: ask which processes live in n2's network namespace.
  auto comms = command_output("for p in $(ip netns pids ibmig-" + id + "-n2); do cat /proc/$p/comm; done");
  EXPECT_EQ(comms.find("glusterd"), std::string::npos) << "glusterd still runs in n2 after systemctl stop";
  EXPECT_EQ(shell("n2", "systemctl start glusterd").status, 0);
  EXPECT_EQ(shell("n2", "systemctl is-active glusterd").status, 0);

  auto off = shell("n4", "poweroff");
  EXPECT_EQ(off.status, 0) << off.out;
  Result refused;
  for (int i = 0; i < 50 && refused.out.find("powered off") == std::string::npos; ++i) {
    refused = shell("n4", "true");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(refused.status, 1) << refused.out;
  EXPECT_NE(refused.out.find("n4 is powered off"), std::string::npos) << refused.out;
  EXPECT_EQ(command_output("ip netns pids ibmig-" + id + "-n4"), "") << "a process survived n4's power-off";
  EXPECT_EQ(sh(ibmig_bin + " lab install-hca n4 --lab " + name).status, 0);
  auto on = sh(ibmig_bin + " lab power-on n4 --lab " + name);
  EXPECT_EQ(on.status, 0) << on.out;
  // A drill in the running lab (train --inject, the lesson left at once) strikes the last node with an HCA: n4's
  // ignores connected mode, so the ifcfg file's MTU 65520 comes up as 2044 there, to be found with ip link.
  auto drill =
      sh("bash -c 'echo quit | " + ibmig_bin + " train " + scenario + " --lab " + name + " --inject mtu-mismatch'");
  EXPECT_NE(drill.out.find("Drill: a fault has been injected"), std::string::npos) << drill.out;
  auto mtu = shell("n4", "sh -c \"printf 'DEVICE=ib0\\nIPADDR=10.10.2.14\\nCONNECTED_MODE=yes\\nMTU=65520\\n' > "
                         "/etc/sysconfig/network-scripts/ifcfg-ib0 && ifup ib0 && ip -o link show ib0\"");
  EXPECT_NE(mtu.out.find("mtu 2044 "), std::string::npos) << mtu.out;
  EXPECT_EQ(shell("n4", "systemctl is-active glusterd").status, 0) << "glusterd (enabled) did not start at power-on";
  auto back = sh("ssh -F " + dir + "/ssh_config -o BatchMode=yes -o ConnectTimeout=10 n4 true");
  EXPECT_EQ(back.status, 0) << "sshd did not come back with n4: " << back.out;

  auto down = sh(ibmig_bin + " lab down " + name);
  EXPECT_EQ(down.status, 0) << down.out;
  expect_nothing_left(id);
  auto again = sh(ibmig_bin + " lab down " + name);
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.out.find(name), std::string::npos) << "lab down of an unknown lab must name it: " << again.out;
}

/* What the soft-RoCE plane leaves on the host: guests, their namespaces and work directories. */
std::string rdma_leftovers()
{
  return command_output("pgrep -a qemu-system; ip netns list | grep -- '-rdma'; ls -d /tmp/ibmig-*-rdma.* 2>/dev/null");
}

// lab up --rdma: ibv_devinfo in a node is the real one, run in that node's soft-RoCE guest with the port's world as
// the lab has it. Wrong if a node without an HCA boots a guest or names a device, if after install-hca and power-on
// the guest's port is not ACTIVE, if with the rdma service stopped the node still shows a device (or one it never
// had), or if a guest, its namespace or its directory outlives a question or the lab. Label guest too.
TEST(LabE2E, RdmaDevinfoAnswersFromTheNodesSoftRoceGuest)
{
  SKIP_WITHOUT_LAB_PREREQUISITES();
  const std::string before = rdma_leftovers();
  auto name                = lab_name();
  auto up                  = sh(ibmig_bin + " lab up " + scenario + " --name " + name + " --rdma");
  if (up.status == 2 && (up.out.find("guest image missing") != std::string::npos ||
                         up.out.find("qemu-system-x86_64 not found") != std::string::npos))
    GTEST_SKIP() << up.out;
  auto id = run_id_of(up.out);
  ASSERT_EQ(up.status, 0) << up.out;
  auto shell = [&](const std::string& cmd) { return sh(ibmig_bin + " lab shell n1 --lab " + name + " -- " + cmd); };

  auto no_hca = shell("ibv_devinfo");
  EXPECT_EQ(no_hca.status, 255) << no_hca.out; // as rdma-core's ibv_devinfo without a device
  EXPECT_NE(no_hca.out.find("No IB devices found"), std::string::npos) << no_hca.out;
  EXPECT_EQ(no_hca.out.find("soft-RoCE guest"), std::string::npos) << "no HCA, no guest to ask: " << no_hca.out;

  EXPECT_EQ(shell("systemctl stop glusterd").status, 0);
  EXPECT_EQ(shell("poweroff").status, 0);
  Result refused;
  for (int i = 0; i < 50 && refused.out.find("powered off") == std::string::npos; ++i) {
    refused = shell("true");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(refused.out.find("n1 is powered off"), std::string::npos) << refused.out;
  EXPECT_EQ(sh(ibmig_bin + " lab install-hca n1 --lab " + name).status, 0);
  EXPECT_EQ(sh(ibmig_bin + " lab power-on n1 --lab " + name).status, 0);

  auto active = shell("ibv_devinfo"); // rdma is enabled: it runs after power-on
  EXPECT_EQ(active.status, 0) << active.out;
  EXPECT_NE(active.out.find("hca_id:\trxe0"), std::string::npos) << active.out;
  EXPECT_NE(active.out.find("PORT_ACTIVE (4)"), std::string::npos) << active.out;
  EXPECT_NE(active.out.find("answered by n1's soft-RoCE guest"), std::string::npos) << active.out;
  EXPECT_NE(active.out.find("stands for InfiniHost-III_0 port 1"), std::string::npos) << active.out;
  EXPECT_EQ(rdma_leftovers(), before) << "the guest outlived the question";

  EXPECT_EQ(shell("systemctl stop rdma").status, 0);
  auto stopped = shell("ibv_devinfo");
  EXPECT_EQ(stopped.status, 255) << stopped.out; // the guest's own ibv_devinfo's status
  EXPECT_NE(stopped.out.find("No IB devices found"), std::string::npos) << stopped.out;
  EXPECT_EQ(stopped.out.find("rxe0"), std::string::npos) << "no stack, no device: " << stopped.out;
  EXPECT_NE(stopped.out.find("the rdma service is stopped"), std::string::npos) << stopped.out;

  auto down = sh(ibmig_bin + " lab down " + name);
  EXPECT_EQ(down.status, 0) << down.out;
  expect_nothing_left(id);
  EXPECT_EQ(rdma_leftovers(), before);
}

// Ctrl-C of `lab up --foreground`: wrong if the lab does not come up attached, or if anything is left once it ends.
TEST(LabE2E, CtrlCOfForegroundLabLeavesNothing)
{
  SKIP_WITHOUT_LAB_PREREQUISITES();
  // Through sh: the "--json FILE" run_emulating appends lands in sh's $0 and $1, and the ready lines in its log.
  auto r = run_emulating(
      {"/bin/sh", "-c", "exec " + ibmig_bin + " lab up " + scenario + " --name " + lab_name() + " --foreground 1>&2"},
      "is up");
  EXPECT_NE(r.log.find("is up"), std::string::npos) << r.log;
  expect_nothing_left(run_id_of(r.log));
}

// A supervisor killed with SIGKILL (nothing of it runs its teardown): --cleanup must leave a live lab alone, and once
// the supervisor is dead remove everything from the state file.
TEST(LabE2E, KilledSupervisorThenEmulateCleanupLeavesNothing)
{
  SKIP_WITHOUT_LAB_PREREQUISITES();
  auto name = lab_name();
  auto up   = sh(ibmig_bin + " lab up " + scenario + " --name " + name);
  ASSERT_EQ(up.status, 0) << up.out;
  auto id  = run_id_of(up.out);
  auto pid = supervisor_of(up.out);
  ASSERT_GT(pid, 1) << up.out;
  auto live = sh(ibmig_bin + " emulate --cleanup");
  EXPECT_NE(live.out.find("run " + id + " is still running"), std::string::npos) << live.out;
  EXPECT_NE(sh(ibmig_bin + " lab list").out.find(name), std::string::npos);
  ::kill(static_cast<pid_t>(pid), SIGKILL);
  for (int i = 0; i < 50 && ::kill(static_cast<pid_t>(pid), 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_NE(sh(ibmig_bin + " lab list").out.find("dead"), std::string::npos);
  auto clean = sh(ibmig_bin + " emulate --cleanup");
  EXPECT_EQ(clean.status, 0) << clean.out;
  expect_nothing_left(id);
}

namespace {

std::string quoted(const std::string& s)
{
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/* A tmux server of the test's own (-L), so it neither sees nor touches anyone's tmux. Each window runs one program
 * (no shell around it: keys typed into a window can only reach that program), kept on screen when it ends. */
class Tmux {
public:
  Tmux(std::string socket, const std::string& first_window, const std::string& program) : socket_(std::move(socket))
  {
    ok_ = run("new-session -d -s lab -n " + first_window + " -x 200 -y 50 " + quoted(program)) &&
          run("set-option -g history-limit 100000") && run("set-option -g remain-on-exit on");
  }
  ~Tmux()
  {
    run("kill-server");
    std::remove(("/tmp/tmux-" + std::to_string(::getuid()) + "/" + socket_).c_str()); // tmux leaves it behind
  }
  bool ok() const { return ok_; }
  /* A window running `program` (a new one, or the window's program replaced). */
  bool start(const std::string& window, const std::string& program)
  {
    if (run("respawn-window -k -t lab:" + window + " " + quoted(program))) return true;
    return run("new-window -d -t lab: -n " + window + " " + quoted(program));
  }
  /* Types `line` into the window's program and presses Enter. */
  void type(const std::string& window, const std::string& line)
  {
    run("send-keys -t lab:" + window + " -l -- " + quoted(line));
    run("send-keys -t lab:" + window + " Enter");
  }
  std::string screen(const std::string& window)
  {
    return command_output("tmux -L " + socket_ + " capture-pane -p -J -S - -t lab:" + window);
  }
  bool ended(const std::string& window)
  {
    return command_output("tmux -L " + socket_ + " list-panes -t lab:" + window + " -F '#{pane_dead}'") == "1\n";
  }
  /* Waits (bounded) until the window shows `text`; false when it did not within timeout_s. */
  bool wait_for(const std::string& window, const std::string& text, double timeout_s = 60)
  {
    return wait_for(window, std::vector<std::string>{text}, timeout_s);
  }
  /* ... one of `texts`. */
  bool wait_for(const std::string& window, const std::vector<std::string>& texts, double timeout_s)
  {
    for (double t = 0; t < timeout_s; t += 0.1) {
      auto s = screen(window);
      for (auto const& text : texts)
        if (s.find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  bool wait_ended(const std::string& window, double timeout_s = 60)
  {
    for (double t = 0; t < timeout_s; t += 0.1) {
      if (ended(window)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

private:
  bool run(const std::string& args)
  {
    return std::system(("tmux -L " + socket_ + " " + args + " >/dev/null 2>&1").c_str()) == 0;
  }
  std::string socket_;
  bool ok_ = false;
};

} // namespace

// Must-show 1 of the training lab: a scripted trainee goes through the reference lesson in tmux, typing the runbook's
// commands (as the lesson prints them) into node shells in one window and answering the lesson in the other. Wrong
// if the lesson does not print those commands, if a step done is not observed done, if glusterd started before the
// names are re-pointed does not bring the checker's explanation on screen, if the lesson does not end, or if lab
// status then shows a step not done, the volume elsewhere than on "ib", a byte lost, or a VM not running.
TEST(LabE2E, ScriptedTraineeDoesTheReferenceLessonInTmux)
{
  SKIP_WITHOUT_LAB_PREREQUISITES();
  if (std::system("command -v tmux >/dev/null 2>&1") != 0) GTEST_SKIP() << "no tmux (Debian: tmux, in setup.sh)";
  auto name = lab_name();
  auto up   = sh(ibmig_bin + " lab up " + scenario + " --name " + name);
  ASSERT_EQ(up.status, 0) << up.out;
  auto id = run_id_of(up.out);
  struct Down { // an assertion that stops the test takes the lab down all the same
    std::string name;
    ~Down() { sh(ibmig_bin + " lab down " + name); }
  } down_at_exit{name};
  auto progress = "/tmp/ibmig-lesson-" + std::to_string(::getpid()) + ".json";
  std::remove(progress.c_str());
  Tmux tmux("ibmig-e2e-" + std::to_string(::getpid()), "lesson",
            "sh -c " + quoted(ibmig_bin + " train " + scenario + " --lab " + name + " --progress " + progress +
                              "; echo ibmig train exited with $?"));
  ASSERT_TRUE(tmux.ok()) << "tmux could not start a session";

  const Scenario sc = load_scenario(scenario);
  const Runbook rb  = make_runbook(sc);
  int marks         = 0;
  // Physical work, from the host: its own window, which only ever runs these lab commands.
  auto by_hand = [&](const std::string& cmd) {
    auto m = std::to_string(++marks);
    if (!tmux.start("host", "sh -c " + quoted(cmd + "; echo host-done-" + m))) return false;
    return tmux.wait_for("host", "\nhost-done-" + m, 120);
  };
  // A node's shell in its own window: the shell is the window's program, so nothing typed can reach the host. Each
  // command typed as it is printed (here-documents line by line); a marker echoed with the node's name before and
  // after proves where they ran.
  auto in_node = [&](const std::string& node, const std::vector<std::string>& commands, bool powers_off) {
    if (!tmux.start("node", ibmig_bin + " lab shell " + node + " --lab " + name)) return false;
    auto m = std::to_string(++marks);
    tmux.type("node", "echo in-$IBMIG_LAB_NODE-$((" + m + "+0))");
    if (!tmux.wait_for("node", "\nin-" + node + "-" + m, 30)) return false;
    for (auto const& c : commands) {
      std::istringstream lines(c);
      for (std::string line; std::getline(lines, line);)
        tmux.type("node", line);
    }
    if (!powers_off) {
      tmux.type("node", "echo done-$IBMIG_LAB_NODE-$((" + m + "+0))");
      if (!tmux.wait_for("node", "\ndone-" + node + "-" + m, 120)) return false;
      tmux.type("node", "exit");
    }
    return tmux.wait_ended("node", 60); // poweroff ends the session itself
  };
  auto enter_until = [&](const std::string& text) {
    tmux.type("lesson", "");
    return tmux.wait_for("lesson", text, 60);
  };

  auto t0          = std::chrono::steady_clock::now();
  auto since_start = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  bool asked = false, mistake_shown = false;
  for (size_t k = 0; k < sc.plan.steps.size(); ++k) {
    const Step& st        = sc.plan.steps[k];
    const RunbookStep& rs = rb.steps[k];
    auto n                = std::to_string(k + 1);
    // The step's prompt, or before it (once) the prediction question.
    ASSERT_TRUE(tmux.wait_for("lesson", {"[step " + n + "] Enter when done>", "Your prediction, in MB/s>"}, 60))
        << tmux.screen("lesson");
    if (!asked && tmux.screen("lesson").find("Your prediction, in MB/s>") != std::string::npos) {
      tmux.type("lesson", "400");
      asked = true;
      ASSERT_TRUE(tmux.wait_for("lesson", "[step " + n + "] Enter when done>", 30)) << tmux.screen("lesson");
    }
    if (st.action == Action::RepointNames) {
      // The usual mistake: glusterd started while the names still point at the old network.
      ASSERT_TRUE(in_node("n1", {"service glusterd start"}, false)) << tmux.screen("node");
      ASSERT_TRUE(enter_until("Not yet: the lab breaks a rule")) << tmux.screen("lesson");
      auto screen = tmux.screen("lesson");
      mistake_shown =
          screen.find("glusterd runs on n1 while the storage names still resolve to network \"storage\"") !=
              std::string::npos &&
          screen.find("Re-point the storage names (repoint_names) before starting glusterd") != std::string::npos;
      EXPECT_TRUE(mistake_shown) << screen;
      auto from = screen.rfind("[step " + n + "] Enter when done>", screen.rfind("Not yet:"));
      std::cout << "--- the lesson's window after the mistake ---\n"
                << screen.substr(from, screen.find("\n[step", from + 1) - from) << "\n";
      ASSERT_TRUE(in_node("n1", {"service glusterd stop", "pkill -x glusterfsd || true"}, false))
          << tmux.screen("node");
    }
    for (auto const& ph : rs.phases) {
      for (auto const& nc : ph.commands) {
        EXPECT_NE(tmux.screen("lesson").find(nc.commands.front().substr(0, nc.commands.front().find('\n'))),
                  std::string::npos)
            << "the lesson does not print " << nc.commands.front();
        ASSERT_TRUE(in_node(nc.node, nc.commands, ph.powers_off)) << nc.node << ":\n" << tmux.screen("node");
      }
      if (!ph.physical.empty() && (st.action == Action::InstallNic || st.action == Action::PowerOn)) {
        for (auto const& node : st.nodes) {
          ASSERT_TRUE(by_hand(ibmig_bin + " lab " + (st.action == Action::InstallNic ? "install-hca " : "power-on ") +
                              node + " --lab " + name))
              << tmux.screen("host");
        }
      }
    }
    ASSERT_TRUE(enter_until("Observed done: " + st.name + ".")) << tmux.screen("lesson");
    std::cout << "step " << n << " " << st.name << " done at " << since_start() << " s\n";
  }
  EXPECT_TRUE(asked) << "the lesson never asked for a prediction";
  EXPECT_TRUE(mistake_shown);
  EXPECT_TRUE(tmux.wait_for("lesson", "The plan is done.", 30)) << tmux.screen("lesson");
  EXPECT_TRUE(tmux.wait_for("lesson", "\nThe lab measures ", 60)) << tmux.screen("lesson");
  EXPECT_TRUE(tmux.wait_for("lesson", "\nibmig train exited with 0", 30)) << tmux.screen("lesson");
  std::smatch measured;
  auto final_screen = tmux.screen("lesson");
  EXPECT_TRUE(std::regex_search(final_screen, measured, std::regex("\nThe lab measures ([0-9.]+) MB/s")))
      << final_screen;
  std::cout << "--- the lesson's window, last lines ---\n";
  auto lesson = tmux.screen("lesson");
  lesson.erase(lesson.find_last_not_of("\n") + 1);
  std::cout << lesson.substr(lesson.size() > 1200 ? lesson.size() - 1200 : 0) << "\n";

  std::cout << "--- lab status ---\n" << sh(ibmig_bin + " lab status " + name).out;
  expect_migration_done(name);
  auto progress_doc = nlohmann::json::parse(read_file(progress));
  EXPECT_TRUE(progress_doc["finished"].get<bool>()) << progress_doc.dump();
  std::remove(progress.c_str());

  auto down = sh(ibmig_bin + " lab down " + name);
  EXPECT_EQ(down.status, 0) << down.out;
  expect_nothing_left(id);
}

// The runbook's Ansible playbook against the lab, as against real servers: over ssh with the lab's key and known
// hosts, its two "By hand" pauses answered after `lab install-hca` and `lab power-on` from the host. Wrong if the
// playbook fails a task on any node (its checks compare what the nodes print with the scenario: sysfs port states,
// the IPoIB MTU, peers and the volume's bricks at the scenario's paths), or if lab status then shows a step not
// done, the volume elsewhere than on "ib", a byte lost or a VM not running.
TEST(LabE2E, RunbookPlaybookMigratesTheLabOverSsh)
{
  SKIP_WITHOUT_LAB_PREREQUISITES();
  if (std::system("command -v tmux >/dev/null 2>&1") != 0) GTEST_SKIP() << "no tmux (Debian: tmux, in setup.sh)";
  if (std::system("command -v ansible-playbook >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "no ansible-playbook (Debian: ansible, in setup.sh test)";
  auto name = lab_name();
  auto up   = sh(ibmig_bin + " lab up " + scenario + " --name " + name);
  ASSERT_EQ(up.status, 0) << up.out;
  auto id = run_id_of(up.out);
  struct Down {
    std::string name;
    ~Down() { sh(ibmig_bin + " lab down " + name); }
  } down_at_exit{name};
  // Ansible's ssh masters outlive the playbook by ControlPersist (60 s by default): a process with the lab's key on
  // its command line after lab down. The user's ssh, not the lab's; made short so that the check below holds.
  const std::string kShortControlPersist = "-C -o ControlMaster=auto -o ControlPersist=2s";
  auto tag                               = std::to_string(::getpid());
  auto playbook                          = "/tmp/ibmig-e2e-playbook-" + tag + ".yml";
  auto log                               = "/tmp/ibmig-e2e-playbook-" + tag + ".log";
  auto written                           = sh(ibmig_bin + " runbook " + scenario + " --format ansible");
  ASSERT_EQ(written.status, 0) << written.out;
  std::ofstream(playbook) << written.out;
  // The pauses need a terminal: tmux's, with the output in a file for the assertions (the screen wraps).
  auto tmux = std::make_unique<Tmux>("ibmig-e2e-" + tag, "play",
                                     "sh -c " + quoted("ANSIBLE_PIPELINING=True ANSIBLE_NOCOLOR=1 ANSIBLE_SSH_ARGS='" +
                                                       kShortControlPersist + "' ansible-playbook -i /var/tmp/ibmig-" +
                                                       id + "/lab/inventory.ini " + playbook + " > " + log +
                                                       " 2>&1; echo ansible-playbook exited " + "with $? >> " + log));
  ASSERT_TRUE(tmux->ok()) << "tmux could not start a session";
  auto wait_log = [&](const std::string& text, double timeout_s) {
    for (double t = 0; t < timeout_s; t += 0.2) {
      auto now = read_file(log);
      if (now.find(text) != std::string::npos) return true;
      if (now.find("ansible-playbook exited with") != std::string::npos) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  };
  auto t0 = std::chrono::steady_clock::now();
  for (std::string work : {"install-hca", "power-on"}) {
    auto prompt = work == "install-hca" ? "install the InfiniHost-III HCA for ib0" : "Power on n4";
    ASSERT_TRUE(wait_log(prompt, 300)) << read_file(log);
    ASSERT_TRUE(wait_log("Press Enter when done", 30)) << read_file(log);
    for (auto node : {"n1", "n2", "n3", "n4"}) {
      auto r = sh(ibmig_bin + " lab " + work + " " + node + " --lab " + name);
      ASSERT_EQ(r.status, 0) << r.out;
    }
    auto seen = read_file(log).size();
    tmux->type("play", "");
    for (int i = 0; i < 100 && read_file(log).size() == seen; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(wait_log("ansible-playbook exited with", 600)) << read_file(log);
  tmux.reset(); // its command line names the lab's inventory
  auto out = read_file(log);
  std::cout << "the playbook took " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
            << " s\n"
            << out.substr(out.find("PLAY RECAP")) << "\n";
  EXPECT_NE(out.find("ansible-playbook exited with 0"), std::string::npos) << out;
  for (auto node : {"n1", "n2", "n3", "n4"})
    EXPECT_TRUE(std::regex_search(out, std::regex(std::string("\n") + node +
                                                  " +: ok=[0-9]+ +changed=[0-9]+ +"
                                                  "unreachable=0 +failed=0")))
        << node << ":\n"
        << out.substr(out.find("PLAY RECAP"));
  EXPECT_NE(out.find("TASK [Check: gluster volume status vmstore detail]"), std::string::npos) << out;
  auto info = sh(ibmig_bin + " lab shell n3 --lab " + name + " -- gluster volume info vmstore");
  EXPECT_NE(info.out.find("Brick1: gl1.storage.example:/bricks/vmstore\n"), std::string::npos)
      << "the volume's bricks are not at the scenario's paths: " << info.out;

  expect_migration_done(name);
  std::remove(playbook.c_str());
  std::remove(log.c_str());

  auto down = sh(ibmig_bin + " lab down " + name);
  EXPECT_EQ(down.status, 0) << down.out;
  expect_nothing_left(id);
}
