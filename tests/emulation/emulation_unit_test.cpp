/* Emulator logic without root: a fake command runner stands in for ip, tc, nsenter and gluster. */
#include "cluster.hpp"
#include "comparison.hpp"
#include "emulator.hpp"
#include "fake_runner.hpp"
#include "gluster_output.hpp"
#include "interrupt_guard.hpp"
#include "mistakes.hpp"
#include "plan_replay.hpp"
#include "port_probe.hpp"
#include "run_state.hpp"
#include "scenario_loader.hpp"
#include "tcp_connections.hpp"
#include "verification.hpp"
#include "workload.hpp"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace ibmig;
using namespace ibmig::emu;
using ibmig::emu::test::FakeRunner;
namespace fs = std::filesystem;

namespace {
std::string sample(const std::string& name)
{
  std::ifstream in(std::string(IBMIG_SOURCE_DIR) + "/tests/emulation/samples/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Scenario reference()
{
  return load_scenario(std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json");
}

/* A layout under a throw-away directory whose name carries the "ibmig" marker teardown insists on. */
RunLayout temp_layout()
{
  auto base = fs::temp_directory_path() / ("ibmig-unit-" + std::to_string(::getpid()));
  fs::create_directories(base / "work");
  return {"rtest", base.string(), (base / "work").string()};
}

const Step& step_named(const Scenario& sc, const std::string& name)
{
  for (auto const& s : sc.plan.steps)
    if (s.name == name) return s;
  throw std::runtime_error("no step " + name);
}
} // namespace

// Parsers: if these fail, checks would misread real gluster output and pass or fail a migration wrongly. The
// samples are real `gluster ... --xml` output of a 4-node namespace cluster (samples/README.md says when each was
// taken).
TEST(GlusterOutput, PeerStatus)
{
  auto peers = parse_peer_status(sample("peer_status.xml"));
  ASSERT_EQ(peers.size(), 3u); // the other three, not the node asked
  EXPECT_EQ(peers[0].hostname, "gl2.storage.example");
  EXPECT_EQ(peers[0].uuid, "31001c90-f5e3-485e-a9f0-5dd1598fb793");
  EXPECT_EQ(peers[0].state, "Peer in Cluster (Connected)");
  for (auto const& p : peers)
    EXPECT_TRUE(p.connected) << p.hostname;
  auto down = parse_peer_status(sample("peer_status_disconnected.xml")); // glusterd of n4 stopped
  ASSERT_EQ(down.size(), 3u);
  EXPECT_TRUE(down[1].connected);
  EXPECT_EQ(down[2].hostname, "gl4.storage.example");
  EXPECT_FALSE(down[2].connected);
  EXPECT_EQ(down[2].state, "Peer in Cluster (Disconnected)");
  // glusterd not running: the CLI prints a sentence, not XML; no peer is connected.
  EXPECT_TRUE(parse_peer_status(sample("no_glusterd.txt")).empty());
  EXPECT_TRUE(parse_peer_status("").empty());
}

TEST(GlusterOutput, VolumeStatusListsBricksNotDaemons)
{
  auto bricks = parse_volume_status(sample("volume_status.xml"));
  ASSERT_EQ(bricks.size(), 4u) << "the self-heal daemons are not bricks";
  EXPECT_EQ(bricks[0].brick, "gl1.storage.example:/var/tmp/ibmig-xmlcap/n1/bricks/vmstore");
  EXPECT_EQ(bricks[3].brick, "gl4.storage.example:/var/tmp/ibmig-xmlcap/n4/bricks/vmstore");
  for (auto const& b : bricks)
    EXPECT_TRUE(b.online) << b.brick;
  EXPECT_EQ(bricks[1].pid, 26977);
  auto down = parse_volume_status(sample("volume_status_brick_down.xml")); // n2's brick process killed
  ASSERT_EQ(down.size(), 4u);
  EXPECT_FALSE(down[1].online);
  EXPECT_EQ(down[1].pid, 0); // gluster says -1
  EXPECT_TRUE(down[2].online);
  // An unknown volume is a failed command (opRet -1): no brick online, as when nobody answers.
  EXPECT_TRUE(parse_volume_status(sample("volume_status_unknown.xml")).empty());
}

TEST(GlusterOutput, VolumeClients)
{
  auto bricks = parse_volume_clients(sample("volume_clients.xml"));
  ASSERT_EQ(bricks.size(), 4u);
  EXPECT_EQ(bricks[1].brick, "gl2.storage.example:/var/tmp/ibmig-xmlcap/n2/bricks/vmstore");
  for (auto const& b : bricks)
    EXPECT_EQ(b.clients.size(), 6u) << b.brick; // 2 FUSE clients + 4 self-heal daemons
  EXPECT_EQ(bricks[1].clients[4], "10.99.1.11:49131");
  auto down = parse_volume_clients(sample("volume_clients_brick_down.xml"));
  ASSERT_EQ(down.size(), 4u);
  EXPECT_TRUE(down[1].clients.empty()) << "an offline brick sees no client";
  EXPECT_EQ(down[2].clients.size(), 6u);
}

// What check_volume decides on: the FUSE client's own endpoints (ss, by pid) are each listed by a brick. Both
// samples were taken at the same moment on the same cluster.
TEST(GlusterOutput, EveryBrickSeesTheMountedClient)
{
  std::set<std::string> client;
  for (auto const& c : parse_ss(sample("ss_established_n1.txt")))
    if (port_of(c.peer) != 24007 && c.pids == std::vector<long>{27266}) client.insert(c.local);
  EXPECT_EQ(client.size(), 4u); // one connection per brick
  for (auto const& b : parse_volume_clients(sample("volume_clients.xml"))) {
    bool sees = false;
    for (auto const& e : b.clients)
      sees = sees || client.count(e) > 0;
    EXPECT_TRUE(sees) << b.brick << " does not list n1's client";
  }
}

TEST(GlusterOutput, HealInfo)
{
  auto heal = parse_heal_info(sample("heal_info.xml"));
  ASSERT_EQ(heal.size(), 4u);
  for (auto const& b : heal) {
    EXPECT_TRUE(b.connected) << b.brick;
    EXPECT_EQ(b.entries, 0) << b.brick;
  }
  auto pending = parse_heal_info(sample("heal_info_pending.xml")); // written while n2's brick was down
  ASSERT_EQ(pending.size(), 4u);
  EXPECT_EQ(pending[0].brick, "gl1.storage.example:/var/tmp/ibmig-xmlcap/n1/bricks/vmstore");
  EXPECT_EQ(pending[0].entries, 3);
  EXPECT_FALSE(pending[1].connected); // "Transport endpoint is not connected"
  EXPECT_EQ(pending[1].entries, -1);  // "-"
  EXPECT_TRUE(parse_heal_info(sample("no_glusterd.txt")).empty());
}

// Real split-brain output (GlusterFS 10.3 counts it in numberOfEntries, as heal info does): wrong if the file on
// either brick is missed, the count is lost, or ordinary heal info (pending, not split) reads as split-brain.
TEST(GlusterOutput, HealInfoSplitBrain)
{
  auto split = parse_heal_split_brain(sample("heal_info_split_brain.xml")); // replica 2, n1 then n2 crashed
  ASSERT_EQ(split.size(), 2u);
  EXPECT_EQ(split[0].brick, "gl1.storage.example:/var/tmp/ibmig-rfb7b4/n1/bricks/vmstore");
  EXPECT_TRUE(split[0].connected);
  EXPECT_EQ(split[0].entries, 1);
  EXPECT_EQ(split[0].files, std::vector<std::string>{"/vm3-plan.qcow2"});
  EXPECT_EQ(split[1].files, std::vector<std::string>{"<gfid:c1a1a2df-703a-404a-8f5f-1bfb7c0a1afe>"});
  auto pending = parse_heal_split_brain(sample("heal_info_pending.xml")); // the same document shape
  ASSERT_EQ(pending.size(), 4u);
  EXPECT_FALSE(pending[1].connected);
  EXPECT_EQ(pending[1].entries, -1);
  auto none = parse_heal_split_brain(sample("heal_info.xml"));
  for (auto const& b : none) {
    EXPECT_EQ(b.entries, 0);
    EXPECT_TRUE(b.files.empty());
  }
  EXPECT_TRUE(parse_heal_split_brain(sample("no_glusterd.txt")).empty());
}

TEST(TcpConnections, Ss)
{
  auto conns = parse_ss(sample("ss_established.txt"));
  ASSERT_EQ(conns.size(), 10u);
  EXPECT_EQ(conns[4].local, "10.9.1.11:49142");
  EXPECT_EQ(conns[4].pids, std::vector<long>{9995});
  EXPECT_EQ(port_of(conns[0].peer), 24007);
  EXPECT_EQ(address_of(conns[4].local), "10.9.1.11");
}

// The hosts file is how names move between networks: a wrong address here re-points the pool wrongly.
TEST(HostsFile, PointsStorageNamesAtTheNetwork)
{
  auto sc      = reference();
  auto storage = render_hosts_file(Topology(sc), "storage");
  EXPECT_NE(storage.find("10.10.1.11 gl1.storage.example\n"), std::string::npos);
  auto ib = render_hosts_file(Topology(sc), "ib");
  EXPECT_NE(ib.find("10.10.2.14 gl4.storage.example\n"), std::string::npos);
  EXPECT_EQ(ib.find("10.10.1."), std::string::npos);
  EXPECT_NE(ib.find("127.0.0.1 localhost"), std::string::npos);
}

TEST(Shaping, TbfBurstHoldsATick)
{
  auto a = tbf_arguments(BitsPerSecond{1e9});
  EXPECT_EQ(a[2], "1000000000bit");
  EXPECT_EQ(a[4], "524288"); // 512 KiB: more than a 64 KiB offloaded packet
  auto b = tbf_arguments(BitsPerSecond{8e9});
  EXPECT_EQ(b[4], "4000000"); // 8 Gbit/s over a 4 ms tick
}

// The state file is what --cleanup trusts after a crash: it must survive a round trip intact.
TEST(RunState, RoundTrip)
{
  auto file = fs::temp_directory_path() / ("ibmig-state-" + std::to_string(::getpid()) + ".json");
  {
    RunState s(file.string(), "r1");
    s.add(created(CreatedObject::Kind::NetNamespace, "ibmig-r1-n1"));
    s.add(created(CreatedObject::Kind::Process, "glusterd", "ibmig-r1-n1", "", 4242, 777));
    s.add(created(CreatedObject::Kind::Mount, "/var/tmp/ibmig-r1/n1/mnt/v", "", "/run/ibmig/ibmig-r1/n1.mnt"));
  }
  auto back = RunState::load(file.string());
  EXPECT_EQ(back.run_id(), "r1");
  ASSERT_EQ(back.objects().size(), 3u);
  EXPECT_EQ(back.objects()[1].pid, 4242);
  EXPECT_EQ(back.objects()[1].start_time, 777u);
  EXPECT_EQ(back.objects()[2].mntns, "/run/ibmig/ibmig-r1/n1.mnt");
  fs::remove(file);
}

// `ibmig lab list/shell/down` find a lab by the `lab` object of its state file: it must survive a round trip, and a
// run without one (an `ibmig emulate` run) must not grow one.
TEST(RunState, LabRoundTrip)
{
  auto file = fs::temp_directory_path() / ("ibmig-state-lab-" + std::to_string(::getpid()) + ".json");
  {
    RunState s(file.string(), "r2");
    s.add(created(CreatedObject::Kind::NetNamespace, "ibmig-r2-n1"));
    EXPECT_TRUE(RunState::load(file.string()).lab().is_null());
    s.set_lab({{"name", "reference"}, {"powered_off", {"n3"}}});
  }
  auto back = RunState::load(file.string());
  EXPECT_EQ(back.lab().value("name", ""), "reference");
  EXPECT_EQ(back.lab()["powered_off"][0], "n3");
  ASSERT_EQ(back.objects().size(), 1u);
  fs::remove(file);
}

// Cleanup must remove what the run recorded, newest first, and never anything else.
TEST(Teardown, TouchesOnlyRecordedObjectsInReverseOrder)
{
  FakeRunner fake;
  fake.answer("ip netns pids", 0, "");
  RunState s("", "r1");
  s.add(created(CreatedObject::Kind::Directory, "/var/tmp/ibmig-r1"));
  s.add(created(CreatedObject::Kind::NetNamespace, "ibmig-r1-n1"));
  s.add(created(CreatedObject::Kind::NetNamespace, "someone-elses-ns"));
  s.add(created(CreatedObject::Kind::Directory, "/home/user"));
  s.add(created(CreatedObject::Kind::Process, "glusterd", "ibmig-r1-n1", "", 100, 5)); // pid still ours
  s.add(created(CreatedObject::Kind::Process, "glusterd", "ibmig-r1-n1", "", 200, 6)); // pid recycled
  s.add(created(CreatedObject::Kind::Mount, "/var/tmp/ibmig-r1/n1/mnt/v", "", "/run/ibmig/ibmig-r1/n1.mnt"));
  Teardown td(fake, nullptr);
  td.path_exists        = [](const std::string&) { return true; };
  td.process_start_time = [calls = 0](long pid) mutable -> unsigned long long {
    if (pid == 100) return ++calls == 1 ? 5 : 0; // alive until the TERM
    return 99;                                   // 200 now belongs to another process
  };
  EXPECT_EQ(td.undo_all(s), 0);
  EXPECT_TRUE(s.objects().empty());
  std::vector<std::string> expected = {
      "nsenter --mount=/run/ibmig/ibmig-r1/n1.mnt umount -l /var/tmp/ibmig-r1/n1/mnt/v", "kill -TERM 100",
      "ip netns pids ibmig-r1-n1", "ip netns del ibmig-r1-n1", "rm -rf --one-file-system /var/tmp/ibmig-r1"};
  EXPECT_EQ(fake.commands, expected);
}

// What teardown could not remove stays in the state file, in order, for --cleanup; the rest leaves it.
TEST(Teardown, KeepsWhatItCouldNotRemove)
{
  FakeRunner fake;
  fake.answer("ip netns pids", 0, "");
  fake.answer("ip netns del ibmig-r1-n2", 1, "", "Device or resource busy");
  RunState s("", "r1");
  s.add(created(CreatedObject::Kind::Directory, "/var/tmp/ibmig-r1"));
  s.add(created(CreatedObject::Kind::NetNamespace, "ibmig-r1-n1"));
  s.add(created(CreatedObject::Kind::NetNamespace, "ibmig-r1-n2"));
  Teardown td(fake, nullptr);
  td.path_exists = [](const std::string&) { return true; };
  EXPECT_EQ(td.undo_all(s), 1);
  ASSERT_EQ(s.objects().size(), 1u);
  EXPECT_EQ(s.objects()[0].name, "ibmig-r1-n2");
}

// --cleanup must not tear down a run whose ibmig is still running (here: init, pid 1, as the owner).
TEST(Cleanup, LeavesARunningRunAlone)
{
  auto dir = fs::temp_directory_path() / ("ibmig-cleanup-" + std::to_string(::getpid()));
  fs::create_directories(dir / "ibmig-rlive");
  auto file            = (dir / "ibmig-rlive.json").string();
  nlohmann::json state = {{"tool", "ibmig emulate"},
                          {"run", "rlive"},
                          {"owner", {{"pid", 1}, {"start_time", read_process_start_time(1)}}},
                          {"objects", {{{"kind", "directory"}, {"name", (dir / "ibmig-rlive").string()}}}}};
  std::ofstream(file) << state.dump();
  auto live = cleanup(dir.string());
  EXPECT_EQ(live.running, 1);
  EXPECT_EQ(live.cleaned, 0);
  EXPECT_TRUE(fs::exists(dir / "ibmig-rlive")) << "a running run's directory was removed";

  state["owner"]["start_time"] = read_process_start_time(1) + 1; // that pid now belongs to another process
  std::ofstream(file) << state.dump();
  auto dead = cleanup(dir.string());
  EXPECT_EQ(dead.running, 0);
  EXPECT_EQ(dead.cleaned, 1);
  EXPECT_FALSE(fs::exists(dir / "ibmig-rlive"));
  EXPECT_FALSE(fs::exists(file));
  EXPECT_THROW(cleanup((dir / "no-such-state.json").string()), EmulationError);
  fs::remove_all(dir);
}

// Names the kernel refuses are bad input before anything is built, with the file and the JSON path.
TEST(EmulatableNames, LongInterfaceNamesAndClashesAreRefused)
{
  auto sc = reference();
  EXPECT_NO_THROW(check_emulatable_names(sc));
  sc.nodes[1].name = "hypervisor-02"; // switch port "hypervisor-02-eth1": 18 characters
  try {
    check_emulatable_names(sc);
    FAIL() << "a switch port name over 15 characters must be refused";
  } catch (const EmulationError& e) {
    EXPECT_NE(std::string(e.what()).find("nodes[1].nics[0].name"), std::string::npos) << e.what();
  }
  sc               = reference();
  sc.nodes[0].name = "sw-" + sc.networks[0].name;
  EXPECT_THROW(check_emulatable_names(sc), EmulationError);
}

// Bricks live in a tmpfs of the run: unmounted on teardown only when it is still mounted (a crash may come first).
TEST(Teardown, MemoryFileSystemIsUnmountedOnlyWhenMounted)
{
  for (int mounted : {0, 1}) {
    FakeRunner fake;
    fake.answer("mountpoint -q", mounted ? 0 : 1);
    RunState s("", "r1");
    s.add(created(CreatedObject::Kind::Directory, "/var/tmp/ibmig-r1"));
    s.add(created(CreatedObject::Kind::MemoryFileSystem, "/var/tmp/ibmig-r1"));
    Teardown td(fake, nullptr);
    td.path_exists = [](const std::string&) { return true; };
    EXPECT_EQ(td.undo_all(s), 0);
    EXPECT_EQ(fake.ran("umount -l /var/tmp/ibmig-r1"), mounted == 1);
    EXPECT_EQ(fake.commands.back(), "rm -rf --one-file-system /var/tmp/ibmig-r1");
  }
}

// The tmpfs is sized from the workload: a wrong bound would fail writes with ENOSPC mid-run.
TEST(BrickMemory, BoundFollowsTheWorkloadAndReplicas)
{
  auto sc = reference();
  EmulateOptions opt;
  opt.write_bytes     = Bytes{100e6};
  opt.read_file_bytes = Bytes{10e6};
  opt.small_files     = 10;
  opt.paced_seconds   = 3;
  // reference (replica 2): vm2 max-rate 100 MB; vm3, vm5, vm7, vm8 paced 10 MB/s x 3 s = 30 MB each; per phase
  // 220 MB + vm6 10 x 64 KiB; two phases; vm1 and vm4 read a 10 MB image each; all twice (replica 2).
  double expected = 2 * (2 * (100e6 + 4 * 30e6 + 10 * 65536.0) + 2 * 10e6);
  EXPECT_DOUBLE_EQ(brick_bytes_upper_bound(sc, opt).value, expected);
  opt.concurrent_streams = true; // paced streams then write up to write_bytes
  EXPECT_DOUBLE_EQ(brick_bytes_upper_bound(sc, opt).value, 2 * (2 * (5 * 100e6 + 10 * 65536.0) + 2 * 10e6));

  opt.concurrent_streams = false;
  auto want              = memory_for_bricks(sc, opt, Bytes{0}).value;
  EXPECT_GT(want, expected);
  EXPECT_NO_THROW(memory_for_bricks(sc, opt, Bytes{2 * want}));
  try {
    memory_for_bricks(sc, opt, Bytes{want});
    FAIL() << "a run that does not fit in half the available memory must be refused";
  } catch (const EmulationError& e) {
    EXPECT_NE(std::string(e.what()).find("in memory"), std::string::npos) << e.what();
  }
}

/* Runs the reference plan's steps from `next` to the one before `name`, skipping the checks (the fake cluster has
 * no gluster to ask); `next` is then the index of `name`'s step. */
void replay_until(PlanReplayer& replay, const Scenario& sc, size_t& next, const std::string& name)
{
  for (; next < sc.plan.steps.size(); next++) {
    auto const& st = sc.plan.steps[next];
    if (st.name == name) return;
    if (!is_check(st.action)) replay.run_step(st, "storage");
  }
  throw std::runtime_error("no step " + name);
}

// Step -> command mapping: what each runbook action does to the namespaces, in plan order (the model decides what
// a step means on the state the earlier steps left).
TEST(PlanReplay, StepsBecomeNamespaceCommands)
{
  auto sc = reference();
  FakeRunner fake;
  fake.answer("link show ib0", 1); // not installed yet: `ip link show` fails
  auto layout = temp_layout();
  EmulatedCluster cluster(sc, layout, fake, nullptr);
  MistakenPlan plan = apply_mistakes(sc, {});
  PlanReplayer replay(cluster, plan, {0.0}, 0);
  for (auto const& n : sc.nodes)
    fs::create_directories(layout.node_dir(n.name) + "/etc");

  size_t next = 0;
  replay_until(replay, sc, next, "Install HCAs");
  EXPECT_FALSE(replay.model().node("n3").glusterd_enabled);
  EXPECT_FALSE(replay.model().node("n3").powered);
  EXPECT_TRUE(fake.ran("ip -n ibmig-rtest-n3 link set eth1 down")); // power off takes its interfaces down

  replay.run_step(sc.plan.steps[next++], "storage");
  EXPECT_TRUE(fake.ran("ip -n ibmig-rtest-sw-ib link add n2-ib0 type veth peer name ib0 netns ibmig-rtest-n2"));
  // IPoIB has a stream rule: htb at the data rate with a class per peer (test_link_shaping.cpp has the details).
  EXPECT_TRUE(fake.ran("tc -n ibmig-rtest-n2 class add dev ib0 parent 1: classid 1:1 htb rate 8000000000bit"));
  EXPECT_TRUE(fake.ran("tc -n ibmig-rtest-sw-ib class add dev n2-ib0 parent 1: classid 1:1 htb rate 8000000000bit"));

  replay_until(replay, sc, next, "Configure ib0 (connected, MTU 65520)");
  replay.run_step(sc.plan.steps[next++], "storage");
  EXPECT_TRUE(fake.ran("ip -n ibmig-rtest-n4 link set ib0 mtu 65520"));
  EXPECT_TRUE(fake.ran("ip -n ibmig-rtest-n4 addr replace 10.10.2.14/24 dev ib0"));
  EXPECT_EQ(replay.model().node("n4").interfaces.at("ib0").mode, IpoibMode::Connected);

  // The fake kernel now reports ib0 up at 65520 on every node, n2's at 2044.
  fake.rules.clear();
  fake.answer("ibmig-rtest-n2 -j link show", 0, R"([{"ifname":"ib0","mtu":2044,"flags":["UP"]}])");
  fake.answer("-j link show", 0, R"([{"ifname":"ib0","mtu":65520,"flags":["UP"]}])");
  fake.commands.clear();
  fake.answer("ping -M do", 1, "", "ping: local error: message too long, mtu=2044");
  size_t findings_before = replay.findings().size(); // a fake cluster shows no processes: the earlier steps differ
  try {
    replay.run_step(step_named(sc, "Large ping over IB"), "storage");
    FAIL() << "the ping step should fail";
  } catch (const StepFailure& f) { // explained with the MTUs on both ends
    EXPECT_NE(std::string(f.what()).find("MTU 2044"), std::string::npos) << f.what();
  }
  EXPECT_TRUE(fake.ran("nsenter --mount=" + layout.mntns("n1") +
                       " --net=/run/netns/ibmig-rtest-n1 -- ping -M do -s 65492 -c 3"));
  // The model expected the ping to pass (every ib0 at 65520): that the cluster failed it is a finding.
  ASSERT_EQ(replay.findings().size(), findings_before + 1);
  EXPECT_EQ(replay.findings().back().rule, "EMULATION_DIFFERS");
  EXPECT_EQ(replay.findings().back().step, "Large ping over IB");
  EXPECT_NE(replay.findings().back().message.find("expected this check to pass"), std::string::npos);

  replay.run_step(step_named(sc, "Re-point storage names to IB"), "ib");
  std::ifstream hosts(layout.hosts_file("n1"));
  std::stringstream text;
  text << hosts.rdbuf();
  EXPECT_NE(text.str().find("10.10.2.13 gl3.storage.example"), std::string::npos);
  EXPECT_EQ(replay.model().node("n1").names_network, "ib");
  fs::remove_all(layout.state_dir);
}

// What the model refuses fails the step in the emulator as in the simulator: a veth would take any MTU.
TEST(PlanReplay, DatagramModeRefusesConnectedMtu)
{
  auto sc = reference();
  FakeRunner fake;
  fake.answer("link show ib0", 1);
  auto layout = temp_layout();
  EmulatedCluster cluster(sc, layout, fake, nullptr);
  MistakenPlan plan = apply_mistakes(sc, {});
  PlanReplayer replay(cluster, plan, {0.0}, 0);
  for (auto const& n : sc.nodes)
    fs::create_directories(layout.node_dir(n.name));
  size_t next = 0;
  replay_until(replay, sc, next, "Configure ib0 (connected, MTU 65520)");
  Step st = step_named(sc, "Configure ib0 (connected, MTU 65520)");
  st.mode = IpoibMode::Datagram;
  try {
    replay.run_step(st, "storage");
    FAIL() << "datagram mode at MTU 65520 must fail the step";
  } catch (const StepFailure& f) {
    EXPECT_NE(std::string(f.what()).find("datagram"), std::string::npos) << f.what();
  }
  fs::remove_all(layout.state_dir);
}

// Each injected mistake changes the plan the way its name says (the replay and the checker see the same change).
TEST(Mistakes, ApplyToACopyOfThePlan)
{
  auto sc = reference();
  auto a  = apply_mistakes(sc, {"names-not-repointed"});
  for (auto const& s : a.scenario.plan.steps)
    EXPECT_NE(s.action, Action::RepointNames);
  EXPECT_EQ(a.intended_names_network.back(), "ib"); // the intent stays: checks compare against it
  EXPECT_EQ(sc.plan.steps.size(), a.scenario.plan.steps.size() + 1);

  auto m  = apply_mistakes(sc, {"mtu-mismatch"});
  int odd = 0;
  for (auto const& s : m.scenario.plan.steps)
    if (s.action == Action::ConfigureInterface && s.mtu == 2044) {
      ++odd;
      EXPECT_EQ(s.nodes, std::vector<std::string>{"n2"});
    }
  EXPECT_EQ(odd, 1);

  auto c                  = apply_mistakes(sc, {"client-left-mounted"});
  bool down_after_repoint = false, seen_repoint = false;
  for (auto const& s : c.scenario.plan.steps) {
    if (s.action == Action::StopClients || s.action == Action::StartClients) {
      EXPECT_EQ(std::count(s.nodes.begin(), s.nodes.end(), "n1"), 0);
    }
    seen_repoint = seen_repoint || s.action == Action::RepointNames;
    if (s.action == Action::InterfaceDown && s.interface == "eth1") down_after_repoint = seen_repoint;
  }
  EXPECT_TRUE(down_after_repoint);
  // n1 is not power-cycled, so its HCA cannot go in during this window: it went in earlier (present from the start).
  EXPECT_TRUE(c.scenario.find_node("n1")->find_nic("ib0")->present);
  EXPECT_FALSE(sc.find_node("n1")->find_nic("ib0")->present); // the original scenario is untouched
  for (auto const& s : c.scenario.plan.steps)
    if (s.action == Action::InstallNic) {
      EXPECT_EQ(std::count(s.nodes.begin(), s.nodes.end(), "n1"), 0);
    }

  auto n = apply_mistakes(sc, {"node-does-not-return"});
  for (auto const& s : n.scenario.plan.steps)
    if (s.action == Action::PowerOn) {
      EXPECT_EQ(std::count(s.nodes.begin(), s.nodes.end(), "n4"), 0);
    }
  EXPECT_THROW(apply_mistakes(sc, {"typo"}), std::invalid_argument);
}

// The pattern lets bricks be checked without a stored copy: it must be deterministic and offset-consistent.
TEST(Workload, PatternIsDeterministicAndSeekable)
{
  std::vector<char> whole(100), part(37);
  fill_pattern(pattern_seed("vm2.qcow2"), 0, whole.data(), whole.size());
  fill_pattern(pattern_seed("vm2.qcow2"), 13, part.data(), part.size());
  EXPECT_EQ(std::string(whole.begin() + 13, whole.begin() + 50), std::string(part.begin(), part.end()));
  std::vector<char> other(100);
  fill_pattern(pattern_seed("vm3.qcow2"), 0, other.data(), other.size());
  EXPECT_NE(whole, other);
  auto file = fs::temp_directory_path() / ("ibmig-pattern-" + std::to_string(::getpid()));
  std::ofstream(file, std::ios::binary).write(whole.data(), 90);
  EXPECT_EQ(matching_bytes(file.string(), pattern_seed("vm2.qcow2"), 100), 90u);
  EXPECT_EQ(matching_bytes(file.string(), pattern_seed("vm3.qcow2"), 100), 0u);
  fs::remove(file);
}

// The replay's writers count a byte only once an fdatasync confirmed it: killed (a crash of its node) or stopped,
// each reports what its file really holds from the start, and a writer whose directory is gone counts failures, not
// bytes. Wrong if a killed writer's figure is above what reached the file or is lost, or a failed write counts.
TEST(Workload, BackgroundWritersCountAcknowledgedBytesOnly)
{
  if (::geteuid() != 0) GTEST_SKIP() << "entering a mount namespace (setns) needs root";
  auto dir = fs::temp_directory_path() / ("ibmig-bgw-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto job = [&](const std::string& vm, const std::string& where, double rate) {
    IoJob j;
    j.vm        = vm;
    j.mntns     = "/proc/self/ns/mnt"; // this test's own mount namespace
    j.dir       = where;
    j.file      = vm + "-plan.qcow2";
    j.kind      = StreamKind::SequentialWrite;
    j.rate_Bps  = rate;
    j.max_bytes = 64u << 20;
    return j;
  };
  BackgroundWriters w(
      {job("vm1", dir.string(), 8e6), job("vm2", dir.string(), 8e6), job("vm3", (dir / "missing").string(), 8e6)});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  w.kill_vm("vm2");
  auto got = w.stop(10);
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(got[i].vm);
    EXPECT_EQ(got[i].file, got[i].vm + "-plan.qcow2");
    EXPECT_GE(got[i].acked, 4u << 20) << "~1.5 s at 8 MB/s";
    EXPECT_LT(got[i].acked, 64u << 20) << "paced: not the whole size";
    EXPECT_EQ(got[i].acked % (1u << 20), 0u) << "whole 1 MiB writes";
    auto path = (dir / got[i].file).string();
    EXPECT_GE(fs::file_size(path), got[i].acked);
    EXPECT_EQ(matching_bytes(path, pattern_seed(got[i].file), got[i].acked), got[i].acked);
    EXPECT_EQ(got[i].failures, 0);
  }
  EXPECT_FALSE(got[0].killed);
  EXPECT_TRUE(got[1].killed);
  EXPECT_EQ(got[2].acked, 0u);
  EXPECT_GE(got[2].failures, 1);
  EXPECT_NE(got[2].last_error.find("create"), std::string::npos) << got[2].last_error;
  fs::remove_all(dir);
}

// The comparison is what tells a user whether the simulator can be trusted: a 20% miss must be called out.
// Verification reads every replica: if this fails, a lost or half-written copy would pass as "0 bytes lost".
TEST(Verification, ReadsEveryDataBrickOfTheFilesReplicaSet)
{
  auto sc          = reference();
  auto layout      = temp_layout();
  auto const& vol  = sc.volumes.front(); // replica 2: n1+n2, n3+n4
  std::string name = "vm2-before.qcow2";
  std::vector<char> data(4096);
  fill_pattern(pattern_seed(name), 0, data.data(), data.size());
  auto put = [&](const Brick& b, size_t bytes) {
    fs::create_directories(layout.brick_dir(b));
    std::ofstream(layout.brick_dir(b) + "/" + name, std::ios::binary).write(data.data(), static_cast<long>(bytes));
  };
  put(vol.bricks[2], data.size()); // the file's set: n3 and n4
  put(vol.bricks[3], data.size());
  put(vol.bricks[0], 0); // a DHT link file on the first set: empty with the sticky bit, not a copy
  fs::permissions(layout.brick_dir(vol.bricks[0]) + "/" + name, fs::perms::sticky_bit, fs::perm_options::add);
  std::vector<WrittenFile> written{{vol.name, name, data.size(), "vm1"}};
  auto ok = verify_written_files(sc, layout, written);
  EXPECT_EQ(ok.files, 1);
  EXPECT_EQ(ok.bytes_verified, 2 * data.size());
  EXPECT_EQ(ok.bytes_lost, 0u);
  put(vol.bricks[3], 1000); // the second replica holds only the first 1000 bytes
  auto short_copy = verify_written_files(sc, layout, written);
  EXPECT_EQ(short_copy.bytes_lost, data.size() - 1000);
  ASSERT_EQ(short_copy.problems.size(), 1u);
  EXPECT_NE(short_copy.problems[0].find(" on n4: "), std::string::npos) << short_copy.problems[0];
  fs::remove_all(layout.state_dir);
}

TEST(Comparison, FlagsFiguresOutsideTheTolerance)
{
  Report measured, predicted;
  PhaseReport m{"before", 0, 10, 0, 0, "", {}}, p = m;
  ClientFigures mc;
  mc.name                       = "vm2";
  mc.node                       = "n1";
  mc.write_MBps                 = 47;
  mc.nic_bytes_per_byte_written = 2.02;
  ClientFigures pc              = mc;
  pc.write_MBps                 = 58.8;
  pc.nic_bytes_per_byte_written = 2.0;
  m.clients.push_back(mc);
  p.clients.push_back(pc);
  measured.phases.push_back(m);
  predicted.phases.push_back(p);
  auto rows = build_comparison(measured, predicted, "note");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].within);
  EXPECT_TRUE(rows[1].within);
  measured.emulation.emplace().comparison = rows;
  std::ostringstream out;
  print_comparison(measured, out);
  EXPECT_NE(out.str().find("before: vm2 write MB/s"), std::string::npos) << out.str();
}

