/* The strict loader: bad input is refused with the file, the JSON path and a plain reason; --set overrides keep
 * types; every shipped scenario loads. */
#include "scenario_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

using namespace ibmig;
using nlohmann::json;

namespace {

const std::string kRoot = IBMIG_SOURCE_DIR;

json reference() // the plain document: the cases edit it by its expanded paths
{
  std::ifstream in(kRoot + "/scenarios/reference.json");
  return expand_scenario(json::parse(in), "reference.json").document;
}

json& step_named(json& doc, const std::string& name)
{
  for (auto& st : doc["plan"]["steps"])
    if (st.value("name", "") == name) return st;
  throw std::logic_error("no step " + name);
}

std::string temp_file(const std::string& name, const std::string& text)
{
  std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

struct BadCase {
  std::string name; // test name suffix
  std::function<void(json&)> edit;
  std::string path;   // exact JSON path of the error
  std::string phrase; // key words of the message
};

std::ostream& operator<<(std::ostream& os, const BadCase& c)
{
  return os << c.name;
}

// One mistake each, made on a copy of the reference scenario. The path is what an admin uses to find the line.
const std::vector<BadCase> kBadCases = {
    {"UnknownTopLevelField", [](json& d) { d["colour"] = "blue"; }, "colour", "unknown field"},
    {"UnknownDistribution", [](json& d) { d["distribution"] = "centos7"; }, "distribution",
     "unknown distribution \"centos7\" (known: \"centos6\", \"el9\", \"debian12\")"},
    {"DistributionNotAString", [](json& d) { d["distribution"] = 6; }, "distribution", "expected a string"},
    {"UnknownNestedField", [](json& d) { d["nodes"][0]["disk"]["speed"] = "1GBps"; }, "nodes[0].disk.speed",
     "unknown field"},
    {"UnknownStepField", [](json& d) { d["plan"]["steps"][0]["mtu"] = 9000; }, "plan.steps[0].mtu", "unknown field"},
    {"ValueWithoutUnit", [](json& d) { d["nodes"][0]["disk"]["write"] = "200"; }, "nodes[0].disk.write", "no unit"},
    {"UnknownUnit", [](json& d) { d["networks"][0]["switch"]["latency"] = "5usec"; }, "networks[0].switch.latency",
     "unknown duration unit \"usec\""},
    {"NegativeValue", [](json& d) { d["workload"]["before"] = "-60s"; }, "workload.before", "expected a duration"},
    {"AbsurdDiskSpeed", [](json& d) { d["nodes"][1]["disk"]["write"] = "1Bps"; }, "nodes[1].disk.write",
     "out of the plausible range"},
    {"AbsurdBandwidth", [](json& d) { d["workload"]["vms"][0]["streams"][0]["rate"] = "100000000000000000000bps"; },
     "workload.vms[0].streams[0].rate", "out of the plausible range"},
    {"NumberInsteadOfString", [](json& d) { d["nodes"][0]["disk"]["write"] = 200; }, "nodes[0].disk.write",
     "expected a string with a unit"},
    {"ObjectInsteadOfList", [](json& d) { d["nodes"] = json::object(); }, "nodes", "expected a list"},
    {"StringInsteadOfInteger", [](json& d) { d["volumes"][0]["replica"] = "2"; }, "volumes[0].replica",
     "expected an integer"},
    {"MissingRequiredField", [](json& d) { d["networks"][1].erase("switch"); }, "networks[1].switch",
     "missing required field"},
    {"MissingName", [](json& d) { d.erase("name"); }, "name", "missing required field"},
    {"UnknownNodeInBrick", [](json& d) { d["volumes"][0]["bricks"][3] = "n9:/bricks/vmstore"; }, "volumes[0].bricks[3]",
     "unknown node \"n9\""},
    {"UnknownNodeInStep",
     [](json& d) {
       d["plan"]["steps"][0]["nodes"] = {"n1", "n7"};
     },
     "plan.steps[0].nodes[1]", "unknown node \"n7\""},
    {"EmptyNodesOfPing", // simulate crashed on it (the executor takes the first node's interface)
     [](json& d) { step_named(d, "Large ping over IB")["nodes"] = json::array(); }, "plan.steps[7].nodes",
     "empty list"},
    {"GroupSelectingNoNode", // a fuzzer's find: simulate crashed the same way on a ping over an empty group
     [](json& d) {
       for (auto& n : d["nodes"])
         n["roles"] = {"server"};
       d["workload"]["vms"]                         = json::array();
       step_named(d, "Large ping over IB")["nodes"] = "hypervisors";
     },
     "plan.steps[7].nodes", "\"hypervisors\" selects no node"},
    {"UnknownNodeOfVm", [](json& d) { d["workload"]["vms"][2]["node"] = "n5"; }, "workload.vms[2].node",
     "unknown node \"n5\""},
    {"UnknownNic", [](json& d) { step_named(d, "Install HCAs")["interface"] = "ib2"; }, "plan.steps[4].interface",
     "unknown interface \"ib2\" on node n1"},
    {"UnknownNetworkOfNic", [](json& d) { d["nodes"][2]["nics"][1]["network"] = "san"; }, "nodes[2].nics[1].network",
     "unknown network \"san\""},
    {"UnknownNetworkOfStep", [](json& d) { step_named(d, "Re-point storage names to IB")["network"] = "ib1"; },
     "plan.steps[8].network", "unknown network \"ib1\""},
    {"UnknownVolume", [](json& d) { d["workload"]["vms"][0]["volume"] = "images"; }, "workload.vms[0].volume",
     "unknown volume \"images\""},
    {"UnknownVolumeOfStep", [](json& d) { step_named(d, "Check volume")["volume"] = "images"; },
     "plan.steps[11].volume", "unknown volume \"images\""},
    {"UnknownTechnology", [](json& d) { d["networks"][2]["technology"] = "IB-EDR"; }, "networks[2].technology",
     "unknown technology \"IB-EDR\""},
    {"UnknownHca", [](json& d) { d["nodes"][3]["nics"][2]["hca"] = "ConnectX-9"; }, "nodes[3].nics[2].hca",
     "unknown HCA model \"ConnectX-9\""},
    {"ReplicaDoesNotDivideBricks", [](json& d) { d["volumes"][0]["replica"] = 3; }, "volumes[0].replica",
     "replica 3 does not divide the 4 bricks"},
    {"TwoBricksOfASetOnOneNode", [](json& d) { d["volumes"][0]["bricks"][1] = "n1:/bricks/other"; },
     "volumes[0].bricks", "two bricks on node n1"},
    {"ArbiterWithoutReplica3", [](json& d) { d["volumes"][0]["arbiter"] = true; }, "volumes[0].arbiter",
     "needs replica 3"},
    {"VmOnNonHypervisor", [](json& d) { d["nodes"][3]["roles"] = {"server"}; }, "workload.vms[6].node",
     "not a hypervisor"},
    {"BrickPathNotPlain", [](json& d) { d["volumes"][0]["bricks"][3] = "n4:/bricks/../vmstore"; },
     "volumes[0].bricks[3]", "not a plain absolute directory"},
    {"BrickAtTheRoot", [](json& d) { d["volumes"][0]["bricks"][3] = "n4:/"; }, "volumes[0].bricks[3]",
     "not a plain absolute directory"},
    {"BrickInsideAnother", [](json& d) { d["volumes"][0]["bricks"][2] = "n1:/bricks/vmstore/inner"; },
     "volumes[0].bricks[2]", "lie one inside the other"},
    {"BrickOfTwoVolumes",
     [](json& d) {
       d["volumes"][1]            = d["volumes"][0];
       d["volumes"][1]["name"]    = "isos";
       d["volumes"][1]["bricks"]  = {"n3:/bricks/vmstore"};
       d["volumes"][1]["replica"] = 1;
     },
     "volumes[1].bricks[0]", "share a directory"},
    {"BrickOnNonServer", [](json& d) { d["nodes"][3]["roles"] = {"hypervisor"}; }, "volumes[0].bricks[3]",
     "not a server"},
    {"PinnedSetOutOfRange", [](json& d) { d["workload"]["vms"][1]["replica_set"] = 2; }, "workload.vms[1].replica_set",
     "only 2 replica sets"},
    {"ClientWithNoPathToBrick",
     [](json& d) {
       auto& nics = d["nodes"][1]["nics"];
       nics.erase(1); // n2 loses its storage NIC
     },
     "workload.vms[0]", "no path to brick n2:/bricks/vmstore"},
    {"UnknownAction", [](json& d) { d["plan"]["steps"][3]["action"] = "reboot"; }, "plan.steps[3].action",
     "unknown action \"reboot\""},
    {"StepMissingRequiredField", [](json& d) { step_named(d, "Install HCAs").erase("interface"); },
     "plan.steps[4].interface", "missing required field for action install_nic"},
    {"UniformMaxBelowMin",
     [](json& d) {
       d["plan"]["steps"][0]["duration"]["uniform"] = {"8min", "3min"};
     },
     "plan.steps[0].duration.uniform", "max is below min"},
    {"UnsupportedSchemaVersion", [](json& d) { d["schemaVersion"] = 2; }, "schemaVersion", "unsupported version 2"},
    {"MissingSchemaVersion", [](json& d) { d.erase("schemaVersion"); }, "schemaVersion", "missing"},
    {"DuplicateNodeName", [](json& d) { d["nodes"][2]["name"] = "n1"; }, "nodes[2].name", "duplicate name \"n1\""},
    {"DuplicateVmName", [](json& d) { d["workload"]["vms"][3]["name"] = "vm1"; }, "workload.vms[3].name",
     "duplicate name \"vm1\""},
    {"SwitchWithTooFewPorts", [](json& d) { d["networks"][2]["switch"]["ports"] = 3; }, "networks[2].switch.ports",
     "has 3 ports but 4 NICs"},
    {"IpoibModeOnEthernet", [](json& d) { d["nodes"][0]["nics"][1]["mode"] = "connected"; }, "nodes[0].nics[1].mode",
     "only InfiniBand NICs"},
    {"RollingStepWithNodes",
     [](json& d) {
       d["plan"]["steps"] = {
           {{"name", "r"},
            {"rolling",
             {{"nodes", {"n1"}},
              {"steps", {{{"action", "stop_service"}, {"service", "glusterd"}, {"nodes", "all"}}}}}}}};
     },
     "plan.steps[0].rolling.steps[0].nodes", "rolling block"},
    {"FaultAfterUnknownStep",
     [](json& d) {
       d["faults"] = {{{"kind", "node_crash"}, {"node", "n2"}, {"after_step", "Reboot"}}};
     },
     "faults[0].after_step", "no plan step is named \"Reboot\""},
    // Issue 10: a pool probed by IP is said as such, not with addresses as names.
    {"AddressAsStorageName", [](json& d) { d["nodes"][2]["storage_name"] = "10.10.1.13"; }, "nodes[2].storage_name",
     "is an IP address, not a name"},
    {"UnknownPeerNaming", [](json& d) { d["storage_names"]["peers"] = "uuid"; }, "storage_names.peers",
     "expected \"fqdn\", \"short\" or \"ip\""},
    {"RewriteToANetworkAServerIsNotOn",
     [](json& d) {
       d["storage_names"]["peers"] = "ip";
       d["nodes"][3]["nics"].erase(2); // n4 has no ib0
       d["plan"]["steps"] = {{{"action", "rewrite_peer_addresses"}, {"network", "ib"}}};
     },
     "plan.steps[0].network", "server n4 has no NIC on network \"ib\""},
    // Live migration: what it copies and where it lands are in the scenario.
    {"MigrateVmWithoutMemory",
     [](json& d) {
       d["plan"]["steps"]      = {{{"action", "migrate_vms"}, {"vms", {"vm3"}}, {"to", "n1"}}};
       d["nodes"][0]["memory"] = "64GiB";
     },
     "plan.steps[0].vms", "VM vm3 has no \"memory\""},
    {"MigrateToANodeWithoutMemory",
     [](json& d) {
       d["workload"]["vms"][2]["memory"] = {{"size", "4GiB"}, {"dirty_rate", "20MBps"}, {"source", "x"}};
       d["plan"]["steps"]                = {{{"action", "migrate_vms"}, {"vms", {"vm3"}}, {"to", "n1"}}};
     },
     "plan.steps[0].to", "hypervisor n1 has no \"memory\""},
    {"MigrateToAnUnknownNode",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "migrate_vms"}, {"vms", {"vm3"}}, {"to", "n9"}}};
     },
     "plan.steps[0].to", "unknown node \"n9\""},
    {"MigrateUnknownVm",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "migrate_vms"}, {"vms", {"vm9"}}}};
     },
     "plan.steps[0].vms[0]", "unknown VM \"vm9\""},
    {"MigrateWithoutVmsOrNodes",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "migrate_vms"}}};
     },
     "plan.steps[0].nodes", "needs \"nodes\""},
    {"RewriteWithoutNetwork",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "rewrite_peer_addresses"}}};
     },
     "plan.steps[0].network", "missing required field"},
    // The fabric: HCA ports, cables and the InfiniBand software.
    {"PortOnEthernetNic", [](json& d) { d["nodes"][0]["nics"][1]["port"] = 1; }, "nodes[0].nics[1].port",
     "only InfiniBand NICs have an HCA model, an HCA port"},
    {"CabledOnEthernetNic", [](json& d) { d["nodes"][1]["nics"][1]["cabled"] = false; }, "nodes[1].nics[1].cabled",
     "only InfiniBand NICs"},
    {"HcaPortOutOfRange", [](json& d) { d["nodes"][0]["nics"][2]["port"] = 3; }, "nodes[0].nics[2].port",
     "value 3 out of range [1, 2]"},
    {"CabledNotABoolean", [](json& d) { d["nodes"][2]["nics"][2]["cabled"] = "no"; }, "nodes[2].nics[2].cabled",
     "expected true or false"},
    {"UnknownSoftwareField",
     [](json& d) {
       d["nodes"][0]["software"] = {{"opensm", true}};
     },
     "nodes[0].software.opensm", "unknown field"},
    {"RdmaEnabledWithoutPackages",
     [](json& d) {
       d["nodes"][3]["software"] = {{"infiniband", false}, {"rdma_enabled", true}};
     },
     "nodes[3].software.rdma_enabled", "comes with the InfiniBand packages"},
    {"UnknownPackageGroup",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "install_packages"}, {"packages", "opensm"}}};
     },
     "plan.steps[0].packages", "unknown package group \"opensm\" (modelled: infiniband)"},
    {"InstallPackagesWithoutPackages",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "install_packages"}}};
     },
     "plan.steps[0].packages", "missing required field for action install_packages"},
    {"UnknownService",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "start_service"}, {"service", "opensmd"}}};
     },
     "plan.steps[0].service", "unknown service \"opensmd\" (modelled: glusterd, rdma)"},
    {"StopRdmaIsNotModelled",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "stop_service"}, {"service", "rdma"}}};
     },
     "plan.steps[0].service", "stopping rdma unloads the InfiniBand stack"},
    {"VerifyPortOnEthernet",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "verify_port"}, {"interface", "eth1"}}};
     },
     "plan.steps[0].interface", "interface eth1 on node n1 is not InfiniBand: it has no HCA port"},
    {"VerifyPortWithoutInterface",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "verify_port"}}};
     },
     "plan.steps[0].interface", "missing required field for action verify_port"},
    {"VerifyPortUnknownInterface",
     [](json& d) {
       d["plan"]["steps"] = {{{"action", "verify_port"}, {"interface", "ib1"}}};
     },
     "plan.steps[0].interface", "unknown interface \"ib1\" on node n1"},
};

