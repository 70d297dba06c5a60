#include "replicated_write.hpp"

#include "statistics.hpp"
#include "verbs.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <thread>

namespace ibmig::rdma {

namespace {

using Clock = std::chrono::steady_clock;

// Wire messages. Both ends run the same binary on the same architecture, so plain structs are enough.
enum class Kind : uint32_t { chunk = 1, finish = 2, ack = 3, totals = 4 };

struct Message {
  Kind kind;
  uint32_t slot;
  uint64_t sequence;
  uint64_t bytes;
  uint64_t checksum;
  uint64_t chunks_ok;  // totals only
  uint64_t chunks_bad; // totals only
};

struct ClientHello { // connect private data (RoCE allows 56 bytes)
  uint64_t chunk_bytes;
  uint32_t depth;
  uint32_t reserved;
};

struct ServerOffer { // accept private data: where the client may write
  uint64_t address;
  uint64_t slot_bytes;
  uint32_t rkey;
  uint32_t depth;
};

constexpr uint64_t kPageBytes = 4096;

struct AlignedBuffer {
  explicit AlignedBuffer(size_t bytes)
  {
    if (posix_memalign(&data, kPageBytes, std::max<size_t>(bytes, kPageBytes)) != 0)
      throw VerbsError("posix_memalign", ENOMEM, std::to_string(bytes) + " bytes");
    std::memset(data, 0, bytes);
  }
  ~AlignedBuffer() { std::free(data); }
  AlignedBuffer(const AlignedBuffer&)            = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  uint8_t* bytes() const { return static_cast<uint8_t*>(data); }
  void* data = nullptr;
};

// One RC connection with its verbs objects, declared in acquisition order so they are released in reverse.
// The data buffer belongs to the caller (the client shares one source buffer between its replicas).
class Endpoint {
public:
  Endpoint(std::unique_ptr<CmId> id, void* data, size_t data_bytes, int data_access, uint32_t depth)
      : id_(std::move(id)), pd_(id_->verbs()), channel_(id_->verbs()),
        cq_(id_->verbs(), static_cast<int>(4 * depth + 8), &channel_), qp_(*id_, pd_, cq_, 2 * depth + 4, depth + 2),
        data_mr_(pd_, data, data_bytes, data_access), messages_(2 * (depth + 2)),
        messages_mr_(pd_, messages_.data(), messages_.size() * sizeof(Message), IBV_ACCESS_LOCAL_WRITE), depth_(depth)
  {
    // Receives must be posted before the connection is established, or an early SEND finds no buffer.
    for (uint32_t i = 0; i < depth + 2; ++i)
      repost(i);
  }
  ~Endpoint()
  {
    if (connected_) rdma_disconnect(id_->get()); // best effort: the peer may already be gone
  }
  Endpoint(const Endpoint&)            = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  void repost(uint64_t index) { qp_.post_recv(index, &messages_[index], sizeof(Message), messages_mr_.lkey()); }
  const Message& received(uint64_t index) const { return messages_[index]; }
  // Send buffers follow the receive buffers; slot i of the ring uses send buffer i.
  void send(uint32_t index, const Message& message)
  {
    Message& buffer = messages_[depth_ + 2 + index];
    buffer          = message;
    qp_.post_send(depth_ + 2 + index, &buffer, sizeof(Message), messages_mr_.lkey(), true);
  }
  bool is_receive(const ibv_wc& wc) const { return wc.opcode == IBV_WC_RECV; }

