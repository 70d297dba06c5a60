#include "gluster_output.hpp"

#include <cerrno>
#include <cstdlib>
#include <pugixml.hpp>

namespace ibmig::emu {

namespace {
/* <cliOutput> of a command that succeeded, or an empty node. */
pugi::xml_node cli_output(pugi::xml_document& doc, const std::string& xml)
{
  if (!doc.load_buffer(xml.data(), xml.size())) return {};
  auto out = doc.child("cliOutput");
  if (!out || out.child("opRet").text().as_int(-1) != 0) return {};
  return out;
}

std::string text(pugi::xml_node parent, const char* child)
{
  return parent.child(child).text().get();
}

/* A whole decimal number, or `otherwise` ("-" and "N/A" stand for not known). */
long number(const std::string& s, long otherwise)
{
  errno     = 0;
  char* end = nullptr;
  long v    = std::strtol(s.c_str(), &end, 10);
  return s.empty() || errno != 0 || *end != '\0' ? otherwise : v;
}

/* The <node> elements of `volume status`: bricks (hostname + absolute path) and daemons such as the self-heal
 * daemon, listed with the daemon's name as hostname and its host as path. */
template <class F> void for_each_brick(pugi::xml_node out, F&& f)
{
  for (auto vol : out.child("volStatus").child("volumes").children("volume"))
    for (auto node : vol.children("node")) {
      auto path = text(node, "path");
      if (!path.empty() && path[0] == '/') f(node, text(node, "hostname") + ":" + path);
    }
}
} // namespace

std::vector<PeerState> parse_peer_status(const std::string& xml)
{
  std::vector<PeerState> peers;
  pugi::xml_document doc;
  for (auto p : cli_output(doc, xml).child("peerStatus").children("peer")) {
    PeerState s;
    s.hostname  = text(p, "hostname");
    s.uuid      = text(p, "uuid");
    s.connected = p.child("connected").text().as_int() == 1;
    // The text output's wording: the state, then whether the peer's connection is up.
    s.state = text(p, "stateStr") + (s.connected ? " (Connected)" : " (Disconnected)");
    peers.push_back(s);
  }
  return peers;
}

std::vector<BrickClients> parse_volume_clients(const std::string& xml)
{
  std::vector<BrickClients> bricks;
  pugi::xml_document doc;
  for_each_brick(cli_output(doc, xml), [&](pugi::xml_node node, const std::string& brick) {
    BrickClients b{brick, {}};
    for (auto c : node.child("clientsStatus").children("client"))
      b.clients.push_back(text(c, "hostname"));
    bricks.push_back(b);
  });
  return bricks;
}

std::vector<BrickStatus> parse_volume_status(const std::string& xml)
{
  std::vector<BrickStatus> bricks;
  pugi::xml_document doc;
  for_each_brick(cli_output(doc, xml), [&](pugi::xml_node node, const std::string& brick) {
    long pid = number(text(node, "pid"), 0);
    bricks.push_back({brick, node.child("status").text().as_int() == 1, pid > 0 ? pid : 0});
  });
  return bricks;
}

std::vector<HealBrick> parse_heal_info(const std::string& xml)
{
  std::vector<HealBrick> bricks;
  pugi::xml_document doc;
  for (auto b : cli_output(doc, xml).child("healInfo").child("bricks").children("brick"))
    bricks.push_back({text(b, "name"), text(b, "status") == "Connected", number(text(b, "numberOfEntries"), -1)});
  return bricks;
}

std::vector<SplitBrainBrick> parse_heal_split_brain(const std::string& xml)
{
  std::vector<SplitBrainBrick> bricks;
  pugi::xml_document doc;
  for (auto b : cli_output(doc, xml).child("healInfo").child("bricks").children("brick")) {
    SplitBrainBrick sb{text(b, "name"), text(b, "status") == "Connected", -1, {}};
    // GlusterFS 10.3 names the count numberOfEntriesInSplitBrain; older releases numberOfEntries.
    auto count =
        b.child("numberOfEntriesInSplitBrain") ? text(b, "numberOfEntriesInSplitBrain") : text(b, "numberOfEntries");
    sb.entries = number(count, -1);
    for (auto f : b.children("file"))
      sb.files.push_back(f.text().get());
    bricks.push_back(sb);
  }
  return bricks;
}

} // namespace ibmig::emu
