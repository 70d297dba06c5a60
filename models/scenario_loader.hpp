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
      : std::runtime_error(file + ": " + (path.empty() ? "" : path + ": ") + msg), file_(file), path_(path),
        reason_(msg)
  {
  }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const std::string& reason() const { return reason_; } // what() without "FILE: PATH: "

private:
  std::string file_;
  std::string path_;
  std::string reason_;
};

/* Offset of the first byte of `text` that is not part of well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or std::string::npos. nlohmann's dump() throws on such bytes, so nothing
 * that may end up in a report may contain them. */
std::size_t first_invalid_utf8(const std::string& text);

/* An override from the command line: "--set workload.before=120s". */
struct Override {
  std::string path;
  std::string value;
};
Override parse_override(const std::string& arg); // throws ScenarioError on "--set" syntax errors

/* Applies overrides to raw JSON: only existing scalars may be replaced, keeping their JSON type. Paths are strict
 * (`key(.key|[digits])*`), values valid UTF-8, numbers JSON number literals as a file would have them. */
void apply_overrides(nlohmann::json& doc, const std::vector<Override>& overrides, const std::string& file);

Scenario load_scenario(const std::string& file, const std::vector<Override>& overrides = {});
Scenario parse_scenario(const nlohmann::json& doc, const std::string& file);

} // namespace ibmig
