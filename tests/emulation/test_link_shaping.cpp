/* Link shaping without root: which qdisc each emulated NIC gets and its tc command lines, through a fake runner. If
 * these fail, the emulated IPoIB link would let one Gluster connection run faster (or slower) than the host model
 * says one IPoIB stream can, and the emulator would check the simulator against the wrong limit. */
#include "cluster.hpp"
#include "fake_runner.hpp"
#include "link_shaping.hpp"
#include "scenario_loader.hpp"

#include <filesystem>
#include <gtest/gtest.h>

using namespace ibmig;
using namespace ibmig::emu;
using ibmig::emu::test::FakeRunner;
namespace fs = std::filesystem;

namespace {
Scenario reference()
{
  return load_scenario(std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json");
}

const Nic& nic_of(const Scenario& sc, const std::string& node, const std::string& nic)
{
  return *sc.find_node(node)->find_nic(nic);
}

size_t count_containing(const std::vector<std::string>& commands, const std::string& text)
{
  size_t n = 0;
  for (auto const& c : commands)
    n += c.find(text) != std::string::npos;
  return n;
}
} // namespace

// The conversion from TCP payload to what htb charges: a wrong factor caps the stream a few percent off its rule.
TEST(LinkShaping, HtbCountsHeadersOfEverySegment)
{
  EXPECT_NEAR(htb_bits_per_payload_bit(1500), 1514.0 / 1448, 1e-12);
  EXPECT_NEAR(htb_bits_per_payload_bit(2044), 2058.0 / 1992, 1e-12);
  EXPECT_NEAR(htb_bits_per_payload_bit(65520), 65534.0 / 65468, 1e-12);
}

// Reference ib0 (InfiniHost-III): connected mode 6.4 Gbit/s per stream (rule S1) under the 8 Gbit/s SDR data rate.
TEST(LinkShaping, IpoibGetsAClassPerPeerAtTheStreamLimit)
{
  auto sc = reference();
  Topology topo(sc);
  auto s = link_shaping(sc, topo, "n1", nic_of(sc, "n1", "ib0"), 65520, IpoibMode::Connected, 0.1);
  ASSERT_TRUE(s.uses_htb());
  EXPECT_DOUBLE_EQ(s.data_rate.value, 0.8e9);
  EXPECT_DOUBLE_EQ(s.root_rate.value, 0.8e9);
  EXPECT_NEAR(s.stream_tcp_payload.value, 0.64e9, 1); // the rule's TCP payload x 0.1, not the Gluster payload
  EXPECT_NEAR(s.stream_htb.value, 0.64e9 * 65534 / 65468, 1);
  ASSERT_EQ(s.peers.size(), 3u); // n2, n3, n4 (their ib0 addresses, known before the HCAs are installed)
  EXPECT_EQ(s.peers[0].address, "10.10.2.12");
  EXPECT_EQ(s.peers[2].address, "10.10.2.14");

  // Datagram mode at MTU 2044: the assumed 0.45 x 6.4 Gbit/s, now counted with 2 KiB segments' headers.
  auto d = link_shaping(sc, topo, "n1", nic_of(sc, "n1", "ib0"), 2044, IpoibMode::Datagram, 1);
  EXPECT_NEAR(d.stream_tcp_payload.value, 0.45 * 6.4e9, 1);
  EXPECT_NEAR(d.stream_htb.value, 0.45 * 6.4e9 * 2058 / 1992, 1);
}

// 1GbE has no stream rule: tbf at the data rate as before, so the before-migration figures stay what they were.
TEST(LinkShaping, EthernetWithoutARuleKeepsTbf)
{
  auto sc = reference();
  Topology topo(sc);
  auto s = link_shaping(sc, topo, "n1", nic_of(sc, "n1", "eth1"), 1500, IpoibMode::None, 0.5);
  EXPECT_FALSE(s.uses_htb());
  auto cmds = shaping_commands(s, "ns1", "eth1", LinkEnd::Node);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(join_command(cmds[0]), "tc -n ns1 qdisc replace dev eth1 root tbf rate 500000000bit burst 524288 latency "
                                   "20ms");
}

// A user rule for Ethernet applies as an IPoIB one does; scope "interface" caps the whole NIC, with no peer classes.
TEST(LinkShaping, UserRulesForEthernetAndInterfaceScope)
{
  auto sc = reference();
  sc.calibration.stream_limits.push_back(
      {StreamLink::Ethernet, "1GbE", "", 1500, {500e6}, StreamScope::Connection, "test: a slow host"});
  Topology topo(sc);
  auto e = link_shaping(sc, topo, "n2", nic_of(sc, "n2", "eth1"), 1500, IpoibMode::None, 1);
  ASSERT_TRUE(e.uses_htb());
  EXPECT_EQ(e.peers.size(), 3u);
  EXPECT_NEAR(e.stream_htb.value, 500e6 * 1514 / 1448, 1);

  sc.calibration.stream_limits.back().scope = StreamScope::Interface;
  auto i = link_shaping(sc, topo, "n2", nic_of(sc, "n2", "eth1"), 1500, IpoibMode::None, 1);
  EXPECT_TRUE(i.peers.empty());
  EXPECT_NEAR(i.root_rate.value, 500e6 * 1514 / 1448, 1);
  auto cmds = shaping_commands(i, "ns2", "eth1", LinkEnd::Node);
  ASSERT_EQ(cmds.size(), 3u); // qdisc, root class, default class: nothing per peer
  EXPECT_NE(join_command(cmds[1]).find("classid 1:1 htb rate 522790055bit ceil 522790055bit"), std::string::npos)
      << join_command(cmds[1]);
}

// The command lines on both ends of a veth, and that a re-configured interface gets classes at its new limit.
TEST(LinkShaping, ClassesFollowTheInterfaceConfiguration)
{
  auto sc = reference();
  FakeRunner fake;
  auto base = fs::temp_directory_path() / ("ibmig-unit-shaping-" + std::to_string(::getpid()));
  fs::create_directories(base / "work");
  RunLayout layout{"rtest", base.string(), (base / "work").string()};
  {
    fake.answer("link show ib0", 1); // not there yet: install_nic checks
    EmulatedCluster cluster(sc, layout, fake, nullptr, 0.1);
    const Nic& ib0 = nic_of(sc, "n1", "ib0");
    cluster.install_nic("n1", ib0); // the scenario's initial configuration: datagram, MTU 2044
    const std::string node = "tc -n ibmig-rtest-n1 ", sw = "tc -n ibmig-rtest-sw-ib ";
    EXPECT_TRUE(fake.ran(node + "qdisc replace dev ib0 root handle 1: htb default 2"));
    EXPECT_TRUE(fake.ran(node + "class add dev ib0 parent 1: classid 1:1 htb rate 800000000bit ceil 800000000bit"));
    // Default class (ARP, anything not to a peer): the data rate; peers: 2.88 Gbit/s x 0.1 x 2058/1992.
    EXPECT_TRUE(fake.ran(node + "class add dev ib0 parent 1:1 classid 1:2 htb rate 200000000bit ceil 800000000bit"));
    EXPECT_TRUE(fake.ran(node + "class add dev ib0 parent 1:1 classid 1:10 htb rate 200000000bit ceil 297542168bit"));
    EXPECT_TRUE(fake.ran(node + "filter add dev ib0 parent 1: protocol ip prio 1 u32 match ip dst 10.10.2.12/32 "
                                "flowid 1:10"));
    EXPECT_TRUE(fake.ran(node + "filter add dev ib0 parent 1: protocol ip prio 1 u32 match ip dst 10.10.2.14/32 "
                                "flowid 1:12"));
    // The switch port shapes what the peers send to n1: classes by source address.
    EXPECT_TRUE(fake.ran(sw + "qdisc replace dev n1-ib0 root handle 1: htb default 2"));
    EXPECT_TRUE(fake.ran(sw + "filter add dev n1-ib0 parent 1: protocol ip prio 1 u32 match ip src 10.10.2.13/32 "
                              "flowid 1:11"));
    EXPECT_FALSE(fake.ran("qdisc del"));
    ASSERT_NE(cluster.shaping_of("n1", "ib0"), nullptr);
    EXPECT_EQ(cluster.shaping_of("n1", "ib0")->peers.size(), 3u);

    fake.commands.clear();
    cluster.configure_interface("n1", ib0, 65520, IpoibMode::Connected); // the plan's step
    EXPECT_TRUE(fake.ran(node + "qdisc del dev ib0 root"));
    EXPECT_TRUE(fake.ran(sw + "qdisc del dev n1-ib0 root"));
    // 6.4 Gbit/s x 0.1 x 65534/65468: every peer class at the connected-mode limit, on both ends.
    EXPECT_EQ(count_containing(fake.commands, "ceil 640645200bit"), 6u);
    EXPECT_EQ(count_containing(fake.commands, "ceil 297542168bit"), 0u);
    EXPECT_NEAR(cluster.shaping_of("n1", "ib0")->stream_tcp_payload.value, 0.64e9, 1);

    fake.commands.clear();
    cluster.configure_interface("n1", ib0, 65520, IpoibMode::Connected); // the same again: nothing to reshape
    EXPECT_EQ(count_containing(fake.commands, "tc "), 0u);
  }
  fs::remove_all(base);
}

TEST(LinkShaping, RateScaleOutsideItsRangeIsRefused)
{
  auto sc = reference();
  FakeRunner fake;
  RunLayout layout{"rtest", "/tmp/ibmig-unused", "/tmp/ibmig-unused/work"};
  EXPECT_THROW(EmulatedCluster(sc, layout, fake, nullptr, 0), std::invalid_argument);
  EXPECT_THROW(EmulatedCluster(sc, layout, fake, nullptr, 1.5), std::invalid_argument);
}

// A bond has no kernel module here: one veth at the slaves' rate together, and a class per peer at one slave, so a
// connection cannot use two slaves (as the simulator says). active-backup carries one slave: tbf as a plain NIC.
TEST(LinkShaping, ABondIsOneVethWithAClassPerPeerAtOneSlave)
{
  auto sc = reference();
  for (auto& n : sc.nodes)
    for (auto& nic : n.nics)
      if (nic.name == "eth1") nic.bond = Bond{BondMode::BalanceAlb, "", {{"eth2", 0}, {"eth3", 0}}};
  Topology topo(sc);
  auto s = link_shaping(sc, topo, "n1", nic_of(sc, "n1", "eth1"), 1500, IpoibMode::None, 0.5);
  ASSERT_TRUE(s.uses_htb());
  EXPECT_DOUBLE_EQ(s.data_rate.value, 2 * 0.5e9);
  EXPECT_DOUBLE_EQ(s.peer_ceil.value, 0.5e9);
  EXPECT_EQ(s.peers.size(), 3u);
  auto cmds = shaping_commands(s, "ns1", "eth1", LinkEnd::Node);
  EXPECT_NE(join_command(cmds[3]).find("ceil 500000000bit"), std::string::npos) << join_command(cmds[3]);

  for (auto& n : sc.nodes)
    n.nics[1].bond->mode = BondMode::ActiveBackup;
  auto ab = link_shaping(sc, topo, "n1", nic_of(sc, "n1", "eth1"), 1500, IpoibMode::None, 0.5);
  EXPECT_FALSE(ab.uses_htb());
  EXPECT_DOUBLE_EQ(ab.data_rate.value, 0.5e9);
}
