/* SIGINT and SIGTERM in the whole emulation tree (the emulated cluster, the soft-RoCE guests and the commands both
 * run): while an InterruptGuard lives, either signal only raises one process-wide flag. Commands (SystemRunner),
 * waits and polling loops look at the flag and throw Interrupted, so every RAII owner (namespaces, mounts, guests,
 * child processes) tears down while the exception unwinds. One flag, one guard, one exception type. */
#pragma once

#include <csignal>
#include <stdexcept>
#include <string>

namespace ibmig::emu {

/* SIGINT or SIGTERM arrived: the work stops; what() says which signal and what was torn down. */
class Interrupted : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/* Installs the SIGINT/SIGTERM handlers that raise the flag and restores the previous ones when destroyed. Guards
 * nest: only the outermost clears the flag when it starts, so an inner guard does not lose an interrupt. */
class InterruptGuard {
public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&)            = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

bool interrupt_requested();
/* The signal that raised the flag; 0 when none did (or request_interrupt raised it without one). */
int interrupt_signal();
void request_interrupt(int signal_number = 0);
void clear_interrupt();

/* "interrupted by signal 2: <consequence>" ("by a signal" when the number is not known). */
std::string interrupted_message(const std::string& consequence);
/* Throws Interrupted(interrupted_message(consequence)) when the flag is up. */
void throw_if_interrupted(const std::string& consequence);
/* Sleeps `seconds` in slices of at most 0.1 s so an interrupt is honoured quickly (throws as above). */
void interruptible_sleep(double seconds, const std::string& consequence);

} // namespace ibmig::emu
