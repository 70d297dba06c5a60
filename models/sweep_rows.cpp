#include "sweep_rows.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

using ordered_json = nlohmann::ordered_json;

namespace ibmig::sweep {

Format format_of(const std::string& file)
{
  auto ends = [&](const std::string& ext) {
    return file.size() > ext.size() && file.compare(file.size() - ext.size(), ext.size(), ext) == 0;
  };
  if (ends(".jsonl")) return Format::Jsonl;
  if (ends(".csv")) return Format::Csv;
  throw std::invalid_argument("\"" + file + "\": the file name must end in .csv or .jsonl (the format of the rows)");
}

std::vector<std::string> figure_names(const std::vector<std::string>& vm_names)
{
  std::vector<std::string> out;
  auto per_phase = [&out](const std::string& stem) {
    for (auto const* phase : Columns::kPhases)
      out.push_back(stem + "." + phase);
  };
  for (auto const& vm : vm_names) {
    per_phase(vm + ".write_MBps");
    per_phase(vm + ".read_MBps");
  }
  per_phase("aggregate.write_MBps");
  per_phase("aggregate.read_MBps");
  for (auto const* name : {"plan_duration_s", "plan_duration_s.p50", "plan_duration_s.p95", "vm_downtime_s.max",
                           "vm_downtime_s.p50", "vm_downtime_s.p95", "failed_steps", "checker_errors"})
    out.emplace_back(name);
  return out;
}

bool Row::operator==(const Row& o) const
{
  return point == o.point && axes == o.axes && status == o.status && error == o.error && figures == o.figures &&
         bottleneck == o.bottleneck;
}

namespace {

const PhaseReport* phase_named(const Report& r, const std::string& name)
{
  for (auto const& p : r.phases)
    if (p.name == name) return &p;
  return nullptr;
}

/* The worst VM's figure: a study asks how long the longest-stopped VM is down. */
std::optional<double> worst(const Report& r, std::optional<double> DowntimeEntry::*field)
{
  std::optional<double> out;
  for (auto const& d : r.vm_downtime)
    if (d.*field) out = std::max(out.value_or(*(d.*field)), *(d.*field));
  return out;
}

} // namespace

Row row_from_report(std::size_t point, std::vector<std::string> axes, const Report& r, const Columns& c)
{
  Row row;
  row.point  = point;
  row.axes   = std::move(axes);
  Verdict v  = verdict(r);
  row.status = v.ok() ? "ok" : "failed";
  if (!v.ok()) row.error = v.summary();
  std::vector<std::pair<std::string, std::optional<double>>> got;
  for (auto const* phase_name : Columns::kPhases) {
    const PhaseReport* p = phase_named(r, phase_name);
    row.bottleneck.push_back(p ? p->bottleneck : "");
    if (!p) continue;
    std::string at = std::string(".") + phase_name;
    for (auto const& cl : p->clients) {
      got.emplace_back(cl.name + ".write_MBps" + at, cl.write_MBps);
      got.emplace_back(cl.name + ".read_MBps" + at, cl.read_MBps);
    }
    got.emplace_back("aggregate.write_MBps" + at, p->aggregate_write_MBps);
    got.emplace_back("aggregate.read_MBps" + at, p->aggregate_read_MBps);
  }
  std::optional<double> max_down;
  for (auto const& d : r.vm_downtime)
    max_down = std::max(max_down.value_or(d.seconds), d.seconds);
  got.emplace_back("plan_duration_s", r.plan_duration_s);
  got.emplace_back("plan_duration_s.p50", r.plan_duration_p50_s);
  got.emplace_back("plan_duration_s.p95", r.plan_duration_p95_s);
  got.emplace_back("vm_downtime_s.max", max_down);
  got.emplace_back("vm_downtime_s.p50", worst(r, &DowntimeEntry::p50_s));
  got.emplace_back("vm_downtime_s.p95", worst(r, &DowntimeEntry::p95_s));
  got.emplace_back("failed_steps", v.failed_steps);
  got.emplace_back("checker_errors", v.checker_errors);
  for (auto const& name : c.figures) {
    auto it                 = std::find_if(got.begin(), got.end(), [&](auto& g) { return g.first == name; });
    std::optional<double> v = it == got.end() ? std::nullopt : it->second;
    // To 0.001 (1 kB/s, 1 ms): the model's last digits are solver noise, and rounded rows compare and diff cleanly.
    if (v) v = std::round(*v * 1000) / 1000;
    row.figures.push_back(v);
  }
  return row;
}

Row row_without_report(std::size_t point, std::vector<std::string> axes, const std::string& status,
                       const std::string& error, const Columns& c)
{
  Row row;
  row.point  = point;
  row.axes   = std::move(axes);
  row.status = status;
  row.error  = error;
  row.figures.assign(c.figures.size(), std::nullopt);
  row.bottleneck.assign(std::size(Columns::kPhases), "");
  return row;
}

namespace {

/* Whole numbers without a fraction, the others as JSON writes a double (the shortest text that reads back the same):
 * a row read back and written again is the same bytes. */
std::string number_text(std::optional<double> v)
{
  if (!v || !std::isfinite(*v)) return "";
  if (*v == std::floor(*v) && std::fabs(*v) < 9e15) return std::to_string(static_cast<long long>(*v));
  return ordered_json(*v).dump();
}

std::optional<double> number_of(const std::string& text, const std::string& where)
{
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  double v         = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size()) throw std::invalid_argument(where + ": expected a number, got \"" + text + "\"");
  return v;
}

void check_status(const std::string& s, const std::string& where)
{
  if (s != "ok" && s != "invalid" && s != "failed")
    throw std::invalid_argument(where + ": status must be ok, invalid or failed, got \"" + s + "\"");
}

std::string bottleneck_column(const char* phase)
{
  return std::string("bottleneck.") + phase;
}

} // namespace

