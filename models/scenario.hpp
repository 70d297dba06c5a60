/* The scenario: one description of the cluster, its workload and its migration plan, read by the simulator, the
 * emulator and the plan checker alike. Plain data; the loader (scenario_loader.hpp) validates everything, so code
 * that reads a Scenario may trust its references. */
#pragma once

#include "technology.hpp"
#include "units.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ibmig {

/* A model parameter with where it comes from (a measurement here, a document, or an explicit assumption). */
struct Calibrated {
  double value = 0;
  std::string source;
};

/* calibration.disks.NODE: what fio measured on a node's brick; a figure not given keeps the node's own. */
struct DiskMeasurement {
  std::optional<BytesPerSecond> write;
  std::optional<BytesPerSecond> read;
  std::string source;
  std::string file, json_path; // where it was written (the scenario or an included file), for messages
};

struct Calibration {
  // Fraction of the TCP payload rate a Gluster write or read stream achieves (AFR transaction round trips, RPC
  // framing). Applied to every storage link.
  Calibrated gluster_stream_efficiency;
  // The access path costs request_s per request plus one byte per copy rate (host_limits.hpp): FUSE requests are
  // at most 128 KiB, libgfapi passes the guest's requests.
  Calibrated fuse_MBps;              // a FUSE mount's per-byte cost as a rate, MB/s (its ceiling with huge requests)
  Calibrated fuse_request_s;         // a FUSE request's fixed cost (kernel <-> glusterfs round trip), seconds
  Calibrated gfapi_MBps;             // a libgfapi (qemu) client's per-byte cost as a rate, MB/s
  Calibrated gfapi_request_s;        // a libgfapi request's fixed cost, seconds
  Calibrated small_file_round_trips; // network round trips per small-file create+write, replicated volume
  Calibrated small_file_round_trips_distribute; // the same on a pure distribute volume (no AFR transaction)
  Calibrated server_op_s;                       // brick-side time per metadata operation, seconds
  Calibrated heal_MBps;                         // self-heal daemon's throughput limit per brick, MB/s
  // Machine time of runbook actions (what the system itself needs, apart from the admin's time): a step never takes
  // less. Measured by `ibmig emulate` (see emulation/cluster/README.md).
  Calibrated glusterd_start_s; // glusterd and its bricks up on the step's nodes
  Calibrated service_stop_s;   // glusterd and its bricks stopped
  Calibrated gluster_check_s;  // one `gluster peer status` / `volume status ... clients` check that passes
  Calibrated ping_pair_s;      // one ordered pair of large don't-fragment pings (ping -c 3)
  Calibrated mount_s;          // one node's FUSE mount (start_clients, remount_clients)
  Calibrated unmount_s;        // one node's FUSE unmount (stop_clients)
  Calibrated command_s;        // an interface command: ip link set mtu/address/up/down
  // One TCP stream's ceiling per link kind, mode, MTU and HCA; tried before builtin_stream_limits().
  std::vector<StreamLimitRule> stream_limits;
  // Measured brick disks (ibmig calibrate, from fio): node -> figures that replace that node's nodes[].disk.
  std::map<std::string, DiskMeasurement> disks;
  // The fabric's RDMA write rate (perftest ib_write_bw), MB/s, kept with its source; no model uses it yet.
  std::optional<Calibrated> rdma_write_MBps;
};

struct Switch {
  std::string name;
  int ports = 48;
  std::optional<BitsPerSecond> backplane; // none: non-blocking
  Seconds latency;                        // per hop
};

struct Network {
  std::string name;
  std::string technology; // key into Scenario::technologies
  std::string subnet;     // e.g. "10.10.1.0/24" (documentation; the emulator uses its own private range)
  Switch sw;
};

enum class IpoibMode { None, Datagram, Connected };
std::string mode_name(IpoibMode m); // "connected", "datagram", "" for None

/* Linux bonding modes the model knows. A Gluster client holds one TCP connection per brick node, and with
 * balance-alb or 802.3ad (any hash policy) one connection never spans slaves (kernel bonding.rst: layer2/layer2+3
 * put all traffic to a peer on one slave; layer3+4 "a single connection will not span multiple slaves"). So a bond
 * carries up to all its slaves together, one connection at most one slave. active-backup carries one slave. */
