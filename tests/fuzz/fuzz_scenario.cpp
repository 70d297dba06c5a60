/* libFuzzer harness of the loader, `--set` and the plan checker: the path `ibmig check FILE --set ... --json OUT`
 * takes. Input: optional leading lines "--set PATH=VALUE" (PATH "@N": the N-th scalar of the document), then the
 * scenario text, which goes through load_scenario (from a file, as the command reads it), then check_plan, printed
 * and written as JSON as `check --json` does. Expected outcomes: success or ibmig::ScenarioError (bad input, exit 2).
 * Any other exception is a finding (abort, so libFuzzer keeps the input), as are crashes and sanitizer reports.
 * Build with -DIBMIG_FUZZ=ON (clang); README, "Stricter builds and fuzzing". */
#include "plan_checker.hpp"
#include "report.hpp"
#include "scenario_loader.hpp"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <fcntl.h>
#include <memory>
#include <sstream>
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

/* Paths of the document's scalars, depth first, in --set syntax: "--set @N=VALUE" names the N-th (modulo their
 * count), so that mutating a digit reaches another existing field instead of a path that does not exist. */
void scalar_paths(const nlohmann::json& j, const std::string& path, std::vector<std::string>& out)
{
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it)
      scalar_paths(*it, path.empty() ? it.key() : path + "." + it.key(), out);
  else if (j.is_array())
    for (size_t i = 0; i < j.size(); i++)
      scalar_paths(j[i], path + "[" + std::to_string(i) + "]", out);
  else if (!path.empty())
    out.push_back(path);
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
    std::vector<std::string> lines;
    while (size - pos >= set.size() && std::string(text + pos, set.size()) == set) {
      size_t end = pos + set.size();
      while (end < size && text[end] != '\n')
        end++;
      lines.emplace_back(text + pos + set.size(), end - pos - set.size());
      pos = end < size ? end + 1 : end;
    }
    std::vector<std::string> paths;
    for (auto& l : lines) {
      if (l.empty() || l[0] != '@') continue;
      if (paths.empty()) {
        nlohmann::json doc = nlohmann::json::parse(text + pos, text + size, nullptr, false);
        scalar_paths(doc, "", paths);
        if (paths.empty()) break;
      }
      size_t digits = 1;
      while (digits < l.size() && digits < 7 && std::isdigit(static_cast<unsigned char>(l[digits])))
        digits++;
      size_t n = digits > 1 ? std::stoul(l.substr(1, digits - 1)) : 0;
      l        = paths[n % paths.size()] + l.substr(digits);
    }
    std::vector<ibmig::Override> overrides;
    for (auto const& l : lines)
      overrides.push_back(ibmig::parse_override(l));
    write_file(text + pos, size - pos);
    ibmig::Scenario sc = ibmig::load_scenario(scenario_file, overrides);
    // What `ibmig check FILE --json OUT` does with it: print the findings, write them as JSON.
    ibmig::Report r;
    r.tool          = "check";
    r.scenario      = sc.name;
    r.scenario_file = sc.file;
    r.checks        = ibmig::check_plan(sc);
    std::ostringstream out;
    out << "ibmig check: " << sc.name << ", plan \"" << sc.plan.name << "\"\n";
    ibmig::print_checks(r.checks, out);
    out << ibmig::to_json(r).dump(2);
  } catch (const ibmig::ScenarioError&) {
    // bad input, reported with the file and the JSON path: expected
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_scenario: %s escaped the loader or the checker: %s\n", type_name(e).c_str(), e.what());
    std::abort();
  }
  return 0;
}
