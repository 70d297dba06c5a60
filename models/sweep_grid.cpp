#include "sweep_grid.hpp"

#include "scenario_error.hpp"
#include "strict_json.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace ibmig::sweep {

std::size_t Grid::size() const
{
  std::size_t n = 1;
  for (auto const& a : axes)
    n *= a.values.size();
  return n;
}

std::vector<std::size_t> Grid::coordinates(std::size_t point) const
{
  std::vector<std::size_t> c(axes.size());
  for (std::size_t k = axes.size(); k-- > 0;) {
    c[k] = point % axes[k].values.size();
    point /= axes[k].values.size();
  }
  return c;
}

std::vector<std::string> Grid::labels(std::size_t point) const
{
  std::vector<std::string> out;
  auto c = coordinates(point);
  for (std::size_t k = 0; k < axes.size(); k++)
    out.push_back(axes[k].values[c[k]].label);
  return out;
}

std::vector<Override> Grid::overrides(std::size_t point) const
{
  std::vector<Override> out;
  auto c = coordinates(point);
  for (std::size_t k = 0; k < axes.size(); k++)
    for (auto const& ov : axes[k].values[c[k]].overrides)
      out.push_back(ov);
  return out;
}

std::vector<std::string> Grid::axis_names() const
{
  std::vector<std::string> out;
  for (auto const& a : axes)
    out.push_back(a.name);
  return out;
}

void add_axis(Grid& grid, Axis axis, const std::string& where)
{
  // These are the row's own columns in the CSV file.
  if (axis.name == "point" || axis.name == "status" || axis.name == "error")
    throw ScenarioError(where, axis.name, "an axis cannot be named \"" + axis.name + "\" (a column of every row)");
  for (auto const& a : grid.axes)
    if (a.name == axis.name) throw ScenarioError(where, axis.name, "a second axis of this name");
  if (axis.values.empty()) throw ScenarioError(where, axis.name, "an axis needs at least one value");
  if (grid.size() > kMaxPoints / axis.values.size())
    throw ScenarioError(where, axis.name,
                        "the grid would have more than " + std::to_string(kMaxPoints) + " points (" +
                            std::to_string(grid.size()) + " x " + std::to_string(axis.values.size()) + ")");
  grid.axes.push_back(std::move(axis));
}

void vary_axis(Grid& grid, Axis axis, const std::string& where)
{
  for (std::size_t k = 0; k < grid.axes.size(); k++)
    if (grid.axes[k].name == axis.name && !grid.axes[k].preset) {
      Grid rest = grid;
      rest.axes.erase(rest.axes.begin() + static_cast<long>(k));
      add_axis(rest, axis, where); // a new axis's checks: values, the grid's size
      grid.axes[k].values = std::move(axis.values);
      return;
    }
  add_axis(grid, std::move(axis), where);
}

std::optional<std::vector<std::string>> expand_range(const std::string& item)
{
  // A number and its unit, as scenario values are written ("60s", "400MBps", "2044", "0.5").
  static const std::regex part(R"(([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)([A-Za-z/%]*))");
  std::vector<std::string> parts;
  std::stringstream ss(item);
  for (std::string p; std::getline(ss, p, ':');)
    parts.push_back(p);
  if (parts.size() != 3 || item.back() == ':') return std::nullopt;
  double v[3];
  std::string unit[3];
  for (int k = 0; k < 3; k++) {
    std::smatch m;
    if (!std::regex_match(parts[static_cast<std::size_t>(k)], m, part)) return std::nullopt;
    v[k]    = std::stod(m[1].str());
    unit[k] = m[2].str();
  }
  if (unit[0] != unit[1] || unit[1] != unit[2])
    throw std::invalid_argument("range \"" + item + "\": START, STOP and STEP need one unit (\"" + unit[0] + "\", \"" +
                                unit[1] + "\", \"" + unit[2] + "\")");
  if (!(v[2] > 0)) throw std::invalid_argument("range \"" + item + "\": STEP must be above 0");
  if (v[1] < v[0]) throw std::invalid_argument("range \"" + item + "\": STOP is below START");
  // The small slack keeps STOP when rounding lands it a hair above (0.1:0.3:0.1).
  double steps = std::floor((v[1] - v[0]) / v[2] + 1e-9);
  if (steps >= static_cast<double>(kMaxPoints))
    throw std::invalid_argument("range \"" + item + "\": more than " + std::to_string(kMaxPoints) + " values");
  std::vector<std::string> out;
  for (long k = 0; k <= static_cast<long>(steps); k++) {
    char buf[64];
    // Each value from START (not by adding STEP again and again) and to 12 digits: 0.1 + 2 x 0.1 prints as 0.3.
    std::snprintf(buf, sizeof buf, "%.12g", v[0] + static_cast<double>(k) * v[2]);
    out.push_back(buf + unit[0]);
  }
  return out;
}