enum class BondMode { ActiveBackup, BalanceAlb, Lacp };
const char* to_string(BondMode m); // "active-backup", "balance-alb", "802.3ad"

struct BondSlave {
  std::string name; // "eth2"
  int mtu = 0;      // as the scenario declares it today; 0: the bond's
};

struct Bond {
  BondMode mode = BondMode::ActiveBackup;
  std::string hash; // 802.3ad: xmit_hash_policy ("layer2", "layer2+3", "layer3+4"); empty otherwise
  std::vector<BondSlave> slaves;
  int carrying() const { return mode == BondMode::ActiveBackup ? 1 : static_cast<int>(slaves.size()); }
};

struct Nic {
  std::string name;                 // interface name as the admin sees it: "eth1", "ib0", "bond0"
  std::string network;              // key into Scenario networks
  std::string address;              // IPv4 address on its network, without prefix
  bool present = true;              // false: the plan installs it (install_nic)
  std::string hca;                  // InfiniBand only: key into Scenario::hcas
  IpoibMode mode = IpoibMode::None; // IPoIB: initial mode (when present)
  int mtu        = 1500;            // initial MTU (when present)
  std::optional<Bond> bond;         // a bond of several NICs of the network's technology (one cable per slave)
  int hca_port = 0;                 // InfiniBand only: the HCA port its IPoIB interface sits on (ib0 -> 1, ib1 -> 2)
  bool cabled  = true;              // InfiniBand only: a cable runs from that port to the switch
};

struct Disk {
  BytesPerSecond write;
  BytesPerSecond read;
  std::string source;
};

/* What is installed on a node besides glusterd: the InfiniBand user space (rdma-core; on CentOS 6 the
 * "Infiniband Support" group) and, where the distribution loads IPoIB through it, the rdma service at boot. */
struct NodeSoftware {
  bool infiniband   = true;  // default: the shipped scenarios configure their HCAs without a package step
  bool rdma_enabled = true;  // the rdma service starts at boot (CentOS 6: it loads ib_ipoib)
  bool stated       = false; // the scenario gave "software": the plan, not the runbook, installs what is missing
};

struct Node {
  std::string name;
  bool server     = false;  // runs glusterd and bricks
  bool hypervisor = false;  // runs VMs (Gluster clients)
  std::string storage_name; // FQDN used for peers and mounts, e.g. "gl1.storage.example"
  Disk disk;
  std::vector<Nic> nics;
  std::optional<Bytes> memory; // a hypervisor's RAM for VMs: the target of a live migration must hold them
  NodeSoftware software;

  const Nic* find_nic(const std::string& n) const;
};

struct Brick {
  std::string node;
  std::string path;
};

enum class QuorumType { None, Auto, Fixed };

struct Volume {
  std::string name;
  int replica  = 1;     // 1: pure distribute
  bool arbiter = false; // replica 3 arbiter 1: the third brick of each set holds metadata only
  std::vector<Brick> bricks;
  QuorumType quorum_type = QuorumType::Auto;
  int quorum_count       = 0; // with Fixed
  Seconds ping_timeout{42};   // network.ping-timeout (Gluster default 42 s)
  int read_hash_mode = 1;     // cluster.read-hash-mode (Gluster default 1: hash of the file's gfid)
  bool choose_local  = true;  // cluster.choose-local (default on): read from a local brick when there is one

  int replica_sets() const { return static_cast<int>(bricks.size()) / replica; }
  std::string type() const; // "distribute", "replicate", "distributed-replicate"
  /* AFR client quorum of one replica set, given which of its bricks serve (in brick order): writes are allowed.
   * The one rule the checker, the simulator and the emulator share. */
  bool has_quorum(const std::vector<bool>& up_in_set) const;
};

enum class Access { Fuse, Gfapi };
enum class StreamKind { SequentialWrite, SequentialRead, SmallFiles };

struct Stream {
  StreamKind kind = StreamKind::SequentialWrite;
  std::optional<BytesPerSecond> rate; // none: as fast as possible
  Bytes file_size{65536};             // SmallFiles only
  Bytes block_size{1048576};          // sequential streams: the application's request size (dd bs=1M)
};

/* What a live migration of the VM moves (QEMU pre-copy: its memory, then what it dirtied meanwhile, round by round;
 * docs/research/runbook-sources.md, section 2). */
