/* ibmig: plan, test and rehearse moving a GlusterFS cluster to a faster fabric.
 * Every command is the same pipeline: load scenario -> build (SimGrid platform or emulated cluster) -> run -> report.
 */
#include "commands.hpp"
#include "options.hpp"

#include <iostream>

int main(int argc, char** argv)
{
  using namespace ibmig;
  try {
    cli::Options opt = cli::parse_options(argc, argv);
    if (opt.command == "help") {
      std::cout << cli::kUsage << "\n";
      return 0;
    }
    if (opt.command == "generate") return cli::run_generate(opt);
    if (opt.command == "bench") return cli::run_bench(opt);
    if (opt.command == "emulate" && opt.cleanup) return cli::run_emulate_cleanup(opt);

    Scenario sc = load_scenario(opt.scenario, opt.overrides);
    if (opt.command == "check") return cli::run_check(sc, opt);
    if (opt.command == "simulate") return cli::run_simulate(sc, opt);
    return cli::run_emulate(sc, opt);
  } catch (const cli::UsageError& e) {
    std::cerr << "ibmig: " << e.what() << "\n" << cli::kUsage << "\n";
    return 2;
  } catch (const ScenarioError& e) {
    std::cerr << "ibmig: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ibmig: " << e.what() << "\n";
    return 3;
  }
}
