/* Host-side limits: one TCP stream's ceiling per interface mode, MTU and HCA, the access path's cost per request,
 * and the round trips of a small-file create by volume type. */
#include "host_limits.hpp"
#include "plan_checker.hpp"
#include "sim_test_util.hpp"

using namespace ibmig;
using namespace ibmig::test;
using nlohmann::json;

namespace {

// The reference cluster with disks (and, unless asked, an access path) that never bind, on `tech` with every ib0
// a `hca`.
json fast_reference(const std::string& file = "scenarios/reference.json", const std::string& tech = "IB-SDR",
                    const std::string& hca = "InfiniHost-III", bool real_access_path = false)
{
  json doc = read_json(file);
  for (auto& n : doc["nodes"]) {
    n["disk"]["write"] = "20GBps", n["disk"]["read"] = "20GBps";
    for (auto& nic : n["nics"])
      if (nic["name"] == "ib0") nic["hca"] = hca;
  }
  for (auto& net : doc["networks"])
    if (net["name"] == "ib") net["technology"] = tech;
  if (!real_access_path) {
    doc["calibration"]["fuse_request_s"]  = {{"value", 0}, {"source", "test: the access path never binds"}};
    doc["calibration"]["fuse_MBps"]       = {{"value", 1e5}, {"source", "test: the access path never binds"}};
    doc["calibration"]["gfapi_request_s"] = {{"value", 0}, {"source", "test: the access path never binds"}};
    doc["calibration"]["gfapi_MBps"]      = {{"value", 1e5}, {"source", "test: the access path never binds"}};
  }
  return doc;
}

double efficiency(const json& doc)
{
  return parse_scenario(doc, "t.json").calibration.gluster_stream_efficiency.value;
}

} // namespace

// On DDR with InfiniHost III in connected mode, vm2's two remote copies are held by one stream's ceiling (S1: 800
// MB/s), not by the client NIC's data rate: each copy is one TCP connection.
TEST(StreamLimit, ConnectedModeOnDdrIsHeldByOneStream)
{
  json doc               = fast_reference("scenarios/reference.json", "IB-DDR");
  Report r_c             = simulate_doc(doc);
  const ClientFigures& c = client(phase(r_c, "after"), "vm2");
  EXPECT_EQ(c.bottleneck, "IPoIB stream limit (connected, MTU 65520)");
  EXPECT_NEAR(c.write_MBps, 6.4e9 / 8 / 1e6 * efficiency(doc), 1.0);
  EXPECT_NEAR(c.nic_bytes_per_byte_written, 2.0, 0.01);
}

// Datagram mode (MTU 2044) gets less than connected mode, by the ratio of the two rules.
TEST(StreamLimit, DatagramModeGetsLessThanConnected)
{
  Report rc               = simulate_doc(fast_reference("scenarios/reference.json", "IB-DDR"));
  double conn             = client(phase(rc, "after"), "vm2").write_MBps;
  Report r_dg             = simulate_doc(fast_reference("scenarios/reference-datagram.json", "IB-DDR"));
  const ClientFigures& dg = client(phase(r_dg, "after"), "vm2");
  EXPECT_EQ(dg.bottleneck, "IPoIB stream limit (datagram, MTU 2044)");
  EXPECT_NEAR(dg.write_MBps / conn, 0.45, 0.01);
  EXPECT_TRUE(dg.rests_on_assumption()) << dg.bottleneck_source; // no published datagram figure: it says so
}

// The user's own measurement (calibration.stream_limits) replaces the published one, and is not an assumption.
TEST(StreamLimit, ScenarioRuleBeatsTheBuiltInOne)
{
  json doc                               = fast_reference("scenarios/reference.json", "IB-DDR");
  doc["calibration"]["stream_limits"]    = json::array();
  doc["calibration"]["stream_limits"][0] = {
      {"link", "ipoib-connected"}, {"mtu", 65520}, {"rate", "4Gbps"}, {"source", "measured: iperf3 -J on n1 (test)"}};
  Report r_c             = simulate_doc(doc);
  const ClientFigures& c = client(phase(r_c, "after"), "vm2");
  EXPECT_NEAR(c.write_MBps, 500 * efficiency(doc), 1.0);
  EXPECT_EQ(c.bottleneck_source, "measured: iperf3 -J on n1 (test)");
  EXPECT_FALSE(c.rests_on_assumption());
}

// A ceiling that holds per interface is shared by the connections of that interface: vm2's two copies get half.
TEST(StreamLimit, InterfaceScopeIsSharedByTheConnections)
{
  json doc                               = fast_reference("scenarios/reference.json", "IB-DDR");
  doc["calibration"]["stream_limits"]    = json::array();
  doc["calibration"]["stream_limits"][0] = {{"link", "ipoib-connected"},
                                            {"rate", "4Gbps"},
                                            {"scope", "interface"},
                                            {"source", "measured: iperf3 -P 2 gave no more than -P 1 (test)"}};
  Report r_c                             = simulate_doc(doc);
  const ClientFigures& c                 = client(phase(r_c, "after"), "vm2");
  EXPECT_NEAR(c.write_MBps, 250 * efficiency(doc), 1.0);
  EXPECT_EQ(c.bottleneck, "IPoIB stream limit (connected, MTU 65520) per interface");
}