struct VmMemory {
  Bytes size;                // guest RAM
  BytesPerSecond dirty_rate; // how fast the running guest dirties it
  std::string source;        // where the figures come from (a measurement, or an assumption)
};

struct Vm {
  std::string name;
  std::string node; // hypervisor it runs on at the start (its home: migrate_vms "back" returns it there)
  std::string volume;
  std::string image;             // file name on the volume, e.g. "vm1.qcow2": placed by DHT hash unless pinned
  std::optional<int> pinned_set; // replica set index the image is pinned to
  Access access = Access::Fuse;
  std::vector<Stream> streams;
  std::optional<VmMemory> memory; // needed to migrate it live (migrate_vms)
};

struct Workload {
  Seconds before{60}; // workload runs this long before the plan starts (the "before" phase)
  Seconds after{60};  // and this long after it ends (the "after" phase)
  std::vector<Vm> vms;
};

/* A step duration: fixed, or a distribution for Monte Carlo runs. A single run uses the nominal value (the fixed
 * value, the mean of uniform/normal, the median of lognormal). */
struct DurationSpec {
  enum class Kind { Fixed, Uniform, Normal, Lognormal } kind = Kind::Fixed;
  double a = 0; // fixed value | uniform min | normal mean | lognormal median (seconds)
  double b = 0; // uniform max | normal stddev (seconds) | lognormal sigma (dimensionless)
  Seconds nominal() const;
  Seconds sample(std::mt19937_64& rng) const;
};

/* Closed vocabulary of runbook steps; the simulator, the emulator and the checker each consume it. */
enum class Action {
  StopClients,        // shut down the VMs (they stop writing)
  StartClients,       // start the VMs; their mounts resolve storage names now
  RemountClients,     // remount the Gluster clients: they reconnect through the current name resolution
  StopService,        // systemctl stop (service: glusterd, which takes its bricks down)
  StartService,       // systemctl start
  EnableService,      // systemctl enable: start at boot
  DisableService,     // systemctl disable
  PowerOff,           // clean shutdown
  PowerOn,            // boot; enabled services start
  InstallNic,         // physically install the NIC named by `interface`
  ConfigureInterface, // set mode/MTU/address and bring it up
  InterfaceDown,      // take an interface down (e.g. decommission the old storage network)
  InterfaceUp,
  VerifyPing,           // large ping with don't-fragment across `network` (or the interface's network)
  RepointNames,         // storage FQDNs now resolve to addresses on `network` (dns or hosts file)
  RewritePeerAddresses, // a pool probed by IP: rewrite glusterd's state files to the addresses on `network`
  MigrateVms,           // live-migrate running VMs (pre-copy) to `to` or spread over the other hypervisors
  CheckPeers,           // gluster peer status: all peers connected
  CheckVolume,          // gluster volume status VOL clients: every brick online and sees every client
  WaitHeal,             // wait until self-heal has nothing pending on `volume`
  InstallPackages,      // install a software group (`packages`: "infiniband" = rdma-core and the IB diagnostics)
  VerifyPort,           // ibv_devinfo -d DEV -i PORT: the HCA port of `interface` is PORT_ACTIVE
  Wait                  // a plain wait (e.g. for a change window); the last one: loops over the vocabulary end here
};

const char* to_string(Action a);

struct Step {
  std::string name;      // human name; for rolling steps the node is appended: "Install HCA (n2)"
  std::string json_path; // "plan.steps[3]" or "plan.steps[2].steps[1]": where it came from, for messages
  Action action = Action::Wait;
  std::vector<std::string> nodes; // targets (all at once); empty for cluster-wide steps
  DurationSpec duration;
  std::string service;              // StopService/StartService/EnableService/DisableService: glusterd | rdma
  std::string packages;             // InstallPackages: "infiniband"
  std::string interface;            // InstallNic/ConfigureInterface/InterfaceDown/InterfaceUp/VerifyPing/VerifyPort
  std::string network;              // RepointNames/VerifyPing/RewritePeerAddresses
  std::string method;               // RepointNames: "dns" | "hosts"
  std::string volume;               // CheckVolume/WaitHeal
  IpoibMode mode = IpoibMode::None; // ConfigureInterface (IPoIB)
  int mtu        = 0;               // ConfigureInterface: 0 keeps the NIC's MTU; VerifyPing: payload size (0: MTU-28)
  Seconds timeout{3600};            // WaitHeal: give up after this long
  // MigrateVms: the VMs named, or those running on `nodes` (with `back`: those whose home is one of `nodes`, moved
  // home); to `to`, or spread over the other hypervisors by free memory; over `network`; QEMU's pre-copy limits.
  std::vector<std::string> vms;
  std::string to;
  bool back = false;
  BytesPerSecond max_bandwidth{128.0 * 1024 * 1024}; // QEMU's default max-bandwidth, 128 MiB/s (runbook-sources Q3)
  Seconds downtime_limit{0.3};                       // QEMU's default downtime-limit, 300 ms (Q1)
  int rolling_group = -1;   // index of the rolling block it was expanded from, -1 when not rolling
  std::string rolling_node; // the node this instance of a rolling block is for
  std::string rolling_name; // the rolling block's name
};

