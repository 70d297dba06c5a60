/* End to end, the training lab through the real CLI: `ibmig lab up` of the reference scenario, a shell and ssh on
 * the nodes, the shims round trip, and the three ways a lab ends (lab down, Ctrl-C of a foreground lab, a killed
 * supervisor then `ibmig emulate --cleanup`), each leaving nothing behind. Labels root;fuse; skipped with the reason
 * when root, /dev/fuse, glusterd or sshd is missing. */
#include "e2e_util.hpp"

#include <regex>
#include <set>

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

  auto off = shell("n3", "poweroff");
  EXPECT_EQ(off.status, 0) << off.out;
  Result refused;
  for (int i = 0; i < 50 && refused.out.find("powered off") == std::string::npos; ++i) {
    refused = shell("n3", "true");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(refused.status, 1) << refused.out;
  EXPECT_NE(refused.out.find("n3 is powered off"), std::string::npos) << refused.out;
  EXPECT_EQ(command_output("ip netns pids ibmig-" + id + "-n3"), "") << "a process survived n3's power-off";
  auto on = sh(ibmig_bin + " lab power-on n3 --lab " + name);
  EXPECT_EQ(on.status, 0) << on.out;
  EXPECT_EQ(shell("n3", "systemctl is-active glusterd").status, 0) << "glusterd (enabled) did not start at power-on";
  auto back = sh("ssh -F " + dir + "/ssh_config -o BatchMode=yes -o ConnectTimeout=10 n3 true");
  EXPECT_EQ(back.status, 0) << "sshd did not come back with n3: " << back.out;

  auto down = sh(ibmig_bin + " lab down " + name);
  EXPECT_EQ(down.status, 0) << down.out;
  expect_nothing_left(id);
  auto again = sh(ibmig_bin + " lab down " + name);
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.out.find(name), std::string::npos) << "lab down of an unknown lab must name it: " << again.out;
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
