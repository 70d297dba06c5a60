/* The runbook: the plan as the commands an admin types on the scenario's distribution, the checks between steps and
 * their expected output, and the three writers. */
#include "runbook.hpp"

#include "random_scenario.hpp"
#include "scenario_loader.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

namespace {

using namespace ibmig;

const std::string kRoot = IBMIG_SOURCE_DIR;

Scenario load(const std::string& name)
{
  return load_scenario(kRoot + "/scenarios/" + name);
}

const RunbookStep& step_named(const Runbook& rb, const std::string& title)
{
  for (auto const& st : rb.steps)
    if (st.title == title) return st;
  throw std::runtime_error("no runbook step \"" + title + "\"");
}

/* Every command the step types on `node`, one string. */
std::string commands_on(const RunbookStep& st, const std::string& node)
{
  std::string out;
  for (auto const& ph : st.phases)
    for (auto const& c : ph.commands)
      if (c.node == node)
        for (auto const& line : c.commands)
          out += line + "\n";
  return out;
}

std::vector<const Check*> checks_of(const RunbookStep& st)
{
  std::vector<const Check*> out;
  for (auto const& ph : st.phases)
    for (auto const& c : ph.checks)
      out.push_back(&c);
  return out;
}

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

size_t count(const std::string& text, const std::string& part)
{
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    n++;
  return n;
}

// If this fails, the reference runbook does not say what the write-up's admin typed on CentOS 6: SysV services,
// an ifcfg file in connected mode with the node's own address.
TEST(Runbook, CentosReferenceUsesServiceChkconfigAndIfcfg)
{
  Scenario sc = load("reference.json");
  ASSERT_EQ(sc.distribution, Distribution::Centos6);
  EXPECT_FALSE(sc.distribution_defaulted);
  Runbook rb = make_runbook(sc);
  ASSERT_EQ(rb.steps.size(), sc.plan.steps.size());
  for (const char* n : {"n1", "n2", "n3", "n4"}) {
    EXPECT_TRUE(contains(commands_on(step_named(rb, "Stop glusterd"), n), "service glusterd stop\n")) << n;
    EXPECT_TRUE(contains(commands_on(step_named(rb, "Disable glusterd at boot"), n), "chkconfig glusterd off")) << n;
    EXPECT_TRUE(contains(commands_on(step_named(rb, "Enable glusterd at boot"), n), "chkconfig glusterd on")) << n;
  }
  const RunbookStep& conf = step_named(rb, "Configure ib0 (connected, MTU 65520)");
  std::string n3          = commands_on(conf, "n3");
  EXPECT_TRUE(contains(n3, "/etc/sysconfig/network-scripts/ifcfg-ib0")) << n3;
  EXPECT_TRUE(contains(n3, "\nCONNECTED_MODE=yes\n")) << n3;
  EXPECT_TRUE(contains(n3, "\nMTU=65520\n")) << n3;
  EXPECT_TRUE(contains(n3, "\nIPADDR=10.10.2.13\n")) << n3; // n3's own, not another node's
  EXPECT_FALSE(contains(n3, "10.10.2.11")) << n3;
  EXPECT_TRUE(contains(n3, "ifup ib0")) << n3;
  EXPECT_TRUE(contains(n3, "yum install")) << n3;
  EXPECT_FALSE(contains(n3, "systemctl")) << n3;
  EXPECT_FALSE(contains(n3, "nmcli")) << n3;
}

// If this fails, the ping check does not cover every pair, pings the node itself, or uses another size than the
// plan's 65492 bytes with don't-fragment.
TEST(Runbook, PingChecksEveryOtherNodeWithDontFragment)
{
  Runbook rb  = make_runbook(load("reference.json"));
  auto checks = checks_of(step_named(rb, "Large ping over IB"));
  ASSERT_EQ(checks.size(), 12u); // 4 nodes x 3 others
  for (const Check* c : checks) {
    EXPECT_EQ(c->command.rfind("ping -M do -s 65492 -c 3 10.10.2.", 0), 0u) << c->command;
    EXPECT_NE(c->command.substr(c->command.size() - 2), "1" + c->node.substr(1)) << c->node << ": " << c->command;
    ASSERT_EQ(c->expect.size(), 1u);
    EXPECT_EQ(c->expect[0].pattern, ", 0% packet loss"); // not "100% packet loss"
  }
}

// If this fails, a ping without "size" is not MTU - 28 of the interfaces the cluster model has up at that point.
TEST(Runbook, PingSizeDefaultsToTheModelsMtuMinus28)
{
  Scenario sc = load("reference.json");
  for (auto& st : sc.plan.steps)
    if (st.action == Action::VerifyPing) st.mtu = 0;
  Runbook rb  = make_runbook(sc);
  auto checks = checks_of(step_named(rb, "Large ping over IB"));
  ASSERT_FALSE(checks.empty());
  EXPECT_EQ(checks.front()->command.rfind("ping -M do -s 65492 ", 0), 0u) << checks.front()->command;

  Scenario dg = load("reference-datagram.json");
  for (auto& st : dg.plan.steps)
    if (st.action == Action::VerifyPing) st.mtu = 0;
  Runbook rb_dg = make_runbook(dg);
  for (auto const& st : rb_dg.steps) {
    if (st.action != Action::VerifyPing) continue;
    EXPECT_EQ(checks_of(st).front()->command.rfind("ping -M do -s 2016 ", 0), 0u) << checks_of(st).front()->command;
  }
}

// If this fails, EL9 gets CentOS 6's commands (or none): it configures IPoIB with nmcli and runs systemd.
TEST(Runbook, El9UsesNmcliAndSystemctl)
{
  Scenario sc     = load("reference.json");
  sc.distribution = Distribution::El9;
  Runbook rb      = make_runbook(sc);
  std::string n2  = commands_on(step_named(rb, "Configure ib0 (connected, MTU 65520)"), "n2");
  EXPECT_TRUE(contains(n2, "nmcli connection add type infiniband con-name ib0 ifname ib0 "
                           "infiniband.transport-mode connected infiniband.mtu 65520 ipv4.method manual "
                           "ipv4.addresses 10.10.2.12/24"))
      << n2;
  EXPECT_TRUE(contains(n2, "dnf install -y rdma-core")) << n2;
  EXPECT_FALSE(contains(n2, "ifcfg")) << n2;
  EXPECT_TRUE(contains(commands_on(step_named(rb, "Stop glusterd"), "n1"), "systemctl stop glusterd")) << "n1";
  EXPECT_TRUE(contains(commands_on(step_named(rb, "Disable glusterd at boot"), "n1"), "systemctl disable glusterd"));
  std::string md = write_markdown(rb);
  EXPECT_FALSE(contains(md, "chkconfig"));
  EXPECT_FALSE(contains(md, "service glusterd"));
}

// If this fails, Debian 12's connected mode is not set through sysfs before the MTU (the kernel refuses an MTU above
// 2044 in datagram mode), or nothing makes it survive a reboot.
TEST(Runbook, Debian12SetsModeBeforeMtuAndWritesInterfacesD)
{
  Scenario sc = load("reference-rolling.json");
  ASSERT_TRUE(sc.distribution_defaulted);
  ASSERT_EQ(sc.distribution, Distribution::Debian12);
  Runbook rb     = make_runbook(sc);
  std::string n4 = commands_on(step_named(rb, "Configure ib0 (connected, MTU 65520) (n4)"), "n4");
  size_t mode    = n4.find("echo connected > /sys/class/net/ib0/mode");
  size_t mtu     = n4.find("ip link set ib0 mtu 65520");
  ASSERT_NE(mode, std::string::npos) << n4;
  ASSERT_NE(mtu, std::string::npos) << n4;
  EXPECT_LT(mode, mtu) << n4;
  EXPECT_TRUE(contains(n4, "ip address add 10.10.2.14/24 dev ib0")) << n4;
  EXPECT_TRUE(contains(n4, "cat > /etc/network/interfaces.d/ib0 <<'EOF'")) << n4;
  EXPECT_TRUE(contains(write_markdown(rb), "debian12 (defaulted")) << "the header must say it was defaulted";
}

// If this fails, the rolling blocks are not plays of their own over the block's nodes, one node at a time, or
// steps of a block land in another play.
TEST(Runbook, RollingBlocksBecomeSerialPlays)
{
  Scenario sc = load("reference-rolling.json");
  Runbook rb  = make_runbook(sc);
  auto ranges = step_ranges(rb);
  int rolling = 0;
  for (auto const& r : ranges)
    if (r.rolling) {
      rolling++;
      EXPECT_EQ(rolling_nodes(rb, r), (std::vector<std::string>{"n1", "n2", "n3", "n4"}));
      for (size_t i = r.first; i < r.last; i++)
        EXPECT_EQ(rb.steps[i].rolling_group, rb.steps[r.first].rolling_group);
    }
  EXPECT_EQ(rolling, 2);
  EXPECT_EQ(ranges.size(), 2u + 5u); // two blocks, five single steps

  AnsibleFiles f = write_ansible(rb);
  EXPECT_EQ(count(f.playbook, "\n- name: "), ranges.size()) << "one play per step or block";
  EXPECT_EQ(count(f.playbook, "\n  serial: 1\n"), 2u);
  EXPECT_EQ(count(f.playbook, "\n- name: \"Rolling: Install IB, one node at a time\"\n  hosts: \"n1:n2:n3:n4\"\n"
                              "  serial: 1\n"),
            1u);
  EXPECT_EQ(count(f.playbook, "\n- name: \"Rolling: Move glusterd and mounts to IB, one node at a time\"\n"), 1u);
  // Inside a block each step is for its node's batch only.
  EXPECT_TRUE(contains(f.playbook, "    - name: \"4. Install HCA (n1)\"\n      when: \"inventory_hostname == 'n1'\""));
  // Cluster-wide checks: one server, run once.
  EXPECT_TRUE(contains(f.playbook, "Check peers\"\n  hosts: \"n1\"\n")) << f.playbook;
  EXPECT_TRUE(contains(f.inventory, "\nn3 ansible_host=10.10.0.13\n")) << f.inventory;
  // A pause that says "powered off" comes only after the controller saw the node's sshd stop answering.
  f        = write_ansible(make_runbook(load("reference.json")));
  auto off = f.playbook.find("      async: 30\n      poll: 0\n");
  auto wait =
      f.playbook.find("    - name: \"Wait until the node no longer answers ssh\"\n      ansible.builtin.wait_for:");
  auto hand = f.playbook.find("is powered off: install");
  EXPECT_TRUE(off != std::string::npos && off < wait && wait < hand) << f.playbook;
}

// If this fails, the peer and volume checks do not expect what a healthy pool prints.
TEST(Runbook, GlusterChecksExpectEveryPeerAndBrick)
{
  Runbook rb = make_runbook(load("reference.json"));
  auto peers = checks_of(step_named(rb, "Check peers"));
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0]->command, "gluster peer status");
  ASSERT_EQ(peers[0]->expect.size(), 2u);
  EXPECT_EQ(peers[0]->expect[0].pattern, "^Number of Peers: 3$");
  EXPECT_EQ(peers[0]->expect[1].lines, 3);
  auto vol = checks_of(step_named(rb, "Check volume"));
  ASSERT_EQ(vol.size(), 2u);
  EXPECT_EQ(vol[1]->command, "gluster volume status vmstore clients");
  int online = 0;
  for (auto const& e : vol[0]->expect)
    if (e.pattern == "^Online +: Y *$") online = e.lines; // padded: "%-20s : %-20c"
  EXPECT_EQ(online, 4);
  EXPECT_TRUE(step_named(rb, "Check volume").once);
}

