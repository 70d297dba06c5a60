/* libFuzzer harness of the loader, `--set` and the plan checker: the path `ibmig check FILE --set ...` takes.
 * Input: optional leading lines "--set PATH=VALUE", then the scenario text. The text goes through load_scenario
 * (from a file, as the command reads it), then check_plan. Expected outcomes: success or ibmig::ScenarioError (bad
 * input, exit 2). Any other exception is a finding (abort, so libFuzzer keeps the input), as are crashes and
 * sanitizer reports. Build with -DIBMIG_FUZZ=ON (clang); README, "Stricter builds and fuzzing". */
#include "plan_checker.hpp"
#include "scenario_loader.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <fcntl.h>
#include <memory>
#include <string>
#include <typeinfo>
#include <unistd.h>
#include <vector>

namespace {

std::string scenario_file; // one file per fuzzing process, rewritten for each input

void remove_file()
{
  unlink(scenario_file.c_str());
}

void write_file(const char* data, size_t size)
{
  int fd = open(scenario_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    std::perror(scenario_file.c_str());
    std::abort();
  }
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n <= 0) {
      std::perror(scenario_file.c_str());
      std::abort();
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  close(fd);
}

std::string type_name(const std::exception& e)
{
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status), std::free);
  return status == 0 && d ? d.get() : typeid(e).name();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
  const char* dir = std::getenv("TMPDIR");
  scenario_file =
      std::string(dir && *dir ? dir : "/tmp") + "/ibmig-fuzz-scenario-" + std::to_string(getpid()) + ".json";
  std::atexit(remove_file);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
  const std::string set = "--set ";
  const char* text      = reinterpret_cast<const char*>(data);
  size_t pos            = 0;
  try {
    std::vector<ibmig::Override> overrides;
    while (size - pos >= set.size() && std::string(text + pos, set.size()) == set) {
      size_t end = pos + set.size();
      while (end < size && text[end] != '\n')
        end++;
      overrides.push_back(ibmig::parse_override(std::string(text + pos + set.size(), end - pos - set.size())));
      pos = end < size ? end + 1 : end;
    }
    write_file(text + pos, size - pos);
    ibmig::Scenario sc = ibmig::load_scenario(scenario_file, overrides);
    ibmig::check_plan(sc);
  } catch (const ibmig::ScenarioError&) {
    // bad input, reported with the file and the JSON path: expected
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_scenario: %s escaped the loader or the checker: %s\n", type_name(e).c_str(), e.what());
    std::abort();
  }
  return 0;
}
