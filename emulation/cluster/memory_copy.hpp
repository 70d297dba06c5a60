/* A live migration's memory image, sent for real between two emulated nodes: one TCP connection from the source
 * node's network namespace to the target's address on the migration network, over the shaped veths and the
 * network's bridge, as QEMU's migration stream goes. The bytes are discarded on arrival (the emulated VM is its I/O
 * process; there is no guest memory to restore). A round ends when the receiver has every byte of it, so its time
 * is the time on the wire, not the time to fill a socket buffer. */
#pragma once

#include <string>

namespace ibmig::emu {

class MemoryCopy {
public:
  /* Opens the connection: `source_netns` and `target_netns` are /run/netns/ names, `target_address` the target's
   * address on the migration network. Throws StepFailure when it cannot connect. */
  MemoryCopy(const std::string& source_netns, const std::string& target_netns, const std::string& target_address);
  ~MemoryCopy(); // closes both ends
  MemoryCopy(const MemoryCopy&)            = delete;
  MemoryCopy& operator=(const MemoryCopy&) = delete;

  /* Sends `bytes`, at most `max_Bps` (QEMU's max-bandwidth; 0: unpaced), and returns the seconds until the last
   * byte arrived. Throws StepFailure when the round makes no progress for `stall_s` (a link gone), Interrupted on
   * SIGINT. */
  double send_round(double bytes, double max_Bps, double stall_s);

private:
  int listener_ = -1, sender_ = -1, receiver_ = -1;
};

} // namespace ibmig::emu