class LoaderRejects : public ::testing::TestWithParam<BadCase> {};

// If one of these fails, a bad scenario is accepted (and simulated with a made-up meaning), or the error points
// the admin to the wrong place in the file.
TEST_P(LoaderRejects, WithFilePathAndReason)
{
  const BadCase& c = GetParam();
  json doc         = reference();
  c.edit(doc);
  try {
    parse_scenario(doc, "x.json");
    FAIL() << "accepted a scenario with: " << c.name;
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), "x.json");
    EXPECT_EQ(e.path(), c.path) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.phrase), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("x.json: " + c.path + ": ", 0), 0u) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(BadInput, LoaderRejects, ::testing::ValuesIn(kBadCases),
                         [](const ::testing::TestParamInfo<BadCase>& i) { return i.param.name; });

} // namespace

// If this fails, the fabric fields default wrongly: ib0 is port 1 and ib1 port 2 (the kernel creates one IPoIB
// interface per port, in port order), a port is cabled and the software installed unless the scenario says
// otherwise, and an rdma service step acts on every node, not only Gluster servers.
TEST(Loader, FabricFieldsAndTheirDefaults)
{
  json doc       = reference();
  Scenario ref   = parse_scenario(doc, "x.json");
  const Nic* ib0 = ref.nodes[0].find_nic("ib0");
  ASSERT_NE(ib0, nullptr);
  EXPECT_EQ(ib0->hca_port, 1);
  EXPECT_TRUE(ib0->cabled);
  EXPECT_TRUE(ref.nodes[0].software.infiniband);
  EXPECT_TRUE(ref.nodes[0].software.rdma_enabled);
  EXPECT_FALSE(ref.nodes[0].software.stated);

  doc["nodes"][0]["nics"][2]["name"]   = "ib1";
  doc["nodes"][1]["nics"][2]["port"]   = 2;
  doc["nodes"][1]["nics"][2]["cabled"] = false;
  doc["nodes"][2]["software"]          = {{"infiniband", false}};
  doc["nodes"][3]["roles"]             = {"hypervisor"};
  doc["volumes"][0]["bricks"]          = {"n1:/b", "n2:/b", "n3:/b", "n1:/c"};
  doc["plan"]["steps"]                 = {{{"action", "install_packages"}, {"packages", "infiniband"}},
                                          {{"action", "enable_service"}, {"service", "rdma"}},
                                          {{"action", "enable_service"}, {"service", "glusterd"}},
                                          {{"action", "verify_port"}, {"interface", "ib0"}, {"nodes", {"n2"}}}};
  Scenario sc                          = parse_scenario(doc, "x.json");
  EXPECT_EQ(sc.nodes[0].find_nic("ib1")->hca_port, 2);
  EXPECT_EQ(sc.nodes[1].find_nic("ib0")->hca_port, 2);
  EXPECT_FALSE(sc.nodes[1].find_nic("ib0")->cabled);
  EXPECT_FALSE(sc.nodes[2].software.infiniband);
  EXPECT_FALSE(sc.nodes[2].software.rdma_enabled); // no packages: no rdma service either
  EXPECT_TRUE(sc.nodes[2].software.stated);
  EXPECT_EQ(sc.plan.steps[0].packages, "infiniband");
  EXPECT_EQ(sc.plan.steps[1].nodes.size(), 4u); // rdma: n4 too, although it is no Gluster server
  EXPECT_EQ(sc.plan.steps[2].nodes.size(), 3u); // glusterd: the servers only
  EXPECT_EQ(sc.plan.steps[3].action, Action::VerifyPort);
  EXPECT_EQ(sc.plan.steps[3].interface, "ib0");
}

