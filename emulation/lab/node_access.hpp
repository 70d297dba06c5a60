/* How a trainee reaches the nodes of a lab: keys, an sshd per node on its VM-bridge address, the host's port on
 * that bridge, ssh_config and Ansible inventory, and the shims (systemctl, poweroff, ...) bind-mounted on each
 * node's /usr/local/sbin, which root's PATH searches first (so `lab shell` and ssh sessions both find them). */
#pragma once

#include "cluster.hpp"

#include <string>

namespace ibmig::lab {

class NodeAccess {
public:
  /* dir: the lab's directory (inside the run's work dir, so the nodes see it and teardown removes it). */
  NodeAccess(emu::EmulatedCluster& cluster, emu::CommandRunner& runner, std::string dir, std::string socket,
             std::string ibmig_binary);

  /* Keys, host port, shims, ssh_config, inventory; sshd on every node. StepFailure when something cannot be made. */
  void set_up();
  /* sshd inside `node` (after a power-on); its pid goes into the state file. */
  void start_sshd(const std::string& node);
  /* The network trainees and Ansible reach the nodes on (the VMs' bridge), and a node's address there ("" if none). */
  const std::string& network() const { return network_; }
  std::string address(const std::string& node) const;
  /* What `lab up` prints: how to ssh in, where ssh_config and the inventory are. */
  std::string how_to_reach() const;
  std::string key() const { return dir_ + "/id_ed25519"; }
  /* What a veth lacks of an HCA and its IPoIB interface, in the node's own sysfs: /sys/class/infiniband/HCA/ports/
   * PORT/state and /sys/class/net/IFACE/mode (read by the runbook's checks). After the interface exists. */
  void hca_files(const std::string& node, const Nic& nic, const std::string& hca_id);
  /* The HCA's name as ibv_devinfo and /sys/class/infiniband give it: the scenario's model, numbered in the node. */
  std::string hca_id(const std::string& node, const Nic& nic) const;
  void set_ipoib_mode(const std::string& node, const std::string& iface, IpoibMode mode);

private:
  void make_keys();
  void connect_host();
  void write_shims(const std::string& node);
  void own_files(const std::string& node);
  void write_client_files();

  emu::EmulatedCluster& cluster_;
  emu::CommandRunner& runner_; // host-side commands (keys, the host's port)
  std::string dir_, socket_, ibmig_;
  std::string network_;
  std::string host_address_;
};

} // namespace ibmig::lab
