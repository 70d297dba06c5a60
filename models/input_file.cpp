#include "input_file.hpp"

#include "scenario_error.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ibmig {

std::string read_input_text(const std::string& file, std::uintmax_t max_bytes, const std::string& too_large)
{
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    if (std::filesystem::exists(file, ec)) throw ScenarioError(file, "", "is not a regular file");
    throw ScenarioError(file, "", "cannot open the file (no such file)");
  }
  if (std::filesystem::file_size(file, ec) > max_bytes)
    throw ScenarioError(file, "", "larger than " + std::to_string(max_bytes >> 20) + " MiB: " + too_large);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ScenarioError(file, "", "cannot open the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace ibmig
