#include "lab_observation.hpp"

#include "cluster.hpp"

namespace ibmig::lab {

std::vector<bool> stale_bricks(const Volume& vol, const std::vector<emu::HealBrick>& heal,
                               const std::vector<bool>& previous)
{
  std::vector<bool> out(vol.bricks.size(), false);
  for (size_t b = 0; b < out.size(); b++) {
    size_t first = b / static_cast<size_t>(vol.replica) * static_cast<size_t>(vol.replica);
    bool told = false, lacks = false;
    for (size_t o = first; o < first + static_cast<size_t>(vol.replica) && o < heal.size(); o++) {
      if (o == b || !heal[o].connected || heal[o].entries < 0) continue;
      told  = true;
      lacks = lacks || heal[o].entries > 0;
    }
    out[b] = told ? lacks : b < previous.size() && previous[b];
  }
  return out;
}

LabObservation observe_lab(emu::EmulatedCluster& cluster, const Scenario& sc, const LabObservation* previous)
{
  LabObservation obs;
  for (auto const& n : sc.nodes) {
    LabNode& ln = obs.nodes[n.name];
    ln.seen     = cluster.observe(n.name);
    bool link   = false;
    for (auto const& [name, i] : ln.seen.interfaces)
      link = link || i.up;
    // The emulator powers a node off by stopping everything in it and taking its links down
    // (EmulatedCluster::power_off).
    ln.powered = link || ln.seen.glusterd || !ln.seen.mounted.empty();
    if (ln.seen.glusterd) ln.peers = cluster.peer_status(n.name);
  }
  std::string asked = cluster.any_running_server();
  for (auto const& vol : sc.volumes) {
    LabVolume& lv = obs.volumes[vol.name];
    if (!asked.empty()) {
      lv.bricks = cluster.volume_status(asked, vol.name);
      lv.heal   = cluster.heal_info(asked, vol.name);
    }
    std::vector<bool> before;
    if (previous && previous->volumes.count(vol.name)) before = previous->volumes.at(vol.name).stale;
    lv.stale = stale_bricks(vol, lv.heal, before);
  }
  return obs;
}

} // namespace ibmig::lab
