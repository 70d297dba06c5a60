#include "overrides.hpp"

#include "scenario_error.hpp"
#include "strict_json.hpp"
#include "utf8.hpp"

#include <algorithm>
#include <cctype>

using nlohmann::json;

namespace ibmig {
namespace {

/* One step of a --set path: a key of an object, or (key empty) an index of a list. */
struct PathStep {
  std::string key;
  size_t index = 0;
  bool is_index() const { return key.empty(); }
};

/* "a.b[2].c" -> a, b, [2], c. Strict, `key(.key|[digits])*`, so that a typo cannot select another element (as
 * "networks[12.switch" once selected networks[1]). Indexes are written as the loader writes them (no leading zero):
 * an error the loader finds at an overridden path is then matched to its --set. */
std::vector<PathStep> split_path(const std::string& path, const std::string& file)
{
  auto bad = [&](const std::string& why) { return ScenarioError(file, path, "--set: bad path: " + why); };
  auto at  = [](size_t i) { return " at character " + std::to_string(i + 1); };
  std::vector<PathStep> out;
  bool need_key = true; // at the start and after "."
  for (size_t i = 0;;) {
    if (need_key) {
      size_t end = std::min(path.find_first_of(".[]", i), path.size());
      if (end == i) throw bad("a field name is missing" + at(i));
      out.push_back({path.substr(i, end - i)});
      i        = end;
      need_key = false;
    }
    if (i == path.size()) return out;
    if (path[i] == '.') {
      need_key = true;
      i++;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) throw bad("\"[\"" + at(i) + " is not closed by \"]\"");
      std::string digits = path.substr(i + 1, close - i - 1);
      auto digit         = [](unsigned char c) { return std::isdigit(c) != 0; };
      if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), digit) ||
          (digits.size() > 1 && digits[0] == '0'))
        throw bad("bad index [" + digits + "]" + at(i) + " (a list index is written 0, 1, 12, ...)");
      out.push_back({"", std::stoul(digits)});
      i = close + 1;
    } else if (path[i] == ']') {
      throw bad("\"]\"" + at(i) + " closes no \"[\"");
    } else {
      throw bad("\".\" or \"[\" expected after \"]\"" + at(i));
    }
  }
}

} // namespace

Override parse_override(const std::string& arg)
{
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ScenarioError("--set", "", "expected PATH=VALUE (e.g. workload.before=120s), got \"" + arg + "\"");
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

void apply_overrides(json& doc, const std::vector<Override>& overrides, const std::string& file)
{
  for (auto const& ov : overrides) {
    // A JSON string must be UTF-8: a stray byte would make every later dump() of the document throw.
    if (size_t bad = first_invalid_utf8(ov.path); bad != std::string::npos)
      throw ScenarioError(file, escape_invalid_utf8(ov.path), "--set: the path is not valid UTF-8");
    if (size_t bad = first_invalid_utf8(ov.value); bad != std::string::npos)
      throw ScenarioError(file, ov.path,
                          "--set: the value \"" + escape_invalid_utf8(ov.value) + "\" is not valid UTF-8 (at byte " +
                              std::to_string(bad + 1) + ")");
    auto steps = split_path(ov.path, file);
    json* cur  = &doc;
    for (size_t i = 0; i < steps.size(); i++) {
      if (steps[i].is_index()) {
        if (!cur->is_array() || steps[i].index >= cur->size())
          throw ScenarioError(file, ov.path, "--set: no element [" + std::to_string(steps[i].index) + "]");
        cur = &(*cur)[steps[i].index];
        continue;
      }
      // Option names contain dots ("network.ping-timeout"): take the longest run of keys that is a key.
      bool found = false;
      for (size_t j = steps.size(); j > i && !found; j--) {
        std::string key;
        bool keys_only = true;
        for (size_t k = i; k < j && keys_only; k++) {
          keys_only = !steps[k].is_index();
          key += (k == i ? "" : ".") + steps[k].key;
        }
        if (keys_only && cur->is_object() && cur->contains(key)) {
          cur   = &(*cur)[key];
          i     = j - 1;
          found = true;
        }
      }
      if (!found) throw ScenarioError(file, ov.path, "--set: no such field in the scenario");
    }
    if (cur->is_structured())
      throw ScenarioError(file, ov.path, "--set: not a scalar (only single values can be overridden)");
    if (cur->is_number()) {
      // Read as the same number in the file would be (std::stod would also take "nan", "inf", "0x1p3", " 1"):
      // then an integer field refuses 1e3 or 1.5 from --set as it does from the file.
      json v;
      JsonFailure why;
      bool parsed = ov.value.find_first_of(" \t\r\n") == std::string::npos && parse_strict_json(ov.value, v, why);
      if (!parsed && why.bad_number) throw ScenarioError(file, ov.path, "--set: " + why.reason);
      if (!parsed || !v.is_number())
        throw ScenarioError(file, ov.path,
                            "--set: expected a number (as JSON writes one: 24, -3, 0.5, 2e-3), got \"" + ov.value +
                                "\"");
      *cur = v;
    } else if (cur->is_boolean()) {
      if (ov.value != "true" && ov.value != "false")
        throw ScenarioError(file, ov.path, "--set: expected true or false, got \"" + ov.value + "\"");
      *cur = ov.value == "true";
    } else {
      *cur = ov.value;
    }
  }
}

} // namespace ibmig
