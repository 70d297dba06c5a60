/* Predicted (simulator) versus measured (emulator) figures, with a tolerance per kind of figure. */
#pragma once

#include "report.hpp"

#include <string>
#include <vector>

namespace ibmig::emu {

constexpr double throughput_tolerance_pct = 15;
constexpr double nic_ratio_tolerance_pct  = 10;
constexpr double step_tolerance_pct       = 50; // a step's machine time: a few seconds of commands and polling
/* Downtime: both clocks time a step alike (runbook duration or machine time, whichever is longer), so the two differ
 * only where the machine here took longer than the runbook allows. */
constexpr double downtime_tolerance_pct = 5;

std::vector<ComparisonRow> build_comparison(const Report& measured, const Report& predicted,
                                            const std::string& workload_note);

} // namespace ibmig::emu
