/* End to end: the real emulated cluster (namespaces, shaped veths, glusterd, FUSE) through the test driver, which
 * makes the same calls as `ibmig emulate`. Labels root;fuse; skipped with the reason when a prerequisite is
 * missing. Each case runs the driver as a child process, so a crash or SIGINT is tested as a user would see it. */
#include "emulator.hpp"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

std::string read_file(const std::string& path)
{
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct DriverRun {
  int exit_code = -1;
  std::string log;
  std::string run_id;
  nlohmann::json report;
};

/* Runs the driver; with interrupt_at, sends SIGINT once that text appears in its log. */
DriverRun run_driver(std::vector<std::string> args, const std::string& interrupt_at = "")
{
  static int counter = 0;
  std::string base   = "/tmp/ibmig-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::string json = base + ".json", log = base + ".log";
  args.insert(args.begin(), std::string(IBMIG_BINARY_DIR) + "/tests/emulation/ibmig_emulate_driver");
  args.insert(args.end(), {"--json", json});
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open("/dev/null", O_WRONLY);
    int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  DriverRun r;
  int status = 0;
  auto t0    = std::chrono::steady_clock::now();
  bool sent  = false;
  for (;;) {
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!interrupt_at.empty() && !sent && read_file(log).find(interrupt_at) != std::string::npos) {
      ::kill(pid, SIGINT);
      sent = true;
    }
    if (s > 600) { // a bound for the test itself
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.log       = read_file(log);
  auto p      = r.log.find("run r");
  if (p != std::string::npos) r.run_id = r.log.substr(p + 4, r.log.find(':', p) - p - 4);
  try {
    r.report = nlohmann::json::parse(read_file(json));
  } catch (...) {
  }
  std::remove(json.c_str());
  std::remove(log.c_str());
  return r;
}

std::string command_output(const std::string& cmd)
{
  std::string out;
  if (FILE* f = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
      out.append(buf, n);
    ::pclose(f);
  }
  return out;
}

/* Nothing of run `id` may remain: namespace, interface, mount, process or state file. */
void expect_nothing_left(const std::string& id)
{
  ASSERT_FALSE(id.empty()) << "the driver did not say its run id";
  std::string tag = "ibmig-" + id;
  EXPECT_EQ(command_output("ip netns list").find(tag), std::string::npos) << "a namespace of " << id << " remains";
  EXPECT_EQ(read_file("/proc/mounts").find(tag), std::string::npos) << "a mount of " << id << " remains";
  EXPECT_EQ(command_output("ip -o link show").find(tag), std::string::npos);
  // "[r]..." so that the grep does not find its own command line.
  std::string pattern = "ibmig-[" + id.substr(0, 1) + "]" + id.substr(1);
  EXPECT_EQ(command_output("grep -l -a '" + pattern + "' /proc/[0-9]*/cmdline 2>/dev/null"), "")
      << "a process of " << id << " remains";
  EXPECT_EQ(::access(("/run/ibmig/" + tag + ".json").c_str(), F_OK), -1) << "the state file remains";
  EXPECT_EQ(::access(("/var/tmp/" + tag).c_str(), F_OK), -1) << "the work directory (bricks) remains";
}

const nlohmann::json* client(const nlohmann::json& report, const std::string& phase, const std::string& vm)
{
  for (auto const& p : report["phases"])
    if (p["name"] == phase)
      for (auto const& c : p["clients"])
        if (c["name"] == vm) return &c;
  return nullptr;
}

const nlohmann::json* failed_step(const nlohmann::json& report)
{
  for (auto const& s : report["steps"])
    if (s["outcome"] != "ok") return &s;
  return nullptr;
}

#define SKIP_WITHOUT_PREREQUISITES()                                                                                   \
  do {                                                                                                                 \
    auto why = ibmig::emu::missing_prerequisites();                                                                    \
    if (!why.empty()) GTEST_SKIP() << why;                                                                             \
  } while (0)

const std::string reference = std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json";

} // namespace

// The reference migration for real: if this fails, the emulator does not reproduce the write-up's cluster.
TEST(EmulateE2E, ReferenceMigration)
{
  SKIP_WITHOUT_PREREQUISITES();
  auto r = run_driver({reference, "--time-scale", "0.002", "--write-mib", "512"});
  ASSERT_EQ(r.exit_code, 0) << r.log;
  auto vm2 = client(r.report, "before", "vm2");
  ASSERT_NE(vm2, nullptr) << r.log;
  // vm2 on n1 has no local replica: replica 2 through one 1 Gbit/s NIC (FIELD-NOTES: 56.7-59.3 MB/s with dd).
  EXPECT_GE((*vm2)["write_MBps"].get<double>(), 50.0);
  EXPECT_LE((*vm2)["write_MBps"].get<double>(), 62.0);
  EXPECT_NEAR((*vm2)["nic_bytes_per_byte_written"].get<double>(), 2.0, 0.2) << "both copies must cross n1's NIC";
  for (auto const& s : r.report["steps"])
    EXPECT_EQ(s["outcome"], "ok") << s.dump();
  EXPECT_EQ(r.report["verification"]["bytes_lost"].get<double>(), 0) << r.report["verification"].dump();
  EXPECT_GT(r.report["verification"]["bytes_verified"].get<double>(), 1e9);
  EXPECT_FALSE(r.report["failed"].get<bool>());
  expect_nothing_left(r.run_id);
}

// Distributed (replica 1): one copy crosses the NIC, so the same client writes about twice as fast.
TEST(EmulateE2E, DistributedIsAboutTwiceAsFast)
{
  SKIP_WITHOUT_PREREQUISITES();
  std::vector<std::string> quick = {"--time-scale", "0.0005", "--write-mib", "512", "--no-after"};
  auto rep                       = quick;
  rep.insert(rep.begin(), reference);
  auto dist = rep;
  dist.push_back("--distributed");
  auto a = run_driver(rep);
  auto b = run_driver(dist);
  ASSERT_EQ(a.exit_code, 0) << a.log;
  ASSERT_EQ(b.exit_code, 0) << b.log;
  double replicated  = (*client(a.report, "before", "vm2"))["write_MBps"];
  double distributed = (*client(b.report, "before", "vm2"))["write_MBps"];
  EXPECT_GE(distributed / replicated, 1.6) << replicated << " vs " << distributed;
  EXPECT_LE(distributed / replicated, 2.4) << replicated << " vs " << distributed;
  EXPECT_NEAR((*client(b.report, "before", "vm2"))["nic_bytes_per_byte_written"].get<double>(), 1.0, 0.1);
  expect_nothing_left(a.run_id);
  expect_nothing_left(b.run_id);
}

/* A mistake must be detected (a failed step that says why), reported as a failure, and torn down. */
void expect_mistake_detected(const std::string& mistake, const std::string& in_detail)
{
  auto r = run_driver({reference, "--inject", mistake, "--time-scale", "0.0005", "--write-mib", "32",
                       "--check-deadline", "20", "--no-after"});
  EXPECT_EQ(r.exit_code, 1) << r.log;
  expect_nothing_left(r.run_id); // first, so that it is checked after an unexpected failure too
  ASSERT_TRUE(r.report.is_object() && r.report.contains("steps")) << "no report:\n" << r.log;
  auto st = failed_step(r.report);
  ASSERT_NE(st, nullptr) << "no step failed:\n" << r.log;
  EXPECT_NE((*st)["detail"].get<std::string>().find(in_detail), std::string::npos) << (*st)["detail"];
  bool explained = false;
  for (auto const& e : r.report["events"])
    explained = explained || e["kind"] == "check-failed";
  EXPECT_TRUE(explained);
  EXPECT_TRUE(r.report.contains("plan_checker"));
  EXPECT_TRUE(r.report["failed"].get<bool>());
}

TEST(EmulateE2E, NamesNotRepointedIsDetected)
{
  SKIP_WITHOUT_PREREQUISITES();
  expect_mistake_detected("names-not-repointed", "old network");
}

TEST(EmulateE2E, MtuMismatchIsDetected)
{
  SKIP_WITHOUT_PREREQUISITES();
  expect_mistake_detected("mtu-mismatch", "MTU 2044");
}

TEST(EmulateE2E, ClientLeftMountedIsDetected)
{
  SKIP_WITHOUT_PREREQUISITES();
  expect_mistake_detected("client-left-mounted", "remounted");
}

TEST(EmulateE2E, NodeDoesNotReturnIsDetected)
{
  SKIP_WITHOUT_PREREQUISITES();
  expect_mistake_detected("node-does-not-return", "n4");
}

// Issue 10: a pool probed by IP moves to IB only by rewriting glusterd's state files (the model's
// rewrite_peer_addresses, done for real on every node's /var/lib/glusterd). If this fails, the rewrite leaves the
// pool on the old network, loses a brick, or loses data.
TEST(EmulateE2E, PoolProbedByIpMovesByRewritingItsStateFiles)
{
  SKIP_WITHOUT_PREREQUISITES();
  auto r = run_driver({std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference-peers-by-ip.json", "--time-scale",
                       "0.0005", "--write-mib", "64", "--no-after", "--check-deadline", "30"});
  ASSERT_EQ(r.exit_code, 0) << r.log;
  expect_nothing_left(r.run_id);
  for (auto const& s : r.report["steps"]) {
    EXPECT_EQ(s["outcome"], "ok") << s.dump();
    if (s["name"] == "Check peers") {
      EXPECT_NE(s["detail"].get<std::string>().find("over ib"), std::string::npos);
    }
  }
  EXPECT_EQ(r.report["verification"]["bytes_lost"].get<double>(), 0) << r.report["verification"].dump();
  EXPECT_GT(r.report["verification"]["bytes_verified"].get<double>(), 1e8);
}

// The same plan with n4 left out of the rewrite: the real glusterds reject it, at the step where the checker and
// the simulator say so.
TEST(EmulateE2E, RewriteThatMissesANodeShowsThePeerRejected)
{
  SKIP_WITHOUT_PREREQUISITES();
  auto r = run_driver({std::string(IBMIG_SOURCE_DIR) + "/scenarios/broken/rewrite-misses-a-node.json", "--time-scale",
                       "0.0005", "--write-mib", "32", "--no-after", "--check-deadline", "20"});
  EXPECT_EQ(r.exit_code, 1) << r.log;
  expect_nothing_left(r.run_id);
  auto st = failed_step(r.report);
  ASSERT_NE(st, nullptr) << r.log;
  EXPECT_EQ((*st)["name"], "Check peers");
  EXPECT_NE((*st)["detail"].get<std::string>().find("Peer Rejected"), std::string::npos) << (*st)["detail"];
  bool flagged = false;
  for (auto const& f : r.report["checks"])
    flagged = flagged || (f["rule"] == "PEER_REJECTED" && f["origin"] == "check");
  EXPECT_TRUE(flagged) << r.report["checks"].dump();
}

// Ctrl-C in the middle of the replay: the run stops, says so, and leaves nothing behind.
TEST(EmulateE2E, SigintTearsDown)
{
  SKIP_WITHOUT_PREREQUISITES();
  auto r = run_driver({reference, "--time-scale", "0.01", "--write-mib", "32"}, "replaying the plan");
  EXPECT_EQ(r.exit_code, 2) << r.log;
  EXPECT_NE(r.log.find("interrupted"), std::string::npos) << r.log;
  expect_nothing_left(r.run_id);
}
