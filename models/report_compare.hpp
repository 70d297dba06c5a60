/* `ibmig compare A B`: two reports side by side (plan A vs plan B, before vs after calibration). Phases are matched
 * by name (the k-th phase of a name with the k-th), VMs and volumes by name; what one side lacks is blank. */
#pragma once

#include "report.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ibmig {

struct CompareRow {
  std::string section; // "plan", "phase", "vm", "volume downtime", "vm downtime"
  std::string item;    // "before / vm2", "vm1"
  std::string metric;  // "write_MBps", "seconds", ...
  std::optional<double> a, b;
  bool differs() const;                     // beyond a rounding of 0.05 of the figure's unit
  std::optional<double> change_pct() const; // (b - a) / a, when both are there and a is not 0
};

/* A text figure that may differ: the limit of a VM in a phase, a step's outcome. */
struct CompareText {
  std::string section, item, metric;
  std::optional<std::string> a, b;
};

struct ReportComparison {
  std::string label_a, label_b; // the files compared
  Report a, b;
  std::vector<CompareRow> rows;
  std::vector<CompareText> texts;                                           // only those that differ
  std::vector<std::string> findings_a_only, findings_b_only, findings_both; // "error RULE [step]"
};

ReportComparison compare_reports(const Report& a, const std::string& label_a, const Report& b,
                                 const std::string& label_b);
void print_report_comparison(const ReportComparison& c, std::ostream& out);
nlohmann::json to_json(const ReportComparison& c);

} // namespace ibmig
