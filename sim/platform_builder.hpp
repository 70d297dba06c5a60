/* Turns the scenario's topology into a SimGrid platform (ptask_L07 model: one activity can cross several resources
 * at one common progress rate, which is what a synchronous replicated write is).
 *
 * Design (see README "How the simulator models the cluster"): a node with several NICs is several SimGrid hosts,
 * one per NIC ("nic/n1/eth1", "nic/n1/ib0"), so that re-pointing the storage names is choosing other hosts, not
 * changing routes; its NIC is the split-duplex link "link/n1/eth1" and a network's switch the link "switch/NET".
 * Throughput limits that are not network links are hosts whose speed is in bytes/s:
 *   "disk/n1"     brick disk write bandwidth (reads cost write_bw/read_bw per byte),
 *   "stream/vm2/0" a rate-limited stream's rate,
 *   "shd/vol"     the self-heal daemon's heal rate for a volume.
 * Host-side costs whose price per byte changes with the request size or the interface's mode and MTU are hosts of
 * speed kCostUnit, charged kCostUnit / (bytes/s) per byte when a flow starts (host_limits.hpp gives the rates):
 *   "fuse/n1"     the node's FUSE mount (access path), shared by its VMs,
 *   "io/vm2"      a libgfapi VM's own access path (qemu's gfapi client),
 *   "tcp/n1+vol/n3/ib/tx" one Gluster client's TCP connection to a brick node on a network, each direction (a FUSE
 *                 mount's connections are shared by the node's VMs on that volume; a libgfapi VM has its own),
 *   "cpu/n1/ib0/tx" an interface's stream processing, for stream limits that hold per interface,
 *   "files/vm6/0" a small-file stream's pace between two events (GlusterClient::run_small_files),
 *   "mig/vm2"     a VM's live-migration pre-copy (QEMU's max-bandwidth); a VM that can migrate also gets its
 *                 connections from every hypervisor, not only its home.
 * Scenario names are escaped inside these (sg_name), so no two objects of a valid scenario share a SimGrid name.
 * NIC links carry TCP payload bytes at data rate x TCP/IP efficiency at the MTU x Gluster stream efficiency. */
#pragma once

#include "scenario.hpp"
#include "topology.hpp"

#include <map>
#include <simgrid/s4u.hpp>
#include <string>
#include <tuple>

namespace ibmig::sim {

struct NicResources {
  const Nic* nic = nullptr;
  std::string node;
  simgrid::s4u::Host* host = nullptr; // the node's attachment to this NIC's network
  simgrid::s4u::Link* link = nullptr; // split-duplex: _UP is what the node sends
  double capacity_Bps      = 0;       // payload bytes/s in each direction, at the current MTU
  int mtu                  = 0;       // current MTU and mode (configure_nic)
  IpoibMode mode           = IpoibMode::None;
};

class Platform {
public:
  explicit Platform(const Scenario& sc);

  simgrid::s4u::Host* disk(const std::string& node) const { return disks_.at(node); }
  simgrid::s4u::Host* fuse(const std::string& node) const { return fuse_.at(node); }
  simgrid::s4u::Host* vm_io(const std::string& vm) const { return vm_io_.at(vm); }
  /* The stream's rate limit ("vm2#0"), or nullptr when it runs as fast as it can. */
  simgrid::s4u::Host* stream_limit(const std::string& vm, size_t stream) const
  {
    auto it = stream_limits_.find({vm, stream});
    return it == stream_limits_.end() ? nullptr : it->second;
  }
  /* A small-file stream's pace between two events (its files per second times the file size), a cost host. */
  simgrid::s4u::Host* small_files(const std::string& vm, size_t stream) const { return small_files_.at({vm, stream}); }
  simgrid::s4u::Host* heal_limit(const std::string& volume) const { return heal_.at(volume); }
  NicResources& nic(const std::string& node, const std::string& iface) { return nics_.at({node, iface}); }
  /* The resources of the NIC through which `node` reaches `network` (Topology::nic_on), or nullptr. */
  NicResources* nic_on(const std::string& node, const std::string& network);

  /* Who holds a Gluster client's connections: (node, volume) for a FUSE mount, (VM, "") for libgfapi. */
  using ConnectionClient = std::pair<std::string, std::string>;
  static ConnectionClient connection_client(const Vm& vm, const std::string& node);
  /* A live migration's pre-copy limit (QEMU's max-bandwidth), a cost host per VM that can be migrated. */
  simgrid::s4u::Host* migration(const std::string& vm) const { return migration_.at(vm); }
  /* A client's TCP connection to `brick_node` on `network`, one direction (send: client to brick). */
  simgrid::s4u::Host* connection(const ConnectionClient& client, const std::string& brick_node,
                                 const std::string& network, bool send) const
  {
    return connections_.at({client, brick_node, network, send});
  }
  /* An interface's stream processing, one direction (send: what the node sends). */
  simgrid::s4u::Host* interface_cpu(const std::string& node, const std::string& iface, bool send) const
  {
    return interface_cpu_.at({node, iface, send});
  }

  simgrid::s4u::Link* switch_link(const std::string& network) const { return switches_.at(network); }
  /* Re-rates a NIC for a new MTU/mode (only while no flow crosses it: SimGrid 3.32 may abort otherwise). */
  void configure_nic(const std::string& node, const std::string& iface, int mtu, IpoibMode mode);
  double nic_capacity_Bps(const Nic& nic, int mtu, IpoibMode mode) const;

  static constexpr double kUnlimited = 1e15; // bytes/s: a limit that never binds
  static constexpr double kCostUnit  = 1e9;  // speed of a cost host; a byte at rate R costs kCostUnit / R
  /* "kind/a" or "kind/a/b", with the scenario names a and b escaped. */
  static std::string sg_name(const std::string& kind, const std::string& a, const std::string& b = "");

private:
  const Scenario& sc_;
  Topology topology_; // what the platform is built from, and which NIC a node uses on a network
  std::map<std::string, simgrid::s4u::Host*> disks_;
  std::map<std::string, simgrid::s4u::Host*> fuse_;
  std::map<std::string, simgrid::s4u::Host*> vm_io_;
  std::map<std::pair<std::string, size_t>, simgrid::s4u::Host*> stream_limits_;
  std::map<std::pair<std::string, size_t>, simgrid::s4u::Host*> small_files_;
  std::map<std::string, simgrid::s4u::Host*> heal_;
  std::map<std::string, simgrid::s4u::Host*> migration_;
  std::map<std::tuple<ConnectionClient, std::string, std::string, bool>, simgrid::s4u::Host*> connections_;
  std::map<std::tuple<std::string, std::string, bool>, simgrid::s4u::Host*> interface_cpu_;
  std::map<std::pair<std::string, std::string>, NicResources> nics_; // (node, interface)
  std::map<std::string, simgrid::s4u::Link*> switches_;
};

} // namespace ibmig::sim
