/* The ibmig command line (command_line.hpp): one clear message and exit status 2 for anything it does not
 * understand. */
#pragma once

#include "scenario_loader.hpp"
#include "usage_error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ibmig::cli {

struct Options {
  std::string command; // simulate | check | generate | emulate | bench | help
  std::string scenario;
  std::string json_out;
  std::vector<Override> overrides;
  int runs      = 1;
  uint64_t seed = 1;
  // generate
  int nodes = 0, vms_per_node = -1, replica = 2;
  double duration_s = 60;
  std::string output;
  // emulate
  double time_scale = 0.01;
  std::vector<std::string> inject;
  bool rdma             = false;
  bool cleanup          = false;
  std::string state_dir = "/run/ibmig";
  // bench
  int bench_nodes = 1024, bench_vms_per_node = 10;
};

/* Throws UsageError (and ScenarioError for a --set that is not PATH=VALUE). "help" for no command, help or -h. */
Options parse_options(int argc, char** argv);
extern const char* kUsage;

} // namespace ibmig::cli
