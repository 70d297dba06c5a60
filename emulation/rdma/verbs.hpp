// RAII owners for the verbs and rdma_cm objects used by the soft-RoCE tools.
//
// Each owner is move-only, releases its object in its destructor and never throws there (a failed release is
// logged to stderr with the verb name and errno). Callers declare owners in acquisition order (device or cm id,
// protection domain, completion queue, queue pair, memory regions) so C++ destroys them in reverse, as rdma-core's
// rc_pingpong does. Every failed verb throws VerbsError naming the verb and the errno.
#pragma once

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ibmig::rdma {

/// A failed verb: what() reads "VERB failed: strerror (errno N)[: detail]".
class VerbsError : public std::runtime_error {
public:
  VerbsError(const std::string& verb, int error_number, const std::string& detail = "");
  const std::string& verb() const { return verb_; }
  int error_number() const { return error_number_; }

private:
  std::string verb_;
  int error_number_;
};

/// There is no RDMA device at all (no rdma kernel support, or no rxe link added): the one error a user sees on a
/// host without RDMA, so it carries a plain explanation instead of a verb name.
class NoRdmaDevice : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Names of the RDMA devices present; throws NoRdmaDevice when there is none.
std::vector<std::string> list_devices();

/// Opened device (ibv_open_device / ibv_close_device), for queries such as port state.
class DeviceContext {
public:
  explicit DeviceContext(const std::string& name);
  ~DeviceContext();
  DeviceContext(DeviceContext&& other) noexcept;
  DeviceContext(const DeviceContext&)            = delete;
  DeviceContext& operator=(const DeviceContext&) = delete;
  DeviceContext& operator=(DeviceContext&&)      = delete;
  ibv_context* get() const { return context_; }
  ibv_port_attr query_port(uint8_t port) const;

private:
  ibv_context* context_ = nullptr;
};

class ProtectionDomain {
public:
  explicit ProtectionDomain(ibv_context* context);
  ~ProtectionDomain();
  ProtectionDomain(const ProtectionDomain&)            = delete;
  ProtectionDomain& operator=(const ProtectionDomain&) = delete;
  ibv_pd* get() const { return pd_; }

private:
  ibv_pd* pd_ = nullptr;
};

class MemoryRegion {
public:
  MemoryRegion(ProtectionDomain& pd, void* address, size_t length_bytes, int access);
  ~MemoryRegion();
  MemoryRegion(const MemoryRegion&)            = delete;
  MemoryRegion& operator=(const MemoryRegion&) = delete;
  ibv_mr* get() const { return mr_; }
  uint32_t lkey() const { return mr_->lkey; }
  uint32_t rkey() const { return mr_->rkey; }

private:
  ibv_mr* mr_ = nullptr;
};

/// Completion channel: lets a thread sleep until a completion queue has work instead of spinning. In a one-vCPU
/// guest a spinning process competes with the soft-RoCE kernel work it is waiting for.
class CompletionChannel {
public:
  explicit CompletionChannel(ibv_context* context);
  ~CompletionChannel();
  CompletionChannel(const CompletionChannel&)            = delete;
  CompletionChannel& operator=(const CompletionChannel&) = delete;
  ibv_comp_channel* get() const { return channel_; }

private:
  ibv_comp_channel* channel_ = nullptr;
};

class CompletionQueue {
public:
  /// With a channel the queue can be waited for (wait_for_completions); without one it can only be polled.
  CompletionQueue(ibv_context* context, int depth, CompletionChannel* channel = nullptr);
  ~CompletionQueue();
  CompletionQueue(const CompletionQueue&)            = delete;
  CompletionQueue& operator=(const CompletionQueue&) = delete;
  ibv_cq* get() const { return cq_; }
  /// Polls up to `capacity` completions into `out`; throws on a poll error or a completion with an error status.
  int poll(ibv_wc* out, int capacity);
  /// Requests an event for the next completion (ibv_req_notify_cq).
  void arm();
  /// Consumes and acknowledges one pending event (ibv_get_cq_event, ibv_ack_cq_events).
  void consume_event();
  int event_fd() const { return channel_ ? channel_->get()->fd : -1; }

private:
  ibv_cq* cq_                 = nullptr;
  CompletionChannel* channel_ = nullptr;
};

/// Sleeps until one of the queues has a completion or `timeout` passes; queues must have channels. `poll_all` polls
/// and processes every queue and returns how many completions it handled: it is called once after arming, because a
/// completion that arrived before arming raises no event.
void wait_for_completions(const std::vector<CompletionQueue*>& queues, std::chrono::milliseconds timeout,
                          const std::function<int()>& poll_all);

/// rdma_cm event channel; events are waited for with a timeout so a vanished peer cannot hang a tool.
class CmEventChannel {
public:
  CmEventChannel();
  ~CmEventChannel();
  CmEventChannel(const CmEventChannel&)            = delete;
  CmEventChannel& operator=(const CmEventChannel&) = delete;
  rdma_event_channel* get() const { return channel_; }
  /// True when an event is waiting (does not consume it).
  bool has_event() const;

private:
  rdma_event_channel* channel_ = nullptr;
};

/// One acknowledged-on-destruction rdma_cm event.
class CmEvent {
public:
  CmEvent(CmEventChannel& channel, std::chrono::milliseconds timeout);
  ~CmEvent();
  CmEvent(const CmEvent&)            = delete;
  CmEvent& operator=(const CmEvent&) = delete;
  rdma_cm_event_type type() const { return event_->event; }
  int status() const { return event_->status; }
  rdma_cm_id* id() const { return event_->id; }
  const rdma_conn_param& connection() const { return event_->param.conn; }
  /// Throws VerbsError unless the event is `expected` (naming the verb that waited for it).
  void expect(rdma_cm_event_type expected, const char* verb) const;

private:
  rdma_cm_event* event_ = nullptr;
};

/// rdma_cm identifier (rdma_create_id / rdma_destroy_id); also adopts the id of an incoming connect request.
class CmId {
public:
  CmId(CmEventChannel& channel, rdma_port_space port_space);
  explicit CmId(rdma_cm_id* adopted) : id_(adopted) {}
  ~CmId();
  CmId(const CmId&)            = delete;
  CmId& operator=(const CmId&) = delete;
  rdma_cm_id* get() const { return id_; }
  ibv_context* verbs() const { return id_->verbs; }

private:
  rdma_cm_id* id_ = nullptr;
};

/// RC queue pair created through rdma_cm (rdma_create_qp / rdma_destroy_qp), so rdma_cm drives its state changes.
class QueuePair {
public:
  QueuePair(CmId& id, ProtectionDomain& pd, CompletionQueue& cq, uint32_t send_depth, uint32_t recv_depth);
  ~QueuePair();
  QueuePair(const QueuePair&)            = delete;
  QueuePair& operator=(const QueuePair&) = delete;
  ibv_qp* get() const { return id_->qp; }

  void post_write(uint64_t wr_id, const void* local, uint32_t length_bytes, uint32_t lkey, uint64_t remote_address,
                  uint32_t rkey, bool signaled);
  void post_send(uint64_t wr_id, const void* local, uint32_t length_bytes, uint32_t lkey, bool signaled);
  void post_recv(uint64_t wr_id, void* local, uint32_t length_bytes, uint32_t lkey);

private:
  void post(ibv_wr_opcode opcode, uint64_t wr_id, const void* local, uint32_t length_bytes, uint32_t lkey,
            bool signaled, uint64_t remote_address, uint32_t rkey);
  rdma_cm_id* id_;
};

} // namespace ibmig::rdma