/* Lines of `output` that `e` matches, as grep -E counts them. */
int matching_lines(const Expectation& e, const std::string& output)
{
  std::regex re(e.pattern, std::regex::extended);
  std::istringstream in(output);
  int n = 0;
  for (std::string line; std::getline(in, line);)
    n += std::regex_search(line, re) ? 1 : 0;
  return n;
}

// If this fails, the gluster checks refuse what a healthy pool prints. The output is built with the CLI's own
// formats (GlusterFS 595745f8, cli/src: cli_print_detailed_status "%-20s : %-20s", "Clients connected : %d",
// "Number of Peers: %d", "State: %s (%s)", "Number of entries: %" PRIu64).
TEST(Runbook, GlusterChecksAcceptWhatTheCliPrints)
{
  Runbook rb = make_runbook(load("reference.json"));
  char line[512];
  std::string detail = "Status of volume: vmstore\n";
  std::string clients, heal;
  for (int i = 1; i <= 4; i++) {
    std::string brick = "gl" + std::to_string(i) + ".storage.example:/bricks/vmstore";
    std::snprintf(line, sizeof line, "%-20s : %-20s\n%-20s : %-20d\n%-20s : %-20c\n", "Brick",
                  ("Brick " + brick).c_str(), "TCP Port", 49152, "Online", 'Y');
    detail += line;
    clients += "Brick : " + brick + "\nClients connected : 6\n";
    heal += "\nBrick " + brick + "\nStatus: Connected\nNumber of entries: 0\n";
  }
  std::string peers = "Number of Peers: 3\n";
  for (int i = 2; i <= 4; i++)
    peers += "\nHostname: gl" + std::to_string(i) + ".storage.example\nUuid: x\nState: Peer in Cluster (Connected)\n";
  auto vol = checks_of(step_named(rb, "Check volume"));
  ASSERT_EQ(vol.size(), 2u);
  for (auto const& [check, output] : {std::pair{vol[0], detail}, std::pair{vol[1], clients},
                                      std::pair{checks_of(step_named(rb, "Check peers"))[0], peers}})
    for (auto const& e : check->expect)
      EXPECT_GE(matching_lines(e, output), e.lines) << check->command << ": " << e.pattern;
  // A brick offline, a peer disconnected: refused.
  std::string one_down = detail;
  one_down.replace(one_down.rfind(": Y"), 3, ": N");
  EXPECT_LT(matching_lines(vol[0]->expect.back(), one_down), 4);
  std::string disconnected = peers;
  disconnected.replace(disconnected.rfind("(Connected)"), 11, "(Disconnected)");
  EXPECT_LT(matching_lines(checks_of(step_named(rb, "Check peers"))[0]->expect[1], disconnected), 3);

  Runbook rolling = make_runbook(load("reference-rolling.json"));
  auto heal_check = checks_of(step_named(rolling, "Wait for heal (n2)"));
  ASSERT_EQ(heal_check.size(), 1u);
  EXPECT_GE(matching_lines(heal_check[0]->expect[0], heal), 4);
  std::string pending = heal;
  pending.replace(pending.find("entries: 0"), 10, "entries: 12");
  EXPECT_LT(matching_lines(heal_check[0]->expect[0], pending), 4);
}

