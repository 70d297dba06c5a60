#include "report.hpp"

#include <algorithm>
#include <cctype>

#include <cstdarg>
#include <cstdio>
#include <iomanip>
#include <map>
#include <stdexcept>

using nlohmann::json;

namespace ibmig {

namespace {

/* The words of a closed vocabulary, in the order of its enumerators. */
constexpr const char* outcome_words[]  = {"ok", "failed"};
constexpr const char* timing_words[]   = {"simulated", "measured", "emulated-wait"};
constexpr const char* severity_words[] = {"warning", "error"};
constexpr const char* origin_words[]   = {"check", "simulation", "emulation"};

template <class E, size_t N> E parse_word(const char* const (&words)[N], const std::string& word, const char* what)
{
  std::string accepted;
  for (size_t i = 0; i < N; i++) {
    if (word == words[i]) return static_cast<E>(i);
    accepted += std::string(i ? ", \"" : "\"") + words[i] + "\"";
  }
  throw std::invalid_argument("unknown " + std::string(what) + " \"" + word + "\" (expected " + accepted + ")");
}

/* A closed-vocabulary field of a report object, with its JSON path in the error. */
template <class E> E word_at(const json& j, const char* key, const std::string& path, E (*parse)(const std::string&))
{
  try {
    return parse(j.at(key).get<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + "." + key + ": " + e.what());
  }
}

/* printf into a string of any length: step details and VM lists can outgrow any fixed buffer. */
__attribute__((format(printf, 1, 2))) std::string formatted(const char* fmt, ...)
{
  va_list args, again;
  va_start(args, fmt);
  va_copy(again, args);
  int n = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  std::string text(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(text.data(), text.size() + 1, fmt, again);
  va_end(again);
  return text;
}
json opt(const std::optional<double>& v)
{
  return v ? json(*v) : json(nullptr);
}
std::optional<double> opt_get(const json& j, const char* key)
{
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return j.at(key).get<double>();
}

json downtime_json(const DowntimeEntry& d)
{
  json by_step = json::array();
  for (auto const& b : d.by_step)
    by_step.push_back({{"step", b.step}, {"seconds", b.seconds}});
  json iv = json::array();
  for (auto const& i : d.intervals)
    iv.push_back({{"start_s", i.start_s}, {"end_s", i.end_s}, {"reason", i.reason}});
  return {{"name", d.name},        {"seconds", d.seconds}, {"p50_s", opt(d.p50_s)},
          {"p95_s", opt(d.p95_s)}, {"by_step", by_step},   {"intervals", iv}};
}

DowntimeEntry downtime_from(const json& j)
{
  DowntimeEntry d;
  d.name    = j.at("name");
  d.seconds = j.at("seconds");
  d.p50_s   = opt_get(j, "p50_s");
  d.p95_s   = opt_get(j, "p95_s");
  for (auto const& b : j.at("by_step"))
    d.by_step.push_back({b.at("step"), b.at("seconds")});
  for (auto const& i : j.at("intervals"))
    d.intervals.push_back({i.at("start_s"), i.at("end_s"), i.at("reason")});
  return d;
}

json finding_json(const CheckFinding& c)
{
  return {{"rule", c.rule}, {"severity", to_string(c.severity)}, {"message", c.message}, {"step", c.step}};
}

CheckFinding finding_from(const json& c, const std::string& path)
{
  return {c.at("rule"), word_at(c, "severity", path, parse_severity), c.at("message"), c.at("step"),
          c.contains("origin") ? word_at(c, "origin", path, parse_finding_origin) : FindingOrigin::Check};
}

/* A comparison row's "verdict": the words for `within` false and true. */
constexpr const char* verdict_words[] = {"DISAGREE: off by more than the tolerance", "within tolerance"};
bool parse_within(const std::string& word)
{
  return parse_word<bool>(verdict_words, word, "comparison verdict");
}

/* The emulate sections, each a top-level key of the report. */
void add_emulation_json(const EmulationSections& e, json& out)
{
  out["run"]           = {{"time_scale", e.run.time_scale},
                          {"rate_scale", e.run.rate_scale},
                          {"write_bytes", e.run.write_bytes.value},
                          {"read_file_bytes", e.run.read_file_bytes.value},
                          {"small_files", e.run.small_files},
                          {"bricks", e.run.bricks},
                          {"id", e.run.id},
                          {"state_file", e.run.state_file}};
  out["workload_mode"] = e.workload_mode;
  if (e.plan_checker) {
    json fresh = json::array();
    for (auto const& f : e.plan_checker->new_findings)
      fresh.push_back(finding_json(f));
    out["plan_checker"] = {{"mistakes", e.plan_checker->mistakes},
                           {"flagged", e.plan_checker->flagged},
                           {"new_findings", fresh},
                           {"note", e.plan_checker->note}};
  }
  out["verification"] = to_json(e.verification);
  out["failed"]       = e.failed;
  if (e.comparison) {
    json rows = json::array();
    for (auto const& c : *e.comparison)
      rows.push_back({{"metric", c.metric},
                      {"predicted", c.predicted},
                      {"measured", c.measured},
                      {"error_pct", c.error_pct},
                      {"tolerance_pct", c.tolerance_pct},
                      {"verdict", c.verdict()},
                      {"note", c.note}});
    out["comparison"] = rows;
  }
  if (!e.rdma.is_null()) out["rdma"] = e.rdma;
}

EmulationSections emulation_from(const json& j)
{
  EmulationSections e;
  auto const& run = j.at("run");
  e.run           = {run.at("time_scale"),
                     Bytes{run.at("write_bytes")},
                     Bytes{run.at("read_file_bytes")},
                     run.at("small_files"),
                     run.at("bricks"),
                     run.at("id"),
                     run.at("state_file"),
                     run.value("rate_scale", 1.0)}; // absent in reports written before --rate-scale
  e.workload_mode = j.at("workload_mode");
  if (j.contains("plan_checker")) {
    auto const& pc = j.at("plan_checker");
    PlanCheckerInfo info{pc.at("mistakes"), pc.at("flagged"), {}, pc.at("note")};
    for (size_t i = 0; i < pc.at("new_findings").size(); i++)
      info.new_findings.push_back(
          finding_from(pc.at("new_findings").at(i), "plan_checker.new_findings[" + std::to_string(i) + "]"));
    e.plan_checker = info;
  }
  e.verification = verification_from_json(j.at("verification"));
  e.failed       = j.at("failed");
  if (j.contains("comparison")) {
    e.comparison.emplace();
    for (size_t i = 0; i < j.at("comparison").size(); i++) {
      auto const& c = j.at("comparison").at(i);
      e.comparison->push_back(
          {c.at("metric"), c.at("predicted"), c.at("measured"), c.at("error_pct"), c.at("tolerance_pct"),
           word_at(c, "verdict", "comparison[" + std::to_string(i) + "]", parse_within), c.at("note")});
    }
  }
  if (j.contains("rdma")) e.rdma = j.at("rdma");
  return e;
}
} // namespace

const char* ComparisonRow::verdict() const
{
  return verdict_words[within ? 1 : 0];
}

const char* to_string(StepOutcome o)
{
  return outcome_words[static_cast<size_t>(o)];
}
const char* to_string(StepTiming t)
{
  return timing_words[static_cast<size_t>(t)];
}
const char* to_string(Severity s)
{
  return severity_words[static_cast<size_t>(s)];
}
const char* to_string(FindingOrigin o)
{
  return origin_words[static_cast<size_t>(o)];
}
StepOutcome parse_step_outcome(const std::string& word)
{
  return parse_word<StepOutcome>(outcome_words, word, "step outcome");
}
StepTiming parse_step_timing(const std::string& word)
{
  return parse_word<StepTiming>(timing_words, word, "step timing");
}
Severity parse_severity(const std::string& word)
{
  return parse_word<Severity>(severity_words, word, "severity");
}
FindingOrigin parse_finding_origin(const std::string& word)
{
  return parse_word<FindingOrigin>(origin_words, word, "finding origin");
}

namespace {
bool is_assumption(std::string source)
{
  std::transform(source.begin(), source.end(), source.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return source.find("assumption") != std::string::npos;
}
} // namespace

bool ClientFigures::rests_on_assumption() const
{
  return is_assumption(bottleneck_source);
}

bool StepReport::rests_on_assumption() const
{
  return is_assumption(duration_source);
}

Verdict verdict(const Report& r)
{
  Verdict v;
  for (auto const& s : r.steps)
    v.failed_steps += s.outcome != StepOutcome::Ok;
  for (auto const& c : r.checks) // the simulation's own findings are counted by what they are (steps, heal-risk)
  {
    v.checker_errors += c.severity == Severity::Error && c.origin == FindingOrigin::Check;
    v.model_differences += c.origin == FindingOrigin::Emulation && c.rule == "EMULATION_DIFFERS";
  }
  for (auto const& e : r.events) {
    v.unserved_write_events += e.kind == "heal-risk";
    v.split_brain += e.kind == "split-brain-risk" || e.kind == "split-brain";
  }
  v.runs_with_failed_steps = r.runs_with_failed_steps.value_or(0);
  if (r.emulation) v.bytes_lost = static_cast<double>(r.emulation->verification.bytes_lost);
  return v;
}

std::string Verdict::summary() const
{
  if (ok()) return "Result: OK: every step succeeded, the plan check found no error, every write kept a serving copy";
  std::vector<std::string> why;
  auto count = [](int n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); };
  if (failed_steps) why.push_back(count(failed_steps, "step failed", "steps failed"));
  if (checker_errors) why.push_back(count(checker_errors, "plan check error", "plan check errors"));
  if (unserved_write_events)
    why.push_back(count(unserved_write_events, "time writes were left with no serving copy (heal-risk)",
                        "times writes were left with no serving copy (heal-risk)"));
  if (runs_with_failed_steps)
    why.push_back(
        count(runs_with_failed_steps, "Monte Carlo run had a failed step", "Monte Carlo runs had a failed step"));
  if (model_differences)
    why.push_back(count(model_differences, "difference between the emulated cluster and the model",
                        "differences between the emulated cluster and the model"));
  if (bytes_lost > 0) why.push_back(formatted("%.0f bytes lost", bytes_lost));
  if (split_brain)
    why.push_back(count(split_brain, "split-brain (copies that no heal can reconcile)",
                        "split-brains (copies that no heal can reconcile)"));
  std::string text = "Result: FAILED: ";
  for (size_t i = 0; i < why.size(); i++)
    text += (i ? ", " : "") + why[i];
  return text;
}

json to_json(const Verification& v)
{
  return {{"files", v.files},
          {"bytes_verified", v.bytes_verified},
          {"bytes_lost", v.bytes_lost},
          {"problems", v.problems},
          {"method", v.method}};
}

Verification verification_from_json(const json& v)
{
  return {v.at("files"), v.at("bytes_verified"), v.at("bytes_lost"), v.at("problems"), v.at("method")};
}

json to_json(const Report& r)
{
  json phases = json::array();
  for (auto const& p : r.phases) {
    json clients = json::array();
    for (auto const& c : p.clients)
      clients.push_back({{"name", c.name},
                         {"node", c.node},
                         {"write_MBps", c.write_MBps},
                         {"read_MBps", c.read_MBps},
                         {"small_files_per_s", c.small_files_per_s},
                         {"replicas", c.replicas},
                         {"replicas_local", c.replicas_local},
                         {"nic_bytes_per_byte_written", c.nic_bytes_per_byte_written},
                         {"bottleneck", c.bottleneck},
                         {"bottleneck_source", c.bottleneck_source},
                         {"rests_on_assumption", c.rests_on_assumption()}});
    phases.push_back({{"name", p.name},
                      {"start_s", p.start_s},
                      {"end_s", p.end_s},
                      {"aggregate_write_MBps", p.aggregate_write_MBps},
                      {"aggregate_read_MBps", p.aggregate_read_MBps},
                      {"bottleneck", p.bottleneck},
                      {"clients", clients}});
  }
  json nics = json::array();
  for (auto const& n : r.nics) {
    json ph = json::array();
    for (auto const& p : n.phases)
      ph.push_back({{"phase", p.phase}, {"tx_bytes", p.tx_bytes}, {"rx_bytes", p.rx_bytes}});
    nics.push_back({{"node", n.node}, {"interface", n.interface}, {"network", n.network}, {"phases", ph}});
  }
  json vols = json::array(), vms = json::array();
  for (auto const& d : r.volume_downtime)
    vols.push_back(downtime_json(d));
  for (auto const& d : r.vm_downtime)
    vms.push_back(downtime_json(d));
  json steps = json::array();
  for (auto const& s : r.steps)
    steps.push_back({{"name", s.name},
                     {"action", s.action},
                     {"start_s", s.start_s},
                     {"end_s", s.end_s},
                     {"outcome", to_string(s.outcome)},
                     {"detail", s.detail},
                     {"timing", to_string(s.timing)},
                     {"machine_s", opt(s.machine_s)},
                     {"duration_source", s.duration_source},
                     {"rests_on_assumption", s.rests_on_assumption()}});
  json checks = json::array();
  for (auto const& c : r.checks) {
    checks.push_back(finding_json(c));
    checks.back()["origin"] = to_string(c.origin);
  }
  json events = json::array();
  for (auto const& e : r.events)
    events.push_back({{"t_s", e.t_s}, {"kind", e.kind}, {"message", e.message}});
  json faults = json::array();
  for (auto const& f : r.faults)
    faults.push_back({{"node", f.node},
                      {"json_path", f.json_path},
                      {"crashed_s", f.crashed_s},
                      {"back_s", opt(f.back_s)},
                      {"healed_s", opt(f.healed_s)},
                      {"heal_s", opt(f.heal_s)},
                      {"split_brain", f.split_brain}});
  json migrations = json::array();
  for (auto const& m : r.migrations)
    migrations.push_back({{"vm", m.vm},
                          {"step", m.step},
                          {"from", m.from},
                          {"to", m.to},
                          {"network", m.network},
                          {"precopy_rounds", m.precopy_rounds},
                          {"bytes", m.bytes},
                          {"seconds", m.seconds},
                          {"pause_s", m.pause_s},
                          {"completed", m.completed},
                          {"why_not", m.why_not}});
  json out = {{"reportVersion", 1},
              {"tool", r.tool},
              {"scenario", r.scenario},
              {"scenario_file", r.scenario_file},
              {"runs", r.runs},
              {"seed", r.seed},
              {"plan_duration_s", r.plan_duration_s},
              {"plan_duration_p50_s", opt(r.plan_duration_p50_s)},
              {"plan_duration_p95_s", opt(r.plan_duration_p95_s)},
              {"runs_with_failed_steps", r.runs_with_failed_steps ? json(*r.runs_with_failed_steps) : json(nullptr)},
              {"phases", phases},
              {"nics", nics},
              {"downtime", {{"volumes", vols}, {"vms", vms}}},
              {"steps", steps},
              {"checks", checks},
              {"events", events},
              {"faults", faults},
              {"migrations", migrations}};
  if (r.emulation) add_emulation_json(*r.emulation, out);
  if (r.topology) out["topology"] = to_json(*r.topology);
  // Derived, for a CI job reading the file; report_from_json recomputes it rather than trusting it.
  Verdict v      = verdict(r);
  out["verdict"] = {{"ok", v.ok()},
                    {"failed_steps", v.failed_steps},
                    {"checker_errors", v.checker_errors},
                    {"unserved_write_events", v.unserved_write_events},
                    {"runs_with_failed_steps", v.runs_with_failed_steps},
                    {"model_differences", v.model_differences},
                    {"split_brain", v.split_brain},
                    {"summary", v.summary()}};
  return out;
}

Report report_from_json(const json& j)
{
  Report r;
  r.tool                = j.at("tool");
  r.scenario            = j.at("scenario");
  r.scenario_file       = j.at("scenario_file");
  r.runs                = j.at("runs");
  r.seed                = j.at("seed");
  r.plan_duration_s     = j.at("plan_duration_s");
  r.plan_duration_p50_s = opt_get(j, "plan_duration_p50_s");
  r.plan_duration_p95_s = opt_get(j, "plan_duration_p95_s");
  if (j.contains("runs_with_failed_steps") && !j.at("runs_with_failed_steps").is_null())
    r.runs_with_failed_steps = j.at("runs_with_failed_steps").get<int>();
  for (auto const& p : j.at("phases")) {
    PhaseReport ph{p.at("name"),
                   p.at("start_s"),
                   p.at("end_s"),
                   p.at("aggregate_write_MBps"),
                   p.at("aggregate_read_MBps"),
                   p.at("bottleneck"),
                   {}};
    for (auto const& c : p.at("clients"))
      ph.clients.push_back({c.at("name"), c.at("node"), c.at("write_MBps"), c.at("read_MBps"),
                            c.at("small_files_per_s"), c.at("replicas"), c.at("replicas_local"),
                            c.at("nic_bytes_per_byte_written"), c.at("bottleneck"),
                            c.value("bottleneck_source", "")}); // absent in reports written before it existed
    r.phases.push_back(ph);
  }
  for (auto const& n : j.at("nics")) {
    NicReport nr{n.at("node"), n.at("interface"), n.at("network"), {}};
    for (auto const& p : n.at("phases"))
      nr.phases.push_back({p.at("phase"), p.at("tx_bytes"), p.at("rx_bytes")});
    r.nics.push_back(nr);
  }
  for (auto const& d : j.at("downtime").at("volumes"))
    r.volume_downtime.push_back(downtime_from(d));
  for (auto const& d : j.at("downtime").at("vms"))
    r.vm_downtime.push_back(downtime_from(d));
  for (size_t i = 0; i < j.at("steps").size(); i++) {
    auto const& s    = j.at("steps").at(i);
    std::string path = "steps[" + std::to_string(i) + "]";
    r.steps.push_back({s.at("name"), s.at("action"), s.at("start_s"), s.at("end_s"),
                       word_at(s, "outcome", path, parse_step_outcome), s.at("detail"),
                       word_at(s, "timing", path, parse_step_timing), opt_get(s, "machine_s"),
                       s.value("duration_source", std::string())});
  }
  for (size_t i = 0; i < j.at("checks").size(); i++)
    r.checks.push_back(finding_from(j.at("checks").at(i), "checks[" + std::to_string(i) + "]"));
  for (auto const& e : j.at("events"))
    r.events.push_back({e.at("t_s"), e.at("kind"), e.at("message")});
  if (j.contains("faults")) // absent in reports written before it existed
    for (auto const& f : j.at("faults"))
      r.faults.push_back({f.at("node"), f.at("json_path"), f.at("crashed_s"), opt_get(f, "back_s"),
                          opt_get(f, "healed_s"), opt_get(f, "heal_s"),
                          f.at("split_brain").get<std::vector<std::string>>()});
  if (j.contains("migrations")) // absent in reports written before it existed
    for (auto const& m : j.at("migrations"))
      r.migrations.push_back({m.at("vm"), m.at("step"), m.at("from"), m.at("to"), m.at("network"),
                              m.at("precopy_rounds"), m.at("bytes"), m.at("seconds"), m.at("pause_s"),
                              m.at("completed"), m.at("why_not")});
  static const char* known[] = {"reportVersion",
                                "tool",
                                "scenario",
                                "scenario_file",
                                "runs",
                                "seed",
                                "plan_duration_s",
                                "plan_duration_p50_s",
                                "plan_duration_p95_s",
                                "runs_with_failed_steps",
                                "verdict",
                                "phases",
                                "nics",
                                "downtime",
                                "steps",
                                "checks",
                                "events",
                                "faults",
                                "migrations",
                                "topology"};
  // The sections of EmulationSections.
  static const char* emulate_only[] = {"run",    "workload_mode", "plan_checker", "verification",
                                       "failed", "comparison",    "rdma"};
  bool emulated                     = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool k = false, e = false;
    for (auto* n : known)
      k |= it.key() == n;
    for (auto* n : emulate_only)
      e |= it.key() == n;
    emulated |= e;
    if (!k && !e) throw std::invalid_argument("report: unknown key \"" + it.key() + "\"");
  }
  if (emulated) r.emulation = emulation_from(j);
  if (j.contains("topology")) r.topology = report_topology_from_json(j.at("topology")); // absent before it existed
  return r;
}

void print_checks(const std::vector<CheckFinding>& checks, std::ostream& out)
{
  if (checks.empty()) {
    out << "Plan check: no problems found.\n";
    return;
  }
  out << "Plan check: " << checks.size() << " finding(s)\n";
  for (auto const& c : checks)
    out << "  " << std::left << std::setw(7) << to_string(c.severity) << " " << c.rule
        << (c.origin == FindingOrigin::Check ? "" : " (" + std::string(to_string(c.origin)) + ")")
        << (c.step.empty() ? "" : " [" + c.step + "]") << ": " << c.message << "\n";
}

void print_report(const Report& r, std::ostream& out)
{
  out << "ibmig " << r.tool << ": " << r.scenario << " (" << r.scenario_file << ")\n";
  out << formatted("Plan duration: %.1f s (%.1f min)", r.plan_duration_s, r.plan_duration_s / 60);
  if (r.plan_duration_p50_s)
    out << formatted("; over %d runs: P50 %.1f s, P95 %.1f s", r.runs, *r.plan_duration_p50_s, *r.plan_duration_p95_s);
  if (r.runs_with_failed_steps)
    out << formatted("; %d of %d runs had a failed step", *r.runs_with_failed_steps, r.runs);
  out << "\n\nPhases (MB = 10^6 bytes):\n";
  for (auto const& p : r.phases) {
    out << formatted("  %-36s %9.1f-%9.1f s  write %8.1f MB/s  read %8.1f MB/s  limit: %s\n", p.name.c_str(), p.start_s,
                     p.end_s, p.aggregate_write_MBps, p.aggregate_read_MBps,
                     p.bottleneck.empty() ? "-" : p.bottleneck.c_str());
  }
  // Per-client detail for the first and last phases: before and after the migration.
  for (size_t k = 0; k < r.phases.size(); k += std::max<size_t>(1, r.phases.size() - 1)) {
    auto const& p = r.phases[k];
    out << "\nClients in phase \"" << p.name << "\":\n";
    out << formatted("  %-12s %-8s %10s %10s %9s %8s %10s  %s\n", "vm", "node", "write MB/s", "read MB/s", "files/s",
                     "local", "NIC B/B", "limit");
    for (auto const& c : p.clients) {
      out << formatted("  %-12s %-8s %10.1f %10.1f %9.1f %6d/%d %10.2f  %s%s\n", c.name.c_str(), c.node.c_str(),
                       c.write_MBps, c.read_MBps, c.small_files_per_s, c.replicas_local, c.replicas,
                       c.nic_bytes_per_byte_written, c.bottleneck.c_str(), c.rests_on_assumption() ? " (*)" : "");
    }
    if (r.phases.size() == 1) break;
  }
  // Which answers to re-measure: the limits behind the figures above that nobody measured.
  std::map<std::string, std::string> assumed; // limit -> source
  for (size_t k = 0; k < r.phases.size(); k += std::max<size_t>(1, r.phases.size() - 1)) {
    for (auto const& c : r.phases[k].clients)
      if (c.rests_on_assumption()) assumed[c.bottleneck] = c.bottleneck_source;
    if (r.phases.size() == 1) break;
  }
  if (!assumed.empty()) {
    out << "(*) set by a parameter that is an assumption, not a measurement: re-measure it to trust the figure\n";
    for (auto const& [limit, source] : assumed)
      out << "    " << limit << ": " << source << "\n";
  }
  out << "\nSteps:\n";
  std::map<std::string, std::string> assumed_steps; // step -> what its length rests on
  for (auto const& s : r.steps) {
    out << formatted("  %9.1f-%9.1f s  %-40s %-6s %s%s\n", s.start_s, s.end_s, s.name.c_str(), to_string(s.outcome),
                     s.detail.c_str(), s.rests_on_assumption() ? " (*)" : "");
    if (s.rests_on_assumption()) assumed_steps[s.name] = s.duration_source;
  }
  if (!assumed_steps.empty()) {
    out << "(*) its length was set by a parameter that is an assumption: re-measure it to trust the downtime\n";
    for (auto const& [step, source] : assumed_steps)
      out << "    " << step << ": " << source << "\n";
  }
  // Entries with the same figures and breakdown are printed once (a full-downtime plan stops every VM alike).
  auto downtime = [&](const char* title, const std::vector<DowntimeEntry>& list) {
    out << "\n" << title << ":\n";
    std::vector<bool> done(list.size(), false);
    for (size_t i = 0; i < list.size(); i++) {
      if (done[i]) continue;
      auto const& d     = list[i];
      std::string names = d.name;
      for (size_t k = i + 1; k < list.size(); k++) {
        auto const& e = list[k];
        bool same =
            e.seconds == d.seconds && e.p50_s == d.p50_s && e.p95_s == d.p95_s && e.by_step.size() == d.by_step.size();
        for (size_t b = 0; same && b < d.by_step.size(); b++)
          same = e.by_step[b].step == d.by_step[b].step && e.by_step[b].seconds == d.by_step[b].seconds;
        if (same) names += ", " + e.name, done[k] = true;
      }
      out << formatted("  %s: %.1f s", names.c_str(), d.seconds);
      if (d.p50_s) out << formatted(" (P50 %.1f s, P95 %.1f s)", *d.p50_s, *d.p95_s);
      out << "\n";
      for (auto const& b : d.by_step)
        if (b.seconds > 0.05) {
          out << formatted("      %9.1f s  %s\n", b.seconds, b.step.c_str());
        }
    }
  };
  downtime("Volume downtime", r.volume_downtime);
  downtime("VM downtime", r.vm_downtime);
  if (!r.events.empty()) {
    out << "\nEvents:\n";
    for (auto const& e : r.events) {
      out << formatted("  %9.1f s  %-13s %s\n", e.t_s, e.kind.c_str(), e.message.c_str());
    }
  }
  if (!r.faults.empty()) {
    out << "\nFaults:\n";
    for (auto const& f : r.faults) {
      out << formatted("  %s crashed at %.1f s", f.node.c_str(), f.crashed_s);
      out << (f.back_s ? formatted(", back at %.1f s", *f.back_s) : std::string(", stayed down"));
      if (f.heal_s) out << formatted(", its bricks healed %.1f s after they served again", *f.heal_s);
      if (!f.split_brain.empty()) out << ", " << f.split_brain.size() << " file(s) in split-brain";
      out << "\n";
    }
  }
  if (!r.migrations.empty()) {
    out << "\nLive migrations:\n";
    for (auto const& m : r.migrations) {
      out << formatted("  %-8s %s -> %s over %s: ", m.vm.c_str(), m.from.c_str(), m.to.c_str(), m.network.c_str());
      if (m.completed)
        out << formatted("%d pre-copy rounds, %.0f MB in %.2f s, paused %.3f s", m.precopy_rounds, m.bytes / 1e6,
                         m.seconds, m.pause_s);
      else
        out << "not completed: " << m.why_not;
      out << "  (" << m.step << ")\n";
    }
  }
  out << "\n";
  print_checks(r.checks, out);
  out << verdict(r).summary() << "\n";
}

} // namespace ibmig
