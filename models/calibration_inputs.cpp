#include "calibration_inputs.hpp"

#include "input_file.hpp"
#include "scenario_error.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

using nlohmann::json;

namespace ibmig {
namespace {

constexpr std::uintmax_t kMaxInputBytes = 64 << 20; // a measurement is a few KiB; refuse /dev/zero and the like

std::string read_text(const std::string& file)
{
  return read_input_text(file, kMaxInputBytes, "not a measurement output");
}

/* Not the scenario's strict reader: the tools' own output is taken as they write it (iperf3 3.12 -J writes
 * start.sock_bufsize twice; the last one is kept, as nlohmann does). */
json read_json_file(const std::string& file, const std::string& what)
{
  const std::string text = read_text(file);
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    std::string why = e.what();
    if (auto bracket = why.find("] "); why.rfind("[json.exception", 0) == 0 && bracket != std::string::npos)
      why = why.substr(bracket + 2);
    throw ScenarioError(file, "", "not valid JSON (expected " + what + "): " + why);
  }
  if (!doc.is_object()) throw ScenarioError(file, "", "expected " + what + ", got a JSON " + doc.type_name());
  return doc;
}

/* Walks a JSON path of object keys and checks the leaf's type, naming the path when it is missing. */
const json& at_path(const json& doc, const std::string& file, const std::vector<std::string>& keys,
                    const std::string& expect)
{
  const json* v = &doc;
  std::string path;
  for (auto const& k : keys) {
    path += (path.empty() ? "" : ".") + k;
    if (!v->is_object() || !v->contains(k)) throw ScenarioError(file, path, "missing (expected " + expect + ")");
    v = &v->at(k);
  }
  return *v;
}

double positive_number(const json& v, const std::string& file, const std::string& path)
{
  if (!v.is_number()) throw ScenarioError(file, path, "expected a number, got " + v.dump());
  double x = v.get<double>();
  if (!(x > 0) || !std::isfinite(x)) throw ScenarioError(file, path, "expected a positive number, got " + v.dump());
  return x;
}

std::string opt_string(const json& doc, std::initializer_list<const char*> keys)
{
  const json* v = &doc;
  for (const char* k : keys) {
    if (!v->is_object() || !v->contains(k)) return "";
    v = &v->at(k);
  }
  return v->is_string() ? v->get<std::string>() : "";
}

} // namespace

IperfRun read_iperf3(const std::string& file)
{
  json doc = read_json_file(file, "the output of iperf3 -J");
  if (doc.contains("error") && doc["error"].is_string())
    throw ScenarioError(file, "error", "iperf3 reported an error: " + doc["error"].get<std::string>());
  IperfRun r;
  r.file            = file;
  const json& n     = at_path(doc, file, {"start", "test_start", "num_streams"}, "the number of streams");
  const double nstr = positive_number(n, file, "start.test_start.num_streams");
  if (!n.is_number_integer() || nstr > 1024)
    throw ScenarioError(file, "start.test_start.num_streams", "expected a whole number of streams, got " + n.dump());
  r.streams  = static_cast<int>(nstr);
  r.received = BitsPerSecond{positive_number(
      at_path(doc, file, {"end", "sum_received", "bits_per_second"}, "the receiver's rate (iperf3 -J, TCP test)"), file,
      "end.sum_received.bits_per_second")};
  r.duration = Seconds{positive_number(at_path(doc, file, {"end", "sum_received", "seconds"}, "seconds"), file,
                                       "end.sum_received.seconds")};
  r.host     = opt_string(doc, {"start", "connecting_to", "host"});
  r.when     = opt_string(doc, {"start", "timestamp", "time"});
  return r;
}

