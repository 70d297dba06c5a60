/* Bad input in a scenario or a --set: "FILE: JSON.PATH: what is wrong". */
#pragma once

#include <stdexcept>
#include <string>

namespace ibmig {

/* Callers print what() and exit with status 2. */
class ScenarioError : public std::runtime_error {
public:
  ScenarioError(const std::string& file, const std::string& path, const std::string& msg)
      : std::runtime_error(file + ": " + (path.empty() ? "" : path + ": ") + msg), file_(file), path_(path),
        reason_(msg)
  {
  }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const std::string& reason() const { return reason_; } // what() without "FILE: PATH: "

private:
  std::string file_;
  std::string path_;
  std::string reason_;
};

} // namespace ibmig
