/* Test-only driver for the emulator: the calls `ibmig emulate` makes, plus knobs the CLI does not offer (write size,
 * check deadline, no after-phase) so that the end-to-end tests stay short. The CLI's own path is tested by
 * tests/cli (emulate --rdma).
 *   ibmig_emulate_driver SCENARIO [--json FILE] [--time-scale X] [--rate-scale X] [--inject NAME]... [--write-mib N]
 *                        [--state-dir DIR] [--check-deadline S] [--distributed] [--no-after] [--trace]
 *   ibmig_emulate_driver --cleanup STATE
 * Exit: 0 ok, 1 the run found a problem, 2 error (prerequisites, bad input, interrupted). */
#include "emulator.hpp"
#include "scenario_loader.hpp"

#include <fstream>
#include <iostream>

using namespace ibmig;

int main(int argc, char** argv)
{
  std::vector<std::string> args(argv + 1, argv + argc);
  emu::EmulateOptions opt;
  opt.log = &std::cerr;
  std::string scenario, json_out;
  bool distributed = false;
  try {
    for (size_t i = 0; i < args.size(); ++i) {
      auto next = [&]() -> std::string {
        if (i + 1 >= args.size()) throw std::invalid_argument(args[i] + " needs a value");
        return args[++i];
      };
      if (args[i] == "--cleanup") {
        auto s = emu::cleanup(next(), &std::cerr);
        std::cerr << s.cleaned << " run(s) cleaned\n";
        return s.failures ? 1 : 0;
      } else if (args[i] == "--json")
        json_out = next();
      else if (args[i] == "--time-scale")
        opt.time_scale = std::stod(next());
      else if (args[i] == "--rate-scale") {
        opt.rate_scale         = std::stod(next());
        opt.concurrent_streams = opt.rate_scale < 1; // as the CLI does
      } else if (args[i] == "--inject")
        opt.inject.push_back(next());
      else if (args[i] == "--write-mib")
        opt.write_bytes = Bytes{std::stod(next()) * 1024 * 1024};
      else if (args[i] == "--state-dir")
        opt.state_dir = next();
      else if (args[i] == "--check-deadline")
        opt.check_deadline_s = std::stod(next());
      else if (args[i] == "--distributed")
        distributed = true;
      else if (args[i] == "--no-after")
        opt.run_after_phase = false;
      else if (args[i] == "--trace")
        opt.trace_commands = true;
      else
        scenario = args[i];
    }
    if (scenario.empty())
      throw std::invalid_argument("usage: ibmig_emulate_driver SCENARIO [options] | --cleanup STATE");
    Scenario sc = load_scenario(scenario);
    if (distributed) // the distributed variant of a replicated scenario: same bricks, replica 1
      for (auto& v : sc.volumes)
        v.replica = 1, v.arbiter = false;
    Report r = emu::emulate(sc, opt, nullptr);
    print_report(r, std::cout);
    emu::print_comparison(r, std::cout);
    if (!json_out.empty()) std::ofstream(json_out) << to_json(r).dump(2) << "\n";
    return emu::run_failed(r) ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