// A fault's heal: measured against the simulator's for the same fault, with the time scale said when it is not 1.
// Wrong if the row is missing, pairs two different nodes' faults, or appears for a heal that was not measured.
TEST(Comparison, HealRowPerFault)
{
  Report measured, predicted;
  measured.emulation.emplace().run.time_scale = 1;
  predicted.faults = {{"n2", "faults[0]", 40, 60, 63.75, 3.75, {}}, {"n1", "faults[1]", 90, 100, 101, 1, {}}};
  measured.faults  = {{"n2", "faults[0]", 18, 39.8, 44.2, 4.41, {}},
                      {"n1", "faults[1]", 60, 70, std::nullopt, std::nullopt, {"vmstore:/a"}}};
  auto rows        = build_comparison(measured, predicted, "note");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].metric, "heal s after n2 crashed (faults[0])");
  EXPECT_DOUBLE_EQ(rows[0].predicted, 3.75);
  EXPECT_DOUBLE_EQ(rows[0].measured, 4.41);
  EXPECT_TRUE(rows[0].within);
  EXPECT_EQ(rows[0].note.find("time scale"), std::string::npos);
  measured.emulation->run.time_scale = 0.01;
  measured.faults[0].heal_s          = 30;
  rows                               = build_comparison(measured, predicted, "note");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].within) << "30 s against 3.75 s";
  EXPECT_NE(rows[0].note.find("time scale 0.01"), std::string::npos) << rows[0].note;
  predicted.faults[0].node = "n3";
  EXPECT_TRUE(build_comparison(measured, predicted, "note").empty());
}

