/* `ibmig emulate --cleanup` (emulator.hpp): what crashed runs left, removed from their state files. */
#include "emulator.hpp"

#include "run_state.hpp"

#include <filesystem>

namespace ibmig::emu {

namespace fs = std::filesystem;

CleanupSummary cleanup(const std::string& state_dir_or_file, std::ostream* log)
{
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(state_dir_or_file, ec)) {
    for (auto const& e : fs::directory_iterator(state_dir_or_file, ec)) {
      auto name = e.path().filename().string();
      if (name.rfind("ibmig-", 0) == 0 && e.path().extension() == ".json") files.push_back(e.path().string());
    }
  } else if (fs::exists(state_dir_or_file, ec)) {
    files.push_back(state_dir_or_file);
  } else {
    throw EmulationError(state_dir_or_file + ": no such state file or directory");
  }
  SystemRunner runner(nullptr);
  runner.set_interruptible(false);
  CleanupSummary summary;
  for (auto const& f : files) {
    RunState st;
    try {
      st = RunState::load(f);
    } catch (const std::exception& e) {
      if (log) *log << e.what() << "\n";
      continue;
    }
    if (st.owner_alive()) {
      if (log) *log << "run " << st.run_id() << " is still running (pid " << st.owner_pid() << "): left alone\n";
      ++summary.running;
      continue;
    }
    Teardown td(runner, log);
    int left = td.undo_all(st);
    if (log) *log << "cleaned run " << st.run_id() << (left ? " (" + std::to_string(left) + " failures)" : "") << "\n";
    if (left == 0) {
      fs::remove(f, ec);
      ++summary.cleaned;
    }
    summary.failures += left;
  }
  return summary;
}

} // namespace ibmig::emu
