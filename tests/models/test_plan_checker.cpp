/* The plan checker: every broken plan is flagged with its rule, the valid plans are clean, and the rules' edges. */
#include "cluster_model.hpp"
#include "plan_checker.hpp"
#include "scenario_loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

using namespace ibmig;
using nlohmann::json;

namespace {

const std::string kRoot = IBMIG_SOURCE_DIR;

json read_json(const std::string& rel) // the plain document: tests edit it by its expanded paths
{
  std::ifstream in(kRoot + "/" + rel);
  return expand_scenario(json::parse(in), rel).document;
}

std::string describe(const std::vector<CheckFinding>& fs)
{
  std::string out;
  for (auto const& f : fs)
    out += std::string(to_string(f.severity)) + " " + f.rule + " [" + f.step + "]: " + f.message + "\n";
  return out;
}

const CheckFinding* find_rule(const std::vector<CheckFinding>& fs, const std::string& rule)
{
  auto it = std::find_if(fs.begin(), fs.end(), [&](const CheckFinding& f) { return f.rule == rule; });
  return it == fs.end() ? nullptr : &*it;
}

/* Checks the plan of `doc` and expects a finding of `rule` whose message contains `phrase`. */
void expect_finding(const json& doc, const std::string& rule, const std::string& phrase)
{
  auto fs               = check_plan(parse_scenario(doc, "x.json"));
  const CheckFinding* f = find_rule(fs, rule);
  ASSERT_NE(f, nullptr) << describe(fs);
  EXPECT_NE(f->message.find(phrase), std::string::npos) << f->message;
}

/* Sets `key` on every top-level step of `action`. */
void set_in_steps(json& doc, const std::string& action, const std::string& key, const json& value)
{
  for (auto& st : doc["plan"]["steps"])
    if (st.value("action", "") == action) st[key] = value;
}

/* The reference plan with its "Configure ib0" step changed, for the MTU edge cases. */
std::vector<CheckFinding> check_reference_with_ib0(const std::string& mode, int mtu)
{
  json doc = read_json("scenarios/reference.json");
  set_in_steps(doc, "configure_interface", "mode", mode);
  set_in_steps(doc, "configure_interface", "mtu", mtu);
  set_in_steps(doc, "verify_ping", "size", mtu - 28);
  return check_plan(parse_scenario(doc, "x.json"));
}

} // namespace

struct BrokenCase {
  const char* file;
  const char* rule;
  Severity severity;
  const char* step; // expected CheckFinding::step of the first finding of that rule ("" : about the whole plan)
};

