// A lesson's progress file: where the trainee is, their prediction and the drills, so a lesson can be resumed.
#include "lesson.hpp"
#include "scenario_error.hpp"

namespace ibmig::lab {

nlohmann::json to_json(const LessonProgress& p)
{
  nlohmann::json j          = {{"scenario", p.scenario_file},
                               {"next_step", p.next_step},
                               {"drills", p.drills},
                               {"drills_found", p.drills_found},
                               {"finished", p.finished}};
  j["predicted_write_MBps"] = p.predicted_MBps ? nlohmann::json(*p.predicted_MBps) : nlohmann::json();
  return j;
}

LessonProgress progress_from_json(const nlohmann::json& j, const std::string& file)
{
  if (!j.is_object()) throw ScenarioError(file, "", "a lesson's progress file holds an object");
  auto need = [&](const char* key, bool ok, const char* what) {
    if (!j.contains(key)) throw ScenarioError(file, key, "missing");
    if (!ok) throw ScenarioError(file, key, std::string("expected ") + what);
  };
  LessonProgress p;
  need("scenario", j.contains("scenario") && j["scenario"].is_string(), "a string (the scenario file)");
  p.scenario_file = j["scenario"].get<std::string>();
  need("next_step", j.contains("next_step") && j["next_step"].is_number_unsigned(), "a whole number");
  p.next_step = j["next_step"].get<size_t>();
  for (const char* key : {"drills", "drills_found"}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_array()) throw ScenarioError(file, key, "expected a list of drill names");
    for (size_t i = 0; i < j[key].size(); i++) {
      if (!j[key][i].is_string())
        throw ScenarioError(file, std::string(key) + "[" + std::to_string(i) + "]", "expected a drill name");
      (std::string(key) == "drills" ? p.drills : p.drills_found).push_back(j[key][i].get<std::string>());
    }
  }
  if (j.contains("predicted_write_MBps") && !j["predicted_write_MBps"].is_null()) {
    if (!j["predicted_write_MBps"].is_number())
      throw ScenarioError(file, "predicted_write_MBps", "expected a number (MB/s) or null");
    p.predicted_MBps = j["predicted_write_MBps"].get<double>();
  }
  if (j.contains("finished")) {
    if (!j["finished"].is_boolean()) throw ScenarioError(file, "finished", "expected true or false");
    p.finished = j["finished"].get<bool>();
  }
  return p;
}

} // namespace ibmig::lab
