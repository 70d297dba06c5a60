// The lesson driven by a scripted trainee over a fake lab: what it observes is the cluster model's state after each
// step (or a mistaken one), so the lesson's loop, hints and progress are tested without a lab.
#include "lab_status.hpp"
#include "lesson.hpp"
#include "runbook.hpp"
#include "scenario_error.hpp"
#include "scenario_loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace ibmig;
using namespace ibmig::lab;

namespace {

const std::string kRoot = IBMIG_SOURCE_DIR;

/* Answers each observe() with the next scripted observation (the last one again when the script runs out). */
class FakeLab : public Lab {
public:
  std::vector<LabObservation> script;
  std::vector<std::string> injected;
  size_t observed = 0;
  LabObservation observe() override { return script.at(std::min(observed++, script.size() - 1)); }
  std::optional<BytesPerSecond> measure_write_rate() override { return BytesPerSecond{201e6}; }
  void inject(const std::string& drill) override { injected.push_back(drill); }
};

WriteRates fake_prediction()
{
  return {BytesPerSecond{57e6}, BytesPerSecond{222e6}};
}

size_t first(const Scenario& sc, Action a)
{
  for (size_t k = 0; k < sc.plan.steps.size(); k++)
    if (sc.plan.steps[k].action == a) return k;
  return sc.plan.steps.size();
}

std::string temp_file(const std::string& name)
{
  auto p = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".json");
  std::filesystem::remove(p);
  return p.string();
}

size_t count(const std::string& text, const std::string& what)
{
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    n++;
  return n;
}

} // namespace

// If this fails, a trainee who does every step right does not get through the lesson, is not asked for a
// prediction before the fabric changes, or is not shown the simulator's prediction and the lab's measurement.
TEST(Lesson, ScriptedTraineeWalksThroughTheReferenceLesson)
{
  Scenario sc = load_scenario(kRoot + "/scenarios/reference.json");
  auto states = states_along_plan(sc);
  FakeLab lab;
  std::string input;
  size_t fabric = first(sc, Action::InstallNic);
  for (size_t k = 0; k < sc.plan.steps.size(); k++) {
    lab.script.push_back(expected_lab(states[k + 1]));
    if (k == fabric) input += "150\n";
    input += "\n";
  }
  std::string progress = temp_file("lesson-walk");
  Lesson lesson(sc, lab, fake_prediction, {{"mtu-mismatch"}, progress});
  std::istringstream in(input);
  std::ostringstream out;
  EXPECT_EQ(lesson.run(in, out), 0) << out.str();
  const std::string text = out.str();
  EXPECT_EQ(count(text, "Observed done: "), sc.plan.steps.size()) << text;
  EXPECT_EQ(count(text, "Not observed done"), 0u) << text;
  EXPECT_NE(text.find("The simulator predicts 222.0 MB/s after the migration"), std::string::npos) << text;
  EXPECT_LT(text.find("Your prediction"), text.find("== Step " + std::to_string(fabric + 2) + "/")) << text;
  EXPECT_NE(text.find("The lab measures 201.0 MB/s"), std::string::npos) << text;
  // What to do comes from the runbook for the scenario's distribution, why from the write-up.
  Runbook rb = make_runbook(sc);
  EXPECT_NE(text.find(rb.steps[1].phases.front().commands.front().commands.front()), std::string::npos) << text;
  EXPECT_NE(text.find("client-side"), std::string::npos) << text;
  EXPECT_NE(text.find("Datagram mode carries at most 2044 bytes"), std::string::npos) << text;
  EXPECT_EQ(lab.injected, std::vector<std::string>{"mtu-mismatch"});
  EXPECT_NE(text.find("The drill you did not report: mtu-mismatch"), std::string::npos) << text;
  EXPECT_TRUE(lesson.progress().finished);
  EXPECT_EQ(lesson.progress().predicted_MBps, 150.0);
  std::filesystem::remove(progress);
}