FioRun read_fio(const std::string& file)
{
  json doc         = read_json_file(file, "the output of fio --output-format=json");
  const json& jobs = at_path(doc, file, {"jobs"}, "fio's list of jobs");
  if (!jobs.is_array() || jobs.empty()) throw ScenarioError(file, "jobs", "expected a non-empty list of fio jobs");
  std::map<long long, double> write_by_group, read_by_group;
  FioRun r;
  r.file = file;
  r.when = opt_string(doc, {"time"});
  for (size_t i = 0; i < jobs.size(); i++) {
    const std::string path = "jobs[" + std::to_string(i) + "]";
    const json& j          = jobs[i];
    if (!j.is_object()) throw ScenarioError(file, path, "expected a fio job object");
    long long group = j.contains("groupid") && j["groupid"].is_number_integer() ? j["groupid"].get<long long>() : 0;
    std::string did;
    for (auto [dir, sums] : {std::pair{"write", &write_by_group}, std::pair{"read", &read_by_group}}) {
      if (!j.contains(dir)) throw ScenarioError(file, path + "." + dir, "missing (expected fio's per-job figures)");
      const json& bw = at_path(j, file, {dir, "bw_bytes"}, "bandwidth in bytes/s");
      if (!bw.is_number() || bw.get<double>() < 0 || !std::isfinite(bw.get<double>()))
        throw ScenarioError(file, path + "." + dir + ".bw_bytes", "expected a number of bytes/s, got " + bw.dump());
      if (bw.get<double>() > 0) {
        (*sums)[group] += bw.get<double>();
        did += (did.empty() ? "" : "+") + std::string(dir);
      }
    }
    std::string name = j.contains("jobname") && j["jobname"].is_string() ? j["jobname"].get<std::string>() : path;
    std::string bs   = opt_string(j, {"job options", "bs"});
    if (bs.empty()) bs = opt_string(doc, {"global options", "bs"});
    r.jobs += (r.jobs.empty() ? "" : ", ") + name + " (" + (did.empty() ? "no I/O" : did) +
              (bs.empty() ? "" : ", bs " + bs) + ")";
  }
  auto best = [](const std::map<long long, double>& m) -> std::optional<BytesPerSecond> {
    double b = 0;
    for (auto const& [g, v] : m)
      b = std::max(b, v);
    if (b <= 0) return std::nullopt;
    return BytesPerSecond{b};
  };
  r.write = best(write_by_group);
  r.read  = best(read_by_group);
  if (!r.write && !r.read) throw ScenarioError(file, "jobs", "no job wrote or read anything (every bw_bytes is 0)");
  return r;
}

PerftestRun read_ib_write_bw(const std::string& file)
{
  std::istringstream lines(read_text(file));
  int n = 0, header = 0;
  for (std::string line; std::getline(lines, line);) {
    n++;
    if (line.find("#bytes") != std::string::npos && line.find("BW average") != std::string::npos) {
      header = n;
      continue;
    }
    if (!header) continue;
    std::istringstream fields(line);
    double bytes = 0, peak = 0, average = 0;
    long long iterations = 0;
    if (!(fields >> bytes >> iterations >> peak >> average)) continue; // separator lines
    if (!(bytes > 0 && iterations > 0 && average > 0 && peak >= 0))
      throw ScenarioError(file, "line " + std::to_string(n), "expected positive #bytes, #iterations and BW figures");
    PerftestRun r;
    r.file       = file;
    r.message    = Bytes{bytes};
    r.iterations = iterations;
    r.peak       = BytesPerSecond{peak * 1048576};
    r.average    = BytesPerSecond{average * 1048576};
    r.line       = n;
    return r;
  }
  if (!header)
    throw ScenarioError(file, "",
                        "no ib_write_bw result table (a line \"#bytes #iterations BW peak[MB/sec] BW "
                        "average[MB/sec] ...\")");
  throw ScenarioError(file, "line " + std::to_string(header), "the ib_write_bw table has no result row");
}

std::optional<Bytes> parse_dd_size(const std::string& text)
{
  static const std::regex form("([0-9]+)([a-zA-Z]*)");
  std::smatch m;
  if (!std::regex_match(text, m, form) || m[1].length() > 15) return std::nullopt;
  static const std::map<std::string, double> suffix = {
      {"", 1},        {"c", 1},         {"w", 2},     {"b", 512},     {"k", 1024},      {"K", 1024},
      {"KiB", 1024},  {"kB", 1000},     {"KB", 1000}, {"M", 1 << 20}, {"MiB", 1 << 20}, {"MB", 1e6},
      {"G", 1 << 30}, {"GiB", 1 << 30}, {"GB", 1e9},  {"xM", 1 << 20}};
  auto it = suffix.find(m[2].str());
  if (it == suffix.end()) return std::nullopt;
  double v = std::stod(m[1].str()) * it->second;
  if (!(v > 0)) return std::nullopt;
  return Bytes{v};
}