namespace {

/* Appends the values of one item: a range expands, anything else is taken as it is. */
void add_item(Axis& axis, const std::string& item, const std::string& file, const std::string& path)
{
  std::optional<std::vector<std::string>> range;
  try {
    range = expand_range(item);
  } catch (const std::invalid_argument& e) {
    throw ScenarioError(file, path, e.what());
  }
  for (auto const& v : range ? *range : std::vector<std::string>{item})
    axis.values.push_back({v, {{axis.name, v}}});
}

/* A sweep file's scalar as the text --set takes. */
std::string scalar_text(const nlohmann::json& v, const std::string& file, const std::string& path)
{
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  throw ScenarioError(file, path, "expected a string, a number or true/false");
}

} // namespace

Axis parse_vary(const std::string& arg)
{
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ScenarioError("--vary", "",
                        "expected PATH=V1,V2,... (e.g. workload.before=60s:300s:60s), got \"" + arg + "\"");
  Axis axis;
  axis.name        = arg.substr(0, eq);
  std::string list = arg.substr(eq + 1);
  std::stringstream ss(list);
  std::string item;
  std::size_t n = 0;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) throw ScenarioError("--vary", axis.name, "value " + std::to_string(n + 1) + " is empty");
    add_item(axis, item, "--vary", axis.name);
    n++;
  }
  if (list.empty() || list.back() == ',')
    throw ScenarioError("--vary", axis.name, "a value is empty (\"" + list + "\")");
  return axis;
}

