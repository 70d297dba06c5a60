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
  LabObservation observe() override { return observe(false); }
  /* verify: the writers' period ends first, so the bytes-lost figure is of now (reads every replica: lab status). */
  LabObservation observe(bool verify)
  {
    Reply r = request(info_.socket, {{"op", "observe"}, {"verify", verify}}, 60);
    if (r.status != 0) throw LabNotRunning("lab " + info_.name + " did not answer: " + r.out);
    return observation_from_json(nlohmann::json::parse(r.out));
  }
  /* A period of the writers of kMeasure_s, measured by the supervisor. */
  std::optional<BytesPerSecond> measure_write_rate() override
  {
    Reply r = request(info_.socket, {{"op", "measure"}, {"seconds", kMeasure_s}}, 60);
    if (r.status != 0) throw LabNotRunning("lab " + info_.name + " did not measure: " + r.out);
    auto j = nlohmann::json::parse(r.out);
    if (j.at("vm_write_rate").is_null()) return std::nullopt;
    return BytesPerSecond{j.at("vm_write_rate").get<double>()};
  }
  void inject(const std::string& drill) override
  {
    Reply r = request(info_.socket, {{"op", "inject"}, {"drill", drill}}, 60);
    if (r.status != 0) throw LabNotRunning("lab " + info_.name + " cannot inject " + drill + ": " + r.out);
  }

private:
  static constexpr double kMeasure_s = 5;
  LabInfo info_;
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
    SupervisedLab live(running_lab(state_dir, lab));
    LabStatus s = lab_status(sc, live.observe(true));
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
