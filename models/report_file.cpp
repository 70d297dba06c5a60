#include "report_file.hpp"

#include "input_file.hpp"
#include "scenario_error.hpp"
#include "strict_json.hpp"

#include <set>

using nlohmann::json;

namespace ibmig {

namespace {

constexpr std::uintmax_t kMaxInputBytes = 256 << 20; // a report of a 10,000-VM run is tens of MiB

/* A report with one element in every list and every optional figure unset: to_json of it is the format's shape. */
json report_shape()
{
  Report r;
  r.phases.push_back({"p", 0, 0, 0, 0, "", {ClientFigures{}}});
  r.nics.push_back({"n", "i", "net", {NicPhaseBytes{}}});
  DowntimeEntry d{"x", 0, std::nullopt, std::nullopt, {DowntimeByStep{}}, {Interval{}}};
  r.volume_downtime.push_back(d);
  r.vm_downtime.push_back(d);
  r.steps.push_back(StepReport{});
  r.checks.push_back(CheckFinding{});
  r.events.push_back(Event{});
  r.faults.push_back({"n", "faults[0]", 0, std::nullopt, std::nullopt, std::nullopt, {"v:/f"}});
  return to_json(r);
}

/* Keys the format gained after version 1 was first written: older reports lack them. */
const std::set<std::string> kAddedLater = {"bottleneck_source", "rests_on_assumption", "duration_source", "faults",
                                           "verdict"};

std::string kind_of(const json& v)
{
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "true or false";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

std::string shown(const json& v)
{
  std::string text = v.dump();
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

/* Walks `doc` against `shape`: same keys (but kAddedLater), same kinds; a null in the shape is an optional number. */
void check_shape(const json& shape, const json& doc, const std::string& path, const std::string& file)
{
  auto fail = [&](const std::string& why) { throw ScenarioError(file, path, why); };
  if (shape.is_object()) {
    if (!doc.is_object()) fail("expected an object, got " + shown(doc));
    for (auto it = shape.begin(); it != shape.end(); ++it) {
      std::string sub = path.empty() ? it.key() : path + "." + it.key();
      if (!doc.contains(it.key())) {
        if (kAddedLater.count(it.key())) continue;
        throw ScenarioError(file, sub, "missing (a report as ibmig simulate --json writes it has it)");
      }
      check_shape(*it, doc.at(it.key()), sub, file);
    }
  } else if (shape.is_array()) {
    if (!doc.is_array()) fail("expected an array, got " + shown(doc));
    if (shape.empty()) return;
    for (size_t i = 0; i < doc.size(); i++)
      check_shape(shape.at(0), doc.at(i), path + "[" + std::to_string(i) + "]", file);
  } else if (shape.is_null()) {
    if (!doc.is_null() && !doc.is_number()) fail("expected a number or null, got " + shown(doc));
  } else if (shape.is_number()) {
    if (!doc.is_number()) fail("expected a number, got " + shown(doc));
  } else if (shape.is_string()) {
    if (!doc.is_string()) fail("expected a string, got " + shown(doc));
  } else if (shape.is_boolean()) {
    if (!doc.is_boolean()) fail("expected true or false, got " + kind_of(doc));
  }
}

/* nlohmann's "[json.exception.type_error.302] type must be ..." without its prefix. */
std::string plain(const std::string& what)
{
  auto bracket = what.find("] ");
  return what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos ? what.substr(bracket + 2) : what;
}

} // namespace

std::string read_report_text(const std::string& file)
{
  return read_input_text(file, kMaxInputBytes, "not a report");
}

bool looks_like_report(const json& doc)
{
  return doc.is_object() && doc.contains("reportVersion");
}

Report report_from_document(const json& doc, const std::string& file)
{
  if (!looks_like_report(doc))
    throw ScenarioError(file, "", "not an ibmig report (no \"reportVersion\"; expected what --json writes)");
  if (doc.at("reportVersion") != 1)
    throw ScenarioError(file, "reportVersion",
                        "unsupported version " + shown(doc.at("reportVersion")) + " (this ibmig reads version 1)");
  static const json shape = report_shape();
  check_shape(shape, doc, "", file);
  try {
    return report_from_json(doc);
  } catch (const std::invalid_argument& e) { // a word outside a vocabulary, with its JSON path
    throw ScenarioError(file, "", e.what());
  } catch (const json::exception& e) { // the emulator's sections: checked by the reader only
    throw ScenarioError(file, "", "not a valid report: " + plain(e.what()));
  }
}

Report read_report_file(const std::string& file)
{
  const std::string text = read_report_text(file);
  json doc;
  JsonFailure why;
  if (!parse_strict_json(text, doc, why)) throw ScenarioError(file, why.path, why.describe(text));
  return report_from_document(doc, file);
}

} // namespace ibmig
