/* The compact scenario (defaults, node groups, name ranges, VM templates) and --set with selectors: expanded into
 * the plain form with each value's origin, errors naming the path the user wrote, --set reaching every node a range
 * made and adding fields the schema allows. */
#include "name_pattern.hpp"
#include "scenario_expansion.hpp"
#include "scenario_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

using namespace ibmig;
using nlohmann::json;

namespace {

const std::string kRoot = IBMIG_SOURCE_DIR;

/* Four nodes said once: every node has eth1 and ib0 (defaults), n1 and n2 are servers with faster disks (a group),
 * n4 has another HCA (a group) and its own disk and IPoIB mode (the node's entry); eight VMs, two per node. */
json compact()
{
  return json::parse(R"({
  "schemaVersion": 1, "name": "compact",
  "networks": [{"name": "storage", "technology": "1GbE", "switch": {"name": "sw", "ports": 16}},
               {"name": "ib", "technology": "IB-SDR", "switch": {"name": "sw-ib", "ports": 16}}],
  "defaults": {
    "node": {"roles": ["hypervisor"], "disk": {"write": "200MBps", "source": "fio"}},
    "nics": [{"name": "eth1", "network": "storage", "address": "10.0.1.{n+10}"},
             {"name": "ib0", "network": "ib", "hca": "ConnectX-3", "mode": "datagram", "mtu": 2044}],
    "vm": {"volume": "vol", "streams": [{"type": "sequential-write", "rate": "10MBps"}]}
  },
  "node_groups": {
    "servers": {"nodes": ["n{1..2}"], "roles": ["server", "hypervisor"], "disk": {"write": "400MBps"}},
    "old_hca": {"nodes": "n4", "nics": [{"name": "ib0", "hca": "ConnectX-2"}]}
  },
  "nodes": ["n{1..3}", {"name": "n4", "disk": {"write": "100MBps"}, "nics": [{"name": "ib0", "mode": "connected"}]}],
  "volumes": [{"name": "vol", "replica": 2, "bricks": ["n{1..2}:/b"]}],
  "workload": {"vms": [{"name": "vm{1..8}", "nodes": "n{1..4}", "per_node": 2},
                       {"name": "big", "node": "n1", "streams": [{"type": "sequential-read"}]}]}
})");
}

/* One file per test: ctest runs the tests of this binary in parallel processes. */
std::string temp_file(const std::string& name, const json& doc)
{
  const std::string test = testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string path       = (std::filesystem::temp_directory_path() / (test + "-" + name)).string();
  std::ofstream(path) << doc.dump(1);
  return path;
}

ScenarioError load_error(const json& doc, const std::vector<Override>& overrides = {})
{
  std::string file = temp_file("ibmig-compact.json", doc);
  try {
    load_scenario(file, overrides);
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "loaded";
  return ScenarioError("", "", "");
}

bool says(const ScenarioError& e, const std::string& phrase)
{
  return std::string(e.what()).find(phrase) != std::string::npos;
}

} // namespace

// If this fails, a range, a placeholder or zero padding makes other names than the ones written.
TEST(NamePattern, RangesAndPlaceholders)
{
  auto names = expand_range("web{08..10}-a");
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0].name, "web08-a");
  EXPECT_EQ(names[2].name, "web10-a");
  EXPECT_EQ(names[2].number, 10);
  EXPECT_EQ(expand_range("n12")[0].number, 12); // no range: the trailing number
  EXPECT_EQ(substitute_placeholders("10.0.{n+10}.{n}/{name}", names[0]), "10.0.18.8/web08-a");
  EXPECT_EQ(substitute_placeholders("{n-8}", names[0]), "0");
  EXPECT_EQ(substitute_placeholders("{x}{n+}", names[0]), "{x}{n+}"); // not placeholders: kept as written
  EXPECT_THROW(expand_range("n{4..1}"), std::invalid_argument);
  EXPECT_THROW(expand_range("n{1..2}{1..2}"), std::invalid_argument);
  EXPECT_THROW(expand_range("n{1..999999}"), std::invalid_argument);
  EXPECT_THROW(substitute_placeholders("{n}", numbered("head")), std::invalid_argument);
}

