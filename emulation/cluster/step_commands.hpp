/* What the emulator does for a step: the difference between the cluster model before and after the step, turned
 * into node commands. The model decides what a step means (which nodes it acts on, what it refuses); this file only
 * says how each change is carried out on an emulated node. Pure logic, so a test can check that the commands lead
 * to the state the model expects. */
#pragma once

#include "cluster_model.hpp"

#include <string>
#include <vector>

namespace ibmig::emu {

struct NodeCommand {
  /* In the order they run within a step: what stops, then what starts. */
  enum class Kind {
    Unmount,            // target: volume
    StopGlusterd,       // glusterd, its bricks and self-heal daemon
    InterfaceDown,      // target: interface
    PowerOff,           // whatever still runs on the node is killed
    InstallNic,         // target: interface (creates the emulated NIC, shaped, down)
    ConfigureInterface, // target: interface; address, mtu, mode; up
    InterfaceUp,        // target: interface (already configured)
    WriteHosts,         // target: network the storage names resolve to
    RewriteState,       // a pool probed by IP: glusterd's state files from the addresses on `source` to target's
    StartGlusterd,
    Mount, // target: volume
  };
  Kind kind;
  std::string node;
  std::string target;
  int mtu        = 0;
  IpoibMode mode = IpoibMode::None;
  std::string source{}; // RewriteState: the network the addresses were on

  bool operator==(const NodeCommand& o) const
  {
    return kind == o.kind && node == o.node && target == o.target && mtu == o.mtu && mode == o.mode &&
           source == o.source;
  }
};

std::string to_string(const NodeCommand& c); // "n1: configure ib0 (MTU 65520, connected)"

/* The volumes `node` must have mounted in `m`: those of the running VMs on it now (live migration moves them). */
std::vector<std::string> mounted_volumes(const ClusterModel& m, const std::string& node);

/* The commands that take the emulated cluster from `before` to `after`, the model's states around `st`. A remount
 * unmounts and mounts again even when nothing else changes. */
std::vector<NodeCommand> commands_for(const Step& st, const ClusterModel& before, const ClusterModel& after);

} // namespace ibmig::emu
