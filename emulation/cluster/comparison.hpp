/* Predicted (simulator) versus measured (emulator) figures, with a tolerance per kind of figure. */
#pragma once

#include "report.hpp"

#include <nlohmann/json.hpp>

namespace ibmig::emu {

constexpr double throughput_tolerance_pct = 15;
constexpr double nic_ratio_tolerance_pct  = 10;
constexpr double step_tolerance_pct       = 50; // a step's machine time: a few seconds of commands and polling
/* Downtime: both clocks time a step alike (runbook duration or machine time, whichever is longer), so the two differ
 * only where the machine here took longer than the runbook allows. */
constexpr double downtime_tolerance_pct = 5;

/* Rows {metric, predicted, measured, error_pct, tolerance_pct, verdict, note}. */
nlohmann::json build_comparison(const Report& measured, const Report& predicted, const std::string& workload_note);

} // namespace ibmig::emu
