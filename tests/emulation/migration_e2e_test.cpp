/* End to end, live migration: `ibmig emulate` (the real CLI) replays migrate_vms by sending each pre-copy round's
 * bytes between the two nodes over the emulated VM bridge, pauses the VM for the stop-and-copy only, and moves its
 * I/O to the target. Labels root;fuse; skipped with the reason when root, /dev/fuse or glusterd is missing. */
#include "e2e_util.hpp"

#include <map>

using namespace ibmig::test;

namespace {

ChildRun emulate(const std::string& scenario, std::vector<std::string> args)
{
  args.insert(args.begin(), {std::string(IBMIG_BINARY_DIR) + "/ibmig", "emulate", scenario});
  return run_emulating(args);
}

const std::string root = std::string(IBMIG_SOURCE_DIR);

/* Links 4x slower, physical steps 2000x shorter, 8 MiB writers, and 32 MiB guests instead of 4 GiB (32 copies of
 * 4 GiB would take 20 minutes here); the dirty rate stays the scenario's 20 MB/s. */
std::vector<std::string> quick(int vms)
{
  std::vector<std::string> a = {"--rate-scale", "0.25", "--time-scale", "0.0005", "--write-size", "8MiB"};
  for (int i = 0; i < vms; ++i)
    a.insert(a.end(), {"--set", "workload.vms[" + std::to_string(i) + "].memory.size=32MiB"});
  return a;
}

} // namespace

// The rolling plan with every VM migrated away and back: 32 migrations, each compared with the simulator's time at
// the same sizes; a VM's downtime is its four stop-and-copy pauses, no VM is stopped, nothing is lost. Wrong if a
// migration was not replayed (no report entry, no bytes), took more than 25% longer or shorter than the model says,
// or a VM was down for more than its pauses.
TEST(MigrationE2E, RollingLivePlanMigratesEveryVmWithinTheModelsTime)
{
  SKIP_WITHOUT_PREREQUISITES();
  auto r = emulate(root + "/scenarios/reference-rolling-live.json", quick(8));
  expect_nothing_left(r.run_id);
  ASSERT_TRUE(r.report.is_object() && r.report.contains("migrations")) << "no report:\n" << r.log;
  EXPECT_EQ(r.exit_code, 0) << r.log;
  for (auto const& s : r.report["steps"])
    EXPECT_EQ(s["outcome"], "ok") << s.dump();
  EXPECT_EQ(r.report["verification"]["bytes_lost"].get<double>(), 0) << r.report["verification"].dump();
  ASSERT_EQ(r.report["migrations"].size(), 32u) << r.report["migrations"].dump();
  std::map<std::string, double> paused;
  for (auto const& m : r.report["migrations"]) {
    EXPECT_TRUE(m["completed"].get<bool>()) << m.dump();
    EXPECT_GE(m["bytes"].get<double>(), 32.0 * 1024 * 1024) << "the whole memory at least once: " << m.dump();
    EXPECT_GT(m["pause_s"].get<double>(), 0) << m.dump();
    paused[m["vm"]] += m["pause_s"].get<double>();
  }
  int rows = 0;
  for (auto const& row : r.report["comparison"])
    if (row["metric"].get<std::string>().rfind("live migration s:", 0) == 0) {
      rows++;
      EXPECT_EQ(row["verdict"], "within tolerance") << row.dump();
    }
  EXPECT_EQ(rows, 32) << r.report["comparison"].dump();
  ASSERT_EQ(paused.size(), 8u);
  for (auto const& d : r.report["downtime"]["vms"]) {
    double down = d["seconds"].get<double>();
    EXPECT_NEAR(down, paused[d["name"]], 0.01) << d.dump() << ": a VM is down only for its pauses";
    EXPECT_LT(down, 2.0) << d.dump();
  }
}

// One VM moved and left there: the phase after the plan writes from the target's mount, as the simulator predicts.
// Wrong if its I/O stayed on its old node (the report's client node), or the old node kept the mount.
TEST(MigrationE2E, AMovedVmWritesFromItsNewNode)
{
  SKIP_WITHOUT_PREREQUISITES();
  std::ifstream in(root + "/scenarios/reference-rolling-live.json");
  nlohmann::json sc   = nlohmann::json::parse(in);
  sc["plan"]["steps"] = {
      {{"name", "Move vm2 to n3"}, {"action", "migrate_vms"}, {"vms", {"vm2"}}, {"to", "n3"}, {"duration", "1min"}}};
  const std::string file = "/tmp/ibmig-move-vm2-" + std::to_string(::getpid()) + ".json";
  std::ofstream(file) << sc.dump(2);
  auto r = emulate(file, quick(8));
  std::remove(file.c_str());
  expect_nothing_left(r.run_id);
  ASSERT_TRUE(r.report.is_object()) << "no report:\n" << r.log;
  EXPECT_EQ(r.exit_code, 0) << r.log;
  ASSERT_EQ(r.report["migrations"].size(), 1u) << r.log;
  EXPECT_EQ(r.report["migrations"][0]["to"], "n3");
  auto before = client(r.report, "before", "vm2"), after = client(r.report, "after", "vm2");
  ASSERT_TRUE(before && after) << r.log;
  EXPECT_EQ((*before)["node"], "n1");
  EXPECT_EQ((*after)["node"], "n3") << "its writer must run on the node it moved to";
  EXPECT_GT((*after)["write_MBps"].get<double>(), 0);
  EXPECT_EQ(r.report["verification"]["bytes_lost"].get<double>(), 0) << r.report["verification"].dump();
}
