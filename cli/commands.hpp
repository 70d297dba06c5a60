/* The commands behind `ibmig <command>`; each returns the process exit status. */
#pragma once

#include "options.hpp"
#include "report.hpp"
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
// report_command.cpp
int run_report(const Options& opt);
int run_compare(const Options& opt);
/* --html FILE of simulate and emulate: "" when the page can be drawn, else what is missing (checked before a run). */
std::string missing_html_prerequisite(const Options& opt);
void write_html_report(const Options& opt, const Report& r);
/* --html FILE of sweep and report SWEEP.jsonl: the page of a sweep's rows, given as JSON lines; `source` names them. */
void write_html_sweep(const Options& opt, const std::string& jsonl, const std::string& source);
int run_sweep(const Options& opt);       // sweep_command.cpp
int run_sweep_bench(const Options& opt); // sweep_command.cpp: bench --sweep
int run_lab(int argc, char** argv);      // lab_command.cpp: `ibmig lab ...` parses its own arguments
int run_train(int argc, char** argv);    // train_command.cpp: its own options (argv[0] is "train")

} // namespace ibmig::cli
