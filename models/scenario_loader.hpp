/* Reads a scenario file strictly: unknown fields, values without units, absurd values and dangling references are
 * errors that name the file and the JSON path.
 *   text -> strict JSON (strict_json.hpp) -> --set overrides into the compact sections -> the compact form expanded
 *   (scenario_expansion.hpp) -> the other --set overrides (overrides.hpp) -> Scenario (catalogues, networks, nodes,
 *   volumes, workload here; the plan and faults in plan_loader.hpp). */
#pragma once

#include "overrides.hpp"
#include "scenario.hpp"
#include "scenario_error.hpp"
#include "scenario_expansion.hpp"
#include "utf8.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ibmig {

Scenario load_scenario(const std::string& file, const std::vector<Override>& overrides = {});
/* load_scenario from a parsed document (compact or plain). */
Scenario load_scenario_document(nlohmann::json doc, const std::string& file,
                                const std::vector<Override>& overrides = {});
/* The plain document only (no defaults, groups or ranges: expand_scenario makes it from a compact one). */
Scenario parse_scenario(const nlohmann::json& doc, const std::string& file);
/* The calibration a scenario without a "calibration" section gets, every value with its source. */
Calibration default_calibration();

} // namespace ibmig