// If this fails, the fabric steps type the wrong commands for a distribution (a CentOS 6 node has no dnf, rdma-core's
// unit is no SysV service), or verify_port's check accepts a port that is not PORT_ACTIVE. The ibv_devinfo lines
// are printed as rdma-core's libibverbs/examples/devinfo.c prints them ("\t\t\tstate:\t\t\t%s (%d)").
TEST(Runbook, FabricStepsPerDistribution)
{
  struct Expected {
    Distribution d;
    std::string install, enable, start;
  };
  const std::vector<Expected> cases = {
      {Distribution::Centos6,
       "yum groupinstall -y \"Infiniband Support\"\nyum install -y libibverbs-utils infiniband-diags\n",
       "chkconfig rdma on\n", "service rdma start\n"},
      {Distribution::El9, "dnf install -y rdma-core libibverbs-utils infiniband-diags\n",
       "systemctl unmask rdma-load-modules@infiniband.service\n",
       "systemctl start rdma-load-modules@infiniband.service\n"},
      {Distribution::Debian12, "apt-get install -y rdma-core ibverbs-utils infiniband-diags\n",
       "systemctl unmask rdma-load-modules@infiniband.service\n",
       "systemctl start rdma-load-modules@infiniband.service\n"},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(to_string(c.d));
    Scenario sc     = load("reference-dual-port.json");
    sc.distribution = c.d;
    Runbook rb      = make_runbook(sc);
    EXPECT_EQ(commands_on(step_named(rb, "Install the InfiniBand software"), "n3"), c.install);
    EXPECT_EQ(commands_on(step_named(rb, "Enable rdma at boot"), "n3"), c.enable);
    EXPECT_EQ(commands_on(step_named(rb, "Start rdma"), "n3"), c.start);
    auto loaded = checks_of(step_named(rb, "Start rdma"));
    ASSERT_EQ(loaded.size(), 4u);
    EXPECT_EQ(matching_lines(loaded[0]->expect[0], "1\n"), 1);
    EXPECT_EQ(matching_lines(loaded[0]->expect[0], "0\n"), 0);
    // The software is the plan's own steps here: configure_interface no longer installs it.
    EXPECT_FALSE(contains(commands_on(step_named(rb, "Configure ib1 (connected, MTU 65520)"), "n3"), "install"));
    auto port = checks_of(step_named(rb, "Check port 2 is active"));
    ASSERT_EQ(port.size(), 4u);
    EXPECT_EQ(port[2]->node, "n3");
    EXPECT_EQ(port[2]->command, "ibv_devinfo -d mthca0 -i 2");
    EXPECT_GT(port[2]->wait_s, 0) << "a port turns ACTIVE when the subnet manager sweeps";
    const std::string head = "hca_id:\tmthca0\n\ttransport:\t\t\tInfiniBand (0)\n\t\tport:\t2\n";
    EXPECT_EQ(matching_lines(port[2]->expect[0], head + "\t\t\tstate:\t\t\tPORT_ACTIVE (4)\n"), 1);
    EXPECT_EQ(matching_lines(port[2]->expect[0], head + "\t\t\tstate:\t\t\tPORT_DOWN (1)\n"), 0);
    EXPECT_EQ(matching_lines(port[2]->expect[0], head + "\t\t\tstate:\t\t\tPORT_INIT (2)\n"), 0);
  }
  // A scenario that does not state its software (the shipped reference) keeps the install in configure_interface.
  Runbook ref = make_runbook(load("reference.json"));
  EXPECT_TRUE(contains(commands_on(step_named(ref, "Configure ib0 (connected, MTU 65520)"), "n1"), "yum install"));
}

