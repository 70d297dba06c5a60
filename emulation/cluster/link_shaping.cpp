#include "link_shaping.hpp"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <sstream>

namespace ibmig::emu {

namespace {
constexpr double kEthernetHeaderBytes = 14;           // what a veth's qdisc sees in front of the IP header
constexpr double kTcpIpHeaderBytes    = 20 + 20 + 12; // IPv4 + TCP + timestamps option

std::string bits(BitsPerSecond r)
{
  return std::to_string(static_cast<long long>(r.value)) + "bit";
}

/* Bytes: holds a 64 KiB offloaded packet and one timer tick (HZ 250) of traffic, as for tbf. */
std::string burst_bytes(BitsPerSecond r)
{
  return std::to_string(static_cast<long long>(std::max(512.0 * 1024, r.value / 8 / 250)));
}

std::string class_id(size_t minor)
{
  char id[16];
  std::snprintf(id, sizeof id, "1:%zx", minor);
  return id;
}

constexpr size_t kRootClass    = 1;
constexpr size_t kDefaultClass = 2;
constexpr size_t kFirstPeer    = 0x10;
} // namespace

std::vector<std::string> tbf_arguments(BitsPerSecond rate)
{
  return {"tbf", "rate", bits(rate), "burst", burst_bytes(rate), "latency", "20ms"};
}

double htb_bits_per_payload_bit(int mtu)
{
  assert(mtu > kTcpIpHeaderBytes);
  return (mtu + kEthernetHeaderBytes) / (mtu - kTcpIpHeaderBytes);
}

LinkShaping link_shaping(const Scenario& sc, const Topology& topology, const std::string& node, const Nic& nic, int mtu,
                         IpoibMode mode, double rate_scale)
{
  assert(rate_scale > 0 && rate_scale <= 1);
  LinkShaping s;
  s.mtu              = mtu;
  const double one   = sc.technology_of(*sc.find_network(nic.network)).data_rate.value * rate_scale;
  const int carrying = nic.bond ? nic.bond->carrying() : 1;
  s.data_rate        = BitsPerSecond{one * carrying};
  s.root_rate        = s.data_rate;
  if (carrying > 1) s.slave_rate = BitsPerSecond{one};
  s.stream       = tcp_stream_limit(sc, nic, mode, mtu);
  auto add_peers = [&] {
    for (const Node* other : topology.nodes())
      if (other->name != node)
        for (const Nic* peer : topology.nics_on(other->name, nic.network))
          if (!peer->address.empty()) s.peers.push_back({other->name, peer->address});
  };
  if (!s.stream.limited) {
    if (carrying > 1) {
      s.peer_ceil = s.slave_rate;
      add_peers();
    }
    return s;
  }
  // The model's rate is the Gluster payload (the rule's TCP payload x gluster_stream_efficiency); the link carries
  // TCP, and the real Gluster here pays its own overhead on top.
  double efficiency =
      sc.calibration.gluster_stream_efficiency.value > 0 ? sc.calibration.gluster_stream_efficiency.value : 1.0;
  s.stream_tcp_payload = BitsPerSecond{s.stream.rate.value * 8 / efficiency * rate_scale};
  s.stream_htb         = BitsPerSecond{s.stream_tcp_payload.value * htb_bits_per_payload_bit(mtu)};
  if (s.stream.scope == StreamScope::Interface) {
    s.root_rate = BitsPerSecond{std::min(s.data_rate.value, s.stream_htb.value)};
    if (carrying == 1) return s;
    s.peer_ceil = BitsPerSecond{std::min(s.root_rate.value, s.slave_rate.value)};
  } else {
    s.peer_ceil = BitsPerSecond{std::min(s.root_rate.value, s.stream_htb.value)};
    if (carrying > 1) s.peer_ceil = BitsPerSecond{std::min(s.peer_ceil.value, s.slave_rate.value)};
  }
  add_peers();
  return s;
}

std::vector<std::vector<std::string>> shaping_commands(const LinkShaping& s, const std::string& netns,
                                                       const std::string& dev, LinkEnd end)
{
  std::vector<std::string> tc = {"tc", "-n", netns};
  auto line                   = [&](std::vector<std::string> args) {
    auto l = tc;
    l.insert(l.end(), args.begin(), args.end());
    return l;
  };
  std::vector<std::vector<std::string>> out;
  if (!s.uses_htb()) {
    auto l = line({"qdisc", "replace", "dev", dev, "root"});
    for (auto const& a : tbf_arguments(s.data_rate))
      l.push_back(a);
    out.push_back(l);
    return out;
  }
  // Leaf rates (what each class gets without borrowing) add up to the root's, so the root stays the link's cap;
  // ceil is what a class may reach by borrowing: the stream limit for a peer, the root's rate for the default.
  double leaves = static_cast<double>(s.peers.size() + 1);
  BitsPerSecond share{s.root_rate.value / leaves};
  const BitsPerSecond peer_ceil = s.peer_ceil;
  auto leaf                     = [&](size_t minor, BitsPerSecond ceil) {
    BitsPerSecond rate{std::min(share.value, ceil.value)};
    return line({"class", "add", "dev", dev, "parent", class_id(kRootClass), "classid", class_id(minor), "htb", "rate",
                 bits(rate), "ceil", bits(ceil), "burst", burst_bytes(ceil), "cburst", burst_bytes(ceil), "quantum",
                 "131072"});
  };
  out.push_back(
      line({"qdisc", "replace", "dev", dev, "root", "handle", "1:", "htb", "default", std::to_string(kDefaultClass)}));
  out.push_back(line({"class", "add", "dev", dev, "parent", "1:", "classid", class_id(kRootClass), "htb", "rate",
                      bits(s.root_rate), "ceil", bits(s.root_rate), "burst", burst_bytes(s.root_rate), "cburst",
                      burst_bytes(s.root_rate)}));
  out.push_back(leaf(kDefaultClass, s.root_rate));
  const char* match = end == LinkEnd::Node ? "dst" : "src";
  for (size_t i = 0; i < s.peers.size(); ++i) {
    out.push_back(leaf(kFirstPeer + i, peer_ceil));
    out.push_back(line({"filter", "add", "dev", dev, "parent", "1:", "protocol", "ip", "prio", "1", "u32", "match",
                        "ip", match, s.peers[i].address + "/32", "flowid", class_id(kFirstPeer + i)}));
  }
  return out;
}

std::string describe(const LinkShaping& s)
{
  std::ostringstream o;
  o.precision(0);
  o << std::fixed;
  if (!s.uses_htb()) {
    o << "tbf " << s.data_rate.value / 1e6 << " Mbit/s (no stream rule at MTU " << s.mtu << ")";
    return o.str();
  }
  o << "htb root " << s.root_rate.value / 1e6 << " Mbit/s";
  if (!s.peers.empty()) o << ", " << s.peers.size() << " peer class(es) at " << s.peer_ceil.value / 1e6 << " Mbit/s";
  if (s.slave_rate.value > 0) o << " (bond: one connection per slave of " << s.slave_rate.value / 1e6 << " Mbit/s)";
  if (s.stream.limited)
    o << " (" << s.stream.label << ": " << s.stream_tcp_payload.value / 1e6 << " Mbit/s TCP payload, scope "
      << to_string(s.stream.scope) << ")";
  return o.str();
}

} // namespace ibmig::emu
