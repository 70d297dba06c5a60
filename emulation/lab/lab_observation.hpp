/* What `ibmig lab status` and `ibmig train` see of a running lab at one instant: per node what the emulator observes
 * (processes, interfaces, mounts, hosts file), what Gluster says (peers, bricks, heal info), and what the lab's
 * workload measured. Plain data, so tests build one by hand; observe_lab fills it from an EmulatedCluster. */
#pragma once

#include "gluster_output.hpp"
#include "observed_state.hpp"
#include "report.hpp"
#include "units.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ibmig::emu {
class EmulatedCluster;
}

namespace ibmig::lab {

struct LabNode {
  bool powered = true; // the lab's power switch (observe_lab: a node with no link up and nothing running is off)
  emu::ObservedNode seen;
  std::vector<emu::PeerState> peers; // `gluster peer status` on the node (empty while its glusterd is down)
};

struct LabVolume {
  std::vector<emu::BrickStatus> bricks; // `gluster volume status`, in the volume's brick order
  std::vector<emu::HealBrick> heal;     // `gluster volume heal VOL info`
  // Per brick of the scenario's volume: it lacks writes another brick of its set holds (that brick lists entries
  // to heal). Kept from the previous observation while the bricks that could tell are down.
  std::vector<bool> stale;
};

/* A VM of the lab's workload (its `virsh` state and what its writers measured). */
struct LabVm {
  std::string node;
  bool running = true;
  std::optional<BytesPerSecond> write_rate; // its sequential writes in the last writers' period; none: not writing
  Seconds down{0};                          // shut off so far (virsh shutdown/destroy, or its node's power)
};

struct LabObservation {
  std::optional<Seconds> at; // since the lab came up, when the lab records it
  std::map<std::string, LabNode> nodes;
  std::map<std::string, LabVolume> volumes;
  std::map<std::string, LabVm> vms;            // filled by the lab's supervisor
  std::optional<BytesPerSecond> vm_write_rate; // the running VMs' sum of write_rate
  std::optional<Seconds> downtime;             // the longest any VM has been shut off so far
  // Every acknowledged write read back from every data brick of its replica set, as emulate verifies at its end:
  // the files as the writers' last period left them. Absent until a period has ended.
  std::optional<Verification> verification;
};

/* Per brick of `vol`: stale, from heal info in volume order (`previous`: the last value, for bricks none can tell). */
std::vector<bool> stale_bricks(const Volume& vol, const std::vector<emu::HealBrick>& heal,
                               const std::vector<bool>& previous);

/* Observes every node and volume of the running cluster; `previous` carries what heal info cannot tell now. */
LabObservation observe_lab(emu::EmulatedCluster& cluster, const Scenario& sc, const LabObservation* previous = nullptr);

/* The observation as the lab's supervisor sends it to `lab status` and `train` (and back). */
nlohmann::json to_json(const LabObservation& o);
LabObservation observation_from_json(const nlohmann::json& j);

} // namespace ibmig::lab