// If this fails, a DNS re-point edits hosts files, or does not tell the admin which records to change.
TEST(Runbook, DnsRepointIsInstructionsAndAWaitForResolution)
{
  Scenario sc = load("reference.json");
  for (auto& st : sc.plan.steps)
    if (st.action == Action::RepointNames) st.method = "dns";
  Runbook rb            = make_runbook(sc);
  const RunbookStep& st = step_named(rb, "Re-point storage names to IB");
  ASSERT_EQ(st.phases.size(), 1u);
  EXPECT_TRUE(st.phases[0].commands.empty());
  ASSERT_EQ(st.phases[0].physical.size(), 4u);
  EXPECT_EQ(st.phases[0].physical[1], "In the DNS zone, set gl2.storage.example A 10.10.2.12 (was 10.10.1.12).");
  for (const Check* c : checks_of(st))
    EXPECT_GT(c->wait_s, 0) << "cached records need time to expire";
}

// If this fails, some action has a runbook step with nothing in it for some distribution: an admin would skip it.
TEST(Runbook, EveryActionOfRandomPlansSaysWhatToDo)
{
  std::set<Action> seen;
  for (uint64_t seed = 1; seed <= 40; seed++) {
    Scenario sc = parse_scenario(fuzz::random_scenario(seed), "random-" + std::to_string(seed) + ".json");
    for (Distribution d : distributions()) {
      sc.distribution = d;
      Runbook rb      = make_runbook(sc);
      ASSERT_EQ(rb.steps.size(), sc.plan.steps.size());
      for (auto const& st : rb.steps) {
        seen.insert(st.action);
        bool something = false;
        for (auto const& ph : st.phases)
          something =
              something || !ph.physical.empty() || !ph.commands.empty() || !ph.checks.empty() || !ph.await_ssh.empty();
        EXPECT_TRUE(something) << "seed " << seed << ", " << to_string(d) << ": " << st.title;
      }
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(Action::Wait) + 1) << "the random plans cover every action";
}

std::string write_temp(const std::string& name, const std::string& text)
{
  std::string path = testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

/* A runbook of one step whose check runs `command` on n1. */
Runbook one_check(const std::string& command, const std::vector<Expectation>& expect)
{
  Runbook rb;
  rb.plan      = "test";
  rb.nodes     = {"n1"};
  rb.addresses = {"127.0.0.1"};
  RunbookStep st;
  st.title = "Check peers";
  st.nodes = {"n1"};
  st.once  = true;
  RunbookPhase ph;
  ph.commands.push_back({"n1", {"echo \"it's typed\""}});
  ph.checks.push_back({"n1", command, expect});
  st.phases.push_back(ph);
  rb.steps.push_back(st);
  return rb;
}

const std::vector<Expectation> kPeers = {{"^Number of Peers: 3$", 1, "Number of Peers: 3"},
                                         {"^State: Peer in Cluster \\(Connected\\)$", 3, "connected"}};
const std::string kThreeConnected     = "printf 'Number of Peers: 3\\n' ; for i in 1 2 3; do printf 'State: Peer in "
                                        "Cluster (Connected)\\n'; done";
const std::string kOneDisconnected    = "printf 'Number of Peers: 3\\n' ; for i in 1 2; do printf 'State: Peer in "
                                        "Cluster (Connected)\\n'; done; echo 'State: Peer in Cluster (Disconnected)'";

/* Runs the script with an "ssh" that runs the command here. */
int run_shell(const Runbook& rb, const std::string& name)
{
  std::string script = write_temp(name + ".sh", write_shell(rb));
  std::string fake   = write_temp(name + "-ssh", "#!/bin/sh\nshift\nexec sh -c \"$*\"\n");
  std::string cmd    = "chmod +x " + fake + " && IBMIG_SSH=" + fake + " bash " + script + " > " + script + ".out 2>&1";
  return std::system(cmd.c_str());
}

// If this fails, the script's checks do not compare the output: a missing connected peer must stop it.
TEST(RunbookShell, ChecksPassOnTheExpectedOutputAndStopOnAMismatch)
{
  EXPECT_EQ(run_shell(one_check(kThreeConnected, kPeers), "good"), 0);
  EXPECT_NE(run_shell(one_check(kOneDisconnected, kPeers), "bad"), 0);
  std::ifstream in(testing::TempDir() + "bad.sh.out");
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(out, "STOPPED: check failed on n1")) << out;
  EXPECT_TRUE(contains(out, "got 2")) << out;
}

/* A line that `pattern` matches, for the patterns the runbook writes (literal text, ^ $, "x+", "[ab]", "\."). */
std::string sample_line(const std::string& pattern)
{
  std::string out;
  for (size_t i = 0; i < pattern.size(); i++) {
    char c = pattern[i];
    if ((c == '^' && i == 0) || (c == '$' && i + 1 == pattern.size()) || c == '+') continue;
    if (i + 1 < pattern.size() && pattern[i + 1] == '*') { // zero of it
      i++;
      continue;
    }
    if (c == '\\' && i + 1 < pattern.size()) {
      out += pattern[++i];
    } else if (c == '[') {
      out += pattern[i + 1];
      i = pattern.find(']', i);
    } else {
      out += c;
    }
  }
  return out;
}

/* The name POSIX cksum gives a text: "CRC-LENGTH" (CRC-32, polynomial 0x04C11DB7, the length appended), so that a
 * fake in sh and the test name a command alike. */
std::string cksum_name(const std::string& text)
{
  std::uint32_t crc = 0;
  auto add          = [&crc](unsigned char b) {
    crc ^= std::uint32_t{b} << 24;
    for (int i = 0; i < 8; i++)
      crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
  };
  for (unsigned char c : text)
    add(c);
  for (size_t n = text.size(); n > 0; n >>= 8)
    add(static_cast<unsigned char>(n & 0xff));
  return std::to_string(~crc) + "-" + std::to_string(text.size());
}

/* What a fake ssh received: (host, command), in order. */
std::vector<std::pair<std::string, std::string>> received(const std::string& log)
{
  std::vector<std::pair<std::string, std::string>> out;
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string end = "\n\x1e\n";
  for (size_t at = 0, next; (next = text.find(end, at)) != std::string::npos; at = next + end.size()) {
    std::string record = text.substr(at, next - at);
    size_t nl          = record.find('\n');
    out.push_back({record.substr(0, nl), record.substr(nl + 1)});
  }
  return out;
}

using Call = std::pair<std::string, std::string>; // (node, command)

/* A fake cluster for replaying a runbook: the answers a healthy cluster gives to its checks, in files named by the
 * cksum of node and command, and the calls a writer's output should make, in order. */
struct FakeCluster {
  std::string dir;
  std::vector<Call> expected; // the runbook's commands and checks, in the runbook's order

  FakeCluster(const Runbook& rb, const std::string& name, bool ansible)
      : dir(testing::TempDir() + "fake-cluster-" + name)
  {
    std::system(("rm -rf " + dir + " && mkdir -p " + dir + "/known").c_str());
    std::map<Call, std::string> answers;
    for (auto const& st : rb.steps)
      for (auto const& ph : st.phases) {
        for (auto const& c : ph.commands)
          for (size_t i = 0; i < c.commands.size(); i++) {
            // The playbook leaves the node 2 s to return before it shuts down.
            bool off = ansible && ph.powers_off && i + 1 == c.commands.size();
            expected.push_back({c.node, (off ? "sleep 2 && " : "") + c.commands[i]});
            answers[expected.back()];
          }
        if (!ansible) { // the script's ssh round trips that wait for a node to go down or come up
          if (ph.powers_off)
            for (auto const& c : ph.commands)
              expected.push_back({c.node, "true"});
          for (auto const& n : ph.await_ssh)
            expected.push_back({n, "true"});
        }
        for (auto const& c : ph.checks) {
          expected.push_back({c.node, c.command});
          for (auto const& e : c.expect)
            for (int k = 0; k < e.lines; k++)
              answers[expected.back()] += sample_line(e.pattern) + "\n";
        }
      }
    for (auto const& [call, text] : answers)
      std::ofstream(dir + "/known/" + cksum_name(call.first + "\n" + call.second)) << text;
  }

  std::vector<Call> calls() const { return received(dir + "/log"); }
  std::string output() const
  {
    std::ifstream in(dir + "/out.txt");
    std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return out.substr(out.size() > 3000 ? out.size() - 3000 : 0);
  }
};

/* The calls of one node, in order. */
std::vector<Call> calls_on(const std::vector<Call>& calls, const std::string& node)
{
  std::vector<Call> out;
  for (auto const& c : calls)
    if (c.first == node) out.push_back(c);
  return out;
}

// If this fails, the script does not hand ssh the runbook's commands as they are (quoting, here-documents), not in
// the runbook's order, or it does not get through a cluster that answers every check as expected. The fake ssh runs
// nothing: it logs what it gets and prints, for a check, lines its expectations match; after a poweroff the node
// stops answering until the script has seen it down.
TEST(RunbookShell, WholeScriptHandsSshTheRunbooksCommandsInOrder)
{
  const std::string fake = write_temp("fake-ssh", R"(#!/bin/sh
dir=$FAKE_DIR host=$1
shift
printf '%s\n%s\n\036\n' "$host" "$*" >> "$dir/log"
if [ "$*" = poweroff ]; then touch "$dir/$host.down"; exit 255; fi
if [ "$*" = true ] && [ -e "$dir/$host.down" ]; then rm "$dir/$host.down"; exit 255; fi
key=$(printf '%s\n%s' "$host" "$*" | cksum | tr ' ' -)
if [ -f "$dir/known/$key" ]; then cat "$dir/known/$key"; fi
exit 0
)");
  for (const char* name : {"reference.json", "reference-rolling.json"})
    for (Distribution d : distributions()) {
      Scenario sc     = load(name);
      sc.distribution = d;
      Runbook rb      = make_runbook(sc);
      FakeCluster fc(rb, std::string("sh-") + to_string(d) + "-" + name, false);
      const std::string script = write_temp("whole.sh", write_shell(rb));
      const std::string cmd = "chmod +x " + fake + " && yes '' | FAKE_DIR=" + fc.dir + " IBMIG_SSH=" + fake + " bash " +
                              script + " > " + fc.dir + "/out.txt 2>&1";
      EXPECT_EQ(std::system(cmd.c_str()), 0) << name << ", " << to_string(d) << ": " << fc.output();
      EXPECT_TRUE(contains(fc.output(), "Runbook done")) << fc.output();
      auto got = fc.calls();
      ASSERT_EQ(got.size(), fc.expected.size()) << name << ", " << to_string(d);
      for (size_t i = 0; i < got.size(); i++)
        ASSERT_EQ(got[i], fc.expected[i]) << name << ", " << to_string(d) << ", call " << i;
    }
}

bool have_ansible()
{
  return std::system("command -v ansible-playbook > /dev/null 2>&1") == 0;
}

/* Every node on this machine (local connection) with a shell that runs none of the runbook's commands: it logs and
 * answers them as FakeCluster says, lets through what Ansible itself runs (its temporary directory, its Python
 * modules), and refuses anything else. */
std::string fake_inventory(const Runbook& rb, const FakeCluster& fc)
{
  std::ofstream(fc.dir + "/fake-sh") << R"(#!/bin/sh
dir=)" << fc.dir << R"(
host=${0##*/fake-sh-}
if [ "$1" = -c ]; then
  key=$(printf '%s\n%s' "$host" "$2" | cksum | tr ' ' -)
  if [ -f "$dir/known/$key" ]; then
    printf '%s\n%s\n\036\n' "$host" "$2" >> "$dir/log"
    cat "$dir/known/$key"
    exit 0
  fi
  case $2 in
    *ansible-tmp* | *AnsiballZ* | "echo ~"* | *python3*) ;;
    *)
      printf 'REFUSED %s\n%s\n\036\n' "$host" "$2" >> "$dir/log"
      exit 97
      ;;
  esac
fi
exec /bin/sh "$@"
)";
  std::string inventory;
  for (auto const& n : rb.nodes) {
    std::system(("chmod +x " + fc.dir + "/fake-sh && ln -sf fake-sh " + fc.dir + "/fake-sh-" + n).c_str());
    inventory += n +
                 " ansible_connection=local ansible_python_interpreter=/usr/bin/python3 "
                 "ansible_shell_executable=" +
                 fc.dir + "/fake-sh-" + n + "\n";
  }
  std::ofstream(fc.dir + "/inventory.ini") << inventory;
  return fc.dir + "/inventory.ini";
}