// After the migration a client is compared too, unless its predicted limit is one the emulated cluster does not
// have: a brick disk (bricks are in memory), or with a rate scale the host's request rate (not slowed with links).
TEST(Comparison, AfterPhaseRowsOnlyWhereTheLimitIsEmulated)
{
  Report measured, predicted;
  PhaseReport m{"after", 0, 10, 0, 0, "", {}}, p = m;
  for (auto [vm, limit] : {std::pair{"vm1", "brick disk (n3)"}, std::pair{"vm2", "client NIC n1-ib0 send (IB-SDR)"},
                           std::pair{"vm3", "FUSE request rate (128 KiB requests) on n2"}}) {
    ClientFigures c;
    c.name       = vm;
    c.node       = "n1";
    c.write_MBps = 100;
    m.clients.push_back(c);
    c.bottleneck = limit;
    p.clients.push_back(c);
  }
  measured.phases.push_back(m);
  predicted.phases.push_back(p);
  measured.emulation.emplace().run.rate_scale = 0.1;
  auto rows                                   = build_comparison(measured, predicted, "note", true);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].metric, "after: vm2 write MB/s");
  measured.emulation->run.rate_scale = 1;
  EXPECT_EQ(build_comparison(measured, predicted, "note", true).size(), 2u) << "at full speed FUSE is emulated";
}