// If this fails, the edits above are not the only mistake: the unedited reference itself would be refused.
TEST(Loader, ReferenceLoads)
{
  Scenario sc = parse_scenario(reference(), "x.json");
  EXPECT_EQ(sc.nodes.size(), 4u);
  EXPECT_EQ(sc.volumes[0].replica_sets(), 2);
  EXPECT_EQ(sc.plan.steps.size(), 14u);
  EXPECT_DOUBLE_EQ(sc.nodes[0].disk.write.value, 200e6); // "200MBps" is 200 * 10^6 bytes/s
}

// If this fails, a JSON syntax error is reported without a usable position (or as a crash).
TEST(Loader, MalformedJsonGivesLineAndColumn)
{
  std::string path = temp_file("ibmig-malformed.json", "{\n  \"schemaVersion\": 1,\n  \"name\": ]\n}\n");
  try {
    load_scenario(path);
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(std::string(e.what()).find("line 3, column 11"), std::string::npos) << e.what();
  }
}

// If this fails, a missing file is reported as something else (or crashes).
TEST(Loader, MissingFile)
{
  try {
    load_scenario(kRoot + "/scenarios/no-such-file.json");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
    EXPECT_EQ(e.file(), kRoot + "/scenarios/no-such-file.json");
  }
}

// If this fails, rolling blocks are not expanded node by node, or their steps lose where they came from.
TEST(Loader, RollingBlocksExpandPerNode)
{
  Scenario sc = load_scenario(kRoot + "/scenarios/reference-rolling.json");
  ASSERT_GE(sc.plan.steps.size(), 8u);
  EXPECT_EQ(sc.plan.steps[0].name, "Stop the node's VMs (n1)");
  EXPECT_EQ(sc.plan.steps[0].json_path, "plan.steps[0].rolling.steps[0]");
  EXPECT_EQ(sc.plan.steps[0].nodes, std::vector<std::string>{"n1"});
  EXPECT_EQ(sc.plan.steps[0].rolling_group, 0);
  EXPECT_EQ(sc.plan.steps[8].rolling_node, "n2"); // 8 steps per node in the first block
}

