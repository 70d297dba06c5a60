/* The one cluster model: the state of the cluster at one instant of a migration (per node: power, glusterd running
 * and enabled at boot, interfaces present/configured/up with MTU and mode, where its storage names resolve; per VM:
 * running, mounted over which network; per replica set: serving bricks, client quorum, heal debt), and what each
 * runbook step does to it. Written once, applied by
 *   - the plan checker, which walks the plan and turns what is wrong into findings,
 *   - the simulator, which adds time, bandwidth and faults (SimGrid resource changes from each Transition),
 *   - the emulator, which runs the commands and compares what it sees with what the model expects.
 * Pure logic: no SimGrid, no system commands.
 *
 * What a step does, as on a real cluster (README, "The cluster model"):
 *   - a step acts on each of its nodes; on a powered-off node only power_on, install_nic and a DNS re-point can act,
 *     elsewhere the step fails there (nobody can run a command on a machine that is off);
 *   - configure_interface without `mtu` keeps the interface's current MTU (a freshly installed NIC has its
 *     technology's default: 1500 on Ethernet, 2044 for IPoIB, in datagram mode);
 *   - repoint_names by hosts file changes the listed nodes' resolution; by DNS, every node's;
 *   - start_service or enable_service on a node that is not a Gluster server fails (there is no glusterd unit);
 *     stop_service or disable_service there has nothing to do;
 *   - a pool probed by IP follows its state files, not names: rewrite_peer_addresses moves a node's files to the
 *     addresses on another network, unless glusterd runs there (it writes its state back from memory); peers whose
 *     files disagree reject each other;
 *   - an HCA's ib interfaces exist only while the InfiniBand stack is loaded: at boot with the packages installed
 *     (and on CentOS 6 the rdma service enabled), or by start_service rdma; configuring one before is
 *     IB_STACK_NOT_LOADED, configuring the interface of an uncabled port INTERFACE_NOT_CABLED, and verify_port
 *     passes only on a PORT_ACTIVE port (cabled, stack loaded). install_nic of one port of a dual-port HCA installs
 *     the card, so both ports' interfaces.
 * Things that stop take effect when a step starts (begin), things that start when it ends (end). */
#pragma once

