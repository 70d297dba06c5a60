/* The one seam through which the emulator runs system commands (ip, tc, nsenter, gluster, mount, ping; qemu probes
 * and the guests' fabric for the soft-RoCE plane): it captures output and exit status and bounds every command with
 * a timeout. Tests replace it with a fake. */
#pragma once

#include "interrupt_guard.hpp"
#include "units.hpp"

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace ibmig::emu {

struct CommandResult {
  int exit_status  = -1; // -1: did not exit normally (signal, timeout, could not start)
  bool timed_out   = false;
  bool interrupted = false; // killed because SIGINT/SIGTERM arrived
  std::string out;
  std::string err;
  double elapsed_s = 0;

  bool ok() const { return exit_status == 0 && !timed_out && !interrupted; }
  /* "exit 1: <first line of stderr>" or "timed out after 5 s", for messages. */
  std::string summary() const;
  std::string output() const { return out + err; } // both streams, for messages and parsers that want either
};

class CommandRunner {
public:
  virtual ~CommandRunner()                                                         = default;
  virtual CommandResult run(const std::vector<std::string>& argv, Seconds timeout) = 0;
};

/* Runs argv with fork/exec in its own process group (so a terminal's Ctrl-C reaches only us, and a timeout kills
 * the whole group). Returns as soon as the direct child exits: daemons it leaves behind (glusterd, glusterfs) may
 * keep its pipes open. */
class SystemRunner : public CommandRunner {
public:
  explicit SystemRunner(std::ostream* trace = nullptr) : trace_(trace) {}
  CommandResult run(const std::vector<std::string>& argv, Seconds timeout) override;
  /* While set, a raised interrupt flag (interrupt_guard.hpp) kills the running command (off during teardown, which
   * must finish). */
  void set_interruptible(bool on) { interruptible_ = on; }

private:
  std::ostream* trace_;
  bool interruptible_ = true;
};

std::string join_command(const std::vector<std::string>& argv);

/* Runs argv and returns its stdout; throws std::runtime_error naming the command and why unless it succeeded. */
std::string run_checked(CommandRunner& runner, const std::vector<std::string>& argv, Seconds timeout);

} // namespace ibmig::emu