// If this fails, a duration distribution is read wrongly: a single run uses the mean of uniform, the median of
// lognormal, the mean of normal.
TEST(Loader, DurationNominalValues)
{
  Scenario sc = load_scenario(kRoot + "/scenarios/reference.json");
  EXPECT_DOUBLE_EQ(sc.plan.steps[0].duration.nominal().value, 330);  // uniform 3min..8min
  EXPECT_DOUBLE_EQ(sc.plan.steps[4].duration.nominal().value, 2400); // lognormal median 40min
  EXPECT_DOUBLE_EQ(sc.plan.steps[6].duration.nominal().value, 600);  // normal mean 10min
  EXPECT_DOUBLE_EQ(sc.plan.steps[2].duration.nominal().value, 30);   // fixed
}

// --- --set overrides ---------------------------------------------------------------------------------------------

// If this fails, `--set` changes the JSON type of a value (an integer becoming a string is then refused by the
// loader with a confusing message) or does not reach the scenario.
TEST(Overrides, ReplaceScalarsKeepingTypes)
{
  json doc = reference();
  apply_overrides(doc,
                  {{"workload.before", "120s"},
                   {"workload.vms[1].replica_set", "0"},
                   {"nodes[0].nics[2].present", "true"},
                   {"calibration.heal_MBps.value", "120.5"}},
                  "x.json");
  EXPECT_EQ(doc["workload"]["before"], "120s");
  EXPECT_TRUE(doc["workload"]["vms"][1]["replica_set"].is_number_integer());
  EXPECT_TRUE(doc["nodes"][0]["nics"][2]["present"].is_boolean());
  Scenario sc = parse_scenario(doc, "x.json");
  EXPECT_DOUBLE_EQ(sc.workload.before.value, 120);
  EXPECT_EQ(*sc.workload.vms[1].pinned_set, 0);
  EXPECT_TRUE(sc.nodes[0].nics[2].present);
  EXPECT_DOUBLE_EQ(sc.calibration.heal_MBps.value, 120.5);
}

