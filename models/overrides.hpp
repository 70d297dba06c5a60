/* The --set engine: "--set workload.before=120s" replaces a scalar of the raw document before it is loaded, so that
 * an override is checked by the loader exactly as the file's own value would be. Paths may select
 * (nodes[*].disk.write, nodes[role=server].memory, nodes[*].nics[name=ib0].mode: selector.hpp) and may add a field
 * the file lacks: the loader then refuses a field the schema does not have, naming the --set. */
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

/* One value an override wrote. */
struct OverrideWrite {
  size_t override_index = 0;
  std::string path;    // concrete: nodes[2].disk.write
  std::string created; // the first field it added, "" if it replaced an existing value
};

/* Applies overrides to raw JSON. An existing scalar keeps its JSON type; an added field takes the type its text
 * reads as (true/false, a JSON number, a quoted JSON string, else the text as a string). Paths are strict, values
 * valid UTF-8, numbers JSON number literals as a file would have them. Throws ScenarioError naming `file` and the
 * path. Returns what was written, for the loader to name the --set in its errors. */
std::vector<OverrideWrite> apply_overrides_reporting(nlohmann::json& doc, const std::vector<Override>& overrides,
                                                     const std::string& file);
void apply_overrides(nlohmann::json& doc, const std::vector<Override>& overrides, const std::string& file);

/* " (the value of --set P=V)" or " (nodes[0].foo added by --set P=V)" when an error at `path` is where one of `writes`
 * wrote; "" otherwise. */
std::string override_note(const std::vector<OverrideWrite>& writes, const std::vector<Override>& overrides,
                          const std::string& path);

} // namespace ibmig
