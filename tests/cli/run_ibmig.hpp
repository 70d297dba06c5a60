/* Runs the built ibmig as a user does, for the command-line tests: exit status and everything it printed. */
#pragma once

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace ibmig::test {

struct Result {
  int status = -1;
  std::string out; // stdout and stderr together
};

/* Runs `prefix ibmig args` in sh (prefix: e.g. a ulimit); status -1 when it did not exit normally. */
inline Result run(const std::string& args, const std::string& prefix = "")
{
  std::string cmd = prefix + std::string(IBMIG_BINARY_DIR) + "/ibmig " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    r.out.append(buf.data(), n);
  int st   = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

} // namespace ibmig::test