// If this fails, the playbook does not run the runbook's commands on each node in the runbook's order (a rolling
// block out of order, a task on the wrong host, a cluster-wide check not delegated), or its checks fail on a
// cluster that answers as expected. Nothing runs for real: each node's shell is the fake above; before the
// playbook, a canary task shows that Ansible runs shell tasks through it (or the test skips).
TEST(RunbookAnsible, WholePlaybookRunsEachNodesCommandsInOrder)
{
  if (!have_ansible()) GTEST_SKIP() << "ansible-playbook is not installed (Debian package ansible)";
  {
    // The rolling plan (serial plays, single steps on groups of nodes, cluster-wide checks run once), its blocks cut
    // to two nodes: some 300 tasks, each a fraction of a second of Ansible's own time.
    nlohmann::json doc =
        expand_scenario(nlohmann::json::parse(std::ifstream(kRoot + "/scenarios/reference-rolling.json")), "r.json")
            .document;
    for (auto& entry : doc["plan"]["steps"])
      if (entry.contains("rolling")) entry["rolling"]["nodes"] = {"n2", "n3"};
    const std::string name = "reference-rolling-n2-n3";
    Runbook rb             = make_runbook(parse_scenario(doc, name + ".json"));
    FakeCluster fc(rb, "ansible-" + name, true);
    const std::string inventory = fake_inventory(rb, fc);
    std::ofstream(fc.dir + "/known/" + cksum_name(rb.nodes.front() + "\necho ibmig-canary"));
    std::ofstream(fc.dir + "/canary.yml") << "- hosts: " << rb.nodes.front()
                                          << "\n  gather_facts: false\n  tasks:\n"
                                             "    - ansible.builtin.shell: echo ibmig-canary\n";
    const std::string ansible = "ANSIBLE_NOCOLOR=1 ANSIBLE_PIPELINING=1 ansible-playbook -i " + inventory + " ";
    ASSERT_EQ(std::system((ansible + fc.dir + "/canary.yml > " + fc.dir + "/out.txt 2>&1").c_str()), 0) << fc.output();
    if (fc.calls() != std::vector<Call>{{rb.nodes.front(), "echo ibmig-canary"}})
      GTEST_SKIP() << "this Ansible does not run shell tasks through ansible_shell_executable: not replayed";
    std::system(("rm " + fc.dir + "/log").c_str());
    const std::string playbook = write_temp("whole-" + name + ".yml", write_ansible(rb).playbook);
    EXPECT_EQ(std::system((ansible + playbook + " < /dev/null > " + fc.dir + "/out.txt 2>&1").c_str()), 0)
        << name << ": " << fc.output();
    auto got = fc.calls();
    for (auto const& n : rb.nodes)
      EXPECT_EQ(calls_on(got, n), calls_on(fc.expected, n)) << name << ", node " << n;
    EXPECT_EQ(got.size(), fc.expected.size()) << name;
  }
}

