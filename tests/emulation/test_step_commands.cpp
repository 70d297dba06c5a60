/* The emulator's step-to-command mapping leads to the state the cluster model expects. Random plans from the step
 * vocabulary (tests/fuzz/random_scenario) on the reference cluster and on a generated 8-node replica-3 cluster are
 * walked through the model; each step's commands (step_commands.hpp) run on a fake cluster that does to its nodes
 * what each command does in a node namespace (the veth, glusterd and FUSE processes, the hosts file), and after every
 * step the fake cluster must show no difference from the model, by the same comparison the replay makes on the real
 * cluster (observed_state.hpp). */
#include "observed_state.hpp"
#include "plan_checker.hpp"
#include "random_scenario.hpp"
#include "scenario_loader.hpp"
#include "step_commands.hpp"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <map>

using namespace ibmig;
using namespace ibmig::emu;
using nlohmann::json;

namespace {

constexpr int kPlansPerCluster = 250; // two clusters: 500 plans

/* The namespaces as build() leaves them: glusterd on the servers, present NICs configured and up, every hosts file
 * on the storage network, every VM's volume mounted. */
std::map<std::string, ObservedNode> built(const Scenario& sc)
{
  std::map<std::string, ObservedNode> c;
  for (auto const& n : sc.nodes) {
    ObservedNode& o = c[n.name];
    o.glusterd      = n.server;
    o.names_network = sc.storage_names.network;
    o.state_network = sc.storage_names.by_ip() && n.server ? sc.storage_names.network : "";
    for (auto const& nic : n.nics)
      if (nic.present) o.interfaces[nic.name] = {true, nic.mtu};
  }
  for (auto const& vm : sc.workload.vms)
    c[vm.node].mounted.insert(vm.volume);
  return c;
}

/* What a command does on the node; a command that cannot run there (an interface that does not exist) is an error
 * of the mapping, as `ip` would fail. */
std::string run(std::map<std::string, ObservedNode>& c, const NodeCommand& cmd)
{
  using K         = NodeCommand::Kind;
  ObservedNode& o = c.at(cmd.node);
  bool exists     = o.interfaces.count(cmd.target) > 0;
  switch (cmd.kind) {
  case K::Unmount:
    o.mounted.erase(cmd.target);
    break;
  case K::StopGlusterd:
    o.glusterd = false;
    break;
  case K::PowerOff:
    o.glusterd = false;
    o.mounted.clear();
    for (auto& [name, i] : o.interfaces)
      i.up = false;
    break;
  case K::InstallNic:
    if (exists) return to_string(cmd) + ": the interface exists already";
    o.interfaces[cmd.target] = {false, 1500}; // a new veth: down, MTU 1500
    break;
  case K::InterfaceDown:
  case K::InterfaceUp:
    if (!exists) return to_string(cmd) + ": no such interface";
    o.interfaces[cmd.target].up = cmd.kind == K::InterfaceUp;
    break;
  case K::ConfigureInterface:
    if (!exists) return to_string(cmd) + ": no such interface";
    o.interfaces[cmd.target] = {true, cmd.mtu};
    break;
  case K::WriteHosts:
    o.names_network = cmd.target;
    break;
  case K::RewriteState:
    if (o.glusterd) return to_string(cmd) + ": glusterd runs there and would write its state back";
    o.state_network = cmd.target;
    break;
  case K::StartGlusterd:
    o.glusterd = true;
    break;
  case K::Mount:
    o.mounted.insert(cmd.target);
    break;
  }
  return "";
}

struct Tally {
  int plans = 0, commands = 0, rejected = 0;
};

Tally walk_plans(const json& base, uint64_t first_seed)
{
  Tally t;
  t.rejected = fuzz::for_each_plan_on(base, first_seed, kPlansPerCluster, [&](uint64_t seed, const Scenario& sc) {
    t.plans++;
    ClusterModel model(sc);
    auto cluster = built(sc);
    for (auto const& n : sc.nodes)
      EXPECT_TRUE(differences(model, n.name, cluster.at(n.name)).empty()) << "seed " << seed << ": built cluster";
    for (auto const& st : sc.plan.steps) {
      const ClusterModel before = model;
      model.apply(st);
      for (auto const& cmd : commands_for(st, before, model)) {
        t.commands++;
        auto error = run(cluster, cmd);
        EXPECT_EQ(error, "") << "seed " << seed << ", step \"" << st.name << "\"";
      }
      for (auto const& n : sc.nodes)
        for (auto const& d : differences(model, n.name, cluster.at(n.name)))
          ADD_FAILURE() << "seed " << seed << ", after step \"" << st.name << "\" (" << to_string(st.action)
                        << "): " << d;
    }
  });
  return t;
}

json read_json(const std::string& path)
{
  std::ifstream in(std::string(IBMIG_SOURCE_DIR) + "/" + path);
  return expand_scenario(json::parse(in), path).document; // the plain document
}

} // namespace

TEST(StepCommands, LeadToTheModelsStateOnTheReferenceCluster)
{
  Tally t = walk_plans(read_json("scenarios/reference.json"), 1);
  EXPECT_EQ(t.plans, kPlansPerCluster);
  EXPECT_GT(t.commands, t.plans); // the plans did change the cluster
}

TEST(StepCommands, LeadToTheModelsStateOnAGenerated8NodeReplica3Cluster)
{
  json base = fuzz::clean_8node_replica3_base();
  ASSERT_FALSE(base.is_null());
  Tally t = walk_plans(base, 1);
  EXPECT_EQ(t.plans, kPlansPerCluster);
  EXPECT_GT(t.commands, t.plans);
}

// The three disagreements of issue 8, as the emulator now carries them out.
TEST(StepCommands, TheThreeSettledBehaviours)
{
  Scenario sc = load_scenario(std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json");
  ClusterModel m(sc);
  // configure_interface without mtu keeps the current MTU: the command carries the model's MTU.
  Step cfg;
  cfg.action          = Action::ConfigureInterface;
  cfg.interface       = "eth1";
  cfg.nodes           = {"n1"};
  ClusterModel before = m;
  m.apply(cfg);
  for (auto const& c : commands_for(cfg, before, m))
    FAIL() << "nothing changed, yet " << to_string(c);
  // repoint_names by hosts file re-points the listed node only; by DNS every node.
  Step rp;
  rp.action       = Action::RepointNames;
  rp.network      = "ib";
  rp.method       = "hosts";
  rp.nodes        = {"n2"};
  ClusterModel b2 = m;
  m.apply(rp);
  auto cmds = commands_for(rp, b2, m);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0], (NodeCommand{NodeCommand::Kind::WriteHosts, "n2", "ib"}));
  rp.method       = "dns";
  ClusterModel b3 = m;
  m.apply(rp);
  EXPECT_EQ(commands_for(rp, b3, m).size(), sc.nodes.size() - 1); // every node but n2, already there
  // start_service on a node that is not a server (n4 made a pure hypervisor): the model fails the step and no
  // command runs.
  sc.nodes[3].server = false;
  ClusterModel hv(sc);
  Step start;
  start.action    = Action::StartService;
  start.service   = "glusterd";
  start.nodes     = {sc.nodes[3].name};
  ClusterModel b4 = hv;
  EXPECT_TRUE(hv.apply(start).step_failed());
  EXPECT_TRUE(commands_for(start, b4, hv).empty());
}