// If this fails, Gluster option names (which contain dots) cannot be overridden.
TEST(Overrides, DottedOptionNames)
{
  Scenario sc = load_scenario(kRoot + "/scenarios/reference.json",
                              {parse_override("volumes[0].options.network.ping-timeout=10s"),
                               parse_override("volumes[0].options.cluster.read-hash-mode=2")});
  EXPECT_DOUBLE_EQ(sc.volumes[0].ping_timeout.value, 10);
  EXPECT_EQ(sc.volumes[0].read_hash_mode, 2);
}

// If this fails, a --set typo is silently ignored or replaces a whole object.
TEST(Overrides, RejectsBadPathsAndValues)
{
  auto expect = [](const std::string& path, const std::string& value, const std::string& phrase) {
    json doc = reference();
    try {
      apply_overrides(doc, {{path, value}}, "x.json");
      ADD_FAILURE() << "accepted --set " << path << "=" << value;
    } catch (const ScenarioError& e) {
      EXPECT_EQ(e.path(), path);
      EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
    }
  };
  expect("workload.before.x", "120s", "no such field");
  expect("nodes[0].nics[9].mode", "connected", "no element [9]");
  expect("nodes[9].name", "x", "no element [9]");
  expect("workload.vms", "x", "not a scalar");
  expect("networks[0].switch", "x", "not a scalar");
  expect("workload.vms[0].replica_set", "one", "expected a number");
  expect("nodes[0].nics[2].present", "yes", "expected true or false");
  expect("nodes[x].name", "n1", "bad index");
  expect("nodes[1x].name", "n1", "bad index");
  expect("nodes[-1].name", "n1", "bad index");
}

