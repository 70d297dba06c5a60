/* The page of a sweep (`ibmig report SWEEP.jsonl --html FILE`): one JSON object a line, as `ibmig sweep` writes it,
 *   {"point": 3, "axes": {"networks[2].technology": "IB-DDR", ...}, "status": "ok" | "invalid" | "failed",
 *    "error": null | "why", "figures": {"vm2.write_MBps.after": 461.2, "plan_duration_s": 4840, ...}}
 * and one gnuplot chart per figure against the axes: the first axis on x, one line per combination of the others;
 * the points that did not run listed with their errors. */
#pragma once

#include "filter_runner.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ibmig {

struct SweepPoint {
  long long point = 0;
  std::vector<std::pair<std::string, nlohmann::json>> axes; // in the line's order; a number, a string or a bool
  std::string status;                                       // "ok", "invalid", "failed"
  std::string error;
  std::vector<std::pair<std::string, std::optional<double>>> figures; // null: the point has no such figure
};

/* Whether a file name or parsed document is a sweep's lines rather than a report. */
bool looks_like_sweep(const std::string& file, const std::string& text);
/* Throws ScenarioError("FILE: line N: figures.x: expected a number or null, got ...") for bad input. */
std::vector<SweepPoint> parse_sweep_lines(const std::string& text, const std::string& file);
/* Throws ToolError when gnuplot is missing or fails. */
std::string html_sweep(const std::vector<SweepPoint>& points, const std::string& file, FilterRunner& runner);

} // namespace ibmig
