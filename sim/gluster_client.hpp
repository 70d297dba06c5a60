/* One I/O stream of a VM through its Gluster client (FUSE mount or libgfapi). Client-side replication (AFR): a
 * write goes from the client to every reachable data brick of the image's replica set at one common rate, as a
 * single parallel task; a brick on the client's own node is written without crossing its NIC. Reads come from one
 * brick. Small-file streams pay round trips per file: one batch of about a second prices a file at the current
 * contention, then one flow at that pace carries the files until the next change. The actor re-plans its I/O whenever
 * the cluster changes. */
#pragma once

#include "world.hpp"

namespace ibmig::sim {

class GlusterClient {
public:
  GlusterClient(World& world, const Vm& vm, size_t stream) : world_(world), vm_(vm), stream_index_(stream) {}
  void operator()();

private:
  void run_sequential();
  void run_small_files();
  /* Builds the flow for the current path; returns false when the VM cannot do this I/O now. A small-file stream's
   * flow between two events also gets its pace (payload bytes/s at most; 0: none). */
  bool start_flow(const IoPath& path, double payload_bytes, double pace_Bps = 0);
  void stop_flow();
  std::string signature(const IoPath& p) const;

  World& world_;
  const Vm& vm_;
  size_t stream_index_;
  FlowPtr flow_; // the running flow, or null
  int remote_copies_ = 0;
};

} // namespace ibmig::sim
