// Boots one small QEMU guest per node from the soft-RoCE image and collects each guest's job output.
//
// The launcher creates a private network namespace `ibmig-<run>-rdma` holding a bridge `ibmig-<run>-br` and one
// tap `ibmig-<run>-tN` per guest; QEMU runs inside that namespace, so no host interface is touched. Each guest gets
// 1 vCPU, virtio-net and a job script appended to its initramfs as /ibmig/job.sh; the guest's /init runs it with
// its output on the second serial port (a file here), ended by "@@ibmig-exit STATUS". Every guest is bounded by a
// hard timeout. Everything created (QEMU processes, taps, bridge, namespace, work directory) is released by RAII
// owners, also when an exception unwinds the stack; SIGINT and SIGTERM are turned into such an exception while
// guests run.
#pragma once

#include "command_runner.hpp"
#include "interrupt_guard.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ibmig::rdma {

/// The image produced by build-guest-image.sh.
struct GuestImage {
  std::string directory;
  std::string kernel_path;
  std::string initramfs_path;
  static GuestImage in(const std::string& directory);
  bool complete() const;
};

struct GuestSpec {
  std::string name;       // node name, used in file names and reports
  std::string job_script; // busybox sh script run as /ibmig/job.sh
};

struct GuestResult {
  std::string name;
  int exit_status = -1;    // the job's exit status; -1 when the guest ended without an exit marker
  bool timed_out  = false; // killed at the launcher's timeout
  double seconds  = 0;     // boot to power-off
  std::string output;      // the job's stdout and stderr, markers removed
};

struct LauncherOptions {
  std::string image_dir;
  std::string run_id; // empty: four random hex digits; keeps interface names under 15 characters
  uint32_t memory_mib = 192;
  std::chrono::seconds timeout{170}; // per guest, from its start
  std::string accelerator = "auto";  // "auto" probes KVM for a few seconds and falls back to "tcg"
  bool keep_work_dir      = false;   // keep consoles and job logs for debugging
};

/// The launcher's part of a plane's or a port query's options: both carry these fields under the same names.
template <class Options> LauncherOptions launcher_options_of(const Options& o)
{
  LauncherOptions launch;
  launch.image_dir     = o.image_dir;
  launch.run_id        = o.run_id;
  launch.memory_mib    = o.memory_mib;
  launch.timeout       = o.guest_timeout;
  launch.accelerator   = o.accelerator;
  launch.keep_work_dir = o.keep_logs;
  return launch;
}

/// Thrown when SIGINT or SIGTERM arrives while guests run; everything created is torn down during unwinding. The
/// emulation tree's one interrupted type (interrupt_guard.hpp), under the name the plane's callers use.
using Interrupted = emu::Interrupted;

class GuestLauncher {
public:
  GuestLauncher(LauncherOptions options, emu::CommandRunner& runner);
  ~GuestLauncher();
  GuestLauncher(const GuestLauncher&)            = delete;
  GuestLauncher& operator=(const GuestLauncher&) = delete;

  /// Boots every guest at once on one bridge (guest i gets eth0 on tap i) and waits until all have powered off or
  /// timed out. Results are in the order of `guests`. One call per launcher (the taps stay until destruction).
  std::vector<GuestResult> run(const std::vector<GuestSpec>& guests);

  const std::string& run_id() const { return run_id_; }
  const std::string& namespace_name() const { return namespace_name_; }
  const std::string& work_dir() const { return work_dir_; }
  /// "kvm" or "tcg", decided at construction.
  const std::string& accelerator() const { return accelerator_; }

private:
  class Namespace;
  std::string choose_accelerator();

  LauncherOptions options_;
  emu::CommandRunner& runner_;
  GuestImage image_;
  std::string run_id_;
  std::string namespace_name_;
  std::string work_dir_;
  std::string accelerator_;
  bool ran_ = false;
  std::unique_ptr<Namespace> namespace_; // last member: removed first
};

/// Why guests cannot run here (not root, no QEMU, no image), or an empty string when they can.
std::string guest_unavailable_reason(const std::string& image_dir);

} // namespace ibmig::rdma
