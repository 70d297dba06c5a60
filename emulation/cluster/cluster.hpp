/* The emulated cluster: the scenario's nodes, networks and NICs realised as network namespaces, bridges and shaped
 * veths on this machine, with a real glusterd per server node. Every object it creates goes into the RunState
 * first; the destructor tears everything down in reverse order. Node-level operations (start glusterd, mount,
 * power off, configure an interface) are the vocabulary the plan replay (plan_replay.hpp) is written in. */
#pragma once

#include "command_runner.hpp"
#include "gluster_output.hpp"
#include "link_shaping.hpp"
#include "observed_state.hpp"
#include "run_state.hpp"
#include "scenario.hpp"
#include "step_commands.hpp"
#include "tcp_connections.hpp"
#include "topology.hpp"

#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace ibmig::emu {

struct NicCounters {
  double tx_bytes = 0;
  double rx_bytes = 0;
};

/* Names and paths of one run. */
struct RunLayout {
  std::string run_id;    // short, e.g. "r3f2a1"
  std::string state_dir; // e.g. /run/ibmig
  std::string work_dir;  // e.g. /var/tmp/ibmig-r3f2a1 (bricks, per-node glusterd state, logs, hosts files)
  /* > 0: work_dir is a tmpfs of this size, so every node's bricks have memory of their own instead of sharing the
   * host's one disk (measured: 1 GiB of replica-2 writes at 48.6 MB/s on /var/tmp, 59.6 MB/s on tmpfs). */
  Bytes work_dir_memory{0};

  std::string state_file() const { return state_dir + "/ibmig-" + run_id + ".json"; }
  std::string ns_dir() const { return state_dir + "/ibmig-" + run_id; } // mount-namespace files live here
  std::string netns(const std::string& node) const { return "ibmig-" + run_id + "-" + node; }
  std::string switch_netns(const std::string& network) const { return "ibmig-" + run_id + "-sw-" + network; }
  std::string mntns(const std::string& node) const { return ns_dir() + "/" + node + ".mnt"; }
  std::string node_dir(const std::string& node) const { return work_dir + "/" + node; }
  std::string brick_dir(const Brick& b) const { return node_dir(b.node) + b.path; }
  /* The node's /etc/hosts (bind-mounted there; a lab's node has it as its own /etc's upper layer, see lab/). */
  std::string hosts_file(const std::string& node) const { return node_dir(node) + "/etc/hosts"; }
  std::string mount_point(const std::string& node, const std::string& volume) const
  {
    return node_dir(node) + "/mnt/" + volume;
  }
  static std::string switch_port(const std::string& node, const std::string& nic)
  {
    return Topology::nic_name(node, nic);
  }
};

/* Why a brick cannot be at its scenario path in an emulated node ("" when it can): a path the node shares with the
 * host or the emulator mounts per node. */
std::string brick_path_conflict(const Brick& b, const RunLayout& layout);

/* Hosts file of a node: every storage FQDN resolves to its node's address on `network`. */
std::string render_hosts_file(const Topology& topology, const std::string& network);
/* "10.10.1.0/24" -> 24 (24 when absent). */
int prefix_length(const std::string& subnet);
/* tbf arguments for a data rate: rate in bit/s and a burst that holds a 64 KiB offloaded packet and one timer tick
 * (HZ 250) of traffic, so the shaper does not cap below the rate (link_shaping.cpp). */
std::vector<std::string> tbf_arguments(BitsPerSecond rate);

class EmulatedCluster {
public:
  struct Timeouts {
    double command_s = 30;  // one ip/tc/gluster command
    double check_s   = 60;  // deadline of a polling check (peers connected, every brick sees every client)
    double heal_s    = 120; // deadline of wait_heal
  };

  /* rate_scale in (0, 1]: every link and stream class that much slower (--rate-scale). */
  EmulatedCluster(const Scenario& sc, RunLayout layout, CommandRunner& runner, std::ostream* log,
                  double rate_scale = 1);
  ~EmulatedCluster(); // tears down (never throws)
  EmulatedCluster(const EmulatedCluster&)            = delete;
  EmulatedCluster& operator=(const EmulatedCluster&) = delete;

  /* Namespaces, bridges, present NICs, hosts files, glusterd on every server, pool, volumes, started. */
  void build();
  /* Removes everything recorded; returns the number of objects that could not be removed. */
  int teardown();

  const Scenario& scenario() const { return sc_; }
  const RunLayout& layout() const { return layout_; }
  RunState& state() { return state_; }
  Timeouts& timeouts() { return timeouts_; }
  std::ostream* log_stream() const { return log_; }

