/* A guided lesson over a scenario's plan (`ibmig train`): per step what to do and why, then the trainee works in a
 * node shell and presses Enter; the lesson observes the lab (lab_status.hpp) and moves on when the step is observed
 * done, else gives a hint (the step's check and what differs, or the checker's explanation of a broken rule).
 * Before the first step that changes the fabric it asks for a prediction of the write speed after the migration and
 * shows the simulator's; at the end the lab's measurement. Progress is saved after each step. Reads lines, writes
 * plain text: a test (or tmux send-keys) drives it. */
#pragma once

#include "lab_observation.hpp"
#include "scenario.hpp"
#include "units.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace ibmig::lab {

/* The lab as the lesson needs it; the live lab and the tests' fake lab implement it. */
class Lab {
public:
  virtual ~Lab()                   = default;
  virtual LabObservation observe() = 0;
  /* The VMs' aggregate write rate now; nullopt when the lab cannot measure it. */
  virtual std::optional<BytesPerSecond> measure_write_rate() = 0;
  /* Makes the lab misbehave as the drill says (names of mistakes.hpp). */
  virtual void inject(const std::string& drill) = 0;
};

/* The simulator's prediction of the VMs' aggregate write rate before and after the migration. */
struct WriteRates {
  BytesPerSecond before, after;
};

struct LessonProgress {
  std::string scenario_file;
  size_t next_step = 0;                  // the first plan step not observed done yet
  std::optional<double> predicted_MBps;  // the trainee's prediction of the write rate after the migration
  std::vector<std::string> drills;       // injected at the start
  std::vector<std::string> drills_found; // the trainee said "found" while they were active
  bool finished = false;
};
nlohmann::json to_json(const LessonProgress& p);
/* Throws ScenarioError (file, JSON path) for a progress file that is not one. */
LessonProgress progress_from_json(const nlohmann::json& j, const std::string& file);

struct LessonOptions {
  std::vector<std::string> drills;
  std::string progress_file; // "" : not saved
};

class Lesson {
public:
  Lesson(const Scenario& sc, Lab& lab, std::function<WriteRates()> predict, LessonOptions opt);
  /* 0: the lesson is done; 1: the input ended (or "quit") first, progress saved. */
  int run(std::istream& in, std::ostream& out);
  const LessonProgress& progress() const { return progress_; }

private:
  void ask_prediction(std::istream& in, std::ostream& out);
  void save() const;

  const Scenario& sc_;
  Lab& lab_;
  std::function<WriteRates()> predict_;
  LessonOptions opt_;
  LessonProgress progress_;
  std::optional<WriteRates> predicted_;
};

} // namespace ibmig::lab
