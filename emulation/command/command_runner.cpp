#include "command_runner.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace ibmig::emu {

namespace {
void drain(int fd, std::string& into)
{
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return;
    into.append(buf, static_cast<size_t>(n));
  }
}
} // namespace

std::string join_command(const std::vector<std::string>& argv)
{
  std::string s;
  for (auto const& a : argv) {
    if (!s.empty()) s += ' ';
    s += a.find_first_of(" \t'\"") == std::string::npos ? a : "'" + a + "'";
  }
  return s;
}

std::string CommandResult::summary() const
{
  if (interrupted) return "interrupted";
  if (timed_out) return "timed out after " + std::to_string(static_cast<int>(elapsed_s + 0.5)) + " s";
  std::string text = err.empty() ? out : err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  auto nl = text.rfind('\n');
  if (nl != std::string::npos) text = text.substr(nl + 1); // the last line is usually the reason
  return "exit " + std::to_string(exit_status) + (text.empty() ? "" : ": " + text);
}

std::string run_checked(CommandRunner& runner, const std::vector<std::string>& argv, Seconds timeout)
{
  auto r = runner.run(argv, timeout);
  if (!r.ok()) throw std::runtime_error("`" + join_command(argv) + "` failed (" + r.summary() + ")");
  return r.out;
}

CommandResult SystemRunner::run(const std::vector<std::string>& argv, Seconds timeout)
{
  using Clock = std::chrono::steady_clock;
  CommandResult r;
  auto start = Clock::now();
  if (trace_) *trace_ << "  $ " << join_command(argv) << "\n";
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return r;
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return r;
  }
  std::vector<char*> args;
  for (auto const& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (pid < 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    r.err = std::string("fork: ") + std::strerror(errno);
    return r;
  }
  ::setpgid(pid, pid); // also from the parent: no race with the first kill
  ::fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout.value));
  int status    = 0;
  bool exited   = false;
  while (!exited) {
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    ::poll(fds, 2, 50);
    drain(out_pipe[0], r.out);
    drain(err_pipe[0], r.err);
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      exited = true;
      break;
    }
    bool stop_for_interrupt = interruptible_ && interrupt_requested();
    if (Clock::now() > deadline || stop_for_interrupt) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      r.timed_out   = !stop_for_interrupt;
      r.interrupted = stop_for_interrupt;
      break;
    }
  }
  drain(out_pipe[0], r.out);
  drain(err_pipe[0], r.err);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (exited && WIFEXITED(status)) r.exit_status = WEXITSTATUS(status);
  r.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  if (trace_ && !r.ok()) *trace_ << "    -> " << r.summary() << "\n";
  return r;
}

} // namespace ibmig::emu