SweepFile load_sweep_file(const std::string& file)
{
  std::ifstream in(file);
  if (!in || std::filesystem::is_directory(file)) throw ScenarioError(file, "", "cannot open the sweep file");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json strict;
  JsonFailure why;
  if (!parse_strict_json(text.str(), strict, why)) throw ScenarioError(file, why.path, why.describe(text.str()));
  // Parsed again keeping the file's order: it numbers the points and orders the presets.
  auto doc = nlohmann::ordered_json::parse(text.str());
  if (!doc.is_object()) throw ScenarioError(file, "", "expected an object {\"axes\": [...]}");
  SweepFile out;
  for (auto const& [key, v] : doc.items()) {
    if (key == "scenario") {
      if (!v.is_string() || v.get<std::string>().empty())
        throw ScenarioError(file, key, "expected the scenario file's name");
      std::filesystem::path p = v.get<std::string>();
      out.scenario            = p.is_absolute() ? p.string() : (std::filesystem::path(file).parent_path() / p).string();
    } else if (key == "runs") {
      if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 1000000)
        throw ScenarioError(file, key, "expected a whole number from 1 to 1000000");
      out.runs = v.get<int>();
    } else if (key == "seed") {
      if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 2147483647)
        throw ScenarioError(file, key, "expected a whole number from 0 to 2147483647");
      out.seed = v.get<std::uint64_t>();
    } else if (key != "axes") {
      throw ScenarioError(file, key, "unknown field (expected scenario, runs, seed, axes)");
    }
  }
  if (!doc.contains("axes") || !doc["axes"].is_array()) throw ScenarioError(file, "axes", "expected a list of axes");
  Grid grid; // checks names and the size as the file is read
  for (std::size_t i = 0; i < doc["axes"].size(); i++) {
    auto const& a  = doc["axes"][i];
    std::string at = "axes[" + std::to_string(i) + "]";
    auto field_is  = [&](const char* k) { return a.is_object() && a.contains(k); };
    Axis axis;
    if (!a.is_object())
      throw ScenarioError(file, at, "expected an object {\"path\", \"values\"} or {\"name\", \"presets\"}");
    for (auto const& [k, v] : a.items())
      if (k != "path" && k != "values" && k != "range" && k != "name" && k != "presets")
        throw ScenarioError(file, at + "." + k,
                            "unknown field (expected path with values or range, or name with presets)");
    if (field_is("presets")) {
      if (field_is("path") || field_is("values") || field_is("range"))
        throw ScenarioError(file, at, "a preset axis has a name and presets, no path, values or range");
      if (!field_is("name") || !a["name"].is_string() || a["name"].get<std::string>().empty())
        throw ScenarioError(file, at + ".name", "a preset axis needs a name");
      axis.name           = a["name"].get<std::string>();
      axis.preset         = true;
      auto const& presets = a["presets"];
      if (!presets.is_object() || presets.empty())
        throw ScenarioError(file, at + ".presets", "expected {\"PRESET\": {\"PATH\": VALUE, ...}, ...}");
      for (auto const& [name, sets] : presets.items()) {
        std::string pat = at + ".presets." + name;
        if (!sets.is_object() || sets.empty()) throw ScenarioError(file, pat, "expected {\"PATH\": VALUE, ...}");
        AxisValue value{name, {}};
        for (auto const& [path, v] : sets.items())
          value.overrides.push_back({path, scalar_text(v, file, pat + "." + path)});
        axis.values.push_back(std::move(value));
      }
    } else {
      if (!field_is("path") || !a["path"].is_string() || a["path"].get<std::string>().empty())
        throw ScenarioError(file, at + ".path", "expected the scenario path the axis varies");
      axis.name = a["path"].get<std::string>();
      if (field_is("values") == field_is("range"))
        throw ScenarioError(file, at, "give either values (a list) or range (\"START:STOP:STEP\")");
      if (field_is("range")) {
        if (!a["range"].is_string()) throw ScenarioError(file, at + ".range", "expected \"START:STOP:STEP\"");
        std::string r = a["range"].get<std::string>();
        std::optional<std::vector<std::string>> values;
        try {
          values = expand_range(r);
        } catch (const std::invalid_argument& e) {
          throw ScenarioError(file, at + ".range", e.what());
        }
        if (!values) throw ScenarioError(file, at + ".range", "expected \"START:STOP:STEP\", got \"" + r + "\"");
        for (auto const& v : *values)
          axis.values.push_back({v, {{axis.name, v}}});
      } else {
        if (!a["values"].is_array()) throw ScenarioError(file, at + ".values", "expected a list of values");
        for (std::size_t j = 0; j < a["values"].size(); j++) {
          std::string v = scalar_text(a["values"][j], file, at + ".values[" + std::to_string(j) + "]");
          axis.values.push_back({v, {{axis.name, v}}});
        }
      }
    }
    add_axis(grid, axis, file);
    out.axes.push_back(std::move(axis));
  }
  return out;
}

Shard parse_shard(const std::string& text)
{
  static const std::regex form(R"(([1-9][0-9]{0,8})/([1-9][0-9]{0,8}))");
  std::smatch m;
  if (!std::regex_match(text, m, form))
    throw std::invalid_argument("--shard: expected I/N with 1 <= I <= N (e.g. 2/4), got \"" + text + "\"");
  Shard s{std::stoul(m[1].str()), std::stoul(m[2].str())};
  if (s.index > s.count)
    throw std::invalid_argument("--shard: I must be at most N (1/" + m[2].str() + " .. " + m[2].str() + "/" +
                                m[2].str() + "), got \"" + text + "\"");
  return s;
}

} // namespace ibmig::sweep
