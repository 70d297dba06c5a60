/* ibmig report (a report or a sweep's lines as text or as one HTML page) and ibmig compare (two reports, or two
 * scenarios' predictions, side by side); and the --html of simulate and emulate. */
#include "commands.hpp"
#include "html_report.hpp"
#include "html_sweep.hpp"
#include "report_compare.hpp"
#include "report_file.hpp"
#include "simulation.hpp"
#include "strict_json.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

namespace ibmig::cli {

namespace {

void write_file(const char* option, const std::string& file, const std::string& text)
{
  std::ofstream out(file, std::ios::binary);
  // Not a UsageError: the command line was fine.
  if (!out) throw std::runtime_error(std::string(option) + ": cannot write \"" + file + "\": " + std::strerror(errno));
  out << text;
  if (!out) throw std::runtime_error(std::string(option) + ": failed writing \"" + file + "\"");
}

/* A report file, or a scenario simulated with the defaults (its prediction). */
Report report_or_prediction(const std::string& file)
{
  const std::string text = read_report_text(file);
  nlohmann::json doc;
  JsonFailure why;
  if (!parse_strict_json(text, doc, why)) throw ScenarioError(file, why.path, why.describe(text));
  if (looks_like_report(doc)) return report_from_document(doc, file);
  Scenario sc = load_scenario(file); // bad input names the file and JSON path, as for simulate
  Report r    = sim::simulate(sc);
  r.topology  = report_topology(sc);
  return r;
}

} // namespace

std::string missing_html_prerequisite(const Options& opt)
{
  if (opt.html_out.empty()) return "";
  SystemFilterRunner runner;
  return missing_html_tools(runner);
}

void write_html_report(const Options& opt, const Report& r)
{
  if (opt.html_out.empty()) return;
  SystemFilterRunner runner;
  write_file("--html", opt.html_out, html_report(r, runner));
}

void write_html_sweep(const Options& opt, const std::string& jsonl, const std::string& source)
{
  if (opt.html_out.empty()) return;
  auto points = parse_sweep_lines(jsonl, source);
  SystemFilterRunner runner;
  write_file("--html", opt.html_out, html_sweep(points, source, runner));
  std::cerr << "ibmig: wrote " << opt.html_out << " (" << points.size() << " sweep points)\n";
}

int run_report(const Options& opt)
{
  if (std::string missing = missing_html_prerequisite(opt); !missing.empty()) {
    std::cerr << "ibmig report: " << missing << "\n";
    return 2;
  }
  const std::string text = read_report_text(opt.scenario);
  SystemFilterRunner runner;
  if (looks_like_sweep(opt.scenario, text)) {
    if (opt.html_out.empty())
      throw UsageError("report of a sweep (" + opt.scenario + ") needs --html FILE: its charts are the report");
    write_html_sweep(opt, text, opt.scenario);
    return 0;
  }
  nlohmann::json doc;
  JsonFailure why;
  if (!parse_strict_json(text, doc, why)) throw ScenarioError(opt.scenario, why.path, why.describe(text));
  Report r = report_from_document(doc, opt.scenario);
  if (opt.html_out.empty()) {
    print_report(r, std::cout);
    return 0;
  }
  write_file("--html", opt.html_out, html_report(r, runner));
  std::cerr << "ibmig report: wrote " << opt.html_out << "\n";
  return 0;
}

int run_compare(const Options& opt)
{
  Report a           = report_or_prediction(opt.scenario);
  Report b           = report_or_prediction(opt.compare_with);
  ReportComparison c = compare_reports(a, opt.scenario, b, opt.compare_with);
  print_report_comparison(c, std::cout);
  if (!opt.json_out.empty()) write_file("--json", opt.json_out, to_json(c).dump(2) + "\n");
  return 0;
}

} // namespace ibmig::cli
