// Replicated RDMA write: one client writes a stream of chunks to R servers over RC queue pairs, every chunk to
// every server, the way Gluster's client-side replication (AFR) sends each write to every brick of a replica set.
//
// Per chunk and server: an RDMA WRITE places the data in one of the server's `depth` slots, then a SEND carries
// {sequence, bytes, checksum}. RC ordering guarantees the data is in place when the SEND's receive completes, so
// the server checksums the slot and answers with an acknowledgement SEND; the client reuses a slot only once every
// server acknowledged it. A final message returns the server's totals, so the client's report states whether every
// chunk was verified on every replica.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ibmig::rdma {

struct ClientOptions {
  std::vector<std::string> servers; // IP addresses of the replicas (their rxe netdev addresses)
  uint16_t port               = 7471;
  uint64_t total_bytes        = 64ull << 20; // throughput mode: bytes written to each replica
  uint64_t chunk_bytes        = 1ull << 20;
  uint32_t depth              = 8;     // chunks in flight per replica
  bool latency_mode           = false; // one chunk at a time, round-trip times reported
  uint32_t latency_iterations = 1000;
  std::chrono::seconds connect_timeout{60}; // servers may still be booting: retry connecting until then
  bool busy_poll = false;                   // spin on the completion queues instead of sleeping on events
};

struct ServerOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t port            = 7471;
  uint32_t clients         = 1; // sessions served one after the other before exiting
  std::chrono::seconds timeout{300};
  bool busy_poll = false;
};

/// Checksum of a chunk: not cryptographic, but order-dependent over 64-bit words, so a lost, stale, misplaced or
/// flipped word changes it.
uint64_t chunk_checksum(const void* data, size_t length_bytes);

/// Runs the client; returns its JSON report (MB = 10^6 bytes). "all_verified" is false when any replica reported
/// a checksum mismatch or did not receive every chunk.
nlohmann::json run_client(const ClientOptions& options);

/// Serves `options.clients` sessions; returns one JSON report per session.
std::vector<nlohmann::json> run_server(const ServerOptions& options);

} // namespace ibmig::rdma
