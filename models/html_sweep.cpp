#include "html_sweep.hpp"

#include "gnuplot_chart.hpp"
#include "html_page.hpp"
#include "scenario_error.hpp"
#include "strict_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

using nlohmann::json;

namespace ibmig {

using html::escape;

namespace {

std::string value_text(const json& v)
{
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v.get<double>());
    return text;
  }
  return v.dump();
}

std::string shown(const json& v)
{
  std::string text = v.dump();
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

/* The axes in the order the line writes them (json objects sort their keys; the first axis is the x axis). */
void order_as_written(std::vector<std::pair<std::string, json>>& axes, const std::string& text)
{
  size_t from = text.find("\"axes\"");
  auto at     = [&](const std::string& key) { return text.find(json(key).dump(), from); };
  std::stable_sort(axes.begin(), axes.end(), [&](auto const& a, auto const& b) { return at(a.first) < at(b.first); });
}

SweepPoint point_from(const json& j, const std::string& file, const std::string& line)
{
  auto fail = [&](const std::string& path, const std::string& why) {
    throw ScenarioError(file, line + (path.empty() ? "" : ": " + path), why);
  };
  if (!j.is_object()) fail("", "expected an object, got " + shown(j));
  for (const char* key : {"point", "axes", "status", "error", "figures"})
    if (!j.contains(key)) fail(key, "missing (a sweep line has point, axes, status, error and figures)");
  SweepPoint p;
  if (!j.at("point").is_number_integer()) fail("point", "expected a whole number, got " + shown(j.at("point")));
  p.point = j.at("point").get<long long>();
  if (!j.at("axes").is_object()) fail("axes", "expected an object, got " + shown(j.at("axes")));
  for (auto it = j.at("axes").begin(); it != j.at("axes").end(); ++it) {
    if (!it->is_number() && !it->is_string() && !it->is_boolean())
      fail("axes." + it.key(), "expected a number, a string or true/false, got " + shown(*it));
    p.axes.push_back({it.key(), *it});
  }
  const json& status = j.at("status");
  if (status != "ok" && status != "invalid" && status != "failed")
    fail("status", "expected \"ok\", \"invalid\" or \"failed\", got " + shown(status));
  p.status = status.get<std::string>();
  if (!j.at("error").is_null() && !j.at("error").is_string())
    fail("error", "expected a string or null, got " + shown(j.at("error")));
  if (j.at("error").is_string()) p.error = j.at("error").get<std::string>();
  if (!j.at("figures").is_object()) fail("figures", "expected an object, got " + shown(j.at("figures")));
  for (auto it = j.at("figures").begin(); it != j.at("figures").end(); ++it) {
    if (!it->is_null() && !it->is_number()) fail("figures." + it.key(), "expected a number or null, got " + shown(*it));
    p.figures.push_back({it.key(), it->is_null() ? std::nullopt : std::optional<double>(it->get<double>())});
  }
  return p;
}

/* Names in the order they first appear over the points. */
template <class Get> std::vector<std::string> names_of(const std::vector<SweepPoint>& points, Get get)
{
  std::vector<std::string> out;
  for (auto const& p : points)
    for (auto const& [name, value] : get(p))
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  return out;
}

const json* axis_value(const SweepPoint& p, const std::string& axis)
{
  for (auto const& [name, value] : p.axes)
    if (name == axis) return &value;
  return nullptr;
}

} // namespace

bool looks_like_sweep(const std::string& file, const std::string& text)
{
  if (file.size() >= 6 && file.compare(file.size() - 6, 6, ".jsonl") == 0) return true;
  // A report is one object over many lines; a sweep line starts with its point.
  size_t start = text.find_first_not_of(" \t\r\n");
  return start != std::string::npos && text.compare(start, 8, "{\"point\"") == 0;
}

std::vector<SweepPoint> parse_sweep_lines(const std::string& text, const std::string& file)
{
  std::vector<SweepPoint> points;
  std::istringstream lines(text);
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    n++;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = "line " + std::to_string(n);
    json j;
    JsonFailure why;
    if (!parse_strict_json(line, j, why))
      throw ScenarioError(file, where + (why.path.empty() ? "" : ": " + why.path), why.describe(line));
    points.push_back(point_from(j, file, where));
    order_as_written(points.back().axes, line);
  }
  if (points.empty()) throw ScenarioError(file, "", "no sweep points (expected one JSON object a line)");
  return points;
}

