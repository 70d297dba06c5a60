/* What the hosts allow, apart from the wire: one TCP stream's ceiling on an interface (IPoIB is bound by the CPU per
 * packet and, in connected mode, by the lack of segmentation offload), the access path's cost per request (FUSE
 * splits I/O into 128 KiB requests, each a kernel round trip), and the round trips of a small-file create by volume
 * type. The simulator and the emulator both ask these functions; every value carries its source. */
#pragma once

#include "scenario.hpp"
#include "units.hpp"

#include <string>
#include <vector>

namespace ibmig {

struct StreamLimit {
  bool limited = false; // false: no rule matched; the NIC's data rate is the only network limit
  BytesPerSecond rate;  // one stream's Gluster payload: the rule's TCP payload x gluster_stream_efficiency
  StreamScope scope = StreamScope::Connection;
  std::string label;  // "IPoIB stream limit (connected, MTU 65520)"
  std::string source; // the rule's source, with what it matched on
};

/* The ceiling of one TCP stream through `nic` in its current mode and MTU. */
StreamLimit tcp_stream_limit(const Scenario& sc, const Nic& nic, IpoibMode mode, int mtu);

/* The access path (FUSE mount or libgfapi) as a cost per request plus a copy rate: a request of r bytes costs
 * request_s + r / copy_rate. FUSE caps a request at max_write (128 KiB); libgfapi passes the guest's request. */
struct AccessPathCost {
  Bytes request;       // bytes per request at this block size
  Seconds per_request; // fixed cost of one request
  BytesPerSecond copy; // per-byte cost, as a rate
  std::string label;   // "FUSE request rate (128 KiB requests)"
  std::string source;
  BytesPerSecond rate() const; // request / (per_request + request / copy)
};
constexpr double kFuseMaxWriteBytes = 131072; // glusterfs fuse-bridge: max_write = 128 KiB (see C1 in the sources)
AccessPathCost access_path_cost(const Calibration& c, Access access, Bytes block_size);
/* Access-path requests of one small-file create+write, one after the other: LOOKUP, CREATE, WRITE, FLUSH, RELEASE
 * (the FUSE opcodes `echo x > file` sends; libgfapi makes the same calls). */
constexpr int kFileRequests = 5;

/* Network round trips of one small-file create+write on this volume, with their source. */
Calibrated small_file_round_trips(const Calibration& c, const Volume& v);

} // namespace ibmig