// If this fails, defaults, groups and a node's own entry do not stack in the documented order (defaults, then
// groups, then the node), NICs are not merged by name, or VMs are not placed two per node in order.
TEST(Expansion, LayersStackAndNicsMergeByName)
{
  json plain = expand_scenario(compact(), "c.json").document;
  EXPECT_FALSE(plain.contains("defaults"));
  EXPECT_FALSE(plain.contains("node_groups"));
  ASSERT_EQ(plain["nodes"].size(), 4u);
  const json& n1 = plain["nodes"][0];
  EXPECT_EQ(n1, json::parse(R"({"name": "n1", "roles": ["server", "hypervisor"],
    "disk": {"write": "400MBps", "source": "fio"},
    "nics": [{"name": "eth1", "network": "storage", "address": "10.0.1.11"},
             {"name": "ib0", "network": "ib", "hca": "ConnectX-3", "mode": "datagram", "mtu": 2044}]})"));
  EXPECT_EQ(plain["nodes"][2]["roles"], json::parse(R"(["hypervisor"])")) << "n3 is in no group";
  EXPECT_EQ(plain["nodes"][2]["disk"]["write"], "200MBps");
  const json& n4 = plain["nodes"][3];
  EXPECT_EQ(n4["disk"]["write"], "100MBps");
  EXPECT_EQ(n4["nics"][1], json::parse(R"({"name": "ib0", "network": "ib", "hca": "ConnectX-2",
                                           "mode": "connected", "mtu": 2044})"));
  EXPECT_EQ(n4["nics"][0]["address"], "10.0.1.14");
  EXPECT_EQ(plain["volumes"][0]["bricks"], json::parse(R"(["n1:/b", "n2:/b"])"));
  const json& vms = plain["workload"]["vms"];
  ASSERT_EQ(vms.size(), 9u);
  EXPECT_EQ(vms[0]["node"], "n1");
  EXPECT_EQ(vms[1]["node"], "n1");
  EXPECT_EQ(vms[2]["node"], "n2");
  EXPECT_EQ(vms[7]["node"], "n4");
  EXPECT_EQ(vms[7]["name"], "vm8");
  EXPECT_EQ(vms[7]["volume"], "vol");
  EXPECT_FALSE(vms[7].contains("per_node"));
  EXPECT_EQ(vms[8]["streams"], json::parse(R"([{"type": "sequential-read"}])")) << "a VM's own list replaces";
  Scenario sc = load_scenario(temp_file("ibmig-compact.json", compact()));
  EXPECT_EQ(sc.nodes.size(), 4u);
  EXPECT_EQ(sc.workload.vms.size(), 9u);
  EXPECT_EQ(sc.nodes[3].nics[1].mode, IpoibMode::Connected);
}

// If this fails, a VM template without per_node does not deal its VMs out in turn.
TEST(Expansion, VmTemplateRoundRobin)
{
  json doc                          = compact();
  doc["workload"]["vms"][0]["name"] = "vm{1..6}";
  doc["workload"]["vms"][0].erase("per_node");
  json vms = expand_scenario(doc, "c.json").document["workload"]["vms"];
  std::vector<std::string> nodes;
  for (size_t i = 0; i < 6; i++)
    nodes.push_back(vms[i]["node"]);
  EXPECT_EQ(nodes, (std::vector<std::string>{"n1", "n2", "n3", "n4", "n1", "n2"}));
}

// If this fails, a plain scenario is changed by the expansion (the shipped tests' figures would move).
TEST(Expansion, PlainDocumentIsUnchanged)
{
  std::ifstream in(kRoot + "/scenarios/reference-rolling-live.json");
  json doc = json::parse(in);
  EXPECT_EQ(expand_scenario(doc, "x.json").document, doc);
}

