/* What the end-to-end emulation tests share: run an emulating program as a child (its stderr is the log, its --json
 * the report), check that nothing of its run is left on the machine, skip without the prerequisites. */
#pragma once

#include "emulator.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace ibmig::test {

inline std::string read_file(const std::string& path)
{
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/* The figures of `vm` in `phase` of a report, or nullptr. */
inline const nlohmann::json* client(const nlohmann::json& report, const std::string& phase, const std::string& vm)
{
  for (auto const& p : report["phases"])
    if (p["name"] == phase)
      for (auto const& c : p["clients"])
        if (c["name"] == vm) return &c;
  return nullptr;
}

struct ChildRun {
  int exit_code = -1;
  std::string log;
  std::string run_id;
  nlohmann::json report;
};

/* Runs argv with `--json FILE` appended, bounded at 600 s; with interrupt_at, sends SIGINT once that text appears in
 * its log. */
inline ChildRun run_emulating(std::vector<std::string> args, const std::string& interrupt_at = "")
{
  static int counter = 0;
  std::string base   = "/tmp/ibmig-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::string json = base + ".json", log = base + ".log";
  args.insert(args.end(), {"--json", json});
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open("/dev/null", O_WRONLY);
    int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ChildRun r;
  int status = 0;
  auto t0    = std::chrono::steady_clock::now();
  bool sent  = false;
  for (;;) {
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!interrupt_at.empty() && !sent && read_file(log).find(interrupt_at) != std::string::npos) {
      ::kill(pid, SIGINT);
      sent = true;
    }
    if (s > 600) { // a bound for the test itself
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.log       = read_file(log);
  auto p      = r.log.find("run r");
  if (p != std::string::npos) r.run_id = r.log.substr(p + 4, r.log.find(':', p) - p - 4);
  try {
    r.report = nlohmann::json::parse(read_file(json));
  } catch (...) {
  }
  std::remove(json.c_str());
  std::remove(log.c_str());
  return r;
}

inline std::string command_output(const std::string& cmd)
{
  std::string out;
  if (FILE* f = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
      out.append(buf, n);
    ::pclose(f);
  }
  return out;
}

/* Whether the host had /bricks (the shipped scenarios' brick parent) before any run of this test program. */
inline const bool kHostHadBricks = ::access("/bricks", F_OK) == 0;

/* Nothing of run `id` may remain: namespace, interface, mount, process or state file. */
inline void expect_nothing_left(const std::string& id)
{
  ASSERT_FALSE(id.empty()) << "the run did not say its id";
  std::string tag = "ibmig-" + id;
  EXPECT_EQ(command_output("ip netns list").find(tag), std::string::npos) << "a namespace of " << id << " remains";
  EXPECT_EQ(read_file("/proc/mounts").find(tag), std::string::npos) << "a mount of " << id << " remains";
  EXPECT_EQ(command_output("ip -o link show").find(tag), std::string::npos);
  // "[r]..." so that the grep does not find its own command line.
  std::string pattern = "ibmig-[" + id.substr(0, 1) + "]" + id.substr(1);
  EXPECT_EQ(command_output("for f in $(grep -l -a '" + pattern +
                           "' /proc/[0-9]*/cmdline 2>/dev/null); do echo \"$f: $(tr '\\0' ' ' < $f)\"; done"),
            "")
      << "a process of " << id << " remains";
  EXPECT_EQ(::access(("/run/ibmig/" + tag + ".json").c_str(), F_OK), -1) << "the state file remains";
  EXPECT_EQ(::access(("/var/tmp/" + tag).c_str(), F_OK), -1) << "the work directory (bricks) remains";
  if (!kHostHadBricks) {
    EXPECT_EQ(::access("/bricks", F_OK), -1) << "the bricks' mount point /bricks remains";
  }
}

/* The first element of the report's array `key` for which pred holds, or null. */
template <class Pred> const nlohmann::json* first_of(const nlohmann::json& report, const char* key, Pred pred)
{
  if (!report.contains(key)) return nullptr;
  for (auto const& e : report[key])
    if (pred(e)) return &e;
  return nullptr;
}

} // namespace ibmig::test

#define SKIP_WITHOUT_PREREQUISITES()                                                                                   \
  do {                                                                                                                 \
    auto why = ibmig::emu::missing_prerequisites();                                                                    \
    if (!why.empty()) GTEST_SKIP() << why;                                                                             \
  } while (0)