std::string csv_field(const std::string& text)
{
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string header_line(Format f, const Columns& c)
{
  if (f == Format::Jsonl) return "";
  std::string out = "point";
  for (auto const& a : c.axes)
    out += "," + csv_field(a);
  out += ",status,error";
  for (auto const& n : c.figures)
    out += "," + csv_field(n);
  for (auto const* phase : Columns::kPhases)
    out += "," + bottleneck_column(phase);
  return out + "\r\n"; // RFC 4180 ends records with CRLF
}

std::string row_line(Format f, const Row& row, const Columns& c)
{
  if (f == Format::Csv) {
    std::string out = std::to_string(row.point);
    for (auto const& a : row.axes)
      out += "," + csv_field(a);
    out += "," + row.status + "," + csv_field(row.error.value_or(""));
    for (auto const& v : row.figures)
      out += "," + number_text(v);
    for (auto const& b : row.bottleneck)
      out += "," + csv_field(b);
    return out + "\r\n";
  }
  ordered_json j;
  j["point"] = row.point;
  j["axes"]  = ordered_json::object();
  for (std::size_t k = 0; k < c.axes.size(); k++)
    j["axes"][c.axes[k]] = row.axes[k];
  j["status"]  = row.status;
  j["error"]   = row.error ? ordered_json(*row.error) : ordered_json(nullptr);
  j["figures"] = ordered_json::object();
  for (std::size_t k = 0; k < c.figures.size(); k++) {
    std::string t              = number_text(row.figures[k]);
    j["figures"][c.figures[k]] = t.empty() ? ordered_json(nullptr) : ordered_json::parse(t);
  }
  j["bottleneck"] = ordered_json::object();
  for (std::size_t k = 0; k < std::size(Columns::kPhases); k++)
    j["bottleneck"][Columns::kPhases[k]] = row.bottleneck[k];
  return j.dump() + "\n";
}

namespace {

/* RFC 4180 records; `complete` is false when the text ends inside a record (no final line break). */
std::vector<std::vector<std::string>> csv_records(const std::string& text, bool& complete, const std::string& file)
{
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> rec;
  std::string field;
  bool quoted = false, any = false;
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size(); i++) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        i++;
      } else if (ch == '"') {
        quoted = false;
      } else {
        if (ch == '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch == '"' && field.empty()) {
      quoted = any = true;
    } else if (ch == ',') {
      rec.push_back(field);
      field.clear();
      any = true;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') i++;
      rec.push_back(field);
      out.push_back(rec);
      rec.clear();
      field.clear();
      any = false;
      line++;
    } else if (ch == '"') {
      throw std::invalid_argument(file + ": line " + std::to_string(line) + ": a quote inside an unquoted field");
    } else {
      field += ch;
      any = true;
    }
  }
  complete = !any && !quoted;
  return out;
}

Columns csv_columns(const std::vector<std::string>& h, const std::string& file)
{
  auto bad = [&](const std::string& why) { return std::invalid_argument(file + ": line 1 (the header): " + why); };
  std::size_t n_phases = std::size(Columns::kPhases);
  if (h.empty() || h[0] != "point") throw bad("the first column must be \"point\"");
  auto status = std::find(h.begin(), h.end(), "status");
  if (status == h.end() || status + 1 == h.end() || status[1] != "error")
    throw bad("expected the columns \"status\",\"error\" after the axes");
  if (static_cast<std::size_t>(h.end() - status) < 2 + n_phases) throw bad("the bottleneck columns are missing");
  for (std::size_t k = 0; k < n_phases; k++)
    if (h[h.size() - n_phases + k] != bottleneck_column(Columns::kPhases[k]))
      throw bad("expected the last columns to be the bottlenecks");
  Columns c;
  c.axes.assign(h.begin() + 1, status);
  c.figures.assign(status + 2, h.end() - static_cast<long>(n_phases));
  return c;
}

