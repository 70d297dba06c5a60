/* A progress line on stderr for long commands (`ibmig sweep`, `ibmig simulate --runs N`): done/total, rate, ETA.
 * Shown only when stderr is a terminal, so that logs and CI output carry no carriage-return noise. */
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace ibmig::cli {

class Progress {
public:
  /* `what` names the command, `unit` the items ("points", "runs"). */
  Progress(std::string what, std::string unit, std::size_t total, std::FILE* out = stderr);
  Progress(const Progress&)            = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress() { finish(); }
  void advance(std::size_t n = 1);
  void finish(); // clears the line (once)
  bool shown() const { return shown_; }

private:
  void draw();
  std::string what_, unit_;
  std::size_t total_ = 0, done_ = 0;
  std::FILE* out_;
  bool shown_    = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

} // namespace ibmig::cli