// Step rows compare the model's machine time with the measured one: a polling check 0.8 s faster than predicted is
// noise, not a disagreement; a glusterd start 3x slower than predicted is called out.
TEST(Comparison, StepMachineTimeHasAnAbsoluteTolerance)
{
  // Both reports time a step alike (its runbook 120 s and 60 s here); the rows compare the machine times only.
  Report measured, predicted;
  StepReport check{"Check volume", "check_volume", 0, 120, StepOutcome::Ok, "", StepTiming::Measured, 0.2, ""};
  StepReport start{"Start glusterd", "start_service", 0, 60, StepOutcome::Ok, "", StepTiming::Measured, 33.0, ""};
  measured.steps  = {check, start};
  check.machine_s = 1.0;
  start.machine_s = 11.5;
  predicted.steps = {check, start};
  auto rows       = build_comparison(measured, predicted, "note");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].within) << rows[0].metric << ": " << rows[0].error_pct << "%";
  EXPECT_EQ(rows[1].measured, 33.0) << rows[1].metric;
  EXPECT_FALSE(rows[1].within) << rows[1].metric << ": " << rows[1].error_pct << "%";
}

// One clock rule for both worlds: volume downtime agrees within a few percent, not the 50% of machine times.
// Exit statuses are an interface: a run whose replay succeeded still fails on a plan check error or on a difference
// between the emulated cluster and the model, as simulate does.
TEST(RunFailed, FollowsTheVerdict)
{
  Report r;
  r.emulation.emplace();
  r.steps = {{"Start glusterd", "start_service", 0, 60, StepOutcome::Ok, "", StepTiming::Measured, 5.0, ""}};
  EXPECT_FALSE(run_failed(r));
  r.checks = {{"NAMES_NOT_REPOINTED", Severity::Warning, "m", "Start glusterd", FindingOrigin::Check}};
  EXPECT_FALSE(run_failed(r)) << "a warning is not a failure";
  r.checks[0].severity = Severity::Error;
  EXPECT_TRUE(run_failed(r));
  r.checks = {{"EMULATION_DIFFERS", Severity::Error, "n1: glusterd runs", "Stop glusterd", FindingOrigin::Emulation}};
  EXPECT_TRUE(run_failed(r));
  r.checks.clear();
  r.emulation->verification.bytes_lost = 1;
  EXPECT_TRUE(run_failed(r));
}