Row csv_row(const std::vector<std::string>& rec, const Columns& c, const std::string& where)
{
  std::size_t n_phases = std::size(Columns::kPhases);
  if (rec.size() != 3 + c.axes.size() + c.figures.size() + n_phases)
    throw std::invalid_argument(where + ": " + std::to_string(rec.size()) + " fields, the header has " +
                                std::to_string(3 + c.axes.size() + c.figures.size() + n_phases));
  Row row;
  auto point = number_of(rec[0], where + ": point");
  if (!point || *point < 0 || *point != std::floor(*point))
    throw std::invalid_argument(where + ": point must be a whole number, got \"" + rec[0] + "\"");
  row.point     = static_cast<std::size_t>(*point);
  std::size_t k = 1;
  for (; k <= c.axes.size(); k++)
    row.axes.push_back(rec[k]);
  row.status = rec[k++];
  check_status(row.status, where);
  if (!rec[k].empty()) row.error = rec[k];
  k++;
  for (auto const& name : c.figures)
    row.figures.push_back(number_of(rec[k++], where + ": " + name));
  for (; k < rec.size(); k++)
    row.bottleneck.push_back(rec[k]);
  return row;
}

Row jsonl_row(const ordered_json& j, Columns& c, bool first, const std::string& where)
{
  auto bad = [&](const std::string& why) { return std::invalid_argument(where + ": " + why); };
  if (!j.is_object()) throw bad("expected an object");
  for (auto const& [k, v] : j.items())
    if (k != "point" && k != "axes" && k != "status" && k != "error" && k != "figures" && k != "bottleneck")
      throw bad("unknown field \"" + k + "\"");
  if (!j.contains("point") || !j["point"].is_number_unsigned()) throw bad("point: expected a whole number");
  if (!j.contains("axes") || !j["axes"].is_object()) throw bad("axes: expected an object");
  if (!j.contains("figures") || !j["figures"].is_object()) throw bad("figures: expected an object");
  if (!j.contains("status") || !j["status"].is_string()) throw bad("status: expected a string");
  Columns mine;
  for (auto const& [k, v] : j["axes"].items())
    mine.axes.push_back(k);
  for (auto const& [k, v] : j["figures"].items())
    mine.figures.push_back(k);
  if (first) c = mine;
  if (!(mine == c)) throw bad("its axes or figures are not those of the file's first row");
  Row row;
  row.point  = j["point"].get<std::size_t>();
  row.status = j["status"].get<std::string>();
  check_status(row.status, where);
  if (j.contains("error") && !j["error"].is_null()) {
    if (!j["error"].is_string()) throw bad("error: expected a string or null");
    row.error = j["error"].get<std::string>();
  }
  for (auto const& [k, v] : j["axes"].items()) {
    if (!v.is_string()) throw bad("axes." + k + ": expected a string");
    row.axes.push_back(v.get<std::string>());
  }
  for (auto const& [k, v] : j["figures"].items()) {
    if (!v.is_null() && !v.is_number()) throw bad("figures." + k + ": expected a number or null");
    row.figures.push_back(v.is_null() ? std::nullopt : std::optional<double>(v.get<double>()));
  }
  for (auto const* phase : Columns::kPhases) {
    auto const* b = j.contains("bottleneck") && j["bottleneck"].contains(phase) ? &j["bottleneck"][phase] : nullptr;
    if (b && !b->is_string()) throw bad(std::string("bottleneck.") + phase + ": expected a string");
    row.bottleneck.push_back(b ? b->get<std::string>() : "");
  }
  return row;
}

} // namespace

RowsFile read_rows(const std::string& file)
{
  Format f = format_of(file);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::invalid_argument(file + ": cannot open the file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  RowsFile out;
  if (text.empty()) return out;
  if (f == Format::Csv) {
    bool complete = true;
    auto recs     = csv_records(text, complete, file);
    out.truncated = !complete;
    if (recs.empty()) return out;
    out.columns = csv_columns(recs[0], file);
    for (std::size_t i = 1; i < recs.size(); i++)
      out.rows.push_back(csv_row(recs[i], out.columns, file + ": record " + std::to_string(i + 1)));
    return out;
  }
  std::size_t line = 0;
  for (std::size_t at = 0; at < text.size(); line++) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) {
      out.truncated = true; // killed while writing: the point runs again
      break;
    }
    std::string where = file + ": line " + std::to_string(line + 1);
    ordered_json j;
    try {
      j = ordered_json::parse(text.substr(at, nl - at));
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument(where + ": not a JSON object");
    }
    out.rows.push_back(jsonl_row(j, out.columns, line == 0, where));
    at = nl + 1;
  }
  return out;
}

std::string rows_text(Format f, const Columns& c, std::vector<Row> rows)
{
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.point < b.point; });
  std::string out = header_line(f, c);
  for (auto const& r : rows)
    out += row_line(f, r, c);
  return out;
}

} // namespace ibmig::sweep
