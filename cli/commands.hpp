/* The commands behind `ibmig <command>`; each returns the process exit status. */
#pragma once

#include "options.hpp"
#include "scenario.hpp"

namespace ibmig::cli {

int run_simulate(const Scenario& sc, const Options& opt);
int run_check(const Scenario& sc, const Options& opt);
int run_emulate(const Scenario& sc, const Options& opt);
int run_emulate_cleanup(const Options& opt);
int run_generate(const Options& opt);
int run_bench(const Options& opt);
int run_calibrate(const Options& opt);                   // calibrate_command.cpp
int run_runbook(const Scenario& sc, const Options& opt); // runbook_command.cpp
int run_sweep(const Options& opt);                       // sweep_command.cpp
int run_sweep_bench(const Options& opt);                 // sweep_command.cpp: bench --sweep

} // namespace ibmig::cli