TEST(Comparison, VolumeDowntimeToleranceIsTight)
{
  Report measured, predicted;
  predicted.volume_downtime = {{"vmstore", 3970, {}, {}, {}, {}}};
  measured.volume_downtime  = {{"vmstore", 3970 * 1.04, {}, {}, {}, {}}};
  auto rows                 = build_comparison(measured, predicted, "note");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].within) << rows[0].error_pct << "%";
  measured.volume_downtime[0].seconds = 2803; // the old clock, which dropped the admin's time of measured steps
  rows                                = build_comparison(measured, predicted, "note");
  EXPECT_FALSE(rows[0].within) << rows[0].error_pct << "%";
}

// The one SIGINT/SIGTERM guard of the emulation tree: if these fail, Ctrl-C kills ibmig before its teardown runs,
// or the guard of the soft-RoCE guests, nested in a run, drops that run's interrupt.
TEST(InterruptGuard, SignalsRaiseTheFlagAndNestedGuardsKeepIt)
{
  struct sigaction before {};
  ::sigaction(SIGINT, nullptr, &before);
  {
    request_interrupt(); // a stale flag from an earlier run: the outermost guard starts clean
    InterruptGuard outer;
    EXPECT_FALSE(interrupt_requested());
    ::raise(SIGINT); // the process survives: the handler only raises the flag
    EXPECT_TRUE(interrupt_requested());
    EXPECT_EQ(interrupt_signal(), SIGINT);
    {
      InterruptGuard inner;
      EXPECT_TRUE(interrupt_requested()) << "an inner guard lost the interrupt of the run around it";
    }
    ::raise(SIGTERM); // still caught: the inner guard gave back the outer's handlers
    EXPECT_EQ(interrupt_signal(), SIGTERM);
    try {
      throw_if_interrupted("the emulated cluster was torn down");
      ADD_FAILURE() << "no Interrupted thrown";
    } catch (const Interrupted& e) {
      EXPECT_STREQ(e.what(), "interrupted by signal 15: the emulated cluster was torn down");
    }
  }
  struct sigaction after {};
  ::sigaction(SIGINT, nullptr, &after);
  EXPECT_EQ(after.sa_handler, before.sa_handler) << "the previous SIGINT handler was not restored";
  clear_interrupt();
}

