#include "memory_copy.hpp"

#include "cluster.hpp"
#include "interrupt_guard.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace ibmig::emu {

namespace {
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0)
{
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string error_text(const std::string& what)
{
  return what + ": " + std::strerror(errno);
}

/* This thread in another network namespace for as long as it lives: a socket made meanwhile stays in that
 * namespace, so one process can hold both ends of a link between two nodes. */
class InNetns {
public:
  explicit InNetns(const std::string& netns)
  {
    own_            = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target      = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    bool ok         = own_ >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0;
    std::string why = ok ? "" : error_text("entering network namespace " + netns);
    if (target >= 0) ::close(target);
    if (!ok) {
      if (own_ >= 0) ::close(own_);
      throw StepFailure(why);
    }
  }
  ~InNetns()
  {
    // Back to where the emulator runs; failing that, every later command would run in the node: stop here.
    if (::setns(own_, CLONE_NEWNET) != 0) std::abort();
    ::close(own_);
  }
  InNetns(const InNetns&)            = delete;
  InNetns& operator=(const InNetns&) = delete;

private:
  int own_ = -1;
};

sockaddr_in address_of(const std::string& ip, int port)
{
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port   = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1)
    throw StepFailure("migration target address \"" + ip + "\" is not an IPv4 address");
  return a;
}
} // namespace

MemoryCopy::MemoryCopy(const std::string& source_netns, const std::string& target_netns,
                       const std::string& target_address)
{
  sockaddr_in at = address_of(target_address, 0);
  {
    InNetns in(target_netns);
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 ||
        ::listen(listener_, 1) != 0)
      throw StepFailure(error_text("listening for the migration stream on " + target_address));
  }
  socklen_t len = sizeof at;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&at), &len);
  {
    InNetns in(source_netns);
    sender_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (sender_ < 0) throw StepFailure(error_text("migration stream socket"));
    if (::connect(sender_, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 && errno != EINPROGRESS)
      throw StepFailure(error_text("connecting the migration stream to " + target_address));
  }
  pollfd p{listener_, POLLIN, 0};
  if (::poll(&p, 1, 10000) != 1)
    throw StepFailure("the migration stream to " + target_address + " did not connect within 10 s");
  receiver_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (receiver_ < 0) throw StepFailure(error_text("accepting the migration stream"));
}

MemoryCopy::~MemoryCopy()
{
  for (int fd : {sender_, receiver_, listener_})
    if (fd >= 0) ::close(fd);
}

double MemoryCopy::send_round(double bytes, double max_Bps, double stall_s)
{
  const auto total = static_cast<long long>(std::llround(bytes));
  static const std::vector<char> chunk(256 * 1024, 0x5a); // the page contents do not matter, only their number
  std::vector<char> sink(1 << 20);
  long long sent = 0, received = 0;
  const auto t0 = Clock::now();
  auto progress = t0;
  while (received < total) {
    throw_if_interrupted(cluster_torn_down);
    // QEMU's rate limit: no more than max_Bps since the round began, one chunk of slack.
    long long allowed =
        max_Bps > 0 ? static_cast<long long>(max_Bps * since(t0)) + static_cast<long long>(chunk.size()) : total;
    long long can = std::min(total, allowed) - sent;
    pollfd p[2]   = {{receiver_, POLLIN, 0}, {sender_, static_cast<short>(can > 0 ? POLLOUT : 0), 0}};
    ::poll(p, 2, 20);
    if (p[1].revents & POLLOUT) {
      ssize_t n =
          ::send(sender_, chunk.data(), static_cast<size_t>(std::min<long long>(can, chunk.size())), MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR) throw StepFailure(error_text("sending the memory image"));
      if (n > 0) sent += n;
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::recv(receiver_, sink.data(), sink.size(), 0);
      if (n == 0) throw StepFailure("the migration stream was closed by the target");
      if (n < 0 && errno != EAGAIN && errno != EINTR) throw StepFailure(error_text("receiving the memory image"));
      if (n > 0) {
        received += n;
        progress = Clock::now();
      }
    }
    if (since(progress) > stall_s)
      throw StepFailure("the memory copy made no progress for " + std::to_string(static_cast<int>(stall_s)) + " s (" +
                        std::to_string(received) + " of " + std::to_string(total) + " bytes arrived)");
  }
  return since(t0);
}

} // namespace ibmig::emu