// If this fails, the checker misses the one mistake the file was written to contain, or blames the wrong step.
TEST(PlanChecker, EveryBrokenPlanIsFlaggedWithItsRule)
{
  const std::vector<BrokenCase> cases = {
      {"names-not-repointed.json", "NAMES_NOT_REPOINTED", Severity::Error, "Start glusterd"},
      {"datagram-mtu-too-large.json", "MTU_DATAGRAM_TOO_LARGE", Severity::Error, "Configure ib0 (datagram, MTU 65520)"},
      {"mtu-above-max.json", "MTU_ABOVE_MAX", Severity::Error, "Jumbo frames on eth1"},
      {"connected-mode-on-connectx4.json", "CONNECTED_MODE_UNSUPPORTED", Severity::Error,
       "Configure ib0 (connected, MTU 65520)"},
      {"mtu-mismatch.json", "MTU_MISMATCH", Severity::Error, "Large ping over IB"},
      {"no-large-ping.json", "NO_LARGE_PING", Severity::Warning, "Start glusterd"},
      {"glusterd-not-enabled.json", "GLUSTERD_NOT_ENABLED", Severity::Warning, "Disable glusterd at boot"},
      {"clients-on-old-network.json", "CLIENTS_ON_OLD_NETWORK", Severity::Error, "Take the old storage network down"},
      {"rolling-breaks-quorum.json", "ROLLING_BREAKS_QUORUM", Severity::Error, "Stop glusterd (n1)"},
      {"rolling-before-heal.json", "ROLLING_BEFORE_HEAL", Severity::Error, "Stop glusterd (n2)"},
      {"split-brain-quorum-none.json", "SPLIT_BRAIN_RISK", Severity::Error, "Stop glusterd (n2)"},
      {"interface-not-installed.json", "INTERFACE_NOT_INSTALLED", Severity::Error,
       "Configure ib0 (connected, MTU 65520)"},
      {"vms-killed-by-power-off.json", "VMS_KILLED_BY_POWER_OFF", Severity::Error, "Power off"},
      {"nic-installed-while-powered.json", "NIC_INSTALLED_WHILE_POWERED", Severity::Error, "Install HCAs"},
      {"names-repointed-peers-by-ip.json", "NAMES_DO_NOT_MOVE_POOL", Severity::Error, "Re-point storage names to IB"},
      {"rewrite-while-glusterd-runs.json", "REWRITE_WHILE_GLUSTERD_RUNS", Severity::Error,
       "Rewrite glusterd's addresses to IB"},
      {"rewrite-misses-a-node.json", "PEER_REJECTED", Severity::Error, "Check peers"},
      {"migration-target-memory.json", "MIGRATION_TARGET_MEMORY", Severity::Error, "Migrate the node's VMs away (n1)"},
      {"migration-does-not-converge.json", "MIGRATION_DOES_NOT_CONVERGE", Severity::Error,
       "Migrate the node's VMs away (n1)"},
      {"ib-stack-not-loaded.json", "IB_STACK_NOT_LOADED", Severity::Error, "Configure ib1 (connected, MTU 65520)"},
      {"interface-not-cabled.json", "INTERFACE_NOT_CABLED", Severity::Error, "Configure ib0 (connected, MTU 65520)"},
      {"port-not-active.json", "PORT_NOT_ACTIVE", Severity::Error, "Check port 1 is active"},
      {"rdma-not-installed.json", "RDMA_NOT_INSTALLED", Severity::Error, "Enable rdma at boot"},
  };
  std::set<std::string> listed;
  for (auto const& c : cases) {
    SCOPED_TRACE(c.file);
    listed.insert(c.file);
    Scenario sc           = load_scenario(kRoot + "/scenarios/broken/" + c.file);
    auto fs               = check_plan(sc);
    const CheckFinding* f = find_rule(fs, c.rule);
    ASSERT_NE(f, nullptr) << "expected " << c.rule << ", got:\n" << describe(fs);
    EXPECT_EQ(f->severity, c.severity);
    EXPECT_EQ(f->step, c.step);
    // The message names the step, so an admin reading only the message knows where to look.
    if (!f->step.empty()) {
      EXPECT_NE(f->message.find("\"" + f->step + "\""), std::string::npos) << f->message;
    }
    EXPECT_EQ(has_errors(fs), c.severity == Severity::Error) << describe(fs);
  }
  // Every broken file is in the table: a new one without an expected rule would test nothing.
  for (auto const& e : std::filesystem::directory_iterator(kRoot + "/scenarios/broken"))
    EXPECT_TRUE(listed.count(e.path().filename().string())) << e.path() << " has no row in the table";
}

// If this fails, a plan that the README presents as correct would be refused (or nagged) by `ibmig check`.
TEST(PlanChecker, ValidScenariosHaveNoFindings)
{
  int checked = 0;
  for (auto const& e : std::filesystem::directory_iterator(kRoot + "/scenarios")) {
    std::string name = e.path().filename().string();
    if (e.path().extension() != ".json" || name.rfind("reference", 0) != 0) continue;
    SCOPED_TRACE(name);
    auto fs = check_plan(load_scenario(e.path().string()));
    EXPECT_TRUE(fs.empty()) << describe(fs);
    EXPECT_FALSE(has_errors(fs));
    checked++;
  }
  EXPECT_GE(checked, 4); // reference, -rolling, -datagram, -distributed
}

// If this fails, has_errors would let `ibmig check` exit 0 on an error or 1 on warnings only.
TEST(PlanChecker, HasErrorsLooksAtSeverityOnly)
{
  EXPECT_FALSE(has_errors({}));
  EXPECT_FALSE(has_errors(
      {{"NO_LARGE_PING", Severity::Warning, "m", "s"}, {"GLUSTERD_NOT_ENABLED", Severity::Warning, "m", ""}}));
  EXPECT_TRUE(
      has_errors({{"NO_LARGE_PING", Severity::Warning, "m", "s"}, {"MTU_MISMATCH", Severity::Error, "m", "s"}}));
}

