#include "running_lab.hpp"

#include "lab_status.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>

namespace ibmig::lab {

LabInfo running_lab(const std::string& state_dir, const std::string& name)
{
  std::vector<LabInfo> labs;
  for (auto& l : find_labs(state_dir))
    if (l.alive) labs.push_back(l);
  if (name.empty()) {
    if (labs.size() == 1) return labs.front();
    if (labs.empty()) throw LabNotRunning("no lab is running in " + state_dir + " (ibmig lab up SCENARIO)");
    std::string names;
    for (auto const& l : labs)
      names += (names.empty() ? "" : ", ") + l.name;
    throw LabNotRunning("several labs are running (" + names + "): say which with --lab LAB");
  }
  for (auto const& l : labs)
    if (l.name == name) return l;
  throw LabNotRunning("no lab named " + name + " is running (ibmig lab up SCENARIO)");
}

namespace {

class SupervisedLab : public Lab {
public:
  explicit SupervisedLab(LabInfo info) : info_(std::move(info)) {}
  LabObservation observe() override
  {
    Reply r = request(info_.socket, {{"op", "observe"}}, 60);
    if (r.status != 0) throw LabNotRunning("lab " + info_.name + " did not answer: " + r.out);
    last_ = observation_from_json(nlohmann::json::parse(r.out));
    return last_;
  }
  std::optional<BytesPerSecond> measure_write_rate() override { return observe().vm_write_rate; }
  void inject(const std::string& drill) override
  {
    Reply r = request(info_.socket, {{"op", "inject"}, {"drill", drill}}, 60);
    if (r.status != 0) throw LabNotRunning("lab " + info_.name + " cannot inject " + drill + ": " + r.out);
  }

private:
  LabInfo info_;
  LabObservation last_;
};

} // namespace

std::unique_ptr<Lab> attach_lab(const LabInfo& lab, const Scenario&)
{
  return std::make_unique<SupervisedLab>(lab);
}

int lab_status_command(const Scenario& sc, const std::string& lab, bool json, const std::string& state_dir,
                       std::ostream& out, std::ostream& err)
{
  try {
    auto live   = attach_lab(running_lab(state_dir, lab), sc);
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