  std::unique_ptr<CmId> id_;
  ProtectionDomain pd_;
  CompletionChannel channel_;
  CompletionQueue cq_;
  QueuePair qp_;
  MemoryRegion data_mr_;
  std::vector<Message> messages_;
  MemoryRegion messages_mr_;
  uint32_t depth_;
  bool connected_ = false;
};

// One outstanding RDMA READ/atomic is plenty (only WRITE and SEND are used); retries cover a peer that is slow to
// post receives in a busy guest.
rdma_conn_param connection_parameters(const void* private_data, uint8_t length_bytes)
{
  rdma_conn_param param{};
  param.private_data        = private_data;
  param.private_data_len    = length_bytes;
  param.initiator_depth     = 1;
  param.responder_resources = 1;
  param.retry_count         = 7;
  param.rnr_retry_count     = 7;
  return param;
}

uint64_t rotl(uint64_t x, int r)
{
  return (x << r) | (x >> (64 - r));
}

// Fills a buffer with pseudo-random bytes (splitmix64), so checksums depend on every word.
void fill_pattern(uint8_t* data, size_t bytes, uint64_t seed)
{
  for (size_t i = 0; i + 8 <= bytes; i += 8) {
    uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
    z          = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z          = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    std::memcpy(data + i, &z, 8);
  }
}

// Stamps the sequence number into every page of a chunk: a chunk that never landed leaves the previous chunk's
// stamps in the server's slot, which the checksum then catches.
void stamp_chunk(uint8_t* data, size_t bytes, uint64_t sequence)
{
  for (size_t offset = 0; offset + 8 <= bytes; offset += kPageBytes) {
    uint64_t word = sequence * 0x100000001b3ull + offset;
    std::memcpy(data + offset, &word, 8);
  }
}

double megabytes_per_second(uint64_t bytes, double seconds)
{
  return seconds > 0 ? bytes / seconds / 1e6 : 0.0;
}

double seconds_between(Clock::time_point from, Clock::time_point to)
{
  return std::chrono::duration<double>(to - from).count();
}

sockaddr_storage resolve_ip(const std::string& host, uint16_t port)
{
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    throw VerbsError("getaddrinfo", EINVAL, host + ": " + gai_strerror(rc));
  sockaddr_storage address{};
  std::memcpy(&address, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  return address;
}

// Client side of one replica: resolve, connect (retrying while the server is not listening yet), learn its slots.
struct Replica {
  std::string server;
  ServerOffer offer{};
  std::unique_ptr<Endpoint> endpoint;
  uint64_t chunks_acked = 0;
  Clock::time_point last_ack;
  Message totals{};
  bool finished = false;
};

std::unique_ptr<Endpoint> try_connect(CmEventChannel& channel, Replica& replica, const ClientOptions& options,
                                      AlignedBuffer& source, size_t source_bytes, sockaddr_storage& address)
{
  const auto step = std::chrono::milliseconds(5000);
  auto id         = std::make_unique<CmId>(channel, RDMA_PS_TCP);
  if (rdma_resolve_addr(id->get(), nullptr, reinterpret_cast<sockaddr*>(&address), 2000) != 0)
    throw VerbsError("rdma_resolve_addr", errno, replica.server);
  CmEvent(channel, step).expect(RDMA_CM_EVENT_ADDR_RESOLVED, "rdma_resolve_addr");
  if (rdma_resolve_route(id->get(), 2000) != 0) throw VerbsError("rdma_resolve_route", errno, replica.server);
  CmEvent(channel, step).expect(RDMA_CM_EVENT_ROUTE_RESOLVED, "rdma_resolve_route");

  auto endpoint =
      std::make_unique<Endpoint>(std::move(id), source.data, source_bytes, IBV_ACCESS_LOCAL_WRITE, options.depth);
  ClientHello hello{options.chunk_bytes, options.depth, 0};
  rdma_conn_param param = connection_parameters(&hello, sizeof(hello));
  if (rdma_connect(endpoint->id_->get(), &param) != 0) throw VerbsError("rdma_connect", errno, replica.server);
  CmEvent event(channel, step);
  event.expect(RDMA_CM_EVENT_ESTABLISHED, "rdma_connect");
  if (event.connection().private_data_len < sizeof(ServerOffer))
    throw VerbsError("rdma_connect", EPROTO, replica.server + " sent no slot offer");
  std::memcpy(&replica.offer, event.connection().private_data, sizeof(ServerOffer));
  endpoint->connected_ = true;
  return endpoint;
}

// Connects one replica, retrying while its server is still booting or not listening yet (rejected, unreachable).
std::unique_ptr<Endpoint> connect_replica(CmEventChannel& channel, Replica& replica, const ClientOptions& options,
                                          AlignedBuffer& source, size_t source_bytes)
{
  const auto deadline      = Clock::now() + options.connect_timeout;
  sockaddr_storage address = resolve_ip(replica.server, options.port);
  for (;;) {
    try {
      return try_connect(channel, replica, options, source, source_bytes, address);
    } catch (const VerbsError& e) {
      if (Clock::now() > deadline)
        throw VerbsError(e.verb(), e.error_number(),
                         "no connection to " + replica.server + " within " +
                             std::to_string(options.connect_timeout.count()) + " s (last attempt: " + e.what() + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
}

// Polls every replica once; calls on_ack(replica index, message) for each received message. Returns the number of
// completions handled (sends included).
template <typename OnAck> int poll_replicas(std::vector<Replica>& replicas, OnAck&& on_ack)
{
  ibv_wc completions[16];
  int handled = 0;
  for (size_t r = 0; r < replicas.size(); ++r) {
    Endpoint& endpoint = *replicas[r].endpoint;
    int n              = endpoint.cq_.poll(completions, 16);
    handled += n;
    for (int i = 0; i < n; ++i) {
      if (!endpoint.is_receive(completions[i])) continue;
      Message message = endpoint.received(completions[i].wr_id);
      endpoint.repost(completions[i].wr_id);
      on_ack(r, message);
    }
  }
  return handled;
}

} // namespace

uint64_t chunk_checksum(const void* data, size_t length_bytes)
{
  constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ull;
  // Four independent lanes keep the multiplier busy; each lane is an order-dependent chain.
  uint64_t lanes[4] = {0x243f6a8885a308d3ull, 0x13198a2e03707344ull, 0xa4093822299f31d0ull, 0x082efa98ec4e6c89ull};
  auto bytes        = static_cast<const uint8_t*>(data);
  size_t i          = 0;
  for (; i + 32 <= length_bytes; i += 32)
    for (int k = 0; k < 4; ++k) {
      uint64_t word;
      std::memcpy(&word, bytes + i + 8 * k, 8);
      lanes[k] = rotl(lanes[k] ^ word, 29) * kMultiplier;
    }
  for (; i < length_bytes; ++i)
    lanes[0] = rotl(lanes[0] ^ bytes[i], 29) * kMultiplier;
  uint64_t hash = length_bytes;
  for (uint64_t lane : lanes) {
    hash = (hash ^ lane) * 0xff51afd7ed558ccdull;
    hash ^= hash >> 33;
  }
  return hash;
}

nlohmann::json run_client(const ClientOptions& options)
{
  list_devices(); // fail with the plain "no RDMA device" explanation before any verb does
  if (options.servers.empty()) throw std::invalid_argument("no server given");
  if (options.chunk_bytes == 0 || options.depth == 0)
    throw std::invalid_argument("chunk size and depth must be positive");
  const uint32_t depth       = options.latency_mode ? 1 : options.depth;
  const uint64_t chunk_bytes = options.chunk_bytes;
  const uint64_t chunks =
      options.latency_mode ? options.latency_iterations : (options.total_bytes + chunk_bytes - 1) / chunk_bytes;
  ClientOptions effective = options;
  effective.depth         = depth;

  AlignedBuffer source(depth * chunk_bytes);
  fill_pattern(source.bytes(), depth * chunk_bytes, 42);

  CmEventChannel channel;
  std::vector<Replica> replicas(options.servers.size());
  // Connect every replica even after one failed: the reachable servers are then disconnected and stop waiting for
  // this client, instead of waiting for it until their own timeout.
  std::exception_ptr first_failure;
  for (size_t r = 0; r < replicas.size(); ++r) {
    replicas[r].server = options.servers[r];
    try {
      replicas[r].endpoint = connect_replica(channel, replicas[r], effective, source, depth * chunk_bytes);
      if (replicas[r].offer.slot_bytes < chunk_bytes || replicas[r].offer.depth < depth)
        throw VerbsError("rdma_connect", EPROTO, replicas[r].server + " offered smaller slots than requested");
    } catch (const VerbsError&) {
      if (!first_failure) first_failure = std::current_exception();
    }
  }
  if (first_failure) std::rethrow_exception(first_failure);

  std::vector<uint32_t> pending(depth, 0);      // acknowledgements still missing per slot
  std::vector<Clock::time_point> posted(depth); // latency mode: when each slot was posted
  std::vector<double> latencies_us;
  uint64_t next_sequence = 0;
  uint64_t bytes_sent    = 0;
  const auto start       = Clock::now();

  auto on_ack = [&](size_t r, const Message& message) {
    if (message.kind == Kind::totals) {
      replicas[r].totals   = message;
      replicas[r].finished = true;
      return;
    }
    replicas[r].chunks_acked++;
    replicas[r].last_ack = Clock::now();
    if (--pending[message.slot] == 0 && options.latency_mode)
      latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - posted[message.slot]).count());
  };

  std::vector<CompletionQueue*> queues;
  for (Replica& replica : replicas)
    queues.push_back(&replica.endpoint->cq_);
  // Spinning steals the only vCPU from the soft-RoCE kernel work of a guest: by default sleep on the channels.
  auto progress = [&] {
    auto poll_all = [&] { return poll_replicas(replicas, on_ack); };
    if (poll_all() == 0 && !options.busy_poll) wait_for_completions(queues, std::chrono::milliseconds(100), poll_all);
  };

  while (next_sequence < chunks || std::any_of(pending.begin(), pending.end(), [](uint32_t p) { return p > 0; })) {
    for (uint32_t slot = 0; slot < depth && next_sequence < chunks; ++slot) {
      if (pending[slot] != 0) continue;
      const uint64_t bytes =
          options.latency_mode ? chunk_bytes : std::min(chunk_bytes, options.total_bytes - bytes_sent);
      uint8_t* data = source.bytes() + slot * chunk_bytes;
      stamp_chunk(data, bytes, next_sequence);
      Message notice{Kind::chunk, slot, next_sequence, bytes, chunk_checksum(data, bytes), 0, 0};
      posted[slot] = Clock::now();
      for (Replica& replica : replicas) {
        Endpoint& e = *replica.endpoint;
        e.qp_.post_write(0, data, static_cast<uint32_t>(bytes), e.data_mr_.lkey(),
                         replica.offer.address + slot * replica.offer.slot_bytes, replica.offer.rkey, false);
        e.send(slot, notice);
      }
      pending[slot] = static_cast<uint32_t>(replicas.size());
      bytes_sent += bytes;
      ++next_sequence;
    }
    progress();
  }
  const auto data_done = Clock::now();

  // Ask every replica for its totals: they say whether each chunk matched its checksum on that server.
  for (Replica& replica : replicas)
    replica.endpoint->send(depth + 1, Message{Kind::finish, 0, chunks, bytes_sent, 0, 0, 0});
  const auto totals_deadline = Clock::now() + std::chrono::seconds(30);
  while (std::any_of(replicas.begin(), replicas.end(), [](const Replica& r) { return !r.finished; })) {
    if (Clock::now() > totals_deadline)
      throw VerbsError("ibv_poll_cq", ETIMEDOUT, "a server sent no totals within 30 s");
    progress();
  }

  const double seconds = seconds_between(start, data_done);
  nlohmann::json report;
  report["role"]              = "client";
  report["mode"]              = options.latency_mode ? "latency" : "throughput";
  report["replicas"]          = replicas.size();
  report["chunk_bytes"]       = chunk_bytes;
  report["chunks"]            = chunks;
  report["bytes_per_replica"] = bytes_sent;
  report["seconds"]           = seconds;
  bool all_verified           = true;
  nlohmann::json per_replica  = nlohmann::json::array();
  for (const Replica& replica : replicas) {
    const double replica_seconds = seconds_between(start, replica.last_ack);
    const bool verified =
        replica.totals.chunks_ok == chunks && replica.totals.chunks_bad == 0 && replica.totals.bytes == bytes_sent;
    all_verified = all_verified && verified;
    per_replica.push_back({{"server", replica.server},
                           {"bytes", replica.totals.bytes},
                           {"seconds", replica_seconds},
                           {"MBps", megabytes_per_second(bytes_sent, replica_seconds)},
                           {"chunks_verified", replica.totals.chunks_ok},
                           {"chunks_bad", replica.totals.chunks_bad},
                           {"all_verified", verified}});
  }
  report["per_replica"] = per_replica;
  // Per-client throughput counts each byte once; aggregate counts every copy that crossed the client's NIC.
  report["client_MBps"]    = megabytes_per_second(bytes_sent, seconds);
  report["aggregate_MBps"] = megabytes_per_second(bytes_sent * replicas.size(), seconds);
  report["all_verified"]   = all_verified;
  if (options.latency_mode && !latencies_us.empty()) {
    double sum = 0;
    for (double l : latencies_us)
      sum += l;
    report["latency_us"] = {{"min", *std::min_element(latencies_us.begin(), latencies_us.end())},
                            {"median", *percentile(latencies_us, 0.50)},
                            {"p99", *percentile(latencies_us, 0.99)},
                            {"mean", sum / latencies_us.size()},
                            {"samples", latencies_us.size()}};
  }
  return report;
}

namespace {
// Serves one connected client until it sends `finish`; verifies every chunk against the checksum it announced.
nlohmann::json serve_session(CmEventChannel& channel, const ServerOptions& options)
{
  const auto deadline = Clock::now() + options.timeout;
  const auto left     = [&] {
    return std::max(std::chrono::milliseconds(1),
                        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  };
  ClientHello hello{};
  std::unique_ptr<CmId> id;
  for (;;) {
    CmEvent request(channel, left());
    // Events of the previous session (its disconnect) may still be queued: skip them.
    if (request.type() == RDMA_CM_EVENT_DISCONNECTED || request.type() == RDMA_CM_EVENT_TIMEWAIT_EXIT) continue;
    request.expect(RDMA_CM_EVENT_CONNECT_REQUEST, "rdma_listen");
    if (request.connection().private_data_len < sizeof(ClientHello))
      throw VerbsError("rdma_listen", EPROTO, "connect request without chunk size");
    std::memcpy(&hello, request.connection().private_data, sizeof(hello));
    id = std::make_unique<CmId>(request.id());
    break;
  }
  if (hello.depth == 0 || hello.depth > 1024 || hello.chunk_bytes == 0 || hello.chunk_bytes > (256ull << 20))
    throw VerbsError("rdma_listen", EPROTO, "unreasonable chunk size or depth requested");
  AlignedBuffer slots(hello.depth * hello.chunk_bytes);
  Endpoint endpoint(std::move(id), slots.data, hello.depth * hello.chunk_bytes,
                    IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE, hello.depth);
  ServerOffer offer{reinterpret_cast<uint64_t>(slots.data), hello.chunk_bytes, endpoint.data_mr_.rkey(), hello.depth};
  rdma_conn_param param = connection_parameters(&offer, sizeof(offer));
  if (rdma_accept(endpoint.id_->get(), &param) != 0) throw VerbsError("rdma_accept", errno);
  CmEvent(channel, left()).expect(RDMA_CM_EVENT_ESTABLISHED, "rdma_accept");
  endpoint.connected_ = true;

  uint64_t chunks_ok = 0, chunks_bad = 0, bytes = 0;
  Clock::time_point first{}, last{};
  nlohmann::json report;
  auto handle_completions = [&]() -> int {
    ibv_wc completions[16];
    int n = endpoint.cq_.poll(completions, 16);
    for (int i = 0; i < n && report.is_null(); ++i) {
      if (!endpoint.is_receive(completions[i])) continue;
      Message message = endpoint.received(completions[i].wr_id);
      endpoint.repost(completions[i].wr_id);
      if (message.kind == Kind::finish) {
        endpoint.send(hello.depth + 1, Message{Kind::totals, 0, message.sequence, bytes, 0, chunks_ok, chunks_bad});
        // Wait for the totals to leave before disconnecting.
        const uint64_t totals_wr = 2 * hello.depth + 3; // send buffer hello.depth + 1
        for (bool sent = false; !sent && Clock::now() < deadline;)
          sent = endpoint.cq_.poll(completions, 1) > 0 && completions[0].wr_id == totals_wr &&
                 !endpoint.is_receive(completions[0]);
        const double seconds = seconds_between(first, last);
        report               = {{"role", "server"},
                                {"chunks_verified", chunks_ok},
                                {"chunks_bad", chunks_bad},
                                {"bytes", bytes},
                                {"seconds", seconds},
                                {"MBps", megabytes_per_second(bytes, seconds)},
                                {"all_verified", chunks_bad == 0 && chunks_ok == message.sequence && bytes == message.bytes}};
        break;
      }
      if (message.kind != Kind::chunk || message.slot >= hello.depth || message.bytes > hello.chunk_bytes)
        throw VerbsError("ibv_post_recv", EPROTO, "malformed chunk notice");
      if (chunks_ok + chunks_bad == 0) first = Clock::now();
      const bool ok =
          chunk_checksum(slots.bytes() + message.slot * hello.chunk_bytes, message.bytes) == message.checksum;
      (ok ? chunks_ok : chunks_bad)++;
      bytes += message.bytes;
      last = Clock::now();
      endpoint.send(message.slot, Message{Kind::ack, message.slot, message.sequence, message.bytes, 0, 0, 0});
    }
    return n;
  };
  while (report.is_null()) {
    if (Clock::now() > deadline)
      throw VerbsError("ibv_poll_cq", ETIMEDOUT, "client did not finish within the server timeout");
    if (handle_completions() == 0 && !options.busy_poll)
      wait_for_completions({&endpoint.cq_}, std::chrono::milliseconds(100), handle_completions);
    // A client that gave up (e.g. another replica never came up) disconnects: stop waiting for it.
    if (report.is_null() && channel.has_event()) {
      CmEvent event(channel, std::chrono::milliseconds(100));
      if (event.type() == RDMA_CM_EVENT_DISCONNECTED && event.id() == endpoint.id_->get())
        throw VerbsError("rdma_get_cm_event", ECONNRESET, "client disconnected before finishing");
    }
  }
  return report;
}
} // namespace

std::vector<nlohmann::json> run_server(const ServerOptions& options)
{
  list_devices();
  CmEventChannel channel;
  CmId listener(channel, RDMA_PS_TCP);
  sockaddr_storage address = resolve_ip(options.bind_address, options.port);
  if (rdma_bind_addr(listener.get(), reinterpret_cast<sockaddr*>(&address)) != 0)
    throw VerbsError("rdma_bind_addr", errno, options.bind_address + ":" + std::to_string(options.port));
  if (rdma_listen(listener.get(), 4) != 0) throw VerbsError("rdma_listen", errno);
  std::vector<nlohmann::json> sessions;
  for (uint32_t i = 0; i < options.clients; ++i)
    sessions.push_back(serve_session(channel, options));
  return sessions;
}

} // namespace ibmig::rdma