/* Runs the playbook against n1 = this machine (local connection); -1 without ansible-playbook. */
int run_ansible(const Runbook& rb, const std::string& name)
{
  if (!have_ansible()) return -1;
  AnsibleFiles f       = write_ansible(rb);
  std::string playbook = write_temp(name + ".yml", f.playbook);
  std::string inv =
      write_temp(name + ".ini",
                 "n1 ansible_connection=local ansible_python_interpreter=" + std::string("/usr/bin/python3") + "\n");
  // become needs no password as root; elsewhere the test runs without it.
  std::string cmd = "ANSIBLE_NOCOLOR=1 ansible-playbook -i " + inv + " " + playbook +
                    (geteuid() == 0 ? "" : " -e ansible_become=false") + " > " + playbook + ".out 2>&1";
  return std::system(cmd.c_str());
}

// If this fails, the playbook's assert does not read the check's output as the shell script does.
TEST(RunbookAnsible, ChecksPassOnTheExpectedOutputAndFailOnAMismatch)
{
  int good = run_ansible(one_check(kThreeConnected, kPeers), "good");
  if (good == -1) GTEST_SKIP() << "ansible-playbook is not installed (Debian package ansible)";
  EXPECT_EQ(good, 0);
  EXPECT_NE(run_ansible(one_check(kOneDisconnected, kPeers), "bad"), 0);
}

} // namespace