struct Plan {
  std::string name;
  std::vector<Step> steps; // rolling blocks already expanded, in execution order
};

/* A fault injected into the run (simulator) or replay (emulator). */
struct Fault {
  enum class Kind { NodeCrash } kind = Kind::NodeCrash;
  std::string node;
  std::string json_path;
  int after_step = -1;             // happens when this step (index into plan.steps) starts; -1: at `at`
  Seconds at{0};                   // absolute simulated time, when after_step < 0
  std::optional<Seconds> down_for; // comes back after this long; none: never comes back
};

/* What the pool's peers and bricks were probed and created by (`gluster peer probe X`, `volume create V X:/path`).
 * By name (an FQDN or a short host name) they follow name resolution, so re-pointing the names moves Gluster to
 * another network. By IP address, glusterd's state files hold the addresses themselves (peers/<uuid> hostname1=,
 * vols/V/info brick-N=, vols/V/bricks/<host>:<path>, the *.vol files' remote-host): only rewriting them, with
 * glusterd stopped on every node, moves the pool (docs/research/runbook-sources.md, section 1). */
enum class PeerNaming { Fqdn, ShortName, Ip };
const char* to_string(PeerNaming p); // "fqdn", "short", "ip"

struct StorageNames {
  std::string network = "storage"; // network the storage FQDNs resolve to at the start
  std::string method  = "hosts";   // "dns" or "hosts"
  PeerNaming peers    = PeerNaming::Fqdn;
  bool by_ip() const { return peers == PeerNaming::Ip; }
};

/* The Linux distribution the cluster's nodes run: which commands the runbook writes (models/distribution.hpp). */
enum class Distribution { Centos6, El9, Debian12 };
const char* to_string(Distribution d);            // "centos6", "el9", "debian12"
const std::vector<Distribution>& distributions(); // every one, in the order the messages list them

struct Scenario {
  int schema_version = 1;
  std::string file; // path it was loaded from, for messages
  std::string name;
  std::string description;
  Distribution distribution   = Distribution::Debian12;
  bool distribution_defaulted = true; // the scenario has no "distribution": the runbook says so
  std::map<std::string, Technology> technologies;
  std::map<std::string, HcaModel> hcas;
  Calibration calibration;
  std::vector<Network> networks;
  std::vector<Node> nodes;
  StorageNames storage_names;
  std::vector<Volume> volumes;
  Workload workload;
  Plan plan;
  std::vector<Fault> faults;

  const Node* find_node(const std::string& n) const;
  /* Makes find_node O(log n); the loader calls it. Call it again after adding or removing nodes by hand. */
  void index_nodes();
  const Network* find_network(const std::string& n) const;
  const Volume* find_volume(const std::string& n) const;
  const Technology& technology_of(const Network& net) const { return technologies.at(net.technology); }

private:
  std::map<std::string, size_t> node_index_;
};

/* FNV-1a hash of a name: DHT placement and read-brick choice use it. */
uint32_t name_hash(const std::string& name);

/* DHT placement: the replica set holding `file` (FNV-1a hash of the name, as a stand-in for Gluster's Davies-Meyer
 * hash over layout ranges: both spread names uniformly; the exact set of a given name differs from real Gluster). */
int replica_set_of(const Volume& vol, const std::string& file);
/* The image's replica set: pinned, or by hash. */
int replica_set_of(const Scenario& sc, const Vm& vm);

} // namespace ibmig
