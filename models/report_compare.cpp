#include "report_compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

using nlohmann::json;

namespace ibmig {

namespace {

/* Phases keyed "name" or "name #k" for the k-th repeat, in order. */
std::vector<std::pair<std::string, const PhaseReport*>> keyed_phases(const Report& r)
{
  std::map<std::string, int> seen;
  std::vector<std::pair<std::string, const PhaseReport*>> out;
  for (auto const& p : r.phases) {
    int k = ++seen[p.name];
    out.push_back({k == 1 ? p.name : p.name + " #" + std::to_string(k), &p});
  }
  return out;
}

/* Keys of both sides: a's order, then b's extra ones. */
std::vector<std::string> union_of(const std::vector<std::string>& a, const std::vector<std::string>& b)
{
  std::vector<std::string> out = a;
  for (auto const& k : b)
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  return out;
}

std::string finding_key(const CheckFinding& f)
{
  return std::string(to_string(f.severity)) + " " + f.rule + (f.step.empty() ? "" : " [" + f.step + "]");
}

std::string shown(const std::optional<double>& v, int width)
{
  char text[48];
  if (v) // a rounding difference (1e-13) would print as -0.0
    std::snprintf(text, sizeof text, "%*.1f", width, std::fabs(*v) < 0.05 ? 0.0 : *v);
  else
    std::snprintf(text, sizeof text, "%*s", width, "-");
  return text;
}

json opt(const std::optional<double>& v)
{
  return v ? json(*v) : json(nullptr);
}

} // namespace

bool CompareRow::differs() const
{
  if (!a || !b) return a.has_value() != b.has_value();
  return std::fabs(*a - *b) >= 0.05;
}

std::optional<double> CompareRow::change_pct() const
{
  if (!a || !b || *a == 0) return std::nullopt;
  return 100 * (*b - *a) / *a;
}

ReportComparison compare_reports(const Report& a, const std::string& label_a, const Report& b,
                                 const std::string& label_b)
{
  ReportComparison c{label_a, label_b, a, b, {}, {}, {}, {}, {}};
  c.rows.push_back({"plan", "plan", "duration_s", a.plan_duration_s, b.plan_duration_s});
  if (a.plan_duration_p50_s || b.plan_duration_p50_s) {
    c.rows.push_back({"plan", "plan", "duration_p50_s", a.plan_duration_p50_s, b.plan_duration_p50_s});
    c.rows.push_back({"plan", "plan", "duration_p95_s", a.plan_duration_p95_s, b.plan_duration_p95_s});
  }
  auto pa = keyed_phases(a), pb = keyed_phases(b);
  auto keys = [](auto const& list) {
    std::vector<std::string> out;
    for (auto const& [k, p] : list)
      out.push_back(k);
    return out;
  };
  auto find = [](auto const& list, const std::string& key) -> const PhaseReport* {
    for (auto const& [k, p] : list)
      if (k == key) return p;
    return nullptr;
  };
  for (auto const& key : union_of(keys(pa), keys(pb))) {
    const PhaseReport* x = find(pa, key);
    const PhaseReport* y = find(pb, key);
    auto fig             = [](const PhaseReport* p, double PhaseReport::*f) {
      return p ? std::optional<double>(p->*f) : std::nullopt;
    };
    c.rows.push_back({"phase", key, "write_MBps", fig(x, &PhaseReport::aggregate_write_MBps),
                      fig(y, &PhaseReport::aggregate_write_MBps)});
    c.rows.push_back({"phase", key, "read_MBps", fig(x, &PhaseReport::aggregate_read_MBps),
                      fig(y, &PhaseReport::aggregate_read_MBps)});
    std::optional<std::string> ba = x ? std::optional(x->bottleneck) : std::nullopt;
    std::optional<std::string> bb = y ? std::optional(y->bottleneck) : std::nullopt;
    if (ba != bb) c.texts.push_back({"phase", key, "bottleneck", ba, bb});
    auto clients = [](const PhaseReport* p) {
      std::vector<std::string> out;
      if (p)
        for (auto const& cl : p->clients)
          out.push_back(cl.name);
      return out;
    };
    auto client = [](const PhaseReport* p, const std::string& name) -> const ClientFigures* {
      if (p)
        for (auto const& cl : p->clients)
          if (cl.name == name) return &cl;
      return nullptr;
    };
    for (auto const& vm : union_of(clients(x), clients(y))) {
      const ClientFigures* ca = client(x, vm);
      const ClientFigures* cb = client(y, vm);
      for (auto [metric, field] :
           {std::pair{"write_MBps", &ClientFigures::write_MBps}, std::pair{"read_MBps", &ClientFigures::read_MBps},
            std::pair{"small_files_per_s", &ClientFigures::small_files_per_s}}) {
        std::optional<double> va = ca ? std::optional(ca->*field) : std::nullopt;
        std::optional<double> vb = cb ? std::optional(cb->*field) : std::nullopt;
        if (va.value_or(0) == 0 && vb.value_or(0) == 0) continue; // a VM that does no such I/O: no row
        c.rows.push_back({"vm", key + " / " + vm, metric, va, vb});
      }
      std::optional<std::string> la = ca ? std::optional(ca->bottleneck) : std::nullopt;
      std::optional<std::string> lb = cb ? std::optional(cb->bottleneck) : std::nullopt;
      if (la != lb) c.texts.push_back({"vm", key + " / " + vm, "bottleneck", la, lb});
    }
  }
  auto downtime = [&](const char* section, const std::vector<DowntimeEntry>& x, const std::vector<DowntimeEntry>& y) {
    auto names = [](const std::vector<DowntimeEntry>& list) {
      std::vector<std::string> out;
      for (auto const& d : list)
        out.push_back(d.name);
      return out;
    };
    auto entry = [](const std::vector<DowntimeEntry>& list, const std::string& name) -> const DowntimeEntry* {
      for (auto const& d : list)
        if (d.name == name) return &d;
      return nullptr;
    };
    for (auto const& name : union_of(names(x), names(y))) {
      const DowntimeEntry* da = entry(x, name);
      const DowntimeEntry* db = entry(y, name);
      c.rows.push_back({section, name, "seconds", da ? std::optional(da->seconds) : std::nullopt,
                        db ? std::optional(db->seconds) : std::nullopt});
      if ((da && da->p95_s) || (db && db->p95_s))
        c.rows.push_back({section, name, "p95_s", da ? da->p95_s : std::nullopt, db ? db->p95_s : std::nullopt});
    }
  };
  downtime("volume downtime", a.volume_downtime, b.volume_downtime);
  downtime("vm downtime", a.vm_downtime, b.vm_downtime);
  // Steps: an outcome that changed (a step only one plan has is a plan difference, not a finding).
  for (auto const& sa : a.steps)
    for (auto const& sb : b.steps)
      if (sa.name == sb.name && sa.outcome != sb.outcome)
        c.texts.push_back({"step", sa.name, "outcome", std::string(to_string(sa.outcome)), to_string(sb.outcome)});
  std::set<std::string> fa, fb;
  for (auto const& f : a.checks)
    fa.insert(finding_key(f));
  for (auto const& f : b.checks)
    fb.insert(finding_key(f));
  for (auto const& k : fa)
    (fb.count(k) ? c.findings_both : c.findings_a_only).push_back(k);
  for (auto const& k : fb)
    if (!fa.count(k)) c.findings_b_only.push_back(k);
  return c;
}

void print_report_comparison(const ReportComparison& c, std::ostream& out)
{
  out << "ibmig compare\n  A: " << c.label_a << " (" << c.a.tool << ", " << c.a.scenario << ")\n  B: " << c.label_b
      << " (" << c.b.tool << ", " << c.b.scenario << ")\n";
  out << "  A " << verdict(c.a).summary() << "\n  B " << verdict(c.b).summary() << "\n";
  size_t width = 24;
  for (auto const& r : c.rows)
    width = std::max(width, std::min<size_t>(60, r.item.size()));
  std::string section;
  int differing = 0;
  for (auto const& r : c.rows) {
    if (r.section != section) {
      section = r.section;
      char head[256];
      std::snprintf(head, sizeof head, "\n%-*s %-18s %10s %10s %10s %8s\n", static_cast<int>(width), section.c_str(),
                    "figure", "A", "B", "B - A", "change");
      out << head;
    }
    auto pct         = r.change_pct();
    std::string diff = r.a && r.b ? shown(*r.b - *r.a, 10) : shown(std::nullopt, 10);
    char pct_text[32];
    if (pct && std::fabs(*pct) < 0.05) pct = 0.0;
    if (pct)
      std::snprintf(pct_text, sizeof pct_text, "%+7.1f%%", *pct);
    else
      std::snprintf(pct_text, sizeof pct_text, "%8s", "");
    char line[512];
    std::snprintf(line, sizeof line, "  %-*s %-18s %s %s %s %s%s\n", static_cast<int>(width) - 2, r.item.c_str(),
                  r.metric.c_str(), shown(r.a, 10).c_str(), shown(r.b, 10).c_str(), diff.c_str(), pct_text,
                  r.differs() ? "  *" : "");
    out << line;
    differing += r.differs();
  }
  out << "\n" << differing << " of " << c.rows.size() << " figures differ (*)\n";
  if (!c.texts.empty()) {
    out << "\nWhat changed in words:\n";
    for (auto const& t : c.texts)
      out << "  " << t.section << " " << t.item << ": " << t.metric << "\n      A: " << t.a.value_or("(none)")
          << "\n      B: " << t.b.value_or("(none)") << "\n";
  }
  out << "\nFindings:\n";
  auto list = [&](const char* title, const std::vector<std::string>& items) {
    out << "  " << title << ": " << (items.empty() ? "none" : "") << "\n";
    for (auto const& i : items)
      out << "    " << i << "\n";
  };
  list("only in A", c.findings_a_only);
  list("only in B", c.findings_b_only);
  list("in both", c.findings_both);
}

json to_json(const ReportComparison& c)
{
  json rows = json::array(), texts = json::array();
  for (auto const& r : c.rows)
    rows.push_back({{"section", r.section},
                    {"item", r.item},
                    {"metric", r.metric},
                    {"a", opt(r.a)},
                    {"b", opt(r.b)},
                    {"b_minus_a", r.a && r.b ? json(*r.b - *r.a) : json(nullptr)},
                    {"change_pct", opt(r.change_pct())},
                    {"differs", r.differs()}});
  for (auto const& t : c.texts)
    texts.push_back({{"section", t.section},
                     {"item", t.item},
                     {"metric", t.metric},
                     {"a", t.a ? json(*t.a) : json(nullptr)},
                     {"b", t.b ? json(*t.b) : json(nullptr)}});
  auto side = [](const std::string& label, const Report& r) {
    Verdict v = verdict(r);
    return json{{"file", label}, {"tool", r.tool}, {"scenario", r.scenario}, {"ok", v.ok()}, {"summary", v.summary()}};
  };
  return {{"compareVersion", 1},
          {"a", side(c.label_a, c.a)},
          {"b", side(c.label_b, c.b)},
          {"rows", rows},
          {"texts", texts},
          {"findings", {{"only_a", c.findings_a_only}, {"only_b", c.findings_b_only}, {"both", c.findings_both}}}};
}

} // namespace ibmig