  /* Node operations: the commands a step turns into (step_commands.hpp). The cluster model decides whether they
   * make sense; these only carry them out and observe. Failures throw StepFailure with a plain-words reason. */
  void start_glusterd(const std::string& node);
  void stop_glusterd(const std::string& node);
  void mount(const std::string& node, const std::string& volume);
  void unmount(const std::string& node, const std::string& volume, bool lazy = false);
  /* Kills whatever of this run still lives in the node, unmounts lazily and takes its interfaces down. */
  void power_off(const std::string& node);
  /* A crash: every interface down first (nothing more leaves the node: its peers find out by network.ping-timeout,
   * not by a FIN or RST), then SIGKILL for every process of the run in it, then lazy unmounts of the dead FUSE
   * mounts. Its VMs' I/O processes are the workload's (WorkloadPhases::kill_vms_on). */
  void crash(const std::string& node);
  void install_nic(const std::string& node, const Nic& nic);
  void configure_interface(const std::string& node, const Nic& nic, int mtu, IpoibMode mode);
  void set_interface(const std::string& node, const std::string& iface, bool up);
  void write_hosts(const std::string& node, const std::string& network);
  /* A pool probed by IP: what an admin's sed does to /var/lib/glusterd on `node` (glusterd stopped): every
   * server's address on `from` becomes its address on `to`, in the files and in the file names; glusterd.info and
   * the UUIDs are untouched. Returns the number of files changed. */
  int rewrite_glusterd_state(const std::string& node, const std::string& from, const std::string& to);
  /* The network `node`'s glusterd and mounts use now: where its storage names resolve (its hosts file), or for a
   * pool probed by IP where its state files' addresses are. */
  std::string pool_network(const std::string& node);
  void run_command(const NodeCommand& c);

  /* What the node looks like now: its processes, interfaces, mounts and hosts file. */
  ObservedNode observe(const std::string& node);
  bool glusterd_running(const std::string& node);
  bool mounted(const std::string& node, const std::string& volume) const;
  /* Mounts and unmounts made by hand in the node (a lab's trainee): the state file's mounts of `node` made to
   * match what its mount namespace holds, so teardown and mounted() agree with the kernel. */
  void sync_mounts(const std::string& node);

  /* Runs argv inside the node (its network and mount namespaces). */
  CommandResult node_run(const std::string& node, std::vector<std::string> argv, double timeout_s = 0);
  CommandResult gluster(const std::string& node, std::vector<std::string> args);
  /* Gluster's state as glusterd on `node` reports it (`gluster ... --xml`); empty when it does not answer. */
  std::vector<PeerState> peer_status(const std::string& node);
  std::vector<BrickStatus> volume_status(const std::string& node, const std::string& volume);
  std::vector<BrickClients> volume_clients(const std::string& node, const std::string& volume);
  std::vector<HealBrick> heal_info(const std::string& node, const std::string& volume);
  std::vector<SplitBrainBrick> heal_split_brain(const std::string& node, const std::string& volume);
  CommandResult ping(const std::string& from, const std::string& address, int payload);

  std::map<std::string, NicCounters> nic_counters(const std::string& node);
  /* A server node whose glusterd runs (to ask the pool), or "" */
  std::string any_running_server();
  /* Local "addr:port" endpoints of the FUSE client of (node, volume) towards its bricks. */
  std::set<std::string> client_endpoints(const std::string& node, const std::string& volume);
  /* Local addresses glusterd of `node` uses towards its peers (port 24007). */
  std::set<std::string> glusterd_peer_addresses(const std::string& node);
  /* Records the node's processes (daemons forked by glusterd, FUSE clients) in the state file. */
  void record_processes(const std::string& node);
  const Nic* nic_on(const std::string& node, const std::string& network) const;
  /* How (node, nic) is shaped now (link_shaping.hpp); nullptr when its veth does not exist. */
  const LinkShaping* shaping_of(const std::string& node, const std::string& nic) const;
  double rate_scale() const { return rate_scale_; }
  /* "gl1.storage.example:/var/tmp/ibmig-.../bricks/vmstore", as glusterd on `viewer` names it (default: the
   * brick's node; in a pool probed by IP the nodes may disagree). */
  std::string brick_name(const Brick& b, const std::string& viewer = "") const;
  /* How the pool names `node` in `viewer`'s state: its storage name, or its address (pools probed by IP). */
  std::string peer_host(const std::string& node, const std::string& viewer) const;

private:
  CommandResult run(std::vector<std::string> argv, double timeout_s = 0);
  void must(std::vector<std::string> argv, const std::string& what, double timeout_s = 0);
  void add(CreatedObject o) { state_.add(o); }
  void create_veth(const std::string& node, const Nic& nic);
  /* The host directories a node's bind mount at `path` needs, each recorded (MountPoint) before it is made. */
  void make_mount_point(const std::string& path);
  /* Shapes both ends of the veth for this MTU and mode; replaces what was there (the classes follow the new limit). */
  void shape(const std::string& node, const Nic& nic, int mtu, IpoibMode mode);
  std::string hosts_text(const std::string& network) const;
  void kill_processes(const std::string& node, const std::function<bool(const CreatedObject&)>& which);
  void wait_peers_connected(const std::string& from, size_t expected);

  const Scenario& sc_;
  Topology topology_; // the wiring build() realises; nic_on asks it
  RunLayout layout_;
  CommandRunner& runner_;
  std::ostream* log_;
  RunState state_;
  Timeouts timeouts_;
  double rate_scale_ = 1;
  std::map<std::pair<std::string, std::string>, LinkShaping> shaped_; // (node, nic) -> what its veth has now
  bool torn_down_ = false;
  std::map<std::string, std::string> state_network_; // pools probed by IP: node -> network its state files name
};

/* The tail of an interrupted run's message (Interrupted, interrupt_guard.hpp): by then teardown has run. */
inline const std::string cluster_torn_down = "the emulated cluster was torn down";

/* A step could not be carried out or its check failed: the message says why in plain words. */
class StepFailure : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace ibmig::emu
