#include "options.hpp"

#include "scenario_generator.hpp"
#include "units.hpp"

#include <cstdlib>

namespace ibmig::cli {

const char* kUsage = R"(usage:
  ibmig simulate SCENARIO [--json FILE] [--runs N] [--seed S] [--set PATH=VALUE ...]
  ibmig check    SCENARIO [--json FILE] [--set PATH=VALUE ...]
  ibmig emulate  SCENARIO [--json FILE] [--time-scale X] [--inject NAME ...] [--rdma] [--state-dir DIR]
                          [--set PATH=VALUE ...]
  ibmig emulate  --cleanup [--state-dir DIR | STATE_FILE]
  ibmig generate --nodes N --vms-per-node M [--replica R] [--duration D] [-o FILE]
  ibmig bench    [--nodes N] [--vms-per-node M]

  simulate  predict throughput per phase, NIC bytes, bottlenecks and downtime of the migration plan (SimGrid)
  check     run only the plan checker (exit status 1 when it finds an error)
  emulate   replay the plan on an emulated cluster on this machine (root; real GlusterFS) and compare
  generate  write a valid scenario of the given size (stdout or -o FILE)
  bench     time the simulator: reference.json, a generated large scenario, and a 10x longer workload
exit status: 0 ok, 1 the plan failed (check: an error; simulate: a failed step, a check error, writes with no
serving copy, a failed --runs sample; emulate: a failed replay), 2 bad input, 3 internal failure)";

namespace {

int to_int(const std::string& flag, const std::string& v, int lo, int hi)
{
  char* end = nullptr;
  long x    = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || x < lo || x > hi)
    throw UsageError(flag + ": expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                     ", got \"" + v + "\"");
  return static_cast<int>(x);
}

double to_double(const std::string& flag, const std::string& v, double lo, double hi)
{
  char* end = nullptr;
  double x  = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(x >= lo && x <= hi))
    throw UsageError(flag + ": expected a number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                     ", got \"" + v + "\"");
  return x;
}

} // namespace

Options parse_options(int argc, char** argv)
{
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    o.command = "help";
    return o;
  }
  o.command                                      = args[0];
  static const std::vector<std::string> commands = {"simulate", "check", "emulate", "generate", "bench"};
  if (std::find(commands.begin(), commands.end(), o.command) == commands.end())
    throw UsageError("unknown command \"" + o.command + "\"");
  bool explicit_nodes = false;
  for (size_t i = 1; i < args.size(); i++) {
    const std::string& a = args[i];
    auto value           = [&]() -> std::string {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      // File names and the like end up in JSON reports, whose writer throws on bytes that are not UTF-8. --set
      // values are checked where they are applied, naming their JSON path.
      if (a != "--set" && first_invalid_utf8(args[i + 1]) != std::string::npos)
        throw UsageError(a + ": the value is not valid UTF-8");
      return args[++i];
    };
    if (a == "--json")
      o.json_out = value();
    else if (a == "--set")
      o.overrides.push_back(parse_override(value()));
    else if (a == "--runs")
      o.runs = to_int(a, value(), 1, 1000000);
    else if (a == "--seed")
      o.seed = static_cast<uint64_t>(to_int(a, value(), 0, 2147483647));
    else if (a == "--nodes")
      o.nodes = o.bench_nodes = to_int(a, value(), 1, 62500),
      explicit_nodes          = true; // the generator's addressing: 250 x 250
    else if (a == "--vms-per-node")
      o.vms_per_node = o.bench_vms_per_node = to_int(a, value(), 0, 10000);
    else if (a == "--replica")
      o.replica = to_int(a, value(), 1, 16);
    else if (a == "--duration") {
      std::string v = value();
      try {
        o.duration_s = parse_duration(v).value;
      } catch (const UnitError& e) {
        throw UsageError("--duration: " + std::string(e.what()));
      }
      if (o.duration_s <= 0 || o.duration_s > 30 * 86400.0)
        throw UsageError("--duration must be positive and at most 30 days (a workload phase)");
    } else if (a == "-o" || a == "--output")
      o.output = value();
    else if (a == "--time-scale")
      o.time_scale = to_double(a, value(), 0, 1);
    else if (a == "--inject")
      o.inject.push_back(value());
    else if (a == "--rdma")
      o.rdma = true;
    else if (a == "--cleanup")
      o.cleanup = true;
    else if (a == "--state-dir")
      o.state_dir = value();
    else if (!a.empty() && a[0] == '-')
      throw UsageError("unknown option \"" + a + "\"");
    else if (o.scenario.empty() && first_invalid_utf8(a) != std::string::npos)
      throw UsageError("the scenario file name is not valid UTF-8 (it is written into the JSON reports)");
    else if (o.scenario.empty())
      o.scenario = a;
    else
      throw UsageError("unexpected argument \"" + a + "\"");
  }
  bool needs_scenario = o.command == "simulate" || o.command == "check" || (o.command == "emulate" && !o.cleanup);
  if (needs_scenario && o.scenario.empty()) throw UsageError(o.command + " needs a scenario file");
  if (o.command == "generate" && (!explicit_nodes || o.vms_per_node < 0))
    throw UsageError("generate needs --nodes N and --vms-per-node M");
  // Refused before any work: past the cap the generator runs out of memory (see kMaxGeneratedVms).
  std::string too_large = o.command == "generate" ? generated_size_problem(o.nodes, o.vms_per_node)
                          : o.command == "bench"  ? generated_size_problem(o.bench_nodes, o.bench_vms_per_node)
                                                  : "";
  if (!too_large.empty()) throw UsageError(too_large);
  return o;
}

} // namespace ibmig::cli
