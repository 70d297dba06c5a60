#include "verbs.hpp"

#include <poll.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace ibmig::rdma {

namespace {
std::string describe(const std::string& verb, int error_number, const std::string& detail)
{
  std::string text = verb + " failed: " + std::strerror(error_number) + " (errno " + std::to_string(error_number) + ")";
  return detail.empty() ? text : text + ": " + detail;
}

// Destructors must not throw: report the failed release and go on releasing the rest.
void log_release_failure(const char* verb, int error_number)
{
  std::cerr << "ibmig-rdma: " << describe(verb, error_number, "while releasing") << "\n";
}
} // namespace

VerbsError::VerbsError(const std::string& verb, int error_number, const std::string& detail)
    : std::runtime_error(describe(verb, error_number, detail)), verb_(verb), error_number_(error_number)
{
}

std::vector<std::string> list_devices()
{
  int count         = 0;
  ibv_device** list = ibv_get_device_list(&count);
  int saved_errno   = errno;
  if (list == nullptr || count == 0) {
    if (list) ibv_free_device_list(list);
    std::string why = list == nullptr ? std::string("ibv_get_device_list: ") + std::strerror(saved_errno)
                                      : std::string("ibv_get_device_list returned no device");
    throw NoRdmaDevice("no RDMA device found (" + why +
                       "); soft-RoCE runs inside the test guests, where `rdma link add rxe0 type rxe netdev eth0` "
                       "creates one (see emulation/rdma/README.md)");
  }
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i)
    names.emplace_back(ibv_get_device_name(list[i]));
  ibv_free_device_list(list);
  return names;
}

DeviceContext::DeviceContext(const std::string& name)
{
  int count         = 0;
  ibv_device** list = ibv_get_device_list(&count);
  if (list == nullptr) throw VerbsError("ibv_get_device_list", errno);
  for (int i = 0; i < count && context_ == nullptr; ++i)
    if (name == ibv_get_device_name(list[i])) {
      context_ = ibv_open_device(list[i]);
      if (context_ == nullptr) {
        int saved = errno;
        ibv_free_device_list(list);
        throw VerbsError("ibv_open_device", saved, name);
      }
    }
  ibv_free_device_list(list);
  if (context_ == nullptr) throw VerbsError("ibv_open_device", ENODEV, name);
}

DeviceContext::DeviceContext(DeviceContext&& other) noexcept : context_(other.context_)
{
  other.context_ = nullptr;
}

DeviceContext::~DeviceContext()
{
  if (context_ && ibv_close_device(context_) != 0) log_release_failure("ibv_close_device", errno);
}

ibv_port_attr DeviceContext::query_port(uint8_t port) const
{
  ibv_port_attr attr{};
  if (int rc = ibv_query_port(context_, port, &attr); rc != 0) throw VerbsError("ibv_query_port", rc);
  return attr;
}

ProtectionDomain::ProtectionDomain(ibv_context* context) : pd_(ibv_alloc_pd(context))
{
  if (pd_ == nullptr) throw VerbsError("ibv_alloc_pd", errno);
}

ProtectionDomain::~ProtectionDomain()
{
  if (int rc = ibv_dealloc_pd(pd_); rc != 0) log_release_failure("ibv_dealloc_pd", rc);
}

MemoryRegion::MemoryRegion(ProtectionDomain& pd, void* address, size_t length_bytes, int access)
    : mr_(ibv_reg_mr(pd.get(), address, length_bytes, access))
{
  if (mr_ == nullptr) throw VerbsError("ibv_reg_mr", errno, std::to_string(length_bytes) + " bytes");
}

MemoryRegion::~MemoryRegion()
{
  if (int rc = ibv_dereg_mr(mr_); rc != 0) log_release_failure("ibv_dereg_mr", rc);
}

CompletionChannel::CompletionChannel(ibv_context* context) : channel_(ibv_create_comp_channel(context))
{
  if (channel_ == nullptr) throw VerbsError("ibv_create_comp_channel", errno);
}

CompletionChannel::~CompletionChannel()
{
  if (ibv_destroy_comp_channel(channel_) != 0) log_release_failure("ibv_destroy_comp_channel", errno);
}

CompletionQueue::CompletionQueue(ibv_context* context, int depth, CompletionChannel* channel)
    : cq_(ibv_create_cq(context, depth, nullptr, channel ? channel->get() : nullptr, 0)), channel_(channel)
{
  if (cq_ == nullptr) throw VerbsError("ibv_create_cq", errno);
}

CompletionQueue::~CompletionQueue()
{
  if (int rc = ibv_destroy_cq(cq_); rc != 0) log_release_failure("ibv_destroy_cq", rc);
}

int CompletionQueue::poll(ibv_wc* out, int capacity)
{
  int n = ibv_poll_cq(cq_, capacity, out);
  if (n < 0) throw VerbsError("ibv_poll_cq", -n);
  for (int i = 0; i < n; ++i)
    if (out[i].status != IBV_WC_SUCCESS)
      // A work completion error is reported through the verb that posted it; EIO stands for "completed in error".
      throw VerbsError(out[i].opcode == IBV_WC_RECV ? "ibv_post_recv" : "ibv_post_send", EIO,
                       std::string("work completion: ") + ibv_wc_status_str(out[i].status));
  return n;
}

void CompletionQueue::arm()
{
  if (int rc = ibv_req_notify_cq(cq_, 0); rc != 0) throw VerbsError("ibv_req_notify_cq", rc);
}

void CompletionQueue::consume_event()
{
  ibv_cq* event_cq = nullptr;
  void* context    = nullptr;
  if (ibv_get_cq_event(channel_->get(), &event_cq, &context) != 0) throw VerbsError("ibv_get_cq_event", errno);
  ibv_ack_cq_events(event_cq, 1);
}