// Two VMs of one node on one FUSE mount share its connection to a brick; two libgfapi VMs have their own.
TEST(StreamLimit, FuseMountSharesItsConnectionsGfapiDoesNot)
{
  for (std::string access : {"fuse", "gfapi"}) {
    json doc = fast_reference("scenarios/reference.json", "IB-DDR");
    for (auto& vm : doc["workload"]["vms"]) {
      vm["access"] = access;
      if (vm["name"] == "vm1")
        vm["streams"][0] = {{"type", "sequential-write"}, {"rate", "max"}}, vm["replica_set"] = 1;
    }
    Report r        = simulate_doc(doc);
    double both     = client(phase(r, "after"), "vm1").write_MBps + client(phase(r, "after"), "vm2").write_MBps;
    double one_conn = 6.4e9 / 8 / 1e6 * efficiency(doc);
    if (access == "fuse")
      EXPECT_NEAR(both, one_conn, 1.0) << "one FUSE mount, one connection per brick";
    else
      EXPECT_GT(both, 1.1 * one_conn) << "each qemu has its own connections";
  }
}

// FUSE splits requests at 128 KiB and pays a fixed cost per request; small application blocks pay it more often.
TEST(AccessPath, FuseCostPerRequest)
{
  Calibration c;
  c.fuse_MBps        = {1000, "test"};
  c.fuse_request_s   = {100e-6, "test"};
  AccessPathCost big = access_path_cost(c, Access::Fuse, Bytes{1048576});
  EXPECT_DOUBLE_EQ(big.request.value, 131072);
  EXPECT_NEAR(big.rate().value, 131072 / (100e-6 + 131072 / 1e9), 1);
  EXPECT_EQ(big.label, "FUSE request rate (128 KiB requests)");
  AccessPathCost small = access_path_cost(c, Access::Fuse, Bytes{4096});
  EXPECT_NEAR(small.rate().value, 4096 / (100e-6 + 4096 / 1e9), 1);
  c.gfapi_MBps      = {1000, "test"};
  c.gfapi_request_s = {100e-6, "test"};
  EXPECT_DOUBLE_EQ(access_path_cost(c, Access::Gfapi, Bytes{1048576}).request.value, 1048576); // no split
}

// A stream's block size reaches the simulation: 4 KiB requests through FUSE are request-bound.
TEST(AccessPath, SmallBlocksAreRequestBound)
{
  json doc = fast_reference("scenarios/reference.json", "IB-DDR", "InfiniHost-III", true);
  for (auto& vm : doc["workload"]["vms"])
    if (vm["name"] == "vm2") vm["streams"][0]["block_size"] = "4KiB";
  Report r_c             = simulate_doc(doc);
  const ClientFigures& c = client(phase(r_c, "after"), "vm2");
  EXPECT_EQ(c.bottleneck, "FUSE request rate (4 KiB requests) on n1");
  Calibration cal = parse_scenario(doc, "t.json").calibration;
  EXPECT_LT(c.write_MBps, access_path_cost(cal, Access::Fuse, Bytes{4096}).rate().value / 1e6 + 0.5);
}

TEST(SmallFiles, DistributeNeedsFewerRoundTripsThanReplicate)
{
  Scenario sc = load_scenario(std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json");
  Volume v    = sc.volumes[0];
  EXPECT_EQ(small_file_round_trips(sc.calibration, v).value, 8);
  v.replica = 1;
  EXPECT_EQ(small_file_round_trips(sc.calibration, v).value, 4);
}

TEST(StreamLimit, LoaderRejectsABadRule)
{
  json doc                               = read_json("scenarios/reference.json");
  doc["calibration"]["stream_limits"]    = json::array();
  doc["calibration"]["stream_limits"][0] = {{"link", "ipoib"}, {"rate", "4Gbps"}, {"source", "x"}};
  try {
    parse_scenario(doc, "t.json");
    FAIL() << "accepted link \"ipoib\"";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("calibration.stream_limits[0].link"), std::string::npos) << e.what();
  }
}

namespace {
// The reference cluster before the migration, its storage network 10GbE at MTU 9000 with every eth1 a bond of two
// slaves; disks and the access path never bind.
json bonded_reference(const std::string& mode)
{
  json doc = read_json("scenarios/reference.json");
  for (auto& net : doc["networks"])
    if (net["name"] == "storage") net["technology"] = "10GbE";
  for (auto& n : doc["nodes"]) {
    n["disk"]["write"] = "20GBps", n["disk"]["read"] = "20GBps";
    for (auto& nic : n["nics"])
      if (nic["name"] == "eth1") {
        nic["mtu"] = 9000;
        if (!mode.empty()) nic["bond"] = {{"mode", mode}, {"slaves", {{{"name", "eth2"}}, {{"name", "eth3"}}}}};
      }
  }
  doc["calibration"]["fuse_request_s"] = {{"value", 0}, {"source", "test: the access path never binds"}};
  doc["calibration"]["fuse_MBps"]      = {{"value", 1e5}, {"source", "test: the access path never binds"}};
  for (auto& vm : doc["workload"]["vms"])
    if (vm["name"] == "vm3") vm["streams"][0]["rate"] = "max"; // one local, one remote copy
  return doc;
}
} // namespace

