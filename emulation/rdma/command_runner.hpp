// The one seam through which the soft-RoCE plane runs system commands (ip, qemu probes): it captures output and exit
// status, and tests can replace it.
#pragma once

#include <string>
#include <vector>

namespace ibmig::rdma {

struct CommandResult {
  int exit_status = -1; // -1 when the command could not be started or was killed by a signal
  std::string output;   // stdout and stderr together
};

class CommandRunner {
public:
  virtual ~CommandRunner() = default;
  virtual CommandResult run(const std::vector<std::string>& argv);
  /// Runs and throws std::runtime_error with the command line and its output unless it exits 0.
  std::string run_checked(const std::vector<std::string>& argv);
};

std::string join_command(const std::vector<std::string>& argv);

/// In a forked child: execvp(argv), or _exit(127) when that fails. Never returns.
[[noreturn]] void exec_or_exit(const std::vector<std::string>& argv);

} // namespace ibmig::rdma