// Issue 10: if this fails, the runbook's rewrite of a pool probed by IP misses an address (in a file or a file
// name), rewrites 10.10.1.1 inside 10.10.1.11, or touches glusterd.info: the commands are run here on a copy of
// the layout glusterd writes (peers/UUID, vols/V/info, vols/V/bricks/HOST:PATH, vols/V/V.HOST.PATH.vol).
TEST(Runbook, RewriteOfAPoolProbedByIpChangesEveryAddressAndNothingElse)
{
  Scenario sc           = load("reference-peers-by-ip.json");
  Runbook rb            = make_runbook(sc);
  const RunbookStep& st = step_named(rb, "Rewrite glusterd's addresses to IB");
  std::string cmds      = commands_on(st, "n2");
  ASSERT_TRUE(contains(cmds, "10.10.2.14")) << cmds;
  char tmpl[] = "/tmp/ibmig-rewrite-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::string setup =
      "cd " + dir +
      " && mkdir -p peers vols/vmstore/bricks && printf 'UUID=u2\\n' > glusterd.info && "
      "printf 'uuid=u1\\nstate=3\\nhostname1=10.10.1.11\\n' > peers/u1 && "
      "printf 'brick-0=10.10.1.11:-b\\nbrick-1=10.10.1.12:-b\\nother=10.10.1.110\\n' > vols/vmstore/info && "
      "printf 'hostname=10.10.1.12\\n' > vols/vmstore/bricks/10.10.1.12:-b && "
      "printf 'option remote-host 10.10.1.12\\n' > vols/vmstore/vmstore.10.10.1.12.b.vol";
  ASSERT_EQ(std::system(setup.c_str()), 0);
  // Without the guard line: an emulated cluster of another test may run glusterd on this host.
  std::string script = std::regex_replace(std::regex_replace(cmds, std::regex("pgrep[^\n]*\n"), ""),
                                          std::regex("/var/lib/glusterd"), dir);
  std::ofstream(dir + ".sh") << script; // outside the tree it rewrites
  ASSERT_EQ(std::system(("bash " + dir + ".sh >/dev/null 2>&1").c_str()), 0) << script;
  auto read = [&](const std::string& f) {
    std::ifstream in(dir + "/" + f);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(read("peers/u1"), "uuid=u1\nstate=3\nhostname1=10.10.2.11\n");
  EXPECT_EQ(read("vols/vmstore/info"), "brick-0=10.10.2.11:-b\nbrick-1=10.10.2.12:-b\nother=10.10.1.110\n");
  EXPECT_EQ(read("vols/vmstore/bricks/10.10.2.12:-b"), "hostname=10.10.2.12\n");
  EXPECT_EQ(read("vols/vmstore/vmstore.10.10.2.12.b.vol"), "option remote-host 10.10.2.12\n");
  EXPECT_EQ(read("glusterd.info"), "UUID=u2\n");
  std::system(("rm -rf " + dir + " " + dir + ".sh " + dir + ".before-rewrite").c_str());
}
