/* ibmig: plan, test and rehearse moving a GlusterFS cluster to a faster fabric.
 * Every command is the same pipeline: load scenario -> build (SimGrid platform or emulated cluster) -> run -> report.
 */
#include "commands.hpp"
#include "options.hpp"

#include <cstdio>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <unistd.h>

namespace {

/* Held back for unwinding: nlohmann's json destructor allocates (a stack of the children it frees), so a bad_alloc
 * thrown while a document is built would otherwise end in std::terminate from a destructor, not in main's catch. */
char* memory_for_unwinding = nullptr;

void release_memory_and_throw()
{
  delete[] memory_for_unwinding;
  memory_for_unwinding = nullptr;
  std::set_new_handler(nullptr); // the next failure throws as usual
  throw std::bad_alloc();
}

constexpr char kOutOfMemory[] = "ibmig: out of memory (use a smaller scenario or a machine with more memory)\n";

/* The backstop: a bad_alloc that still escapes a destructor while unwinding ends in std::terminate. Once the reserve
 * is spent (or the exception is a bad_alloc) that is running out of memory: the same line and status as main's. */
[[noreturn]] void on_terminate()
{
  bool out_of_memory = memory_for_unwinding == nullptr;
  if (std::exception_ptr e = std::current_exception()) try {
      std::rethrow_exception(e);
    } catch (const std::bad_alloc&) {
      out_of_memory = true;
    } catch (...) {
    }
  if (!out_of_memory) std::abort();
  (void)!write(STDERR_FILENO, kOutOfMemory, sizeof kOutOfMemory - 1); // no allocation: the heap is what ran out
  _exit(3);
}

} // namespace

int main(int argc, char** argv)
{
  using namespace ibmig;
  memory_for_unwinding = new char[32 << 20]; // untouched: address space, not resident memory
  std::set_new_handler(release_memory_and_throw);
  std::set_terminate(on_terminate);
  try {
    if (argc > 1 && std::string(argv[1]) == "lab") return cli::run_lab(argc, argv); // lab_command.cpp: own syntax
    if (argc > 1 && std::string(argv[1]) == "train") return cli::run_train(argc - 1, argv + 1);
    cli::Options opt = cli::parse_options(argc, argv);
    if (opt.command == "help") {
      std::cout << cli::kUsage << "\n";
      return 0;
    }
    if (opt.command == "generate") return cli::run_generate(opt);
    if (opt.command == "bench") return opt.bench_sweep ? cli::run_sweep_bench(opt) : cli::run_bench(opt);
    if (opt.command == "sweep") return cli::run_sweep(opt);
    if (opt.command == "calibrate") return cli::run_calibrate(opt);
    if (opt.command == "report") return cli::run_report(opt);
    if (opt.command == "compare") return cli::run_compare(opt);
    if (opt.command == "emulate" && opt.cleanup) return cli::run_emulate_cleanup(opt);

    Scenario sc = load_scenario(opt.scenario, opt.overrides);
    if (opt.command == "check") return cli::run_check(sc, opt);
    if (opt.command == "simulate") return cli::run_simulate(sc, opt);
    if (opt.command == "runbook") return cli::run_runbook(sc, opt);
    return cli::run_emulate(sc, opt);
  } catch (const cli::UsageError& e) {
    std::cerr << "ibmig: " << e.what() << "\n" << cli::kUsage << "\n";
    return 2;
  } catch (const ScenarioError& e) {
    std::cerr << "ibmig: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    // Last resort (generate caps its size): no allocation here, the heap is what ran out.
    std::fputs(kOutOfMemory, stderr);
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "ibmig: " << e.what() << "\n";
    return 3;
  }
}