#include "report.hpp"
#include "scenario.hpp"

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ibmig {

struct InterfaceState {
  bool present    = false;
  bool configured = false; // has an address, mode and MTU that survive a reboot
  bool up         = false;
  int mtu         = 0;
  IpoibMode mode  = IpoibMode::None;
};

struct NodeState {
  bool powered          = true;
  bool crashed          = false; // went away without warning (a fault): its peers notice after ping-timeout
  bool glusterd         = false; // glusterd and its brick processes run
  bool glusterd_enabled = false; // starts at boot
  std::string names_network;     // the network this node's storage names resolve to
  std::string state_network;     // a pool probed by IP: the network whose addresses its glusterd state files hold
  bool ib_software  = true;      // the InfiniBand packages (rdma-core) are installed
  bool rdma_enabled = true;      // the rdma service starts at boot
  bool ib_stack     = true;      // ib_ipoib and the verbs stack are loaded: its IB interfaces exist
  std::map<std::string, InterfaceState> interfaces;
};

struct VmState {
  std::string node; // the hypervisor it runs on now (live migration moves it)
  bool running    = true;
  bool remounting = false;
  bool paused     = false;   // the stop-and-copy of a live migration: neither side runs it
  std::string bound_network; // where its mount's connections go: its node's names network when it was mounted
  double stalled_until = -1; // waiting for network.ping-timeout after a brick vanished (faults)
};

/* One replica set now: which of its bricks serve, whether that is client quorum, which running VMs write to it. */
struct ReplicaSetState {
  std::vector<std::string> serving; // nodes of its serving bricks
  std::vector<std::string> down;    // nodes of the others
  bool quorum = false;
  std::vector<std::string> running_vms;
};

/* Heal debt of one brick, as the plan sees it: it was down while VMs wrote to its replica set, and no wait_heal has
 * seen it healed since. (How long the heal takes is the simulator's: bandwidth and time.) */
struct BrickHealDebt {
  bool stale = false;
  std::string stale_since; // the step (or fault) at which it started missing writes
  std::string back_at;     // the step at which it came back, still stale ("" while down)
};

/* Where one VM's I/O can go right now. */
struct IoPath {
  bool can_write = false;
  bool can_read  = false;
  std::string why_not;            // plain words, for downtime intervals
  std::vector<int> write_bricks;  // indices into the volume's bricks: data bricks that receive writes
  std::vector<int> missed_bricks; // data bricks of its set that are down or unreachable: they will need healing
  int read_brick = -1;
  std::string network; // network the traffic crosses
  std::string node;    // the hypervisor the VM's I/O comes from now
};

/* Something wrong with a step, found by applying it. `fails` marks what makes the step itself fail (a real
 * runbook step reports an error there); otherwise the step succeeds but harms the cluster (VMs killed). */
struct StepProblem {
  std::string rule; // the checker's rule id, e.g. "NIC_INSTALLED_WHILE_POWERED"
  Severity severity = Severity::Error;
  bool fails        = true;
  std::vector<std::string> nodes; // where ("n1", or "n1 ib0 (MTU 65520)" for interface rules)
  std::string detail;             // plain words, complete: the simulator prints it as the step's failure
};

/* One VM's live migration as a migrate_vms step plans it (ClusterModel::begin); the simulator times the pre-copy. */
struct Migration {
  std::string vm, from, to, network;
};

/* What one half of a step changed. The simulator re-plans SimGrid resources from it; the checker reads problems. */
struct Transition {
  std::vector<std::string> bricks_stopped;                     // nodes whose bricks stopped serving
  std::vector<std::string> bricks_started;                     // nodes whose bricks serve again
  std::vector<std::pair<std::string, std::string>> rerated;    // (node, interface) with a new MTU or mode
  std::vector<std::pair<std::string, std::string>> links_down; // (node, interface) that went down
  std::vector<std::string> vms_killed;                         // running VMs stopped by a power off
  std::vector<std::string> glusterd_started;                   // nodes (servers) where glusterd started
  std::vector<Migration> migrations;                           // migrate_vms: the moves it makes, in order
  std::vector<StepProblem> problems;
  std::string observed; // what a check step saw when it passed ("4 peers connected over ib")

  bool step_failed() const;
  void merge(Transition other);
};

class ClusterModel {
public:
  explicit ClusterModel(const Scenario& sc);

  const Scenario& scenario() const { return sc_; }

  /* A runbook step in two halves (the simulator lets the step's time pass between them). */
  Transition begin(const Step& st);
  Transition end(const Step& st);
  /* Both halves at once (the checker, the emulator's expectations). */
  Transition apply(const Step& st);

  /* Faults: a node vanishes, and comes back (booting as power_on does). */
  Transition crash(const std::string& node);
  Transition recover(const std::string& node);
  /* A live migration's stop-and-copy pauses the VM; finishing it moves the VM to its target (a migrate_vms step
   * finishes the moves no one finished at its end: the checker, the emulator). */
  void set_paused(const std::string& vm, bool paused);
  void finish_migration(const Migration& m);

  /* Clients whose replica set has a brick on `node` wait for network.ping-timeout; returns the longest wait. */
  double stall_clients_of(const std::string& node, double now);

  const NodeState& node(const std::string& n) const { return nodes_.at(n); }
  const VmState& vm(const std::string& n) const { return vms_.at(n); }
  const std::map<std::string, NodeState>& nodes() const { return nodes_; }
  /* The network `node`'s glusterd reaches its peers and bricks on, and a mount made there connects over: where
   * its storage names resolve, or for a pool probed by IP where its state files' addresses are (a node that is
   * not a server mounts from the first server and gets that server's addresses). */
  const std::string& pool_network(const std::string& node) const;

  /* A brick process is serving (its node is up, glusterd runs, and the pool does not reject it). */
  bool brick_serving(const Brick& b) const;
  /* `node` has an installed interface up on `network`. */
  bool interface_up_on(const std::string& node, const std::string& network) const;
  /* `from` reaches `to` over `network` (same node, or both have an interface up on it). */
  bool reachable(const std::string& from, const std::string& to, const std::string& network) const;
  /* Client quorum per replica set among serving bricks (server-side view). */
  bool volume_available(const Volume& vol, std::string* why = nullptr) const;
  ReplicaSetState replica_set(const Volume& vol, int set) const;
  /* Per brick of `volume` (in the volume's order). */
  const std::vector<BrickHealDebt>& heal_debt(const std::string& volume) const;
  IoPath io_path(const Vm& vm, double now) const;
  /* The MTUs of the up interfaces on `network`, and the nodes powered on with none up there. */
  std::map<int, std::vector<std::string>> mtus_on(const std::string& network) const;

  /* A pool probed by IP whose running servers' state files name different networks: PEER_REJECTED for those in
   * the minority. */
  void rejected_peers(Transition& t) const;

  /* An HCA port as ibv_devinfo -d DEV -i PORT shows it now. */
  struct PortState {
    std::string state;  // "PORT_ACTIVE", "PORT_DOWN", or "" when there is no RDMA device (stack not loaded)
    int active_mtu = 0; // the IB MTU in bytes, PORT_ACTIVE only
    std::string why;    // plain words when not active
  };
  PortState port_state(const std::string& node, const std::string& interface) const;
  /* The IB MTU an active port of this technology runs at unless a 4K MTU is configured: the IPoIB datagram MTU plus
   * its 4-byte header. */
  static int default_ib_mtu(const Technology& k) { return k.mtu_default + 4; }

  /* The scenario's own NIC definitions held to the rules configure_interface is held to. */
  std::vector<StepProblem> initial_problems() const;

  /* The state's own problems, asked about the state as it is rather than about a change (lab status asks them of
   * an observed cluster): a brick down while the other copy of its set serves unhealed (ROLLING_BEFORE_HEAL). */
  std::vector<StepProblem> state_problems() const;
  /* Replace part of the state with what was observed on a live cluster (lab status), so the rules above and the
   * checker's (state_rules.hpp) are asked about it. */
  void overwrite_node(const std::string& node, const NodeState& s);
  void overwrite_vm(const std::string& vm, const VmState& s);
  void overwrite_heal_debt(const std::string& volume, size_t brick, const BrickHealDebt& d);

private:
  /* The step's nodes that can run it; the others get a STEP_ON_POWERED_OFF_NODE or INTERFACE_NOT_INSTALLED
   * problem. */
  std::vector<std::string> targets(const Step& st, Transition& t) const;
  void configure(const Step& st, const std::vector<std::string>& nodes, Transition& t);
  void verify_ping(const Step& st, const std::vector<std::string>& nodes, Transition& t) const;
  void check_peers(const Step& st, Transition& t) const;
  void check_volume(const Step& st, Transition& t) const;
  void rewrite_peer_addresses(const Step& st, const std::vector<std::string>& nodes, Transition& t);
  void update_pool_majority();
  void plan_migrations(const Step& st, Transition& t);
  /* RAM of `node` not used by the running VMs on it. */
  double free_memory(const std::string& node) const;
  /* The fabric half of targets(): configure/interface_up of an ib interface that does not exist yet or whose port
   * has no cable. */
  std::vector<std::string> fabric_ready(const Step& st, const std::vector<std::string>& nodes, Transition& t) const;
  /* install_packages, and the rdma service (enable_service/disable_service/start_service rdma). */
  void fabric_software(const Step& st, const std::vector<std::string>& nodes, Transition& t);
  void load_ib_stack(const std::string& node);
  void verify_port(const Step& st, const std::vector<std::string>& nodes, Transition& t) const;
  bool is_infiniband(const Nic& nic) const;
  void boot(const std::string& node, Transition& t);
  void stop_bricks(const std::string& node, Transition& t);
  std::map<const Brick*, bool> serving_bricks() const;
  /* After a half step or a fault: bricks that start missing writes, come back stale, or leave a stale copy alone
   * (ROLLING_BEFORE_HEAL), or a stale one taking writes the good one lacks (SPLIT_BRAIN_RISK). */
  void account_heal_debt(const std::string& when, const std::map<const Brick*, bool>& before, Transition& t);
  /* Quorum none: a stale brick serves writes while the copy with the writes it missed is down (SPLIT_BRAIN_RISK). */
  void down_before_heal(const Volume& vol, int set, const std::vector<size_t>& idx,
                        const std::function<bool(size_t)>& went_down, Transition& t) const;
  void split_brain_risk(const Volume& vol, int set, const std::vector<size_t>& idx,
                        const std::map<const Brick*, bool>& before, Transition& t) const;
  /* Interface rules for one (node, NIC) at `mtu` and `mode`: MTU limits, connected-mode support. */
  void bond_rules(const std::string& node, const Nic& nic, Transition& t) const;
  void interface_rules(const std::string& node, const Nic& nic, int mtu, IpoibMode mode, Transition& t) const;

  const Scenario& sc_;
  std::map<std::string, NodeState> nodes_;
  std::map<std::string, VmState> vms_;
  std::map<std::string, std::vector<const Vm*>> vms_by_node_;
  // Per volume, per replica set: the VMs whose images live there (replica_set() is asked per set at every step).
  std::map<std::string, std::vector<std::vector<const Vm*>>> vms_by_set_;
  std::map<std::string, std::vector<BrickHealDebt>> heal_debt_; // volume -> per brick
  std::vector<Migration> pending_migrations_; // planned by begin() of a migrate_vms step, finished by end() at last
  std::string majority_state_network_; // a pool probed by IP that disagrees: the state network of the pool's majority
};

} // namespace ibmig
