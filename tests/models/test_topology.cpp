/* The topology graph both builders iterate: the simulator's hosts and links and the emulator's bridges and veths
 * come from networks(), nodes() and cables(), and "the NIC of node X on network Y" is nic_on alone. */
#include "topology.hpp"

#include <gtest/gtest.h>

using namespace ibmig;

namespace {
Nic nic(const std::string& name, const std::string& network, bool present = true)
{
  Nic n;
  n.name    = name;
  n.network = network;
  n.present = present;
  return n;
}

/* n1: eth1 on storage, ib1 (to be installed) and ib0 (present) on ib; n2: eth1 on storage only. */
Scenario two_nodes()
{
  Scenario sc;
  for (auto const& name : {"storage", "ib"}) {
    Network net;
    net.name    = name;
    net.sw.name = std::string("sw-") + name;
    sc.networks.push_back(net);
  }
  Node n1;
  n1.name = "n1";
  n1.nics = {nic("eth1", "storage"), nic("ib1", "ib", false), nic("ib0", "ib")};
  Node n2;
  n2.name  = "n2";
  n2.nics  = {nic("eth1", "storage")};
  sc.nodes = {n1, n2};
  sc.index_nodes();
  return sc;
}
} // namespace

// If this fails, a builder creates switches or nodes the scenario does not have, or in another order.
TEST(Topology, NetworksAndNodesInScenarioOrder)
{
  Scenario sc = two_nodes();
  Topology topo(sc);
  auto nets = topo.networks();
  ASSERT_EQ(nets.size(), 2u);
  EXPECT_EQ(nets[0], &sc.networks[0]);
  EXPECT_EQ(nets[1], &sc.networks[1]);
  auto nodes = topo.nodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0], &sc.nodes[0]);
  EXPECT_EQ(nodes[1], &sc.nodes[1]);
}

// If this fails, a NIC is cabled to the wrong switch, or one the plan installs is missing from (or, without absent
// NICs, present in) the wiring.
TEST(Topology, CablesOfANode)
{
  Scenario sc = two_nodes();
  auto cables = Topology(sc).cables("n1");
  ASSERT_EQ(cables.size(), 3u);
  EXPECT_EQ(cables[0].node, &sc.nodes[0]);
  EXPECT_EQ(cables[0].nic->name, "eth1");
  EXPECT_EQ(cables[0].network->name, "storage");
  EXPECT_EQ(cables[1].nic->name, "ib1");
  EXPECT_EQ(cables[1].network->name, "ib");
  EXPECT_EQ(cables[2].nic->name, "ib0");
  EXPECT_TRUE(Topology(sc).cables("n9").empty());

  auto present = Topology(sc, /*include_absent_nics=*/false).cables("n1");
  ASSERT_EQ(present.size(), 2u);
  EXPECT_EQ(present[1].nic->name, "ib0");
}

// If this fails, the simulator and the emulator may pick a NIC the node does not have yet over one it has.
TEST(Topology, NicOnPrefersAPresentNic)
{
  Scenario sc = two_nodes();
  Topology topo(sc);
  EXPECT_EQ(topo.nic_on("n1", "ib")->name, "ib0");
  EXPECT_EQ(topo.nic_on("n1", "storage")->name, "eth1");
  EXPECT_EQ(topo.nic_on("n2", "ib"), nullptr);
  EXPECT_EQ(topo.nic_on("n9", "storage"), nullptr);

  sc.nodes[0].nics[2].present = false; // only NICs to be installed: the first of them
  EXPECT_EQ(Topology(sc).nic_on("n1", "ib")->name, "ib1");
  EXPECT_TRUE(Topology(sc).connected("n1", "n2", "storage"));
  EXPECT_FALSE(Topology(sc).connected("n1", "n2", "ib"));
}

// If this fails, a NIC's name outside its node differs between the graph, the reports and the switch ports.
// The write-up's dual-port cards: ib0 on the uncabled port 1, ib1 on port 2. Traffic on "ib" goes through ib1, in
// the simulator's NIC resources, the emulator's pings and hosts file alike. If this fails, they model or ping the
// port that has no cable.
TEST(Topology, NicOnPrefersACabledNic)
{
  Scenario sc                = two_nodes();
  sc.nodes[0].nics[2].cabled = false; // ib0, present
  sc.index_nodes();
  EXPECT_EQ(Topology(sc, true).nic_on("n1", "ib")->name, "ib1"); // cabled, to be installed
  sc.nodes[0].nics[1].present = true;
  sc.index_nodes();
  EXPECT_EQ(Topology(sc).nic_on("n1", "ib")->name, "ib1");
  sc.nodes[0].nics[1].cabled = false; // nothing cabled: the first present one, as before
  sc.index_nodes();
  EXPECT_EQ(Topology(sc).nic_on("n1", "ib")->name, "ib1");
}

TEST(Topology, NicName)
{
  Scenario sc = two_nodes();
  Topology topo(sc);
  EXPECT_EQ(Topology::nic_name("n1", "eth1"), "n1-eth1");
  bool found = false;
  for (auto [v, end] = boost::vertices(topo.graph()); v != end; ++v)
    found = found || topo.graph()[*v].name == "n1-ib0";
  EXPECT_TRUE(found);
}