// If this fails, an error in a value said once is reported at the expanded node's path, where the user never wrote
// anything, or loses the file name.
TEST(Expansion, ErrorsNameThePathTheUserWrote)
{
  struct Case {
    std::string name;
    std::function<void(json&)> edit;
    std::string path, phrase;
  };
  const std::vector<Case> cases = {
      {"default NIC", [](json& d) { d["defaults"]["nics"][1]["mode"] = "fast"; }, "defaults.nics[1].mode",
       "expected \"datagram\" or \"connected\", got \"fast\" (nodes[0].nics[1].mode once expanded)"},
      {"group NIC", [](json& d) { d["node_groups"]["old_hca"]["nics"][0]["hca"] = "X"; },
       "node_groups.old_hca.nics[0].hca", "unknown HCA model \"X\" (nodes[3].nics[1].hca once expanded)"},
      {"default node field", [](json& d) { d["defaults"]["node"]["disk"]["speed"] = "1GBps"; },
       "defaults.node.disk.speed", "unknown field"},
      {"group field", [](json& d) { d["node_groups"]["servers"]["disk"]["write"] = "400"; },
       "node_groups.servers.disk.write", "no unit"},
      {"node's own NIC", [](json& d) { d["nodes"][1]["nics"][0]["mtu"] = 1; }, "nodes[1].nics[0].mtu", "out of range"},
      {"missing field of a group", [](json& d) { d["defaults"]["node"].erase("disk"); },
       "node_groups.servers.disk.source", "missing required field (nodes[0].disk.source once expanded)"},
      {"range names a duplicate",
       [](json& d) {
         d["nodes"][1]["name"]         = "n3";
         d["nodes"][1]["storage_name"] = "x.storage";
         d["node_groups"].erase("old_hca");
       },
       "nodes[1].name", "duplicate name \"n3\""},
      {"VM template", [](json& d) { d["workload"]["vms"][0]["access"] = "nfs"; }, "workload.vms[0].access",
       "expected \"fuse\" or \"gfapi\", got \"nfs\""},
      {"VM after a template", [](json& d) { d["workload"]["vms"][1]["access"] = "nfs"; }, "workload.vms[1].access",
       "got \"nfs\" (workload.vms[8].access once expanded)"},
      {"default VM", [](json& d) { d["defaults"]["vm"]["volume"] = "other"; }, "defaults.vm.volume",
       "unknown volume \"other\""},
      {"brick range", [](json& d) { d["volumes"][0]["bricks"][0] = "n{3..4}:/b"; }, "volumes[0].bricks[0]",
       "node n3 is not a server"},
      {"unknown defaults key", [](json& d) { d["defaults"]["nic"] = json::object(); }, "defaults.nic",
       "unknown field (defaults has \"node\", \"nics\", \"vm\")"},
      {"group of an unknown node", [](json& d) { d["node_groups"]["servers"]["nodes"].push_back("n9"); },
       "node_groups.servers.nodes[1]", "unknown node \"n9\""},
      {"bad range", [](json& d) { d["nodes"][0] = "n{3..1}"; }, "nodes[0]", "is empty"},
      {"placeholder without a number",
       [](json& d) {
         d["nodes"][1]["name"] = "head";
         d["node_groups"].erase("old_hca");
       },
       "defaults.nics[0].address", "uses {n+10}, but the name \"head\" has no number"},
      {"two groups set one field",
       [](json& d) {
         d["node_groups"]["old_hca"]["nodes"] = "n{1..4}";
         d["node_groups"]["old_hca"]["disk"]  = {{"write", "1GBps"}};
       },
       "node_groups.servers.disk.write", "node n1 is also in group old_hca, which sets disk.write too"},
      {"VMs do not fill the nodes", [](json& d) { d["workload"]["vms"][0]["per_node"] = 3; }, "workload.vms[0].name",
       "8 VMs do not fill 4 nodes with 3 each"},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.name);
    json doc = compact();
    c.edit(doc);
    ScenarioError e = load_error(doc);
    EXPECT_EQ(e.path(), c.path) << e.what();
    EXPECT_TRUE(says(e, c.phrase)) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(e.file() + ": " + c.path + ": ", 0), 0u) << e.what();
  }
}

// --- --set with selectors -------------------------------------------------------------------------------------------

