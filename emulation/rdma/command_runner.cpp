#include "command_runner.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace ibmig::rdma {

std::string join_command(const std::vector<std::string>& argv)
{
  std::string line;
  for (const auto& arg : argv)
    line += (line.empty() ? "" : " ") + arg;
  return line;
}

void exec_or_exit(const std::vector<std::string>& argv)
{
  std::vector<char*> args;
  for (const auto& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

CommandResult CommandRunner::run(const std::vector<std::string>& argv)
{
  CommandResult result;
  int pipe_fds[2];
  if (argv.empty() || pipe(pipe_fds) != 0) return result;
  pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return result;
  }
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    exec_or_exit(argv);
  }
  close(pipe_fds[1]);
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    result.output.append(buffer, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string CommandRunner::run_checked(const std::vector<std::string>& argv)
{
  CommandResult result = run(argv);
  if (result.exit_status != 0)
    throw std::runtime_error("`" + join_command(argv) + "` failed (exit " + std::to_string(result.exit_status) +
                             "): " + result.output);
  return result.output;
}

} // namespace ibmig::rdma
