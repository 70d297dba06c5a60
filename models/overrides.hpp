/* The --set engine: "--set workload.before=120s" replaces one existing scalar of the raw document before it is
 * loaded, so that an override is checked by the loader exactly as the file's own value would be. */
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ibmig {

/* An override from the command line: "--set workload.before=120s". */
struct Override {
  std::string path;
  std::string value;
};
Override parse_override(const std::string& arg); // throws ScenarioError on "--set" syntax errors

/* Applies overrides to raw JSON: only existing scalars may be replaced, keeping their JSON type. Paths are strict
 * (`key(.key|[digits])*`), values valid UTF-8, numbers JSON number literals as a file would have them. Throws
 * ScenarioError naming `file` and the path. */
void apply_overrides(nlohmann::json& doc, const std::vector<Override>& overrides, const std::string& file);

} // namespace ibmig