std::string html_sweep(const std::vector<SweepPoint>& points, const std::string& file, FilterRunner& runner)
{
  const auto axes = names_of(
      points, [](const SweepPoint& p) -> auto& { return p.axes; });
  const auto figures = names_of(
      points, [](const SweepPoint& p) -> auto& { return p.figures; });
  std::map<std::string, int> by_status;
  for (auto const& p : points)
    by_status[p.status]++;
  std::ostringstream s;
  s << "<h1>ibmig sweep: " << escape(file) << "</h1>\n<p>" << points.size() << " point(s): " << by_status["ok"]
    << " ok, " << by_status["invalid"] << " invalid, " << by_status["failed"] << " failed. Axes: ";
  for (size_t i = 0; i < axes.size(); i++)
    s << (i ? ", " : "") << "<code>" << escape(axes[i]) << "</code>";
  s << (axes.empty() ? "none" : "") << ".</p>\n";

  // x: the first axis, numeric when every value is a number, else its words in order of appearance.
  const std::string x_axis = axes.empty() ? "" : axes.front();
  bool numeric             = true;
  std::vector<std::string> words;
  for (auto const& p : points)
    if (const json* v = axis_value(p, x_axis)) {
      numeric &= v->is_number();
      if (std::find(words.begin(), words.end(), value_text(*v)) == words.end()) words.push_back(value_text(*v));
    }
  auto x_of = [&](const SweepPoint& p) {
    const json* v = axis_value(p, x_axis);
    if (!v) return x_axis.empty() ? static_cast<double>(p.point) : NAN;
    if (numeric) return v->get<double>();
    return static_cast<double>(std::find(words.begin(), words.end(), value_text(*v)) - words.begin());
  };
  // One line per combination of the other axes.
  auto series_name = [&](const SweepPoint& p) {
    std::string name;
    for (size_t i = 1; i < axes.size(); i++)
      if (const json* v = axis_value(p, axes[i])) name += (name.empty() ? "" : ", ") + axes[i] + "=" + value_text(*v);
    return name;
  };

  s << "<h2 id=\"charts\">Figures</h2>\n";
  int n = 0;
  for (auto const& figure : figures) {
    Chart c;
    c.title   = figure;
    c.x_label = x_axis.empty() ? "point" : x_axis;
    c.y_label = figure;
    if (!numeric)
      for (size_t i = 0; i < words.size(); i++)
        c.x_tics.push_back({static_cast<double>(i), words[i]});
    std::vector<std::string> order;
    std::map<std::string, ChartSeries> lines;
    for (auto const& p : points) {
      if (p.status != "ok") continue;
      for (auto const& [name, value] : p.figures) {
        if (name != figure || !value) continue;
        std::string line = series_name(p);
        if (!lines.count(line)) order.push_back(line), lines[line].title = line.empty() ? figure : line;
        lines[line].points.push_back({x_of(p), *value});
      }
    }
    for (auto const& line : order) {
      auto& pts = lines[line].points;
      std::stable_sort(pts.begin(), pts.end());
      c.series.push_back(lines[line]);
    }
    std::string svg = chart_svg(c, runner);
    s << "<div class=\"figure chart\" data-figure=\"" << escape(figure) << "\">";
    if (svg.empty())
      s << "<p class=\"note\">" << escape(figure) << ": no point has a value.</p>";
    else
      s << html::inline_svg(svg, "sweep" + std::to_string(n++) + "-");
    s << "</div>\n";
  }

  s << "<h2 id=\"not-run\">Points that did not run</h2>\n";
  if (by_status["invalid"] + by_status["failed"] == 0)
    s << "<p class=\"ok\">Every point ran.</p>\n";
  else {
    s << "<table id=\"invalid\"><tr><th>point</th>";
    for (auto const& a : axes)
      s << "<th>" << escape(a) << "</th>";
    s << "<th>status</th><th>error</th></tr>\n";
    for (auto const& p : points) {
      if (p.status == "ok") continue;
      s << "<tr><td class=\"num\">" << p.point << "</td>";
      for (auto const& a : axes)
        s << "<td>" << (axis_value(p, a) ? escape(value_text(*axis_value(p, a))) : "") << "</td>";
      s << "<td class=\"bad\">" << escape(p.status) << "</td><td>" << escape(p.error) << "</td></tr>\n";
    }
    s << "</table>\n";
  }

  s << "<h2 id=\"points\">Every point</h2>\n<table id=\"all-points\"><tr><th>point</th>";
  for (auto const& a : axes)
    s << "<th>" << escape(a) << "</th>";
  s << "<th>status</th>";
  for (auto const& f : figures)
    s << "<th>" << escape(f) << "</th>";
  s << "</tr>\n";
  for (auto const& p : points) {
    s << "<tr><td class=\"num\">" << p.point << "</td>";
    for (auto const& a : axes)
      s << "<td>" << (axis_value(p, a) ? escape(value_text(*axis_value(p, a))) : "") << "</td>";
    s << "<td class=\"" << (p.status == "ok" ? "ok" : "bad") << "\">" << escape(p.status) << "</td>";
    for (auto const& f : figures) {
      auto it = std::find_if(p.figures.begin(), p.figures.end(), [&](auto const& x) { return x.first == f; });
      s << "<td class=\"num\">" << (it != p.figures.end() && it->second ? html::fixed(*it->second, 2) : "-") << "</td>";
    }
    s << "</tr>\n";
  }
  s << "</table>\n";
  return html::page("ibmig sweep: " + file, s.str());
}

} // namespace ibmig
