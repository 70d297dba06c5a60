/* Reading a report JSON back from a file (`ibmig report`, `ibmig compare`): every problem is a ScenarioError naming
 * the file and the JSON path ("out.json: phases[2].clients[0].write_MBps: expected a number, got \"fast\""). */
#pragma once

#include "report.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace ibmig {

/* The whole text of `file`; ScenarioError when it cannot be read (or is not a regular file, or over 256 MiB). */
std::string read_report_text(const std::string& file);
/* Whether a parsed document is a report (it has "reportVersion"), as opposed to a scenario. */
bool looks_like_report(const nlohmann::json& doc);
/* A parsed report document, checked field by field against the format to_json writes. */
Report report_from_document(const nlohmann::json& doc, const std::string& file);
Report read_report_file(const std::string& file);

} // namespace ibmig
