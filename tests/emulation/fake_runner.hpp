/* A command runner that runs nothing: it records every command and answers from a script (first rule whose text
 * occurs in the command wins; otherwise exit 0 with no output). */
#pragma once

#include "command_runner.hpp"

#include <string>
#include <utility>
#include <vector>

namespace ibmig::emu::test {

class FakeRunner : public CommandRunner {
public:
  CommandResult run(const std::vector<std::string>& argv, Seconds) override
  {
    auto cmd = join_command(argv);
    commands.push_back(cmd);
    for (auto const& [pattern, result] : rules)
      if (cmd.find(pattern) != std::string::npos) return result;
    CommandResult ok;
    ok.exit_status = 0;
    return ok;
  }
  void answer(const std::string& pattern, int status, const std::string& out = "", const std::string& err = "")
  {
    CommandResult r;
    r.exit_status = status;
    r.out         = out;
    r.err         = err;
    rules.emplace_back(pattern, r);
  }
  bool ran(const std::string& text) const
  {
    for (auto const& c : commands)
      if (c.find(text) != std::string::npos) return true;
    return false;
  }
  std::vector<std::string> commands;
  std::vector<std::pair<std::string, CommandResult>> rules;
};

} // namespace ibmig::emu::test
