/* End to end: the real emulated cluster (namespaces, shaped veths, glusterd, FUSE) through the test driver, which
 * makes the same calls as `ibmig emulate`. Labels root;fuse; skipped with the reason when a prerequisite is
 * missing. Each case runs the driver as a child process, so a crash or SIGINT is tested as a user would see it. */
#include "e2e_util.hpp"

using namespace ibmig::test;

namespace {

/* Runs the driver; with interrupt_at, sends SIGINT once that text appears in its log. */
ChildRun run_driver(std::vector<std::string> args, const std::string& interrupt_at = "")
{
  args.insert(args.begin(), std::string(IBMIG_BINARY_DIR) + "/tests/emulation/ibmig_emulate_driver");
  return run_emulating(args, interrupt_at);
}

const nlohmann::json* failed_step(const nlohmann::json& report)
{
  for (auto const& s : report["steps"])
    if (s["outcome"] != "ok") return &s;
  return nullptr;
}

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
