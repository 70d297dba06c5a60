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
  std::string command; // simulate | check | runbook | generate | emulate | bench | calibrate | report | compare |
                       // sweep | help
  std::string scenario;
  std::string json_out;
  std::string html_out;     // simulate, emulate, report: --html FILE
  std::string compare_with; // compare: the second report or scenario (the first is `scenario`)
  std::vector<Override> overrides;
  int runs      = 1;
  uint64_t seed = 1;
  // generate
  int nodes = 0, vms_per_node = -1, replica = 2;
  double duration_s = 60;
  std::string output;
  // runbook (its -o is `output`)
  std::string format = "markdown"; // markdown | shell | ansible
  // emulate
  double time_scale = 0.01;
  double rate_scale = 1; // (0, 1]: links X times slower, MB/s divided by X, VMs of a phase concurrently when < 1
  std::vector<std::string> inject;
  uint64_t write_size   = 0; // --write-size: bytes each max-rate writer writes per phase (0: the emulator's default)
  bool rdma             = false;
  bool cleanup          = false;
  std::string state_dir = "/run/ibmig";
  // bench
  int bench_nodes = 1024, bench_vms_per_node = 10;
  bool bench_sweep = false; // bench --sweep [--points N]: the sweep's points per second
  int bench_points = 10000;
  // sweep (its -o is `output`; SCENARIO, or with --merge OUT FILE..., in sweep_args)
  std::vector<std::string> vary, sweep_args;
  std::string sweep_file, shard;
  int jobs   = 0; // 0: every core
  bool merge = false;
  // calibrate (its --scenario is `scenario`, its -o `output`)
  std::vector<std::string> iperf3, fio, ib_write_bw, dd; // fio: NODE=FILE; dd: [BS=]FILE
  std::string emulate_report, link, technology, hca, node, interface, include, write_scenario;
  int mtu = 0;
};

/* Throws UsageError (and ScenarioError for a --set that is not PATH=VALUE). "help" for no command, help or -h. */
Options parse_options(int argc, char** argv);
extern const char* kUsage;

} // namespace ibmig::cli