// If these fail, the datagram limits are off by one: 2044 is the 2K-IB-MTU limit, 4092 needs a 4K IB MTU.
TEST(PlanChecker, DatagramMtuEdges)
{
  EXPECT_TRUE(check_reference_with_ib0("datagram", 2044).empty());
  auto warn = check_reference_with_ib0("datagram", 2045);
  ASSERT_EQ(warn.size(), 1u) << describe(warn);
  EXPECT_EQ(warn[0].rule, "MTU_DATAGRAM_TOO_LARGE");
  EXPECT_EQ(warn[0].severity, Severity::Warning);
  EXPECT_NE(warn[0].message.find("4K"), std::string::npos);
  auto at_max = check_reference_with_ib0("datagram", 4092);
  ASSERT_EQ(at_max.size(), 1u) << describe(at_max);
  EXPECT_EQ(at_max[0].severity, Severity::Warning);
  auto over = check_reference_with_ib0("datagram", 4093);
  ASSERT_NE(find_rule(over, "MTU_DATAGRAM_TOO_LARGE"), nullptr) << describe(over);
  EXPECT_EQ(find_rule(over, "MTU_DATAGRAM_TOO_LARGE")->severity, Severity::Error);
  // Connected mode allows the full 65520 on these HCAs.
  EXPECT_TRUE(check_reference_with_ib0("connected", 65520).empty());
}

// If this fails, a technology whose connected-mode maximum is lower than 65520 would not be enforced.
TEST(PlanChecker, ConnectedMtuAboveTechnologyMaximum)
{
  json doc                         = read_json("scenarios/reference.json");
  doc["technologies"]["IB-X"]      = {{"kind", "infiniband"}, {"data_rate", "8Gbps"}, {"mtu_default", 2044},
                                      {"mtu_max", 32000},     {"nic_latency", "5us"}, {"source", "test"}};
  doc["networks"][2]["technology"] = "IB-X";
  expect_finding(doc, "MTU_ABOVE_MAX", "32000");
}

// If this fails, quorum-type fixed / none are not read: replica 2 with quorum-count 1 survives one brick down.
TEST(PlanChecker, QuorumTypesDecideTheRollingOutcome)
{
  json doc                                            = read_json("scenarios/broken/rolling-breaks-quorum.json");
  doc["volumes"][0]["options"]["cluster.quorum-type"] = "none";
  EXPECT_EQ(find_rule(check_plan(parse_scenario(doc, "x.json")), "ROLLING_BREAKS_QUORUM"), nullptr);
  doc["volumes"][0]["options"]["cluster.quorum-type"]  = "fixed";
  doc["volumes"][0]["options"]["cluster.quorum-count"] = 2;
  auto fs                                              = check_plan(parse_scenario(doc, "x.json"));
  // With fixed 2 every node's turn breaks its set, in both passes: n1..n4 twice.
  EXPECT_EQ(std::count_if(fs.begin(), fs.end(), [](auto& f) { return f.rule == "ROLLING_BREAKS_QUORUM"; }), 8)
      << describe(fs);
}

// If this fails, taking the second brick of a replica 2 set down (first brick still up) is wrongly an error:
// quorum auto accepts exactly half of the bricks when the first one is among them.
TEST(PlanChecker, QuorumAutoAcceptsHalfWithFirstBrick)
{
  json doc = read_json("scenarios/broken/rolling-breaks-quorum.json");
  for (auto& st : doc["plan"]["steps"])
    if (st.contains("rolling")) st["rolling"]["nodes"] = {"n2", "n4"};
  auto fs = check_plan(parse_scenario(doc, "x.json"));
  EXPECT_EQ(find_rule(fs, "ROLLING_BREAKS_QUORUM"), nullptr) << describe(fs);
}

// If this fails, a ping with the default payload would count as proof that the 65520 MTU works end to end.
TEST(PlanChecker, PingSizeMustBeCloseToTheMtu)
{
  json doc = read_json("scenarios/reference.json");
  set_in_steps(doc, "verify_ping", "size", 65520 - 28 - 101);
  EXPECT_NE(find_rule(check_plan(parse_scenario(doc, "x.json")), "NO_LARGE_PING"), nullptr);
  set_in_steps(doc, "verify_ping", "size", 0); // 0: MTU - 28, the largest unfragmented payload
  EXPECT_TRUE(check_plan(parse_scenario(doc, "x.json")).empty());
}

