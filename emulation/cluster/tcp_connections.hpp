/* The established TCP connections of a node as `ss -Htnp state established` prints them (iproute2 6.1): which
 * addresses a FUSE client and glusterd really use. Sample captured on the dev machine in tests/emulation/samples/. */
#pragma once

#include <string>
#include <vector>

namespace ibmig::emu {

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
