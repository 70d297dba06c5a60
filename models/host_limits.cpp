#include "host_limits.hpp"

namespace ibmig {

const char* to_string(StreamLink l)
{
  switch (l) {
  case StreamLink::IpoibConnected:
    return "ipoib-connected";
  case StreamLink::IpoibDatagram:
    return "ipoib-datagram";
  case StreamLink::Ethernet:
    return "ethernet";
  }
  return "?";
}

bool parse_stream_link(const std::string& s, StreamLink& out)
{
  for (StreamLink l : {StreamLink::IpoibConnected, StreamLink::IpoibDatagram, StreamLink::Ethernet})
    if (s == to_string(l)) {
      out = l;
      return true;
    }
  return false;
}

const char* to_string(StreamScope s)
{
  return s == StreamScope::Interface ? "interface" : "connection";
}

namespace {
StreamLink link_of(const Technology& tech, IpoibMode mode)
{
  if (tech.kind == LinkKind::Ethernet) return StreamLink::Ethernet;
  return mode == IpoibMode::Connected ? StreamLink::IpoibConnected : StreamLink::IpoibDatagram;
}

/* -1: the rule does not apply; otherwise how many of its optional fields it matched on. */
int specificity(const StreamLimitRule& r, StreamLink link, const Technology& tech, const Nic& nic, int mtu)
{
  if (r.link != link) return -1;
  int score = 0;
  for (auto [want, have] : {std::pair{&r.technology, &tech.name}, std::pair{&r.hca, &nic.hca}}) {
    if (want->empty()) continue;
    if (*want != *have) return -1;
    score++;
  }
  if (r.mtu != 0) {
    if (r.mtu != mtu) return -1;
    score++;
  }
  return score;
}

const StreamLimitRule* best_rule(const std::vector<StreamLimitRule>& rules, StreamLink link, const Technology& tech,
                                 const Nic& nic, int mtu)
{
  const StreamLimitRule* best = nullptr;
  int best_score              = -1;
  for (auto const& r : rules) {
    int s = specificity(r, link, tech, nic, mtu);
    if (s > best_score) {
      best       = &r;
      best_score = s;
    }
  }
  return best;
}
} // namespace

StreamLimit tcp_stream_limit(const Scenario& sc, const Nic& nic, IpoibMode mode, int mtu)
{
  const Technology& tech = sc.technology_of(*sc.find_network(nic.network));
  StreamLink link        = link_of(tech, mode);
  // The user's own measurements (the scenario's rules) come before the published ones.
  const StreamLimitRule* r = best_rule(sc.calibration.stream_limits, link, tech, nic, mtu);
  if (!r) r = best_rule(builtin_stream_limits(), link, tech, nic, mtu);
  StreamLimit out;
  if (!r) return out;
  out.limited = true;
  out.rate    = BytesPerSecond{to_bytes_per_second(r->rate).value * sc.calibration.gluster_stream_efficiency.value};
  out.scope   = r->scope;
  out.label   = (link == StreamLink::Ethernet ? "TCP stream limit (" + tech.name + ", MTU "
                                              : "IPoIB stream limit (" + mode_name(mode) + ", MTU ") +
              std::to_string(mtu) + ")";
  out.source = r->source;
  return out;
}

BytesPerSecond AccessPathCost::rate() const
{
  return BytesPerSecond{request.value / (per_request.value + request.value / copy.value)};
}

AccessPathCost access_path_cost(const Calibration& c, Access access, Bytes block_size)
{
  AccessPathCost a;
  const bool fuse = access == Access::Fuse;
  a.request       = fuse ? Bytes{std::min(block_size.value, kFuseMaxWriteBytes)} : block_size;
  a.per_request   = Seconds{fuse ? c.fuse_request_s.value : c.gfapi_request_s.value};
  a.copy          = BytesPerSecond{(fuse ? c.fuse_MBps.value : c.gfapi_MBps.value) * 1e6};
  a.label  = std::string(fuse ? "FUSE" : "libgfapi") + " request rate (" + format_binary_size(a.request) + " requests)";
  a.source = fuse ? "requests of at most 128 KiB (glusterfs fuse-bridge max_write, from its code); per request: " +
                        c.fuse_request_s.source + "; per byte: " + c.fuse_MBps.source
                  : "the guest's requests as they are; per request: " + c.gfapi_request_s.source +
                        "; per byte: " + c.gfapi_MBps.source;
  return a;
}

Calibrated small_file_round_trips(const Calibration& c, const Volume& v)
{
  return v.replica > 1 ? c.small_file_round_trips : c.small_file_round_trips_distribute;
}

} // namespace ibmig