// If this fails, a node forgotten by the configure step would pass: one unconfigured node is a mismatch too.
TEST(PlanChecker, UnconfiguredNodeIsAMismatch)
{
  json doc = read_json("scenarios/reference.json");
  set_in_steps(doc, "configure_interface", "nodes", {"n1", "n2", "n3"});
  expect_finding(doc, "MTU_MISMATCH", "n4 ib0");
}

// If this fails, starting VMs again after the old network went down would still be reported as hanging, or a
// remount would not move a mount to the re-pointed names.
TEST(PlanChecker, RemountMovesClientsOffTheOldNetwork)
{
  json doc     = read_json("scenarios/broken/clients-on-old-network.json");
  auto steps   = doc["plan"]["steps"];
  json remount = {{"name", "Remount all clients"}, {"action", "remount_clients"}, {"nodes", "all"}};
  steps.insert(steps.end() - 1, remount);
  doc["plan"]["steps"] = steps;
  auto fs              = check_plan(parse_scenario(doc, "x.json"));
  EXPECT_EQ(find_rule(fs, "CLIENTS_ON_OLD_NETWORK"), nullptr) << describe(fs);
}

// If this fails, a glusterd stopped on a powered-off node or never restarted would go unnoticed.
TEST(PlanChecker, PlanEndingWithNodeDownIsAnError)
{
  json doc   = read_json("scenarios/reference.json");
  json steps = json::array();
  for (auto& st : doc["plan"]["steps"])
    if (st["name"] != "Start glusterd") steps.push_back(st);
  doc["plan"]["steps"] = steps;
  auto fs              = check_plan(parse_scenario(doc, "x.json"));
  EXPECT_NE(find_rule(fs, "GLUSTERD_LEFT_STOPPED"), nullptr) << describe(fs);
  EXPECT_TRUE(has_errors(fs));
}

namespace {
/* The reference plan without the named steps. */
json reference_without(std::initializer_list<std::string> names)
{
  json doc   = read_json("scenarios/reference.json");
  json steps = json::array();
  for (auto& st : doc["plan"]["steps"])
    if (std::find(names.begin(), names.end(), st["name"].get<std::string>()) == names.end()) steps.push_back(st);
  doc["plan"]["steps"] = steps;
  return doc;
}
} // namespace

// The rules without a file in scenarios/broken/: each must fire on the mistake it names.
TEST(PlanChecker, StepOnPoweredOffNode)
{
  json doc    = read_json("scenarios/reference.json");
  auto& steps = doc["plan"]["steps"];
  std::swap(steps[5], steps[6]); // configure ib0 before the nodes are powered on again
  expect_finding(doc, "STEP_ON_POWERED_OFF_NODE", "powered off");
}

TEST(PlanChecker, NamesOnANetworkWithNoInterfaceUp)
{
  expect_finding(reference_without({"Configure ib0 (connected, MTU 65520)", "Large ping over IB"}),
                 "STORAGE_NETWORK_UNREACHABLE", "no configured interface up");
}

TEST(PlanChecker, NodesLeftPoweredOff)
{
  expect_finding(reference_without({"Power on"}), "NODE_LEFT_POWERED_OFF", "powered off");
}

TEST(PlanChecker, PowerOnWithoutPowerOff)
{
  expect_finding(reference_without({"Power off"}), "POWER_ON_WITHOUT_POWER_OFF", "already running");
}

TEST(PlanChecker, VmsLeftStopped)
{
  expect_finding(reference_without({"Start VMs"}), "VMS_LEFT_STOPPED", "stopped");
}

// If this fails, a rewrite of glusterd's files in a pool probed by name would pass for a migration step.
TEST(PlanChecker, RewriteInAPoolProbedByName)
{
  json doc = read_json("scenarios/reference-peers-by-ip.json");
  doc["storage_names"].erase("peers");
  expect_finding(doc, "REWRITE_IN_NAMED_POOL", "probed by name");
  // ... and the pool stays on the old network: nothing re-pointed its names.
  expect_finding(doc, "NAMES_NOT_REPOINTED", "Re-point the storage names");
}

