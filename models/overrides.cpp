#include "overrides.hpp"

#include "scenario_error.hpp"
#include "selector.hpp"
#include "strict_json.hpp"
#include "utf8.hpp"

#include <algorithm>
#include <cctype>

using nlohmann::json;

namespace ibmig {
Override parse_override(const std::string& arg)
{
  // The first "=" outside brackets: a selector has its own (nodes[role=server].memory=64GiB).
  size_t eq = std::string::npos;
  for (size_t i = 0, depth = 0; i < arg.size() && eq == std::string::npos; i++) {
    if (arg[i] == '[') depth++;
    if (arg[i] == ']' && depth > 0) depth--;
    if (arg[i] == '=' && depth == 0) eq = i;
  }
  if (eq == std::string::npos) eq = arg.find('='); // an unclosed "[": the path's own check says so
  if (eq == std::string::npos || eq == 0)
    throw ScenarioError("--set", "", "expected PATH=VALUE (e.g. workload.before=120s), got \"" + arg + "\"");
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

namespace {

/* An added field's value: the schema's type is not known here, so the text says it (the loader checks it). */
json added_value(const std::string& text)
{
  if (text == "true" || text == "false") return text == "true";
  json v;
  JsonFailure why;
  if (text.find_first_of(" \t\r\n") == std::string::npos && parse_strict_json(text, v, why) &&
      (v.is_number() || v.is_string()))
    return v;
  return text;
}

void replace_scalar(json& cur, const Override& ov, const std::string& file)
{
  if (cur.is_structured())
    throw ScenarioError(file, ov.path, "--set: not a scalar (only single values can be overridden)");
  if (cur.is_number()) {
    // Read as the same number in the file would be (std::stod would also take "nan", "inf", "0x1p3", " 1"):
    // then an integer field refuses 1e3 or 1.5 from --set as it does from the file.
    json v;
    JsonFailure why;
    bool parsed = ov.value.find_first_of(" \t\r\n") == std::string::npos && parse_strict_json(ov.value, v, why);
    if (!parsed && why.bad_number) throw ScenarioError(file, ov.path, "--set: " + why.reason);
    if (!parsed || !v.is_number())
      throw ScenarioError(file, ov.path,
                          "--set: expected a number (as JSON writes one: 24, -3, 0.5, 2e-3), got \"" + ov.value + "\"");
    cur = v;
  } else if (cur.is_boolean()) {
    if (ov.value != "true" && ov.value != "false")
      throw ScenarioError(file, ov.path, "--set: expected true or false, got \"" + ov.value + "\"");
    cur = ov.value == "true";
  } else {
    cur = ov.value;
  }
}

} // namespace

std::vector<OverrideWrite> apply_overrides_reporting(json& doc, const std::vector<Override>& overrides,
                                                     const std::string& file)
{
  std::vector<OverrideWrite> writes;
  for (size_t o = 0; o < overrides.size(); o++) {
    const Override& ov = overrides[o];
    // A JSON string must be UTF-8: a stray byte would make every later dump() of the document throw.
    if (size_t bad = first_invalid_utf8(ov.path); bad != std::string::npos)
      throw ScenarioError(file, escape_invalid_utf8(ov.path), "--set: the path is not valid UTF-8");
    if (size_t bad = first_invalid_utf8(ov.value); bad != std::string::npos)
      throw ScenarioError(file, ov.path,
                          "--set: the value \"" + escape_invalid_utf8(ov.value) + "\" is not valid UTF-8 (at byte " +
                              std::to_string(bad + 1) + ")");
    for (auto& t : resolve_set_path(doc, parse_set_path(ov.path, file), ov.path, file)) {
      if (t.created.empty())
        replace_scalar(*t.value, ov, file);
      else
        *t.value = added_value(ov.value);
      writes.push_back({o, t.path, t.created});
    }
  }
  return writes;
}

void apply_overrides(json& doc, const std::vector<Override>& overrides, const std::string& file)
{
  apply_overrides_reporting(doc, overrides, file);
}

std::string override_note(const std::vector<OverrideWrite>& writes, const std::vector<Override>& overrides,
                          const std::string& path)
{
  for (auto it = writes.rbegin(); it != writes.rend(); ++it) {
    const Override& ov    = overrides[it->override_index];
    const std::string set = "--set " + ov.path + "=" + ov.value;
    if (!it->created.empty() && (path == it->created || path.rfind(it->created + ".", 0) == 0))
      return " (" + it->created + " added by " + set + ")";
    if (path == it->path) return " (the value of " + set + ")";
  }
  return "";
}

} // namespace ibmig
