#include "html_report.hpp"

#include "gnuplot_chart.hpp"
#include "html_page.hpp"
#include "topology_diagram.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace ibmig {

using html::escape;
using html::fixed;

namespace {

std::string td_num(double x, int decimals = 1)
{
  return "<td class=\"num\">" + fixed(x, decimals) + "</td>";
}

std::string td(const std::string& text, const std::string& cls = "")
{
  return (cls.empty() ? "<td>" : "<td class=\"" + cls + "\">") + escape(text) + "</td>";
}

std::string header(const Report& r)
{
  std::ostringstream s;
  const Verdict v = verdict(r);
  s << "<h1>ibmig " << escape(r.tool) << ": " << escape(r.scenario) << "</h1>\n";
  s << "<p class=\"note\">scenario file " << escape(r.scenario_file) << "; " << r.runs << " run(s), seed " << r.seed
    << "</p>\n";
  s << "<p class=\"verdict " << (v.ok() ? "ok" : "bad") << "\">" << escape(v.summary()) << "</p>\n";
  s << "<p>Plan duration: <b>" << fixed(r.plan_duration_s) << " s</b> (" << fixed(r.plan_duration_s / 60) << " min)";
  if (r.plan_duration_p50_s && r.plan_duration_p95_s)
    s << "; over " << r.runs << " runs: P50 " << fixed(*r.plan_duration_p50_s) << " s, P95 "
      << fixed(*r.plan_duration_p95_s) << " s";
  s << "</p>\n";
  return s.str();
}

std::string topology_section(const Report& r, FilterRunner& runner)
{
  std::string s = "<h2 id=\"topology\">Topology</h2>\n";
  if (!r.topology)
    return s + "<p class=\"note\">This report holds no topology (written before reports carried one): simulate the "
               "scenario again with --json or --html to draw it.</p>\n";
  const Scenario skeleton = skeleton_scenario(*r.topology);
  const Topology topology(skeleton);
  VmsByNode vms;
  if (!r.phases.empty())
    for (auto const& c : r.phases.front().clients)
      vms[c.node].push_back(c.name);
  s += "<p class=\"note\">Boxes: nodes and the VMs they host at the start. Ellipses: NICs (dashed: installed by the "
       "plan). Diamonds: the switch of each network.</p>\n";
  return s + "<div class=\"figure\" id=\"topology-diagram\">" +
         html::inline_svg(topology_svg(topology, vms, runner), "topo-") + "</div>\n";
}

/* A bar at [a, b] of [0, span] as CSS percentages. */
std::string bar(const std::string& cls, double a, double b, double span, const std::string& title)
{
  double left = span > 0 ? 100 * a / span : 0, width = span > 0 ? 100 * (b - a) / span : 0;
  return "<div class=\"bar " + cls + "\" style=\"left:" + fixed(left, 3) + "%;width:" + fixed(width, 3) +
         "%\" title=\"" + escape(title) + "\"></div>";
}

std::string timeline_section(const Report& r)
{
  double span = 0;
  for (auto const& p : r.phases)
    span = std::max(span, p.end_s);
  for (auto const& s : r.steps)
    span = std::max(span, s.end_s);
  std::ostringstream s;
  s << "<h2 id=\"timeline\">Plan timeline and downtime</h2>\n";
  if (r.steps.empty() && r.vm_downtime.empty()) return s.str() + "<p class=\"note\">No steps in this report.</p>\n";
  s << "<p class=\"note\">Steps in blue (red: failed); a VM or volume is down in orange (hover a bar for the "
       "reason). Simulated time, 0 s is the start of the phase before the plan.</p>\n";
  s << "<div class=\"timeline\">\n<div></div><div class=\"axis\">";
  for (int k = 0; k <= 4; k++)
    s << "<span class=\"tick" << (k == 4 ? " last" : "") << "\" style=\"left:" << k * 25 << "%\">"
      << fixed(span * k / 4, 0) << " s</span>";
  s << "</div><div></div>\n<div class=\"section\">Steps</div>\n";
  for (auto const& st : r.steps) {
    bool failed = st.outcome != StepOutcome::Ok;
    s << "<div class=\"label step-name\" title=\"" << escape(st.name) << "\">" << escape(st.name) << "</div>"
      << "<div class=\"track\">"
      << bar(failed ? "step failed" : "step", st.start_s, st.end_s, span,
             st.name + ": " + fixed(st.start_s) + "-" + fixed(st.end_s) + " s" +
                 (st.detail.empty() ? "" : ", " + st.detail))
      << "</div><div class=\"" << (failed ? "bad" : "ok") << "\">" << fixed(st.end_s - st.start_s) << " s "
      << to_string(st.outcome) << "</div>\n";
  }
  auto downtime_rows = [&](const char* title, const char* cls, const std::vector<DowntimeEntry>& list) {
    s << "<div class=\"section\">" << title << "</div>\n";
    for (auto const& d : list) {
      s << "<div class=\"label " << cls << "\">" << escape(d.name) << "</div><div class=\"track\">";
      for (auto const& i : d.intervals)
        s << bar("down", i.start_s, i.end_s, span,
                 d.name + " down " + fixed(i.start_s) + "-" + fixed(i.end_s) + " s: " + i.reason);
      s << "</div><div>" << fixed(d.seconds) << " s down</div>\n";
    }
  };
  downtime_rows("Volume downtime", "volume-name", r.volume_downtime);
  downtime_rows("VM downtime", "vm-name", r.vm_downtime);
  s << "</div>\n";

  s << "<h3>Steps</h3>\n<table id=\"steps\"><tr><th>#</th><th>step</th><th>action</th><th>start s</th><th>end "
       "s</th><th>duration s</th><th>outcome</th><th>detail</th></tr>\n";
  for (size_t i = 0; i < r.steps.size(); i++) {
    auto const& st = r.steps[i];
    s << "<tr><td class=\"num\">" << i + 1 << "</td>" << td(st.name) << td(st.action) << td_num(st.start_s)
      << td_num(st.end_s) << td_num(st.end_s - st.start_s)
      << td(to_string(st.outcome), st.outcome == StepOutcome::Ok ? "ok" : "bad")
      << td(st.detail + (st.rests_on_assumption() ? " (*) length set by an assumption: " + st.duration_source : ""))
      << "</tr>\n";
  }
  s << "</table>\n";

  auto downtime_table = [&](const char* title, const std::vector<DowntimeEntry>& list) {
    s << "<h3>" << title
      << "</h3>\n<table><tr><th>name</th><th>down s</th><th>P50 s</th><th>P95 s</th><th>by "
         "step (s)</th></tr>\n";
    for (auto const& d : list) {
      std::string parts;
      for (auto const& b : d.by_step)
        if (b.seconds > 0.05) parts += (parts.empty() ? "" : "; ") + b.step + " " + fixed(b.seconds);
      s << "<tr>" << td(d.name) << td_num(d.seconds) << (d.p50_s ? td_num(*d.p50_s) : td("-"))
        << (d.p95_s ? td_num(*d.p95_s) : td("-")) << td(parts) << "</tr>\n";
    }
    s << "</table>\n";
  };
  downtime_table("Volume downtime", r.volume_downtime);
  downtime_table("VM downtime", r.vm_downtime);
  return s.str();
}

/* Each VM's figure per phase, phases on x in order: the phases before and after last a minute, the plan's steps
 * hours, so a time axis would hide the phases that matter. */
Chart vm_chart(const Report& r, const char* title, const char* y_label, double ClientFigures::*figure)
{
  Chart c;
  c.title         = title;
  c.x_label       = "";
  c.y_label       = y_label;
  c.style         = Chart::Style::LinesPoints;
  c.rotate_x_tics = true;
  c.height_px     = 460;
  for (size_t k = 0; k < r.phases.size(); k++)
    c.x_tics.push_back({static_cast<double>(k), r.phases[k].name});
  std::vector<std::string> names;
  for (auto const& p : r.phases)
    for (auto const& cl : p.clients)
      if (std::find(names.begin(), names.end(), cl.name) == names.end()) names.push_back(cl.name);
  for (auto const& name : names) {
    ChartSeries series{name, {}};
    bool any = false;
    for (size_t k = 0; k < r.phases.size(); k++) {
      double y = 0;
      for (auto const& cl : r.phases[k].clients)
        if (cl.name == name) y = cl.*figure;
      any |= y > 0;
      series.points.push_back({static_cast<double>(k), y});
    }
    if (any) c.series.push_back(series); // a VM that never does this kind of I/O would only crowd the key
  }
  return c;
}

std::string throughput_section(const Report& r, FilterRunner& runner)
{
  std::ostringstream s;
  s << "<h2 id=\"throughput\">Throughput per phase (MB = 10<sup>6</sup> bytes)</h2>\n";
  int n = 0;
  for (auto [title, y, field] : {std::tuple{"Write throughput per VM", "write MB/s", &ClientFigures::write_MBps},
                                 std::tuple{"Read throughput per VM", "read MB/s", &ClientFigures::read_MBps},
                                 std::tuple{"Small files per VM", "files/s", &ClientFigures::small_files_per_s}}) {
    std::string svg = chart_svg(vm_chart(r, title, y, field), runner);
    if (!svg.empty())
      s << "<div class=\"figure chart\">" << html::inline_svg(svg, "chart" + std::to_string(n++) + "-") << "</div>\n";
  }
  s << "<h3>Phases and their bottleneck</h3>\n<table id=\"phases\"><tr><th>phase</th><th>start s</th><th>end "
       "s</th><th>write MB/s</th><th>read MB/s</th><th>bottleneck</th></tr>\n";
  for (auto const& p : r.phases)
    s << "<tr>" << td(p.name) << td_num(p.start_s) << td_num(p.end_s) << td_num(p.aggregate_write_MBps)
      << td_num(p.aggregate_read_MBps) << td(p.bottleneck.empty() ? "-" : p.bottleneck) << "</tr>\n";
  s << "</table>\n";
  // Phase x VM: what each VM got; hover a cell for its limit.
  std::vector<std::string> names;
  for (auto const& p : r.phases)
    for (auto const& cl : p.clients)
      if (std::find(names.begin(), names.end(), cl.name) == names.end()) names.push_back(cl.name);
  s << "<h3>Per VM and phase</h3>\n<p class=\"note\">w: write MB/s, r: read MB/s, f: small files/s; hover a cell for "
       "what limits the VM. (*): set by an assumption, not a measurement.</p>\n<table id=\"vm-phases\"><tr><th>"
       "phase</th>";
  for (auto const& name : names)
    s << "<th>" << escape(name) << "</th>";
  s << "</tr>\n";
  for (auto const& p : r.phases) {
    s << "<tr>" << td(p.name);
    for (auto const& name : names) {
      auto it = std::find_if(p.clients.begin(), p.clients.end(), [&](auto const& c) { return c.name == name; });
      if (it == p.clients.end()) {
        s << "<td></td>";
        continue;
      }
      std::string text;
      if (it->write_MBps > 0) text += "w " + fixed(it->write_MBps);
      if (it->read_MBps > 0) text += std::string(text.empty() ? "" : " ") + "r " + fixed(it->read_MBps);
      if (it->small_files_per_s > 0) text += std::string(text.empty() ? "" : " ") + "f " + fixed(it->small_files_per_s);
      if (text.empty()) text = "0";
      if (it->rests_on_assumption()) text += " (*)";
      s << "<td class=\"num\" title=\"" << escape(it->bottleneck.empty() ? "idle" : it->bottleneck) << "\">"
        << escape(text) << "</td>";
    }
    s << "</tr>\n";
  }
  s << "</table>\n";
  // Before and after in full: the limit of each VM and where its figure comes from.
  for (size_t k = 0; k < r.phases.size(); k += std::max<size_t>(1, r.phases.size() - 1)) {
    auto const& p = r.phases[k];
    s << "<h3>Clients in phase &ldquo;" << escape(p.name) << "&rdquo;</h3>\n<table class=\"clients\"><tr><th>vm</th>"
      << "<th>node</th><th>write MB/s</th><th>read MB/s</th><th>files/s</th><th>local</th><th>NIC B/B</th>"
      << "<th>limit</th><th>its source</th></tr>\n";
    for (auto const& c : p.clients)
      s << "<tr>" << td(c.name) << td(c.node) << td_num(c.write_MBps) << td_num(c.read_MBps)
        << td_num(c.small_files_per_s) << td(std::to_string(c.replicas_local) + "/" + std::to_string(c.replicas))
        << td_num(c.nic_bytes_per_byte_written, 2) << td(c.bottleneck + (c.rests_on_assumption() ? " (*)" : ""))
        << td(c.bottleneck_source, c.rests_on_assumption() ? "warn" : "") << "</tr>\n";
    s << "</table>\n";
    if (r.phases.size() == 1) break;
  }
  return s.str();
}

std::string findings_section(const Report& r)
{
  std::ostringstream s;
  s << "<h2 id=\"findings\">Findings</h2>\n";
  if (r.checks.empty()) return s.str() + "<p class=\"ok\">Plan check: no problems found.</p>\n";
  s << "<table id=\"checks\"><tr><th>severity</th><th>rule</th><th>origin</th><th>step</th><th>message</th></tr>\n";
  for (auto const& c : r.checks)
    s << "<tr>" << td(to_string(c.severity), c.severity == Severity::Error ? "bad" : "warn") << td(c.rule)
      << td(to_string(c.origin)) << td(c.step) << td(c.message) << "</tr>\n";
  return s.str() + "</table>\n";
}

std::string events_section(const Report& r)
{
  std::ostringstream s;
  if (!r.events.empty()) {
    s << "<h2 id=\"events\">Events</h2>\n<table><tr><th>t s</th><th>kind</th><th>message</th></tr>\n";
    for (auto const& e : r.events)
      s << "<tr>" << td_num(e.t_s) << td(e.kind) << td(e.message) << "</tr>\n";
    s << "</table>\n";
  }
  if (!r.faults.empty()) {
    s << "<h2 id=\"faults\">Faults</h2>\n<table><tr><th>node</th><th>crashed s</th><th>back s</th><th>heal s</th>"
         "<th>split-brain files</th></tr>\n";
    for (auto const& f : r.faults)
      s << "<tr>" << td(f.node) << td_num(f.crashed_s) << (f.back_s ? td_num(*f.back_s) : td("stayed down"))
        << (f.heal_s ? td_num(*f.heal_s) : td("-")) << td(std::to_string(f.split_brain.size())) << "</tr>\n";
    s << "</table>\n";
  }
  return s.str();
}

std::string emulation_section(const Report& r)
{
  if (!r.emulation) return "";
  auto const& e = *r.emulation;
  std::ostringstream s;
  s << "<h2 id=\"emulation\">Emulated run</h2>\n<p>" << escape(e.workload_mode) << "; rate scale " << e.run.rate_scale
    << ", time scale " << e.run.time_scale << ". Verification: " << e.verification.files << " file(s), "
    << e.verification.bytes_verified << " bytes verified, <span class=\"" << (e.verification.bytes_lost ? "bad" : "ok")
    << "\">" << e.verification.bytes_lost << " bytes lost</span>.</p>\n";
  if (e.comparison) {
    s << "<h3>Predicted vs measured</h3>\n<table id=\"comparison\"><tr><th>metric</th><th>predicted</th>"
         "<th>measured</th><th>error %</th><th>tolerance %</th><th>verdict</th><th>note</th></tr>\n";
    for (auto const& c : *e.comparison)
      s << "<tr>" << td(c.metric) << td_num(c.predicted, 2) << td_num(c.measured, 2) << td_num(c.error_pct)
        << td_num(c.tolerance_pct, 0) << td(c.verdict(), c.within ? "ok" : "bad") << td(c.note) << "</tr>\n";
    s << "</table>\n";
  }
  return s.str();
}

} // namespace

std::string html_report(const Report& r, FilterRunner& runner)
{
  std::string body = header(r);
  body += "<p class=\"note\">Sections: <a href=\"#topology\">topology</a>, <a href=\"#timeline\">timeline</a>, "
          "<a href=\"#throughput\">throughput</a>, <a href=\"#findings\">findings</a>" +
          std::string(r.emulation ? ", <a href=\"#emulation\">predicted vs measured</a>" : "") + ".</p>\n";
  body += topology_section(r, runner);
  body += timeline_section(r);
  body += throughput_section(r, runner);
  body += findings_section(r);
  body += events_section(r);
  body += emulation_section(r);
  return html::page("ibmig " + r.tool + ": " + r.scenario, body);
}

} // namespace ibmig

namespace ibmig {
std::string missing_html_tools(FilterRunner& runner)
{
  std::string why;
  for (auto [tool, package] : {std::pair{"dot", "graphviz"}, std::pair{"gnuplot", "gnuplot-nox"}})
    if (std::string m = runner.missing(tool); !m.empty())
      why += std::string(why.empty() ? "" : "; ") + "--html needs " + tool + " (Debian package " + package + "): " + m;
  return why;
}
} // namespace ibmig
