#include "filter_runner.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ibmig {

namespace {

bool executable(const std::string& path)
{
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

/* Closes a descriptor once; the parent's ends of the three pipes. */
struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset()
  {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

} // namespace

std::string SystemFilterRunner::missing(const std::string& program)
{
  if (program.find('/') != std::string::npos)
    return executable(program) ? "" : "\"" + program + "\" is not an executable file";
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && executable(dir + "/" + program)) return "";
  return "\"" + program + "\" is not on PATH";
}

FilterResult SystemFilterRunner::run(const std::vector<std::string>& argv, const std::string& input, Seconds timeout)
{
  FilterResult r;
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return r;
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]);
    return r;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    return r;
  }
  std::vector<char*> args;
  for (auto const& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0), ::dup2(out[1], 1), ::dup2(err[1], 2);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  ::close(in[0]), ::close(out[1]), ::close(err[1]);
  Fd to_child{in[1]}, from_out{out[0]}, from_err{err[0]};
  if (pid < 0) return r;
  // A child that exits without reading all its input must not kill us with SIGPIPE.
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  ::fcntl(to_child.fd, F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (input.empty()) to_child.reset();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout.value);
  while (from_out.fd >= 0 || from_err.fd >= 0) {
    double left = std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3] = {{to_child.fd, POLLOUT, 0}, {from_out.fd, POLLIN, 0}, {from_err.fd, POLLIN, 0}};
    int n         = ::poll(fds, 3, static_cast<int>(left * 1000) + 1);
    if (n < 0 && errno != EINTR) break;
    if (fds[0].revents & (POLLOUT | POLLERR | POLLHUP)) {
      ssize_t w = ::write(to_child.fd, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN) written = input.size(); // the child closed its stdin: stop feeding it
      if (written == input.size()) to_child.reset();
    }
    for (int k = 1; k < 3; k++) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t got = ::read(fds[k].fd, buf, sizeof buf);
      if (got > 0)
        (k == 1 ? r.out : r.err).append(buf, static_cast<size_t>(got));
      else if (got == 0 || errno != EINTR)
        (k == 1 ? from_out : from_err).reset();
    }
  }
  to_child.reset();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::sigaction(SIGPIPE, &old, nullptr);
  if (!r.timed_out && WIFEXITED(status)) r.exit_status = WEXITSTATUS(status);
  return r;
}

std::string run_tool(FilterRunner& runner, const std::vector<std::string>& argv, const std::string& input,
                     const std::string& package)
{
  const std::string& tool = argv.at(0);
  if (std::string why = runner.missing(tool); !why.empty())
    throw ToolError("the HTML report needs " + tool + " (Debian package " + package + ", apt-get install " + package +
                    "): " + why);
  FilterResult r = runner.run(argv, input, Seconds{60});
  if (r.ok()) return r.out;
  std::string first = r.err.substr(0, r.err.find('\n'));
  throw ToolError(tool +
                  (r.timed_out ? " timed out after 60 s" : " failed (exit " + std::to_string(r.exit_status) + ")") +
                  (first.empty() ? "" : ": " + first));
}

} // namespace ibmig