// balance-alb spreads connections, not bytes: vm2's two copies (two connections) use both slaves, but vm3's one
// remote copy (one connection) gets one slave, no more than without the bond.
TEST(Bond, SpreadsConnectionsNotBytes)
{
  Report single = simulate_doc(bonded_reference(""));
  Report alb    = simulate_doc(bonded_reference("balance-alb"));
  Report ab     = simulate_doc(bonded_reference("active-backup"));
  auto w        = [](const Report& r, const char* vm) { return client(phase(r, "before"), vm).write_MBps; };
  EXPECT_NEAR(w(alb, "vm2"), 2 * w(single, "vm2"), 0.02 * w(alb, "vm2")) << "two connections, two slaves";
  // One 10GbE slave at MTU 9000: data rate x TCP/IP efficiency x Gluster's.
  Scenario sc  = parse_scenario(bonded_reference(""), "t.json");
  double slave = 10e9 / 8 / 1e6 * tcp_payload_efficiency(sc.technologies.at("10GbE"), 9000, false) *
                 sc.calibration.gluster_stream_efficiency.value;
  EXPECT_NEAR(w(alb, "vm3"), slave, 0.005 * slave) << "one connection rides one slave, and no more";
  EXPECT_LT(w(single, "vm3"), slave) << "without the bond vm3 shares n1's receive side with vm8";
  EXPECT_NE(client(phase(alb, "before"), "vm3").bottleneck.find("bond slave of n2-eth1 (balance-alb"),
            std::string::npos)
      << client(phase(alb, "before"), "vm3").bottleneck;
  EXPECT_NEAR(w(ab, "vm2"), w(single, "vm2"), 0.02 * w(ab, "vm2")) << "active-backup carries one slave";
}

// A bond's slaves share its MTU: a slave declared at another MTU is a checker error naming the bond.
TEST(Bond, SlavesMustShareTheMtu)
{
  json doc                                               = bonded_reference("802.3ad");
  doc["nodes"][1]["nics"][1]["bond"]["slaves"][1]["mtu"] = 1500;
  auto findings                                          = check_plan(parse_scenario(doc, "t.json"));
  bool found                                             = false;
  for (auto const& f : findings)
    if (f.rule == "BOND_MTU_MISMATCH") {
      found = true;
      EXPECT_NE(f.message.find("n2 eth1 (MTU 9000)"), std::string::npos) << f.message;
      EXPECT_NE(f.message.find("eth3 (MTU 1500)"), std::string::npos) << f.message;
    }
  EXPECT_TRUE(found);
  EXPECT_TRUE(has_errors(findings));
}

// Linux bonds IPoIB interfaces in active-backup mode only.
TEST(Bond, IpoibBondIsActiveBackupOnly)
{
  json doc                           = read_json("scenarios/reference.json");
  doc["nodes"][0]["nics"][2]["bond"] = {{"mode", "balance-alb"}, {"slaves", {{{"name", "ib1"}}, {{"name", "ib2"}}}}};
  try {
    parse_scenario(doc, "t.json");
    FAIL() << "accepted a balance-alb IPoIB bond";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("nodes[0].nics[2].bond.mode"), std::string::npos) << e.what();
  }
  doc["nodes"][0]["nics"][2]["bond"] = {{"mode", "active-backup"}, {"slaves", {{{"name", "eth1"}}, {{"name", "ib2"}}}}};
  EXPECT_THROW(parse_scenario(doc, "t.json"), ScenarioError) << "a slave named like another NIC";
}

// With the default access path, one FUSE client on DDR is held by its 128 KiB requests before one stream's ceiling;
// vm1's 50 MB/s of reads share the mount.
TEST(AccessPath, FuseHoldsOneClientOnFastFabrics)
{
  json doc               = fast_reference("scenarios/reference.json", "IB-DDR", "InfiniHost-III", true);
  Report r               = simulate_doc(doc);
  const ClientFigures& c = client(phase(r, "after"), "vm2");
  EXPECT_EQ(c.bottleneck, "FUSE request rate (128 KiB requests) on n1");
  Calibration cal = parse_scenario(doc, "t.json").calibration;
  double fuse     = access_path_cost(cal, Access::Fuse, Bytes{1048576}).rate().value / 1e6;
  EXPECT_NEAR(c.write_MBps, fuse - 50, 1.0);
  EXPECT_TRUE(c.rests_on_assumption()) << "the copy rate is an assumption";
}
