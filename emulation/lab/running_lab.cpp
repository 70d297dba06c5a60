#include "running_lab.hpp"

#include "lab_status.hpp"
#include "run_state.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>

namespace ibmig::lab {

std::vector<RunningLab> running_labs(const std::string& state_dir)
{
  std::vector<RunningLab> out;
  std::error_code ec;
  for (auto const& e : std::filesystem::directory_iterator(state_dir, ec)) {
    std::string file = e.path().filename().string();
    if (file.rfind("ibmig-", 0) != 0 || e.path().extension() != ".json") continue;
    try {
      emu::RunState st = emu::RunState::load(e.path().string());
      if (st.owner_alive()) out.push_back({st.run_id(), e.path().string()});
    } catch (const std::exception&) { // a state file being written, or another tool's: not a lab
    }
  }
  std::sort(out.begin(), out.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
  return out;
}

RunningLab find_lab(const std::string& state_dir, const std::string& name)
{
  auto labs = running_labs(state_dir);
  if (name.empty()) {
    if (labs.size() == 1) return labs.front();
    if (labs.empty()) throw LabNotRunning("no lab is running in " + state_dir + " (ibmig lab up SCENARIO)");
    std::string names;
    for (auto const& l : labs)
      names += (names.empty() ? "" : ", ") + l.name;
    throw LabNotRunning("several labs are running (" + names + "): say which with --lab LAB");
  }
  for (auto const& l : labs)
    if (l.name == name || l.state_file == state_dir + "/ibmig-" + name + ".json") return l;
  throw LabNotRunning("no lab named " + name + " is running (ibmig lab up SCENARIO)");
}

std::unique_ptr<Lab> attach_lab(const RunningLab& lab, const Scenario&)
{
  throw LabNotRunning("run " + lab.name + " (" + lab.state_file +
                      ") is running, but this build cannot attach to it: `ibmig lab up` provides that");
}

int lab_status_command(const Scenario& sc, const std::string& lab, bool json, const std::string& state_dir,
                       std::ostream& out, std::ostream& err)
{
  try {
    auto live   = attach_lab(find_lab(state_dir, lab), sc);
    LabStatus s = lab_status(sc, live->observe());
    if (json)
      out << to_json(s).dump(2) << "\n";
    else
      print_lab_status(s, out);
    return 0;
  } catch (const LabNotRunning& e) {
    err << "ibmig lab status: " << e.what() << "\n";
    return 2;
  }
}

} // namespace ibmig::lab
