#include "lesson.hpp"

#include "input_file.hpp"
#include "lab_status.hpp"
#include "lesson_text.hpp"
#include "runbook.hpp"
#include "scenario_error.hpp"
#include "strict_json.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace ibmig::lab {
namespace {

std::string mbps(BytesPerSecond r)
{
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << to_MBps(r) << " MB/s";
  return o.str();
}

std::string trim(const std::string& s)
{
  size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

} // namespace

Lesson::Lesson(const Scenario& sc, Lab& lab, std::function<WriteRates()> predict, LessonOptions opt)
    : sc_(sc), lab_(lab), predict_(std::move(predict)), opt_(std::move(opt))
{
  for (auto const& d : opt_.drills)
    drill(d); // an unknown name is bad input: say so before the lesson starts
  progress_.scenario_file = sc_.file;
  progress_.drills        = opt_.drills;
}

void Lesson::save() const
{
  if (opt_.progress_file.empty()) return;
  std::string tmp = opt_.progress_file + ".tmp";
  {
    std::ofstream f(tmp);
    f << to_json(progress_).dump(2) << "\n";
    if (!f) throw std::runtime_error("cannot write the lesson's progress to " + tmp);
  }
  std::filesystem::rename(tmp, opt_.progress_file); // a crash mid-write leaves the previous progress
}

void Lesson::ask_prediction(std::istream& in, std::ostream& out)
{
  if (!predicted_) predicted_ = predict_();
  out << "\nBefore the fabric changes: predict the VMs' aggregate write speed after the migration.\n"
      << "(The simulator predicts " << mbps(predicted_->before) << " before it, on today's network.)\n";
  std::string line;
  while (true) {
    out << "Your prediction, in MB/s> " << std::flush;
    if (!std::getline(in, line)) return;
    try {
      size_t used = 0;
      double v    = std::stod(trim(line), &used);
      if (used == trim(line).size() && v >= 0) {
        progress_.predicted_MBps = v;
        break;
      }
    } catch (const std::exception&) {
    }
    out << "A number of MB/s, e.g. 120.\n";
  }
  out << "You predict " << *progress_.predicted_MBps << " MB/s. The simulator predicts " << mbps(predicted_->after)
      << " after the migration (" << mbps(predicted_->before) << " before). The lab measures it at the end.\n";
}

int Lesson::run(std::istream& in, std::ostream& out)
{
  bool resumed = false;
  if (!opt_.progress_file.empty() && std::filesystem::exists(opt_.progress_file)) {
    std::string text = read_input_text(opt_.progress_file, 1 << 20, "not a lesson's progress file");
    nlohmann::json doc;
    JsonFailure why;
    if (!parse_strict_json(text, doc, why)) throw ScenarioError(opt_.progress_file, why.path, why.describe(text));
    LessonProgress p = progress_from_json(doc, opt_.progress_file);
    std::error_code ec; // the same file by another path (relative, absolute) is the same lesson
    if (p.scenario_file != sc_.file && !std::filesystem::equivalent(p.scenario_file, sc_.file, ec))
      throw ScenarioError(opt_.progress_file, "scenario",
                          "this progress is for " + p.scenario_file + ", not " + sc_.file +
                              " (use another --progress file)");
    if (p.next_step > sc_.plan.steps.size())
      throw ScenarioError(opt_.progress_file, "next_step",
                          "beyond the plan's " + std::to_string(sc_.plan.steps.size()) + " steps");
    progress_ = p;
    resumed   = true;
  }
  const std::vector<ClusterModel> states = states_along_plan(sc_);
  const Runbook rb                       = make_runbook(sc_);
  const size_t n                         = sc_.plan.steps.size();
  out << "Lesson: " << sc_.name << " (" << sc_.file << "), plan \"" << sc_.plan.name << "\", " << n << " steps, on "
      << distribution_line(rb) << ".\n";
  if (resumed)
    out << "Resuming at step " << std::min(progress_.next_step + 1, n) << " of " << n << " (" << opt_.progress_file
        << ").\n";
  else
    for (auto const& d : progress_.drills)
      lab_.inject(d);
  if (!progress_.drills.empty())
    out << "Drill: a fault has been injected into this lab. When a step is not observed done and the lab does not "
           "look as the plan says, find it with the real tools (type `hint` for what to look for), then type "
           "`found`.\n";
  out << "Do each step in a node shell (ibmig lab shell NODE), then press Enter here. Also: why, status, hint, "
         "found, quit.\n";

  auto active_drills = [&] {
    std::vector<std::string> v;
    for (auto const& d : progress_.drills)
      if (std::find(progress_.drills_found.begin(), progress_.drills_found.end(), d) == progress_.drills_found.end())
        v.push_back(d);
    return v;
  };
  for (size_t k = progress_.next_step; k < n; k++) {
    const Step& st = sc_.plan.steps[k];
    out << "\n== Step " << k + 1 << "/" << n << ": " << st.name << " (" << st.json_path << ") ==\nWhat to do:\n";
    auto rs = std::find_if(rb.steps.begin(), rb.steps.end(),
                           [&](const RunbookStep& r) { return r.json_path == st.json_path; });
    if (rs != rb.steps.end()) print_what_to_do(*rs, out);
    auto print_why = [&] {
      out << "Why:\n";
      for (auto const& w : why(sc_, st))
        out << "  " << w << "\n";
    };
    print_why();
    if (changes_fabric(st) && !progress_.predicted_MBps) {
      ask_prediction(in, out);
      save();
    }
    bool done = false;
    while (!done) {
      out << "[step " << k + 1 << "] Enter when done> " << std::flush;
      std::string line;
      if (!std::getline(in, line) || trim(line) == "quit") {
        save();
        out << "\nProgress saved"
            << (opt_.progress_file.empty() ? " (nowhere: no --progress file)" : " to " + opt_.progress_file)
            << "; resume with the same command.\n";
        return 1;
      }
      std::string cmd = trim(line);
      if (cmd == "why") {
        print_why();
        continue;
      }
      LabObservation obs = lab_.observe();
      LabStatus s        = lab_status(sc_, states, obs);
      if (cmd == "status") {
        print_lab_status(s, out);
        continue;
      }
      if (cmd == "hint" || cmd == "found") {
        auto active = active_drills();
        if (active.empty()) out << "No drill is active in this lab.\n";
        for (auto const& name : active) {
          Drill d = drill(name);
          if (cmd == "hint")
            out << "Look for: " << d.look_for << ".\nConfirm with: " << d.confirm << "\n";
          else {
            out << "The drill was " << d.name << ": " << d.what << ". Confirmed by: " << d.confirm << "\n";
            progress_.drills_found.push_back(name);
          }
        }
        save();
        continue;
      }
      // A step that shows (a service, an interface, the names) is done once the status is past it; a check or a
      // wait shows nothing, so it is done while the lab still looks as the plan after it.
      std::vector<std::string> diffs;
      for (auto const& node : sc_.nodes) {
        auto it = obs.nodes.find(node.name);
        for (auto const& d :
             emu::differences(states[k + 1], node.name, it == obs.nodes.end() ? emu::ObservedNode{} : it->second.seen))
          diffs.push_back(d);
      }
      bool observed = s.steps[k].observable ? s.on_plan && s.current > k : diffs.empty();
      if (!s.broken_rules.empty()) {
        out << "Not yet: the lab breaks " << (s.broken_rules.size() > 1 ? "rules" : "a rule")
            << " the plan checker knows:\n";
        for (auto const& f : s.broken_rules)
          out << "  " << f.rule << ": " << f.message << "\n";
        continue;
      }
      if (observed) {
        out << "Observed done: " << st.name << ".\n";
        done = true;
        continue;
      }
      out << "Not observed done yet.\n";
      if (!diffs.empty()) out << "What differs from the state after this step:\n";
      for (auto const& d : diffs)
        out << "  " << d << "\n";
      if (rs != rb.steps.end())
        for (auto const& c : check_lines(*rs))
          out << "The step's check: " << c << "\n";
      if (!active_drills().empty()) out << "(A drill is active: `hint` says what to look for.)\n";
    }
    progress_.next_step = k + 1;
    save();
  }
  out << "\nThe plan is done.\n";
  if (progress_.predicted_MBps) {
    if (!predicted_) predicted_ = predict_();
    out << "Write speed after the migration: you predicted " << *progress_.predicted_MBps
        << " MB/s; the simulator predicts " << mbps(predicted_->after) << ".\n";
  }
  auto measured = lab_.measure_write_rate();
  out << "The lab measures "
      << (measured ? mbps(*measured) : std::string("nothing (it cannot measure the VMs' writes)")) << ".\n";
  for (auto const& d : active_drills())
    out << "The drill you did not report: " << drill(d).name << ": " << drill(d).what << ".\n";
  progress_.finished = true;
  save();
  return 0;
}

} // namespace ibmig::lab
