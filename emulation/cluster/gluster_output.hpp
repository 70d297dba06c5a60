/* Gluster's state as its CLI reports it with --xml (GlusterFS 10.3): `gluster peer status --xml`, `gluster volume
 * status VOL [clients] --xml`, `gluster volume heal VOL info --xml`, read with pugixml. Output that is not such a
 * document (glusterd down: "Connection failed. ...") or whose opRet is not 0 (an unknown volume) gives an empty
 * list, as a node that does not answer. Samples captured on the dev machine are in tests/emulation/samples/. */
#pragma once

#include <string>
#include <vector>

namespace ibmig::emu {

struct PeerState {
  std::string hostname;
  std::string uuid;
  std::string state; // "Peer in Cluster (Connected)", as `gluster peer status` prints it
  bool connected = false;
};
/* `gluster peer status --xml`: the other peers (not the node asked). */
std::vector<PeerState> parse_peer_status(const std::string& xml);

struct BrickClients {
  std::string brick;                // "host:/path"
  std::vector<std::string> clients; // "10.10.1.11:49150"
};
/* `gluster volume status VOL clients --xml`: every brick, with no client when it is offline. */
std::vector<BrickClients> parse_volume_clients(const std::string& xml);

struct BrickStatus {
  std::string brick; // "host:/path"
  bool online = false;
  long pid    = 0; // 0 when not running
};
/* `gluster volume status VOL --xml`: the bricks (not the self-heal daemons listed with them). */
std::vector<BrickStatus> parse_volume_status(const std::string& xml);

struct HealBrick {
  std::string brick;
  bool connected = false;
  long entries   = -1; // -1: not reported (brick down)
};
/* `gluster volume heal VOL info --xml` */
std::vector<HealBrick> parse_heal_info(const std::string& xml);

struct SplitBrainBrick {
  std::string brick;
  bool connected = false;
  long entries   = -1;            // numberOfEntriesInSplitBrain; -1: not reported (brick down)
  std::vector<std::string> files; // paths as Gluster lists them ("/vm3-plan.qcow2"; "<gfid:...>" when unresolved)
};
/* `gluster volume heal VOL info split-brain --xml`: per brick, the entries no heal can resolve on its own. */
std::vector<SplitBrainBrick> parse_heal_split_brain(const std::string& xml);

} // namespace ibmig::emu
