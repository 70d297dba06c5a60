// ibmig train SCENARIO [--lab LAB] [--inject DRILL ...] [--progress FILE] [--state-dir DIR]: the guided lesson
// (emulation/lab/lesson.hpp) over a running lab, reading the trainee's lines from stdin.
#include "command_line.hpp"
#include "commands.hpp"
#include "lesson.hpp"
#include "lesson_text.hpp"
#include "running_lab.hpp"
#include "scenario_loader.hpp"
#include "simulation.hpp"

#include <iostream>

namespace ibmig::cli {

namespace {

/* The simulator's aggregate write rate of the VMs before and after the plan, run in-process as simulate does. */
lab::WriteRates simulated_rates(const Scenario& sc)
{
  Report r = sim::simulate(sc);
  lab::WriteRates w;
  for (auto const& ph : r.phases) {
    if (ph.name == "before") w.before = BytesPerSecond{ph.aggregate_write_MBps * 1e6};
    if (ph.name == "after") w.after = BytesPerSecond{ph.aggregate_write_MBps * 1e6};
  }
  return w;
}

} // namespace

int run_train(int argc, char** argv)
{
  CLI::App app("", "ibmig train");
  follow_conventions(app);
  std::string scenario, lab_name, progress, state_dir = "/run/ibmig";
  std::vector<std::string> drills;
  app.add_option("SCENARIO", scenario)->check(utf8_text());
  app.add_option("--lab", lab_name)->check(utf8_text());
  app.add_option("--inject", drills)->check(utf8_text())->allow_extra_args(false);
  app.add_option("--progress", progress)->check(utf8_text());
  app.add_option("--state-dir", state_dir)->check(utf8_text());
  if (!parse_command_line(app, argc, argv)) return 0; // --help printed
  if (scenario.empty()) throw UsageError("train needs a scenario file");
  for (auto const& d : drills)
    try {
      lab::drill(d);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--inject: ") + e.what());
    }
  Scenario sc = load_scenario(scenario);
  try {
    auto live = lab::attach_lab(lab::running_lab(state_dir, lab_name), sc);
    lab::Lesson lesson(sc, *live, [&] { return simulated_rates(sc); }, {drills, progress});
    return lesson.run(std::cin, std::cout);
  } catch (const lab::LabNotRunning& e) {
    std::cerr << "ibmig train: " << e.what() << "\n";
    return 2;
  }
}

} // namespace ibmig::cli