// If this fails, a pool probed by IP that is moved correctly still passes through the simulator as broken, or a
// rewrite that glusterd undoes would count on the node where it runs.
TEST(PlanChecker, PeersByIpFollowTheirStateFiles)
{
  Scenario sc = load_scenario(kRoot + "/scenarios/reference-peers-by-ip.json");
  ClusterModel m(sc);
  for (auto const& st : sc.plan.steps) {
    m.apply(st);
    if (st.action == Action::RewritePeerAddresses) break;
  }
  for (auto const& n : sc.nodes) {
    EXPECT_EQ(m.pool_network(n.name), "ib") << n.name;
    EXPECT_EQ(m.node(n.name).names_network, "storage") << n.name; // names were not touched
  }
  json doc         = read_json("scenarios/broken/rewrite-while-glusterd-runs.json");
  Scenario running = parse_scenario(doc, "x.json");
  ClusterModel r(running);
  for (auto const& st : running.plan.steps) {
    Transition t = r.apply(st);
    if (st.action != Action::RewritePeerAddresses) continue;
    EXPECT_FALSE(t.step_failed()); // sed succeeds; glusterd undoes it
    EXPECT_EQ(r.pool_network("n1"), "storage");
    break;
  }
}

// If this fails, a live migration lands on a node that is off or unreachable, or a VM is moved that is not running.
TEST(PlanChecker, MigrationNeedsARunningVmAndAReachableTarget)
{
  json doc                                    = read_json("scenarios/reference-rolling-live.json");
  json& block                                 = doc["plan"]["steps"][0]["rolling"]["steps"];
  block[0]["to"]                              = "n2";
  doc["plan"]["steps"][0]["rolling"]["nodes"] = {"n3"};
  json off                                    = {{"name", "n2 off"}, {"action", "power_off"}, {"nodes", {"n2"}}};
  json stop = {{"name", "Stop n2's VMs"}, {"action", "stop_clients"}, {"nodes", {"n2"}}};
  doc["plan"]["steps"].insert(doc["plan"]["steps"].begin(), {stop, off});
  expect_finding(doc, "MIGRATION_TARGET_DOWN", "n2 is powered off");
  json down = read_json("scenarios/reference-rolling-live.json");
  down["plan"]["steps"].insert(
      down["plan"]["steps"].begin(),
      json{{"name", "VM bridge down on n2"}, {"action", "interface_down"}, {"interface", "eth0"}, {"nodes", {"n2"}}});
  down["plan"]["steps"][1]["rolling"]["steps"][0]["to"] = "n2";
  expect_finding(down, "MIGRATION_NETWORK_DOWN", "n2 has no interface up on vmbridge");
  json stopped = read_json("scenarios/reference-rolling-live.json");
  stopped["plan"]["steps"].insert(stopped["plan"]["steps"].begin(),
                                  json{{"name", "Stop n1's VMs"}, {"action", "stop_clients"}, {"nodes", {"n1"}}});
  expect_finding(stopped, "MIGRATE_STOPPED_VM", "not running");
}

// The AFR client-quorum rule that the checker, the simulator and the emulator share.
TEST(Volume, ClientQuorum)
{
  Volume v;
  v.replica     = 2;
  v.quorum_type = QuorumType::Auto;
  EXPECT_TRUE(v.has_quorum({true, false})); // exactly half, including the first brick
  EXPECT_FALSE(v.has_quorum({false, true}));
  EXPECT_FALSE(v.has_quorum({false, false}));
  v.replica = 3;
  EXPECT_TRUE(v.has_quorum({false, true, true}));
  EXPECT_FALSE(v.has_quorum({true, false, false}));
  v.quorum_type  = QuorumType::Fixed;
  v.quorum_count = 2;
  EXPECT_TRUE(v.has_quorum({true, false, true}));
  EXPECT_FALSE(v.has_quorum({true, false, false}));
  v.quorum_type = QuorumType::None;
  EXPECT_TRUE(v.has_quorum({false, false, true}));
  EXPECT_FALSE(v.has_quorum({false, false, false}));
}

// The checker must agree with the simulator: bringing up a freshly installed NIC without configuring it is an error.
TEST(PlanChecker, InterfaceUpWithoutConfiguration)
{
  json doc = read_json("scenarios/reference.json");
  for (auto& st : doc["plan"]["steps"])
    if (st["action"] == "configure_interface") {
      st = {
          {"name", "Up ib0"}, {"action", "interface_up"}, {"interface", "ib0"}, {"nodes", "all"}, {"duration", "1min"}};
    }
  expect_finding(doc, "INTERFACE_UP_UNCONFIGURED", "no earlier step configures");
}
