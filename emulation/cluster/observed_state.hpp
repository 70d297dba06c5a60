/* What the emulator sees on a node after a step (its processes, interfaces, mounts and hosts file), and how that is
 * compared with the state the cluster model expects. A difference is a finding that names the step: the emulated
 * cluster did not do what the model (and so the checker and the simulator) says the step does. */
#pragma once

#include "cluster_model.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace ibmig::emu {

struct ObservedInterface {
  bool up = false;
  int mtu = 0;
};

struct ObservedNode {
  bool glusterd = false;                               // a glusterd process of this run lives in the node
  std::map<std::string, ObservedInterface> interfaces; // the scenario's NICs that exist in the node's namespace
  std::set<std::string> mounted;                       // volumes whose FUSE client lives in the node
  std::string names_network;                           // where the node's hosts file sends the storage names
  std::string state_network; // a pool probed by IP: the network of the peer addresses in its /var/lib/glusterd/peers
  // The VMs that run on the node, where something tracks them (a lab's `virsh`); emulate leaves them unobserved.
  bool vms_observed = false;
  std::set<std::string> vms_running;
  // Whether glusterd starts at boot, where something tracks it (a lab's chkconfig/systemctl enable).
  bool enabled_observed = false;
  bool glusterd_enabled = false;
};

/* The network the storage names resolve to in a hosts file's text ("" when it names none of them). */
std::string names_network_in_hosts(const Scenario& sc, const std::string& hosts_text);

/* The network of the addresses (hostname1=) in a node's glusterd peer files; "" when there are none, "mixed" when
 * they are on different networks. */
std::string state_network_in_peers(const Scenario& sc, const std::vector<std::string>& peer_files);

/* Differences between the model's state of `node` and what was observed, each in plain words. */
std::vector<std::string> differences(const ClusterModel& m, const std::string& node, const ObservedNode& seen);

} // namespace ibmig::emu
