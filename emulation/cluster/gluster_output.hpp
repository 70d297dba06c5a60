/* Parsers for the text the gluster CLI and ss print (GlusterFS 10.3, iproute2 6.1). Samples captured on the dev
 * machine are in tests/emulation/samples/. */
#pragma once

#include <string>
#include <vector>

namespace ibmig::emu {

struct PeerState {
  std::string hostname;
  std::string uuid;
  std::string state; // "Peer in Cluster (Connected)"
  bool connected = false;
};
/* `gluster peer status` */
std::vector<PeerState> parse_peer_status(const std::string& text);

struct BrickClients {
  std::string brick;                // "host:/path"
  std::vector<std::string> clients; // "10.10.1.11:49150"
};
/* `gluster volume status VOL clients` */
std::vector<BrickClients> parse_volume_clients(const std::string& text);

struct BrickStatus {
  std::string brick; // "host:/path"
  bool online = false;
  long pid    = 0;
};
/* `gluster volume status VOL`: the "Brick ..." lines (a long brick name wraps onto the next line). */
std::vector<BrickStatus> parse_volume_status(const std::string& text);

struct HealBrick {
  std::string brick;
  bool connected = false;
  long entries   = -1; // -1: not reported (brick down)
};
/* `gluster volume heal VOL info` */
std::vector<HealBrick> parse_heal_info(const std::string& text);

struct TcpConnection {
  std::string local; // "10.10.1.11:49150"
  std::string peer;
  std::vector<long> pids;
};
/* `ss -Htnp state established` */
std::vector<TcpConnection> parse_ss(const std::string& text);

std::string address_of(const std::string& host_port); // "10.1.1.1:49150" -> "10.1.1.1"
int port_of(const std::string& host_port);

} // namespace ibmig::emu