// If this fails, glusterd started on the old names (before re-pointing) is let through, or explained in other words
// than the plan checker's.
TEST(Lesson, GlusterdStartedBeforeRepointingGetsTheCheckersExplanation)
{
  Scenario sc          = load_scenario(kRoot + "/scenarios/reference.json");
  auto states          = states_along_plan(sc);
  size_t repoint       = first(sc, Action::RepointNames);
  std::string progress = temp_file("lesson-wrong");
  {
    LessonProgress p;
    p.scenario_file  = sc.file;
    p.next_step      = repoint;
    p.predicted_MBps = 100;
    std::ofstream(progress) << to_json(p).dump();
  }
  FakeLab lab;
  LabObservation wrong = expected_lab(states[repoint]);
  for (auto const& n : sc.nodes)
    if (n.server) wrong.nodes[n.name].seen.glusterd = true;
  lab.script = {wrong, expected_lab(states[repoint + 1])};
  std::istringstream in("\n\n"); // Enter after the mistake, Enter after fixing it; then the input ends
  std::ostringstream out;
  Lesson lesson(sc, lab, fake_prediction, {{}, progress});
  EXPECT_EQ(lesson.run(in, out), 1);
  const std::string text = out.str();
  EXPECT_NE(text.find("Resuming at step " + std::to_string(repoint + 1)), std::string::npos) << text;
  EXPECT_NE(text.find("NAMES_NOT_REPOINTED: glusterd runs on"), std::string::npos) << text;
  EXPECT_NE(text.find("glusterd, its peers and bricks come back on the old network"), std::string::npos) << text;
  EXPECT_NE(text.find("Observed done: " + sc.plan.steps[repoint].name), std::string::npos) << text;
  EXPECT_EQ(lesson.progress().next_step, repoint + 1);
  std::filesystem::remove(progress);
}

// If this fails, a wrong MTU is not pointed at with what differs (node, interface, MTU).
TEST(Lesson, WrongMtuGivesTheDifference)
{
  Scenario sc = load_scenario(kRoot + "/scenarios/reference.json");
  auto states = states_along_plan(sc);
  size_t conf = first(sc, Action::ConfigureInterface);
  LessonProgress p;
  std::string progress = temp_file("lesson-mtu");
  p.scenario_file      = sc.file;
  p.next_step          = conf;
  p.predicted_MBps     = 100;
  std::ofstream(progress) << to_json(p).dump();
  FakeLab lab;
  LabObservation obs                                                      = expected_lab(states[conf + 1]);
  const std::string victim                                                = sc.plan.steps[conf].nodes.back();
  obs.nodes[victim].seen.interfaces.at(sc.plan.steps[conf].interface).mtu = 2044;
  lab.script                                                              = {obs};
  std::istringstream in("\n");
  std::ostringstream out;
  Lesson lesson(sc, lab, fake_prediction, {{}, progress});
  EXPECT_EQ(lesson.run(in, out), 1);
  EXPECT_NE(out.str().find("MTU_MISMATCH"), std::string::npos) << out.str();
  EXPECT_EQ(lesson.progress().next_step, conf);
  std::filesystem::remove(progress);
}

// If this fails, a lesson cannot be resumed: progress is not saved after each step, or not read back.
TEST(Lesson, ResumesFromTheSavedProgressFile)
{
  Scenario sc          = load_scenario(kRoot + "/scenarios/reference.json");
  auto states          = states_along_plan(sc);
  std::string progress = temp_file("lesson-resume");
  FakeLab lab;
  for (size_t k = 0; k < sc.plan.steps.size(); k++)
    lab.script.push_back(expected_lab(states[k + 1]));
  {
    std::istringstream in("\n\nquit\n"); // two steps, then the trainee stops
    std::ostringstream out;
    Lesson lesson(sc, lab, fake_prediction, {{}, progress});
    EXPECT_EQ(lesson.run(in, out), 1);
  }
  std::ifstream f(progress);
  nlohmann::json saved = nlohmann::json::parse(f);
  EXPECT_EQ(saved["next_step"], 2);
  std::istringstream in("\n");
  std::ostringstream out;
  Lesson again(sc, lab, fake_prediction, {{}, progress});
  EXPECT_EQ(again.run(in, out), 1);
  EXPECT_NE(out.str().find("Resuming at step 3 of"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("== Step 1/"), std::string::npos) << out.str();
  EXPECT_EQ(again.progress().next_step, 3u);
  // The same scenario by another path (as typed from another directory) is the same lesson.
  Scenario by_other_path = load_scenario(kRoot + "/scenarios/../scenarios/reference.json");
  Lesson same(by_other_path, lab, fake_prediction, {{}, progress});
  std::istringstream quit("quit\n");
  std::ostringstream resumed;
  EXPECT_EQ(same.run(quit, resumed), 1);
  EXPECT_NE(resumed.str().find("Resuming at step 4 of"), std::string::npos) << resumed.str();
  // Another scenario's progress is bad input naming the file and the key.
  Scenario other = load_scenario(kRoot + "/scenarios/reference-rolling.json");
  Lesson wrong(other, lab, fake_prediction, {{}, progress});
  std::istringstream none;
  std::ostringstream sink;
  try {
    wrong.run(none, sink);
    ADD_FAILURE() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.file(), progress);
    EXPECT_EQ(e.path(), "scenario");
  }
  std::filesystem::remove(progress);
}