// If this fails, a selector does not reach every node a range made, a [field=value] selects the wrong elements, or
// a field the file lacks cannot be added.
TEST(SetSelectors, SelectAndAdd)
{
  std::string file = temp_file("ibmig-compact.json", compact());
  Scenario sc      = load_scenario(file, {parse_override("nodes[*].disk.read=300MBps"),
                                          parse_override("nodes[role=server].memory=64GiB"),
                                          parse_override("nodes[*].nics[name=ib0].mode=connected"),
                                          parse_override("workload.vms[name=vm3].access=gfapi")});
  for (auto const& n : sc.nodes) {
    EXPECT_DOUBLE_EQ(n.disk.read.value, 300e6) << n.name;
    EXPECT_EQ(n.nics[1].mode, IpoibMode::Connected) << n.name;
    EXPECT_EQ(n.memory.has_value(), n.server) << n.name << ": memory added to the servers only";
  }
  for (auto const& vm : sc.workload.vms)
    EXPECT_EQ(vm.access == Access::Gfapi, vm.name == "vm3") << vm.name;
  // Into the compact sections: applied before the expansion, so every node it reaches changes.
  sc = load_scenario(file, {parse_override("defaults.nics[name=ib0].mtu=4092"),
                            parse_override("node_groups.servers.software.infiniband=false"),
                            parse_override("node_groups.servers.software.rdma_enabled=false")});
  for (auto const& n : sc.nodes) {
    EXPECT_EQ(n.nics[1].mtu, 4092) << n.name;
    EXPECT_EQ(n.software.infiniband, !n.server) << n.name;
  }
}

// If this fails, a --set that reaches nothing is silently ignored, an added field the schema lacks is accepted, or
// the error does not name the --set.
TEST(SetSelectors, ErrorsNameTheSet)
{
  json doc        = compact();
  auto err        = [&](const std::string& set) { return load_error(doc, {parse_override(set)}); };
  ScenarioError e = err("nodes[role=client].memory=1GiB");
  EXPECT_EQ(e.path(), "nodes[role=client].memory");
  EXPECT_TRUE(says(e, "--set: [role=client] matches no element of nodes")) << e.what();
  e = err("nodes[*].nics[name=ib9].mtu=2044");
  EXPECT_TRUE(says(e, "[name=ib9] matches no element")) << e.what();
  e = err("nodes[*].colour=blue");
  EXPECT_EQ(e.path(), "nodes[0].colour");
  EXPECT_TRUE(says(e, "unknown field (nodes[0].colour added by --set nodes[*].colour=blue)")) << e.what();
  e = err("nodes[1].disk.write=fast");
  EXPECT_EQ(e.path(), "nodes[1].disk.write");
  EXPECT_TRUE(says(e, "(the value of --set nodes[1].disk.write=fast)")) << e.what();
  e = err("defaults.nics[1].mode=fast");
  EXPECT_EQ(e.path(), "defaults.nics[1].mode");
  EXPECT_TRUE(says(e, "(the value of --set defaults.nics[1].mode=fast)")) << e.what();
  e = err("defaults.node.colour=blue");
  EXPECT_EQ(e.path(), "defaults.node.colour");
  EXPECT_TRUE(says(e, "unknown field")) << e.what();
  EXPECT_TRUE(says(e, "added by --set defaults.node.colour=blue")) << e.what();
  e = err("node_groups.servers.nodes[0]=n{1..9}");
  EXPECT_EQ(e.path(), "node_groups.servers.nodes[0]");
  EXPECT_TRUE(says(e, "unknown node \"n5\"")) << e.what();
  EXPECT_TRUE(says(e, "(the value of --set node_groups.servers.nodes[0]=n{1..9})")) << e.what();
  e = err("nodes[*].nics[0].address.x=1");
  EXPECT_TRUE(says(e, "no such field")) << e.what();
  e = err("nodes[x=].name=a");
  EXPECT_TRUE(says(e, "--set: bad path: bad selector [x=]")) << e.what();
}

// If this fails, --set on a plain scenario reads differently than before selectors: an existing value keeps its
// JSON type, and an added one takes the type its text reads as.
TEST(SetSelectors, AddedValuesTakeTheirTextsType)
{
  json doc = expand_scenario(compact(), "c.json").document;
  apply_overrides(doc,
                  {{"nodes[0].memory", "64GiB"},
                   {"workload.vms[0].replica_set", "1"},
                   {"workload.vms[1].image", "\"7\""},
                   {"volumes[0].arbiter", "false"},
                   {"volumes[0].options.cluster.choose-local", "false"}},
                  "c.json");
  EXPECT_EQ(doc["nodes"][0]["memory"], "64GiB");
  EXPECT_EQ(doc["workload"]["vms"][0]["replica_set"], 1);
  EXPECT_EQ(doc["workload"]["vms"][1]["image"], "7");
  EXPECT_EQ(doc["volumes"][0]["arbiter"], false);
  EXPECT_EQ(doc["volumes"][0]["options"]["cluster.choose-local"], false) << "a Gluster option name is one key";
}