std::vector<DdRun> read_dd(const std::string& file)
{
  // GNU dd: "268435456 bytes (268 MB, 256 MiB) copied, 2.3 s, 117 MB/s"; older: "... copied, 2.3 s, 117 MB/s".
  static const std::regex summary(R"(^\s*([0-9]+) bytes? (\(.*\) )?copied, ([0-9.eE+-]+) s, .*$)");
  static const std::regex command(R"((^|[\s$#>])dd\s.*)");
  static const std::regex bs_arg(R"((^|\s)(o?bs)=(\S+))");
  std::istringstream lines(read_text(file));
  std::vector<DdRun> out;
  std::optional<Bytes> bs;
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    n++;
    std::smatch m;
    if (std::regex_search(line, m, command) && line.find(" copied, ") == std::string::npos) {
      bs.reset();
      for (auto it = std::sregex_iterator(line.begin(), line.end(), bs_arg); it != std::sregex_iterator(); ++it) {
        auto size = parse_dd_size((*it)[3].str());
        if (!size)
          throw ScenarioError(file, "line " + std::to_string(n),
                              "cannot read the block size \"" + (*it)[3].str() + "\" of the dd command");
        if ((*it)[2].str() == "bs" || !bs) bs = size; // obs= is what reaches the mount; bs= sets both
      }
      continue;
    }
    if (!std::regex_match(line, m, summary)) continue;
    DdRun r;
    r.file       = file;
    r.line       = n;
    r.bytes      = Bytes{std::stod(m[1].str())};
    r.seconds    = Seconds{std::stod(m[3].str())};
    r.block_size = bs;
    if (!(r.bytes.value > 0 && r.seconds.value > 0))
      throw ScenarioError(file, "line " + std::to_string(n), "a dd that copied nothing, or in no time: " + line);
    out.push_back(r);
  }
  if (out.empty()) throw ScenarioError(file, "", "no dd summary line (\"N bytes (...) copied, T s, R MB/s\")");
  return out;
}

EmulateReport read_emulate_report(const std::string& file)
{
  json doc         = read_json_file(file, "the report of ibmig emulate --json");
  const json& tool = at_path(doc, file, {"tool"}, "\"emulate\"");
  if (tool != "emulate")
    throw ScenarioError(file, "tool",
                        "expected a report of ibmig emulate, got tool " + tool.dump() +
                            (tool == "simulate" ? " (a prediction, not a measurement)" : ""));
  EmulateReport r;
  r.file          = file;
  r.scenario      = opt_string(doc, {"scenario"});
  r.scenario_file = opt_string(doc, {"scenario_file"});
  const json& arr = at_path(doc, file, {"steps"}, "the replayed steps");
  if (!arr.is_array()) throw ScenarioError(file, "steps", "expected a list of steps");
  for (size_t i = 0; i < arr.size(); i++) {
    const std::string path = "steps[" + std::to_string(i) + "]";
    const json& s          = arr[i];
    EmulatedStep st;
    st.json_path = path;
    for (auto [key, out] : {std::pair{"name", &st.name}, std::pair{"action", &st.action}}) {
      const json& v = at_path(s, file, {key}, "text");
      if (!v.is_string()) throw ScenarioError(file, path + "." + key, "expected a string, got " + v.dump());
      *out = v.get<std::string>();
    }
    st.ok       = s.contains("outcome") && s["outcome"] == "ok";
    st.measured = s.contains("timing") && s["timing"] == "measured";
    if (s.contains("machine_s") && !s["machine_s"].is_null()) {
      const json& m = s["machine_s"];
      if (!m.is_number() || m.get<double>() < 0)
        throw ScenarioError(file, path + ".machine_s", "expected seconds (a number >= 0), got " + m.dump());
      st.machine_s = m.get<double>();
    }
    r.steps.push_back(st);
  }
  return r;
}

} // namespace ibmig
