#include "gluster_output.hpp"

#include <sstream>

namespace ibmig::emu {

namespace {
std::string trim(const std::string& s)
{
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}
bool starts_with(const std::string& s, const std::string& p)
{
  return s.rfind(p, 0) == 0;
}
std::string after(const std::string& line, const std::string& prefix)
{
  return trim(line.substr(prefix.size()));
}
} // namespace

std::vector<PeerState> parse_peer_status(const std::string& text)
{
  std::vector<PeerState> peers;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (starts_with(line, "Hostname:")) {
      peers.push_back({});
      peers.back().hostname = after(line, "Hostname:");
    } else if (!peers.empty() && starts_with(line, "Uuid:")) {
      peers.back().uuid = after(line, "Uuid:");
    } else if (!peers.empty() && starts_with(line, "State:")) {
      peers.back().state     = after(line, "State:");
      peers.back().connected = peers.back().state.find("(Connected)") != std::string::npos;
    }
  }
  return peers;
}

std::vector<BrickClients> parse_volume_clients(const std::string& text)
{
  std::vector<BrickClients> bricks;
  std::istringstream in(text);
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (starts_with(t, "Brick :")) {
      bricks.push_back({after(t, "Brick :"), {}});
      in_table = false;
    } else if (starts_with(t, "--------") && !bricks.empty() && !in_table) {
      in_table = true; // the dashes under the column titles
    } else if (starts_with(t, "----------------------------------------------")) {
      in_table = false;
    } else if (in_table && !t.empty() && t.find(':') != std::string::npos && !starts_with(t, "Hostname")) {
      std::istringstream f(t);
      std::string host;
      f >> host;
      bricks.back().clients.push_back(host);
    }
  }
  return bricks;
}

std::vector<BrickStatus> parse_volume_status(const std::string& text)
{
  std::vector<BrickStatus> bricks;
  std::istringstream in(text);
  std::string line;
  std::string pending; // a brick name that wrapped: its figures are on the next line
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (starts_with(t, "Brick ") || !pending.empty()) {
      std::istringstream f(starts_with(t, "Brick ") ? t.substr(6) : t);
      std::vector<std::string> tok;
      std::string w;
      while (f >> w)
        tok.push_back(w);
      if (starts_with(t, "Brick ") && tok.size() == 1) {
        pending = tok[0];
        continue;
      }
      BrickStatus b;
      size_t first = 0;
      if (!pending.empty()) { // the name was cut at the column width: this line starts with its rest
        b.brick = pending + (tok.size() >= 5 ? tok[0] : "");
        first   = tok.size() >= 5 ? 1 : 0;
        pending.clear();
      } else if (!tok.empty()) {
        b.brick = tok[0];
        first   = 1;
      }
      // remaining: TCP port, RDMA port, Online, Pid
      if (tok.size() >= first + 4) {
        b.online = tok[first + 2] == "Y";
        try {
          b.pid = std::stol(tok[first + 3]);
        } catch (...) {
          b.pid = 0;
        }
      }
      bricks.push_back(b);
    }
  }
  return bricks;
}

std::vector<HealBrick> parse_heal_info(const std::string& text)
{
  std::vector<HealBrick> bricks;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (starts_with(t, "Brick ")) {
      bricks.push_back({after(t, "Brick "), false, -1});
    } else if (!bricks.empty() && starts_with(t, "Status:")) {
      bricks.back().connected = after(t, "Status:") == "Connected";
    } else if (!bricks.empty() && starts_with(t, "Number of entries:")) {
      try {
        bricks.back().entries = std::stol(after(t, "Number of entries:"));
      } catch (...) {
        bricks.back().entries = -1; // "-" when the brick is down
      }
    }
  }
  return bricks;
}

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
