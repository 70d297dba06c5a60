#include "interrupt_guard.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace ibmig::emu {

namespace {
volatile std::sig_atomic_t raised_by = 0; // the signal number; -1: raised without one
int guard_depth                      = 0; // guards are made and destroyed on the main thread only

extern "C" void raise_interrupt_flag(int signal_number)
{
  raised_by = signal_number;
}
} // namespace

InterruptGuard::InterruptGuard()
{
  if (guard_depth++ == 0) clear_interrupt();
  struct sigaction action {};
  action.sa_handler = raise_interrupt_flag;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &old_int_);
  ::sigaction(SIGTERM, &action, &old_term_);
}

InterruptGuard::~InterruptGuard()
{
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
  --guard_depth;
}

bool interrupt_requested()
{
  return raised_by != 0;
}

int interrupt_signal()
{
  return raised_by > 0 ? static_cast<int>(raised_by) : 0;
}

void request_interrupt(int signal_number)
{
  raised_by = signal_number > 0 ? signal_number : -1;
}

void clear_interrupt()
{
  raised_by = 0;
}

std::string interrupted_message(const std::string& consequence)
{
  int sig = interrupt_signal();
  return (sig ? "interrupted by signal " + std::to_string(sig) : std::string("interrupted by a signal")) + ": " +
         consequence;
}

void throw_if_interrupted(const std::string& consequence)
{
  if (interrupt_requested()) throw Interrupted(interrupted_message(consequence));
}

void interruptible_sleep(double seconds, const std::string& consequence)
{
  using Clock = std::chrono::steady_clock;
  auto end    = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (;;) {
    throw_if_interrupted(consequence);
    auto left = std::chrono::duration<double>(end - Clock::now()).count();
    if (left <= 0) return;
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(0.1, left)));
  }
}

} // namespace ibmig::emu
