#include "tcp_connections.hpp"

#include <sstream>

namespace ibmig::emu {

std::vector<TcpConnection> parse_ss(const std::string& text)
{
  std::vector<TcpConnection> conns;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string recvq, sendq, local, peer;
    if (!(f >> recvq >> sendq >> local >> peer)) continue;
    TcpConnection c{local, peer, {}};
    for (size_t p = line.find("pid="); p != std::string::npos; p = line.find("pid=", p + 4)) {
      try {
        c.pids.push_back(std::stol(line.substr(p + 4)));
      } catch (...) {
      }
    }
    conns.push_back(c);
  }
  return conns;
}

std::string address_of(const std::string& host_port)
{
  auto c = host_port.rfind(':');
  return c == std::string::npos ? host_port : host_port.substr(0, c);
}

int port_of(const std::string& host_port)
{
  auto c = host_port.rfind(':');
  try {
    return c == std::string::npos ? 0 : std::stoi(host_port.substr(c + 1));
  } catch (...) {
    return 0;
  }
}

} // namespace ibmig::emu
