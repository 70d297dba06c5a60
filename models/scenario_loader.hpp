/* Reads a scenario file strictly: unknown fields, values without units, absurd values and dangling references are
 * errors that name the file and the JSON path. */
#pragma once

#include "scenario.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace ibmig {

/* Bad input: "FILE: JSON.PATH: what is wrong". Callers print what() and exit with status 2. */
class ScenarioError : public std::runtime_error {
public:
  ScenarioError(const std::string& file, const std::string& path, const std::string& msg)
      : std::runtime_error(file + ": " + (path.empty() ? "" : path + ": ") + msg), file_(file), path_(path)
  {
  }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

private:
  std::string file_;
  std::string path_;
};

/* An override from the command line: "--set workload.before=120s". */
struct Override {
  std::string path;
  std::string value;
};
Override parse_override(const std::string& arg); // throws ScenarioError on "--set" syntax errors

/* Applies overrides to raw JSON: only existing scalars may be replaced, keeping their JSON type. */
void apply_overrides(nlohmann::json& doc, const std::vector<Override>& overrides, const std::string& file);

Scenario load_scenario(const std::string& file, const std::vector<Override>& overrides = {});
Scenario parse_scenario(const nlohmann::json& doc, const std::string& file);

} // namespace ibmig