void wait_for_completions(const std::vector<CompletionQueue*>& queues, std::chrono::milliseconds timeout,
                          const std::function<int()>& poll_all)
{
  std::vector<pollfd> fds;
  for (CompletionQueue* queue : queues) {
    queue->arm();
    fds.push_back({queue->event_fd(), POLLIN, 0});
  }
  // A completion that arrived before arming raises no event: poll once more before sleeping.
  if (poll_all() > 0) return;
  int ready = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  if (ready < 0 && errno != EINTR) throw VerbsError("ibv_get_cq_event", errno, "poll");
  for (size_t i = 0; ready > 0 && i < fds.size(); ++i)
    if (fds[i].revents & POLLIN) queues[i]->consume_event();
}

CmEventChannel::CmEventChannel() : channel_(rdma_create_event_channel())
{
  if (channel_ == nullptr) throw VerbsError("rdma_create_event_channel", errno);
}

CmEventChannel::~CmEventChannel()
{
  rdma_destroy_event_channel(channel_);
}

bool CmEventChannel::has_event() const
{
  pollfd fd{channel_->fd, POLLIN, 0};
  return ::poll(&fd, 1, 0) > 0;
}

CmEvent::CmEvent(CmEventChannel& channel, std::chrono::milliseconds timeout)
{
  pollfd fd{channel.get()->fd, POLLIN, 0};
  int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready < 0) throw VerbsError("rdma_get_cm_event", errno, "poll");
  if (ready == 0)
    throw VerbsError("rdma_get_cm_event", ETIMEDOUT,
                     "no connection event within " + std::to_string(timeout.count()) + " ms");
  if (rdma_get_cm_event(channel.get(), &event_) != 0) throw VerbsError("rdma_get_cm_event", errno);
}

CmEvent::~CmEvent()
{
  if (rdma_ack_cm_event(event_) != 0) log_release_failure("rdma_ack_cm_event", errno);
}

void CmEvent::expect(rdma_cm_event_type expected, const char* verb) const
{
  if (type() != expected)
    throw VerbsError(verb, status() < 0 ? -status() : ECONNREFUSED,
                     std::string("got ") + rdma_event_str(type()) + ", expected " + rdma_event_str(expected));
}

CmId::CmId(CmEventChannel& channel, rdma_port_space port_space)
{
  if (rdma_create_id(channel.get(), &id_, nullptr, port_space) != 0) throw VerbsError("rdma_create_id", errno);
}

CmId::~CmId()
{
  if (id_ && rdma_destroy_id(id_) != 0) log_release_failure("rdma_destroy_id", errno);
}

QueuePair::QueuePair(CmId& id, ProtectionDomain& pd, CompletionQueue& cq, uint32_t send_depth, uint32_t recv_depth)
    : id_(id.get())
{
  ibv_qp_init_attr attr{};
  attr.send_cq          = cq.get();
  attr.recv_cq          = cq.get();
  attr.qp_type          = IBV_QPT_RC;
  attr.cap.max_send_wr  = send_depth;
  attr.cap.max_recv_wr  = recv_depth;
  attr.cap.max_send_sge = 1;
  attr.cap.max_recv_sge = 1;
  if (rdma_create_qp(id_, pd.get(), &attr) != 0) throw VerbsError("rdma_create_qp", errno);
}

QueuePair::~QueuePair()
{
  rdma_destroy_qp(id_);
}

void QueuePair::post(ibv_wr_opcode opcode, uint64_t wr_id, const void* local, uint32_t length_bytes, uint32_t lkey,
                     bool signaled, uint64_t remote_address, uint32_t rkey)
{
  ibv_sge sge{reinterpret_cast<uint64_t>(local), length_bytes, lkey};
  ibv_send_wr wr{};
  ibv_send_wr* bad       = nullptr;
  wr.wr_id               = wr_id;
  wr.sg_list             = &sge;
  wr.num_sge             = 1;
  wr.opcode              = opcode;
  wr.send_flags          = signaled ? IBV_SEND_SIGNALED : 0;
  wr.wr.rdma.remote_addr = remote_address;
  wr.wr.rdma.rkey        = rkey;
  if (int rc = ibv_post_send(id_->qp, &wr, &bad); rc != 0)
    throw VerbsError("ibv_post_send", rc, opcode == IBV_WR_RDMA_WRITE ? "RDMA WRITE" : "SEND");
}

void QueuePair::post_write(uint64_t wr_id, const void* local, uint32_t length_bytes, uint32_t lkey,
                           uint64_t remote_address, uint32_t rkey, bool signaled)
{
  post(IBV_WR_RDMA_WRITE, wr_id, local, length_bytes, lkey, signaled, remote_address, rkey);
}

void QueuePair::post_send(uint64_t wr_id, const void* local, uint32_t length_bytes, uint32_t lkey, bool signaled)
{
  post(IBV_WR_SEND, wr_id, local, length_bytes, lkey, signaled, 0, 0);
}

void QueuePair::post_recv(uint64_t wr_id, void* local, uint32_t length_bytes, uint32_t lkey)
{
  ibv_sge sge{reinterpret_cast<uint64_t>(local), length_bytes, lkey};
  ibv_recv_wr wr{};
  ibv_recv_wr* bad = nullptr;
  wr.wr_id         = wr_id;
  wr.sg_list       = &sge;
  wr.num_sge       = 1;
  if (int rc = ibv_post_recv(id_->qp, &wr, &bad); rc != 0) throw VerbsError("ibv_post_recv", rc);
}

} // namespace ibmig::rdma
