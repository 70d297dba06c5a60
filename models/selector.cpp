#include "selector.hpp"

#include "scenario_error.hpp"

#include <algorithm>
#include <cctype>

using nlohmann::json;

namespace ibmig {
namespace {

bool is_identifier(const std::string& s)
{
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c == '-'; });
}

/* [key=value] on one element: the field equals the value (numbers and booleans compared as JSON writes them), or
 * the field "keys" is a list that holds it. */
bool matches(const json& element, const PathStep& s)
{
  if (!element.is_object()) return false;
  auto same = [&](const json& v) { return v.is_string() ? v.get<std::string>() == s.value : v.dump() == s.value; };
  if (element.contains(s.key)) return same(element[s.key]);
  auto plural = element.find(s.key + "s");
  return plural != element.end() && plural->is_array() && std::any_of(plural->begin(), plural->end(), same);
}

std::string shown(const PathStep& s)
{
  switch (s.kind) {
  case PathStep::Kind::Index:
    return "[" + std::to_string(s.index) + "]";
  case PathStep::Kind::All:
    return "[*]";
  case PathStep::Kind::Match:
    return "[" + s.key + "=" + s.value + "]";
  case PathStep::Kind::Key:
    break;
  }
  return s.key;
}

} // namespace

/* "a.b[2].c" -> a, b, [2], c. Strict, so that a typo cannot select another element (as "networks[12.switch" once
 * selected networks[1]). Indexes are written as the loader writes them (no leading zero): an error the loader finds
 * at an overridden path is then matched to its --set. */
std::vector<PathStep> parse_set_path(const std::string& path, const std::string& file)
{
  auto bad = [&](const std::string& why) { return ScenarioError(file, path, "--set: bad path: " + why); };
  auto at  = [](size_t i) { return " at character " + std::to_string(i + 1); };
  std::vector<PathStep> out;
  bool need_key = true; // at the start and after "."
  for (size_t i = 0;;) {
    if (need_key) {
      size_t end = std::min(path.find_first_of(".[]", i), path.size());
      if (end == i) throw bad("a field name is missing" + at(i));
      out.push_back({PathStep::Kind::Key, path.substr(i, end - i), 0, ""});
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
      std::string inside = path.substr(i + 1, close - i - 1);
      auto digit         = [](unsigned char c) { return std::isdigit(c) != 0; };
      size_t eq          = inside.find('=');
      PathStep step;
      if (inside == "*") {
        step.kind = PathStep::Kind::All;
      } else if (eq != std::string::npos) {
        step = {PathStep::Kind::Match, inside.substr(0, eq), 0, inside.substr(eq + 1)};
        if (!is_identifier(step.key) || step.value.empty())
          throw bad("bad selector [" + inside + "]" + at(i) + " (written [field=value], e.g. [name=ib0])");
      } else if (inside.empty() || inside.size() > 9 || !std::all_of(inside.begin(), inside.end(), digit) ||
                 (inside.size() > 1 && inside[0] == '0')) {
        throw bad("bad index [" + inside + "]" + at(i) +
                  " (a list index is written 0, 1, 12, ...; every element [*]; a selection [name=ib0])");
      } else {
        step = {PathStep::Kind::Index, "", std::stoul(inside), ""};
      }
      out.push_back(step);
      i = close + 1;
    } else if (path[i] == ']') {
      throw bad("\"]\"" + at(i) + " closes no \"[\"");
    } else {
      throw bad("\".\" or \"[\" expected after \"]\"" + at(i));
    }
  }
}

std::vector<PathTarget> resolve_set_path(json& doc, const std::vector<PathStep>& steps, const std::string& set_path,
                                         const std::string& file)
{
  auto fail = [&](const std::string& why) { return ScenarioError(file, set_path, "--set: " + why); };
  std::vector<PathTarget> cur{{&doc, "", ""}};
  for (size_t i = 0; i < steps.size(); i++) {
    const PathStep& s = steps[i];
    std::vector<PathTarget> next;
    if (s.kind != PathStep::Kind::Key) {
      for (auto& t : cur) {
        if (!t.value->is_array())
          throw fail((s.kind == PathStep::Kind::Index ? "no element " + shown(s) + ": " : shown(s) + ": ") + t.path +
                     " is not a list");
        if (s.kind == PathStep::Kind::Index) {
          if (s.index >= t.value->size()) throw fail("no element [" + std::to_string(s.index) + "]");
          next.push_back({&(*t.value)[s.index], t.path + shown(s), t.created});
          continue;
        }
        for (size_t k = 0; k < t.value->size(); k++)
          if (s.kind == PathStep::Kind::All || matches((*t.value)[k], s))
            next.push_back({&(*t.value)[k], t.path + "[" + std::to_string(k) + "]", t.created});
      }
      if (next.empty()) {
        std::string before = set_path.substr(0, set_path.find(shown(s)));
        throw fail(shown(s) + " matches no element of " + before);
      }
      cur = std::move(next);
      continue;
    }
    size_t last  = steps.size(); // the step this run of keys ends at: the same for every target
    auto ends_at = [&](size_t end, const PathTarget& t) {
      if (last != steps.size() && last != end)
        throw fail("the path reads as other fields in " + t.path + " than in the other elements it selects");
      last = end;
    };
    for (auto& t : cur) {
      auto join = [&](const std::string& key) { return t.path.empty() ? key : t.path + "." + key; };
      if (!t.value->is_object()) {
        if (!t.value->is_null() || t.created.empty()) throw fail("no such field in the scenario");
        *t.value = json::object(); // created by an earlier key of this path
      }
      // Option names contain dots ("network.ping-timeout"): take the longest run of keys that is a key.
      bool found = false;
      for (size_t j = steps.size(); j > i && !found; j--) {
        std::string key;
        bool keys_only = true;
        for (size_t k = i; k < j && keys_only; k++) {
          keys_only = steps[k].kind == PathStep::Kind::Key;
          key += (k == i ? "" : ".") + steps[k].key;
        }
        if (keys_only && t.value->contains(key)) {
          next.push_back({&(*t.value)[key], join(key), t.created});
          ends_at(j - 1, t);
          found = true;
        }
      }
      if (found) continue;
      // A field the file lacks: created, and the loader refuses it if the schema has no such field. A volume's
      // options are Gluster names with dots: the rest of the path is one name there.
      bool option     = t.path.size() >= 8 && t.path.compare(t.path.size() - 8, 8, ".options") == 0;
      std::string key = s.key;
      size_t end      = i;
      if (option)
        while (end + 1 < steps.size() && steps[end + 1].kind == PathStep::Kind::Key)
          key += "." + steps[++end].key;
      if (end + 1 < steps.size() && steps[end + 1].kind != PathStep::Kind::Key)
        throw fail("no such field in the scenario (" + join(key) + ", a list to select from)");
      (*t.value)[key] = nullptr;
      next.push_back({&(*t.value)[key], join(key), t.created.empty() ? join(key) : t.created});
      ends_at(end, t);
    }
    i   = last;
    cur = std::move(next);
  }
  return cur;
}

} // namespace ibmig