TEST(InterruptGuard, SleepsAndCommandsStopAtTheFlag)
{
  InterruptGuard guard;
  request_interrupt();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(interruptible_sleep(30, "stopped"), Interrupted);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
  SystemRunner runner;
  auto r = runner.run({"sleep", "30"}, Seconds{60});
  EXPECT_TRUE(r.interrupted) << r.summary();
  runner.set_interruptible(false); // teardown: commands run to the end despite the flag
  EXPECT_TRUE(runner.run({"true"}, Seconds{10}).ok());
  clear_interrupt();
}

// verify_port in the replay: the ports asked are the step's running nodes with the HCA, each with what the model
// holds (stack loaded, cable, port number, IB MTU); a reading that is not PORT_ACTIVE fails the step with the
// port's state and who answered. If this fails, emulate --rdma would ask guests about ports the model does not have,
// or pass a port the real verbs stack reports down.
TEST(PortProbe, QueriesFollowTheModelAndReadingsDecide)
{
  Scenario sc = load_scenario(std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference-dual-port.json");
  ClusterModel m(sc);
  const Step* verify = nullptr;
  for (auto const& st : sc.plan.steps) {
    if (st.action == Action::VerifyPort) {
      verify = &st;
      break;
    }
    m.apply(st);
  }
  ASSERT_NE(verify, nullptr);
  std::vector<PortQuery> asked = port_queries(*verify, m);
  ASSERT_EQ(asked.size(), 4u);
  EXPECT_EQ(asked[1].node, "n2");
  EXPECT_EQ(asked[1].interface, "ib1");
  EXPECT_EQ(asked[1].port, 2);
  EXPECT_TRUE(asked[1].stack_loaded);
  EXPECT_TRUE(asked[1].cabled);
  EXPECT_EQ(asked[1].ib_mtu, 2048);

  Step port1                      = *verify;
  port1.interface                 = "ib0"; // the uncabled port of the same cards
  std::vector<PortQuery> uncabled = port_queries(port1, m);
  ASSERT_EQ(uncabled.size(), 4u);
  EXPECT_FALSE(uncabled[0].cabled);
  EXPECT_EQ(uncabled[0].port, 1);

  std::vector<PortReading> got;
  for (auto const& q : asked)
    got.push_back({q.node, "PORT_ACTIVE", 2048, "rxe0", "soft-RoCE guest " + q.node, "", 0});
  PortOutcome ok = port_outcome(*verify, asked, got);
  EXPECT_TRUE(ok.failures.empty());
  EXPECT_NE(ok.seen.find("n3 ib1 (port 2) PORT_ACTIVE, active MTU 2048 (rxe0, soft-RoCE guest n3)"), std::string::npos)
      << ok.seen;
  got[2].state    = "PORT_DOWN";
  got[3].state    = "NO_DEVICE";
  PortOutcome bad = port_outcome(*verify, asked, got);
  ASSERT_EQ(bad.failures.size(), 2u);
  EXPECT_EQ(bad.failures[0], "n3 ib1 (port 2): ibv_devinfo: PORT_DOWN (soft-RoCE guest n3)");
  EXPECT_EQ(bad.failures[1], "n4 ib1 (port 2): ibv_devinfo: has no RDMA device (soft-RoCE guest n4)");
  got.pop_back(); // a guest that never answered
  EXPECT_EQ(port_outcome(*verify, asked, got).failures.back(),
            "n4 ib1 (port 2): ibv_devinfo: could not be queried (no reading)");

  // A node that is off is not asked.
  ClusterModel off = m;
  Step power_off;
  power_off.action = Action::PowerOff;
  power_off.nodes  = {"n1"};
  off.apply(power_off);
  EXPECT_EQ(port_queries(*verify, off).size(), 3u);
}

// A brick sits at its scenario path inside its node, except where the node's own mounts or the host's system live.
TEST(BrickPath, ConflictsWithTheNodesOwnDirectoriesAreNamed)
{
  RunLayout layout;
  layout.run_id    = "rb1";
  layout.state_dir = "/run/ibmig";
  layout.work_dir  = "/var/tmp/ibmig-rb1";
  EXPECT_EQ(brick_path_conflict({"n1", "/bricks/vmstore"}, layout), "");
  EXPECT_EQ(brick_path_conflict({"n1", "/srv/gluster/vmstore"}, layout), "");
  EXPECT_EQ(brick_path_conflict({"n1", "/runner/b"}, layout), "") << "a prefix of a name is not its directory";
  EXPECT_NE(brick_path_conflict({"n1", "/run/b"}, layout).find("lies in /run"), std::string::npos);
  EXPECT_NE(brick_path_conflict({"n1", "/mnt/brick1"}, layout).find("lies in /mnt"), std::string::npos);
  EXPECT_NE(brick_path_conflict({"n1", "/var/lib/glusterd/b"}, layout).find("/var/lib/glusterd"), std::string::npos);
  EXPECT_NE(brick_path_conflict({"n1", "/var/tmp/ibmig-rb1/x"}, layout).find("overlaps"), std::string::npos);
  EXPECT_NE(brick_path_conflict({"n1", "/var/tmp"}, layout).find("overlaps"), std::string::npos);
}

// A mount point made on the host goes with the run only while it is empty; rmdir never takes anything with it.
TEST(Teardown, MountPointIsRemovedOnlyWhenEmpty)
{
  auto dir = fs::temp_directory_path() / ("ibmig-mp-" + std::to_string(::getpid()));
  fs::create_directories(dir / "empty");
  fs::create_directories(dir / "used");
  std::ofstream(dir / "used" / "keep") << "someone's file";
  SystemRunner system;
  RunState s("", "r1");
  s.add(created(CreatedObject::Kind::MountPoint, (dir / "used").string()));
  s.add(created(CreatedObject::Kind::MountPoint, (dir / "empty").string()));
  std::ostringstream log;
  Teardown td(system, &log);
  EXPECT_EQ(td.undo_all(s), 0);
  EXPECT_FALSE(fs::exists(dir / "empty"));
  EXPECT_TRUE(fs::exists(dir / "used" / "keep"));
  EXPECT_NE(log.str().find("left " + (dir / "used").string() + " (not empty)"), std::string::npos) << log.str();
  EXPECT_TRUE(s.objects().empty());
  EXPECT_TRUE(is_mount_target("/proc")) << "every namespace has /proc mounted";
  EXPECT_FALSE(is_mount_target((dir / "used").string()));
  fs::remove_all(dir);
}
