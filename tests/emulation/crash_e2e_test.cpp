/* End to end, node crashes with data at stake: `ibmig emulate` (the real CLI, as a user runs it) on a scenario with
 * faults. Labels root;fuse; skipped with the reason when root, /dev/fuse or glusterd is missing. Each case runs the
 * binary as a child process and reads its --json report. */
#include "e2e_util.hpp"

using namespace ibmig::test;

namespace {

/* `ibmig emulate SCENARIO ARGS... --json FILE` */
ChildRun emulate(const std::string& scenario, std::vector<std::string> args)
{
  args.insert(args.begin(), {std::string(IBMIG_BINARY_DIR) + "/ibmig", "emulate", scenario});
  return run_emulating(args);
}

bool has_event(const nlohmann::json& report, const std::string& kind, const std::string& in_message = "")
{
  return first_of(report, "events", [&](auto const& e) {
           return e["kind"] == kind && e["message"].template get<std::string>().find(in_message) != std::string::npos;
         }) != nullptr;
}

const std::string root = std::string(IBMIG_SOURCE_DIR);
// Links 10x slower (the heal and the VMs' writes alike), real time for the crash (down_for, ping-timeout: the heal
// row compares like with like only then), small writes in the phases around the replay.
const std::vector<std::string> quick = {"--rate-scale", "0.1", "--time-scale", "1", "--write-size", "8MiB"};

} // namespace

// n2 crashes with vm1 (on n1) writing and vm2 (on n2) killed mid-write; it comes back and self-heal copies what it
// missed. Wrong if a byte an fdatasync acknowledged is missing on either brick, if the crash was not replayed (no
// fault entry, no data written while n2 was down), or the heal was not measured or not compared with the
// simulator's prediction.
TEST(CrashE2E, NodeCrashLosesNoAcknowledgedByteAndIsHealed)
{
  SKIP_WITHOUT_PREREQUISITES();
  auto r = emulate(root + "/scenarios/reference-node-crash.json", quick);
  expect_nothing_left(r.run_id);
  ASSERT_TRUE(r.report.is_object() && r.report.contains("faults")) << "no report:\n" << r.log;
  EXPECT_EQ(r.exit_code, 0) << r.log;
  EXPECT_EQ(r.report["verification"]["bytes_lost"].get<double>(), 0) << r.report["verification"].dump();
  ASSERT_EQ(r.report["faults"].size(), 1u) << r.report["faults"].dump();
  auto const& f = r.report["faults"][0];
  EXPECT_EQ(f["node"], "n2");
  ASSERT_TRUE(f["back_s"].is_number()) << f.dump();
  ASSERT_TRUE(f["heal_s"].is_number()) << "the heal was not measured: " << f.dump();
  EXPECT_GT(f["heal_s"].get<double>(), 0);
  EXPECT_TRUE(f["split_brain"].empty());
  EXPECT_TRUE(has_event(r.report, "heal-done"));
  EXPECT_TRUE(has_event(r.report, "io-killed", "plan: vm2 died")) << "vm2's writer must die with n2";
  auto heal_row = first_of(r.report, "comparison", [](auto const& row) {
    return row["metric"].template get<std::string>().rfind("heal s after n2 crashed", 0) == 0;
  });
  ASSERT_NE(heal_row, nullptr) << r.report["comparison"].dump();
  EXPECT_GT((*heal_row)["predicted"].get<double>(), 0);
  EXPECT_GT((*heal_row)["measured"].get<double>(), 0);
  EXPECT_DOUBLE_EQ((*heal_row)["measured"].get<double>(), f["heal_s"].get<double>());
  // Data at stake: the phases wrote 2 VMs x 2 phases x 8 MiB on 2 bricks; more than that was read back, so the
  // replay's writers (vm1's through the crash, vm2's acknowledged part) were verified too.
  EXPECT_GT(r.report["verification"]["bytes_verified"].get<double>(), 4 * 8.0 * 1024 * 1024 * 2);
}

// Replica 2 with quorum none, n1 and then n2 crash one right after the other with vm3 writing: both copies took
// writes the other lacks. Wrong if the run exits 0 (data with no consistent copy), or the split-brain is not reported
// as a finding naming the file.
TEST(CrashE2E, SplitBrainIsDetectedNotHealed)
{
  SKIP_WITHOUT_PREREQUISITES();
  auto r = emulate(root + "/tests/emulation/scenarios/split-brain-crashes.json", quick);
  expect_nothing_left(r.run_id);
  ASSERT_TRUE(r.report.is_object() && r.report.contains("checks")) << "no report:\n" << r.log;
  EXPECT_EQ(r.exit_code, 1) << r.log;
  auto finding = first_of(r.report, "checks", [](auto const& c) { return c["rule"] == "SPLIT_BRAIN"; });
  ASSERT_NE(finding, nullptr) << r.report["checks"].dump() << "\n" << r.log;
  EXPECT_NE((*finding)["message"].get<std::string>().find("vm3-plan"), std::string::npos) << (*finding)["message"];
  EXPECT_TRUE(has_event(r.report, "split-brain"));
  EXPECT_GT(r.report["verdict"]["split_brain"].get<int>(), 0);
  EXPECT_FALSE(r.report["verdict"]["ok"].get<bool>());
}

// Ctrl-C while a node is down (its processes killed, its interfaces down, the writers of the replay running): the
// run stops, says so, and leaves nothing behind. Wrong if the crashed node's leftovers or a writer escape teardown.
TEST(CrashE2E, SigintWhileANodeIsDownTearsDown)
{
  SKIP_WITHOUT_PREREQUISITES();
  std::vector<std::string> args = {std::string(IBMIG_BINARY_DIR) + "/ibmig", "emulate",
                                   root + "/scenarios/reference-node-crash.json"};
  args.insert(args.end(), quick.begin(), quick.end());
  auto r = run_emulating(args, "[fault] node n2 crashed");
  EXPECT_EQ(r.exit_code, 2) << r.log;
  EXPECT_NE(r.log.find("interrupted"), std::string::npos) << r.log;
  expect_nothing_left(r.run_id);
}
