/* The one seam through which the HTML report runs its drawing tools (Graphviz's dot, gnuplot): a program that reads
 * a script on stdin and writes SVG on stdout. Tests replace it with a fake; a missing program is a clear error. */
#pragma once

#include "units.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace ibmig {

struct FilterResult {
  int exit_status = -1; // -1: did not exit normally (signal, timeout)
  bool timed_out  = false;
  std::string out;
  std::string err;
  bool ok() const { return exit_status == 0 && !timed_out; }
};

/* A drawing tool that is not installed, or failed: what() says which and how to get it. */
class ToolError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class FilterRunner {
public:
  virtual ~FilterRunner() = default;
  /* Whether argv[0] can be run; "" if so, else why (for the message). */
  virtual std::string missing(const std::string& program)                                                   = 0;
  virtual FilterResult run(const std::vector<std::string>& argv, const std::string& input, Seconds timeout) = 0;
};

/* fork/exec, the input written to the child's stdin while its stdout and stderr are read (no deadlock on large
 * outputs), killed after the timeout. No temporary files. */
class SystemFilterRunner : public FilterRunner {
public:
  std::string missing(const std::string& program) override;
  FilterResult run(const std::vector<std::string>& argv, const std::string& input, Seconds timeout) override;
};

/* Runs argv and returns its stdout; throws ToolError naming the tool, the package and why unless it succeeded. */
std::string run_tool(FilterRunner& runner, const std::vector<std::string>& argv, const std::string& input,
                     const std::string& package);

} // namespace ibmig