// If this fails, a misspelt --set field is added and accepted: a field the file lacks may be added (--set
// nodes[0].memory=64GiB), and the loader then refuses it, as it would in the file, naming the --set.
TEST(Overrides, AddedFieldsAreCheckedByTheLoader)
{
  const std::string ref = kRoot + "/scenarios/reference.json";
  struct Case {
    std::string set, path;
  };
  for (const Case& c :
       std::vector<Case>{{"workload.bfore=120s", "workload.bfore"},
                         {"volumes[0].options.network.ping-timeot=10s", "volumes[0].options.network.ping-timeot"},
                         {"nodes[0].disk.sped=1GBps", "nodes[0].disk.sped"}}) {
    try {
      load_scenario(ref, {parse_override(c.set)});
      ADD_FAILURE() << "accepted --set " << c.set;
    } catch (const ScenarioError& e) {
      EXPECT_EQ(e.path(), c.path);
      EXPECT_NE(std::string(e.what()).find("unknown field (" + c.path + " added by --set " + c.set + ")"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(load_scenario(ref, {parse_override("nodes[0].memory=64GiB")}).nodes[0].memory->value, 64.0 * (1 << 30));
}

// If this fails, a fractional --set on an integer field gets through: JSON has one number type, so the override
// stores 1.5 and the loader must refuse it at the field's own path.
TEST(Overrides, FractionOnIntegerFieldIsRefusedByTheLoader)
{
  json doc = reference();
  apply_overrides(doc, {{"workload.vms[0].replica_set", "1.5"}}, "x.json");
  try {
    parse_scenario(doc, "x.json");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.path(), "workload.vms[0].replica_set");
    EXPECT_NE(std::string(e.what()).find("expected an integer"), std::string::npos) << e.what();
  }
}

// If this fails, the command line "--set PATH=VALUE" is split in the wrong place.
TEST(Overrides, ParseOverride)
{
  Override o = parse_override("plan.name=a=b");
  EXPECT_EQ(o.path, "plan.name");
  EXPECT_EQ(o.value, "a=b");
  EXPECT_THROW(parse_override("workload.before"), ScenarioError);
  EXPECT_THROW(parse_override("=120s"), ScenarioError);
}

// --- golden files ------------------------------------------------------------------------------------------------

// If this fails, a shipped scenario (a documented example or a checker test case) no longer loads.
TEST(Golden, EveryScenarioFileLoads)
{
  int loaded = 0;
  for (std::string dir : {"/scenarios", "/scenarios/broken"})
    for (auto const& e : std::filesystem::directory_iterator(kRoot + dir)) {
      if (e.path().extension() != ".json") continue;
      SCOPED_TRACE(e.path().string());
      EXPECT_NO_THROW({
        try {
          load_scenario(e.path().string());
        } catch (const ScenarioError& err) {
          ADD_FAILURE() << err.what();
          throw;
        }
      });
      loaded++;
    }
  EXPECT_GE(loaded, 14);
}

// If this fails, a variant's workload drifted from the reference: the simulator's figures would compare apples with
// pears. Only the distributed variant re-pins vm2.
TEST(Golden, VariantsKeepTheReferenceWorkload)
{
  json ref = reference();
  for (std::string v : {"reference-rolling", "reference-datagram", "reference-distributed", "reference-peers-by-ip"}) {
    SCOPED_TRACE(v);
    std::ifstream in(kRoot + "/scenarios/" + v + ".json");
    json doc = expand_scenario(json::parse(in), v).document; // compared as loaded: the compact form expanded
    if (v == "reference-distributed") {
      EXPECT_EQ(doc["workload"]["vms"][1]["replica_set"], 2);
      doc["workload"]["vms"][1]["replica_set"] = ref["workload"]["vms"][1]["replica_set"];
    }
    EXPECT_EQ(doc["workload"], ref["workload"]);
    EXPECT_EQ(doc["nodes"], ref["nodes"]);
    EXPECT_EQ(doc["networks"], ref["networks"]);
    EXPECT_EQ(doc["calibration"], ref["calibration"]);
  }
}

// --- input text and --set values that cannot slip (issue 7; inputs from tests/repro and tests/models/inputs) ------

namespace {

const std::string kReference = kRoot + "/scenarios/reference.json";
const std::string kRepro     = kRoot + "/tests/repro/";
const std::string kInputs    = kRoot + "/tests/models/inputs/";

/* The ScenarioError that loading gives, or a test failure when it loads. */
ScenarioError load_error(const std::string& file, const std::vector<Override>& overrides = {})
{
  try {
    load_scenario(file, overrides);
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << file << " loaded" << (overrides.empty() ? "" : " with --set " + overrides[0].path);
  return ScenarioError(file, "", "(loaded)");
}

bool says(const ScenarioError& e, const std::string& phrase)
{
  return std::string(e.what()).find(phrase) != std::string::npos;
}

} // namespace

// If this fails, --set reads numbers as std::stod does: "nan" and "inf" became null in Release and a UBSan
// float-cast-overflow (double to long long) before it; hex and signs slipped in as numbers a file cannot hold.
TEST(InputText, SetNonNumberOnNumberFieldIsRefusedAtTheSet)
{
  for (std::string v : {"nan", "inf", "-inf", "NaN", "0x10", "+1", " 1", "1 ", "1.", ".5", "", "1e", "true"}) {
    ScenarioError e = load_error(kReference, {{"networks[0].switch.ports", v}});
    EXPECT_EQ(e.file(), kReference) << v;
    EXPECT_EQ(e.path(), "networks[0].switch.ports") << v;
    EXPECT_TRUE(says(e, "--set: expected a number")) << e.what();
    EXPECT_TRUE(says(e, "got \"" + v + "\"")) << e.what();
  }
  ScenarioError e = load_error(kReference, {{"networks[0].switch.ports", "1e99999"}});
  EXPECT_EQ(e.path(), "networks[0].switch.ports");
  EXPECT_TRUE(says(e, "--set: number 1e99999 is out of range")) << e.what();
  EXPECT_FALSE(says(e, "json.exception")) << e.what();
}

// If this fails, an integer field takes a number that is not an integer literal (1e300 and 9.3e18 were cast to
// long long), or the error does not say that the value came from --set.
TEST(InputText, SetOnIntegerFieldNeedsAnIntegerLiteral)
{
  for (std::string v : {"1e300", "9.3e18", "1e3", "24.0", "1.5"}) {
    ScenarioError e = load_error(kReference, {{"networks[0].switch.ports", v}});
    EXPECT_EQ(e.path(), "networks[0].switch.ports") << v;
    EXPECT_TRUE(says(e, "expected an integer")) << e.what();
    EXPECT_TRUE(says(e, "(the value of --set networks[0].switch.ports=" + v + ")")) << e.what();
  }
  ScenarioError big = load_error(kReference, {{"networks[0].switch.ports", "18446744073709551615"}});
  EXPECT_TRUE(says(big, "value 18446744073709551615 out of range")) << big.what();
  ScenarioError bigger = load_error(kReference, {{"networks[0].switch.ports", "18446744073709551616"}});
  EXPECT_TRUE(says(bigger, "--set: integer 18446744073709551616 does not fit in 64 bits")) << bigger.what();
  Scenario sc = load_scenario(kReference, {{"networks[0].switch.ports", "30"}});
  EXPECT_EQ(sc.networks[0].sw.ports, 30);
}

// If this fails, a real-valued field written as an integer in the file ("value": 80) refuses an exponent or a
// fraction from --set, or reads it wrongly.
TEST(InputText, SetOnRealFieldTakesAnyFiniteNumber)
{
  Scenario sc = load_scenario(kReference, {{"calibration.heal_MBps.value", "1.5e2"}});
  EXPECT_DOUBLE_EQ(sc.calibration.heal_MBps.value, 150);
  ScenarioError e = load_error(kReference, {{"calibration.heal_MBps.value", "-0.5"}}); // read, then range-checked
  EXPECT_EQ(e.path(), "calibration.heal_MBps.value");
  EXPECT_TRUE(says(e, "value -0.5 out of range")) << e.what();
}

// If this fails, a byte that is not UTF-8 reaches a JSON string from --set, and the first dump() of it (a report,
// a message quoting it) throws raw library text with exit status 3.
TEST(InputText, SetValueOrPathThatIsNotUtf8IsRefused)
{
  ScenarioError e = load_error(kReference, {{"name", "\xff"}});
  EXPECT_EQ(e.path(), "name");
  EXPECT_TRUE(says(e, "--set: the value \"\\xFF\" is not valid UTF-8")) << e.what();
  std::string repro = kRepro + "ref-step-nodes.json"; // the value lands in a message that quotes it
  e                 = load_error(repro, {{"plan.steps[0].nodes[0]", "\xff"}});
  EXPECT_EQ(e.file(), repro);
  EXPECT_EQ(e.path(), "plan.steps[0].nodes[0]");
  EXPECT_TRUE(says(e, "not valid UTF-8")) << e.what();
  // Overlong "/", a surrogate, a truncated euro sign, above U+10FFFF, a lone continuation byte.
  for (std::string v : {"\xc0\xaf", "\xed\xa0\x80", "x\xe2\x82", "\xf4\x90\x80\x80", "\x80"})
    EXPECT_TRUE(says(load_error(kReference, {{"name", v}}), "not valid UTF-8")) << v;
  e = load_error(kReference, {{"na\xffme", "x"}});
  EXPECT_EQ(e.path(), "na\\xFFme"); // printable in the message
  EXPECT_TRUE(says(e, "--set: the path is not valid UTF-8")) << e.what();
  Scenario sc = load_scenario(kReference, {{"name", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"}}); // é € 😀
  EXPECT_EQ(sc.name, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_NO_THROW(json(sc.name).dump());
}

// If this fails, the validator disagrees with nlohmann's (RFC 3629) about what UTF-8 is, or points elsewhere.
TEST(InputText, FirstInvalidUtf8)
{
  EXPECT_EQ(first_invalid_utf8(""), std::string::npos);
  EXPECT_EQ(first_invalid_utf8("ascii \xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf"), std::string::npos); // up to U+10FFFF
  EXPECT_EQ(first_invalid_utf8("ab\xff"), 2u);
  EXPECT_EQ(first_invalid_utf8("a\xe0\x80\x80"), 1u); // overlong
  EXPECT_EQ(first_invalid_utf8("a\xc3"), 1u);         // truncated at the end
  EXPECT_EQ(first_invalid_utf8("a\xc3("), 1u);        // continuation byte missing
}

// If this fails, a scenario file that is not UTF-8 is reported without a position (or as "not valid JSON").
TEST(InputText, FileThatIsNotUtf8GivesLineAndColumn)
{
  ScenarioError e = load_error(kInputs + "name-not-utf8.json"); // "caf\xe9" in Latin-1
  EXPECT_EQ(e.file(), kInputs + "name-not-utf8.json");
  EXPECT_TRUE(says(e, "not valid UTF-8 at line 3, column 14 (byte 0xE9)")) << e.what();
}

// If this fails, a number beyond a double is raw library text ("[json.exception.out_of_range.406]") with exit
// status 3 instead of bad input naming the file, the position and, inside a document, the JSON path.
TEST(InputText, NumberBeyondADoubleNamesFileAndPosition)
{
  std::string whole = kInputs + "whole-file-1e99999.json";
  ScenarioError e   = load_error(whole);
  EXPECT_EQ(e.file(), whole);
  EXPECT_EQ(e.path(), "");
  EXPECT_EQ(std::string(e.what()), whole + ": number 1e99999 is out of range at line 1, column 1");
  std::string text = reference().dump(1);
  auto at          = text.find("\"ports\": 24");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 11, "\"ports\": 1e99999");
  std::string path = temp_file("ibmig-ports-1e99999.json", text);
  e                = load_error(path);
  EXPECT_EQ(e.path(), "networks[0].switch.ports");
  EXPECT_TRUE(says(e, "number 1e99999 is out of range at line ")) << e.what();
}

// If this fails, an integer above INT64_MAX (stored unsigned by nlohmann) is shown wrapped, as "-1", or one
// above 64 bits is rounded to a double and shown as a different number.
TEST(InputText, IntegerAboveInt64IsShownAsWritten)
{
  std::string file = kInputs + "switch-ports-2pow64-minus-1.json";
  ScenarioError e  = load_error(file);
  EXPECT_EQ(e.path(), "networks[0].switch.ports");
  EXPECT_TRUE(says(e, "value 18446744073709551615 out of range [1, 100000]")) << e.what();
  EXPECT_EQ(load_scenario(file, {{"networks[0].switch.ports", "24"}}).networks[0].sw.ports, 24); // nothing else wrong
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("18446744073709551615"), 20, "18446744073709551616");
  e = load_error(temp_file("ibmig-ports-2pow64.json", text));
  EXPECT_EQ(e.path(), "networks[0].switch.ports");
  EXPECT_TRUE(says(e, "integer 18446744073709551616 does not fit in 64 bits")) << e.what();
}

// If this fails, a key written twice in one object is silently resolved (nlohmann keeps the last one).
TEST(InputText, KeyTwiceInOneObjectIsRefused)
{
  std::string text = reference().dump(1);
  text.replace(text.find("\"ports\": 24"), 11, "\"ports\": 24, \"ports\": 2");
  ScenarioError e = load_error(temp_file("ibmig-ports-twice.json", text));
  EXPECT_EQ(e.path(), "networks[0].switch.ports");
  EXPECT_TRUE(says(e, "the key \"ports\" appears twice")) << e.what();
}

// If this fails, a malformed --set path selects another element (the unterminated "networks[12." selected
// networks[1]) or a field the user did not name.
TEST(Overrides, PathGrammarIsStrict)
{
  struct Bad {
    std::string path, phrase;
  };
  for (const Bad& b : std::vector<Bad>{{"networks[12.switch.ports", "\"[\" at character 9 is not closed"},
                                       {"networks[1x.switch.ports", "\"[\" at character 9 is not closed"},
                                       {"networks[1]].switch.ports", "\"]\" at character 12 closes no \"[\""},
                                       {"networks]1[.switch.ports", "\"]\" at character 9 closes no"},
                                       {"networks[0]switch.ports", "\".\" or \"[\" expected after \"]\""},
                                       {"networks[0]..switch.ports", "a field name is missing at character 13"},
                                       {".name", "a field name is missing at character 1"},
                                       {"name.", "a field name is missing at character 6"},
                                       {"networks.[0].name", "a field name is missing at character 10"},
                                       {"[0].name", "a field name is missing"},
                                       {"networks[].name", "bad index []"},
                                       {"networks[01].name", "bad index [01]"},
                                       {"networks[1.5].name", "bad index [1.5]"},
                                       {"networks[1234567890].name", "bad index"}}) {
    ScenarioError e = load_error(kReference, {{b.path, "1"}});
    EXPECT_EQ(e.path(), b.path);
    EXPECT_TRUE(says(e, "--set: bad path: " + b.phrase)) << e.what();
  }
  // A well-formed path into a string (the index after an option name is not skipped).
  ScenarioError e = load_error(kReference, {{"volumes[0].options.network.ping-timeout[0]", "1"}});
  EXPECT_TRUE(says(e, "no element [0]")) << e.what();
  EXPECT_EQ(load_scenario(kReference, {{"networks[2].switch.ports", "12"}}).networks[2].sw.ports, 12);
}

// If this fails, names that SimGrid, the reports or the emulator would merge get past the loader (SimGrid aborted
// on both repro files while `check` said OK), or the error does not point at both places.
TEST(Loader, CollidingNamesAreRefusedNamingBothPaths)
{
  ScenarioError e = load_error(kRepro + "sim-duplicate-switch-name.json");
  EXPECT_EQ(e.path(), "networks[1].switch.name");
  EXPECT_TRUE(says(e, "(networks[0].switch.name)")) << e.what();
  e = load_error(kReference, {{"networks[1].switch.name", "sw-lan"}});
  EXPECT_EQ(e.path(), "networks[1].switch.name");
  EXPECT_TRUE(says(e, "(networks[0].switch.name)")) << e.what();
  EXPECT_TRUE(says(e, "(the value of --set networks[1].switch.name=sw-lan)")) << e.what();
  e = load_error(kRepro + "sim-link-name-collision.json"); // node a NIC b-eth0, node a-b NIC eth0
  EXPECT_EQ(e.path(), "nodes[1].nics[0].name");
  EXPECT_TRUE(says(e, "NIC \"a-b-eth0\" (node a-b, NIC eth0)")) << e.what();
  EXPECT_TRUE(says(e, "(nodes[0].nics[0].name)")) << e.what();
  // A switch named like a node, or like a node's NIC, reads as that node or NIC in a report.
  // The node names come from the range "n{1..4}" of nodes[0], the NICs from defaults.nics: the error names them.
  e = load_error(kReference, {{"networks[2].switch.name", "n3"}});
  EXPECT_EQ(e.path(), "nodes[0].name");
  EXPECT_TRUE(says(e, "(nodes[2].name once expanded)")) << e.what();
  EXPECT_TRUE(says(e, "(networks[2].switch.name)")) << e.what();
  e = load_error(kReference, {{"networks[0].switch.name", "n4-ib0"}});
  EXPECT_EQ(e.path(), "defaults.nics[2].name");
  EXPECT_TRUE(says(e, "(nodes[3].nics[2].name once expanded)")) << e.what();
  EXPECT_TRUE(says(e, "(networks[0].switch.name)")) << e.what();
  // A node named like another node's NIC: one vertex name in the topology graph for two vertices.
  e = load_error(kReference, {{"nodes[3].name", "n1-eth1"}});
  EXPECT_EQ(e.path(), "nodes[3].name");
  EXPECT_TRUE(says(e, "(nodes[0].nics[1].name)")) << e.what();
}
