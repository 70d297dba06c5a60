/* The semantic fuzzer: random valid scenarios (random_scenario.hpp) through the loader, the plan checker and the
 * simulator. Each case runs in a forked child with a wall-clock timeout, so a crash or a hang is a finding rather
 * than the end of the run. Findings: a signal, a hang, a sanitizer report, an exception other than the expected ones
 * (a raw library error), simulate failing (it throws when its own child fails, deadlocks or does not finish),
 * SimGrid's "Oops! Deadlock detected", or a report that contradicts its scenario (steps missing, times not finite).
 * A scenario the loader rejects is a bug of the generator, except one with clashing names (--clashing-names, and one
 * random cluster in 25) refused with the path of the switch or NIC name. Each finding is written to
 * DIR/fuzz-finding-SEED.json.
 *
 *   semantic_fuzzer [--seed S] [--count N] [--seconds T] [--out DIR] [--timeout S] [--base FILE]...
 *                   [--clashing-names] [--verbose]
 *   semantic_fuzzer --replay FILE...        scenario files through the same checks (a rejection is no finding)
 *
 * Case i uses seed S+i; with --base files, seed % (bases + 1) picks a base cluster or a random one, so
 * `--seed X --count 1` with the same --base options repeats case X. Exit status: 0 clean, 1 findings or rejected
 * scenarios, 2 bad usage. */
#include "plan_checker.hpp"
#include "random_scenario.hpp"
#include "scenario_loader.hpp"
#include "simulation.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <cxxabi.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <typeinfo>
#include <unistd.h>
#include <utility>
#include <vector>

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const char* kUsage = "usage: semantic_fuzzer [--seed S] [--count N] [--seconds T] [--out DIR] [--timeout S] "
                     "[--base FILE]... [--clashing-names] [--verbose]\n"
                     "       semantic_fuzzer --replay FILE...";

struct Args {
  uint64_t seed   = 1;
  long count      = -1;
  double seconds  = -1;
  std::string out = ".";
  double timeout  = 20;
  std::vector<std::string> bases;
  std::vector<std::string> replay;
  bool clashing_names = false;
  bool verbose        = false;
};

enum class Verdict { Ok, Rejected, Crash, Hang, Sanitizer, RawError, Deadlock, SimulateFailed, Inconsistent };

const char* name(Verdict v)
{
  switch (v) {
  case Verdict::Ok:
    return "ok";
  case Verdict::Rejected:
    return "rejected by the loader";
  case Verdict::Crash:
    return "crash";
  case Verdict::Hang:
    return "hang";
  case Verdict::Sanitizer:
    return "sanitizer report";
  case Verdict::RawError:
    return "raw library error";
  case Verdict::Deadlock:
    return "deadlock";
  case Verdict::SimulateFailed:
    return "simulate failed";
  case Verdict::Inconsistent:
    return "inconsistent report";
  }
  return "?";
}

struct Outcome {
  Outcome(Verdict v = Verdict::Ok, std::string m = "", std::string r = "")
      : verdict(v), message(std::move(m)), reached(std::move(r))
  {
  }
  Verdict verdict;
  std::string message;
  std::string reached; // a clean run: the kinds of its report's events, comma-separated
};

std::string type_name(const std::exception& e)
{
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status), std::free);
  return status == 0 && d ? d.get() : typeid(e).name();
}

/* What contradicts the scenario in a report the simulator returned without complaint. */
std::string inconsistent(const ibmig::Scenario& sc, const ibmig::Report& r)
{
  auto bad = [](double x) { return !std::isfinite(x); };
  if (r.steps.size() != sc.plan.steps.size())
    return "the report has " + std::to_string(r.steps.size()) + " of the plan's " +
           std::to_string(sc.plan.steps.size()) + " steps";
  if (bad(r.plan_duration_s) || r.plan_duration_s < 0)
    return "plan duration " + std::to_string(r.plan_duration_s) + " s";
  double end = r.phases.empty() ? 0 : r.phases.back().end_s;
  for (auto const& p : r.phases)
    if (bad(p.start_s) || bad(p.end_s) || p.end_s < p.start_s - 1e-9)
      return "phase \"" + p.name + "\" runs from " + std::to_string(p.start_s) + " to " + std::to_string(p.end_s);
  for (auto const* list : {&r.vm_downtime, &r.volume_downtime})
    for (auto const& d : *list)
      if (bad(d.seconds) || d.seconds < -1e-9 || d.seconds > end + 1e-6 * std::max(1.0, end))
        return "downtime of " + d.name + " is " + std::to_string(d.seconds) + " s in a run of " + std::to_string(end) +
               " s";
  return "";
}

void say(const std::string& kind, const std::string& msg)
{
  std::fprintf(stderr, "\n@@fuzz %s: %s\n", kind.c_str(), msg.c_str());
}

/* The case itself, in the child: load, check, simulate. */
int run_in_child(const std::string& text, int runs, const std::string& file)
{
  ibmig::Scenario sc;
  try {
    sc = ibmig::parse_scenario(json::parse(text), file);
  } catch (const ibmig::ScenarioError& e) {
    say("rejected", e.what());
    return 20;
  } catch (const std::exception& e) {
    say("raw", "loading: " + type_name(e) + ": " + e.what());
    return 21;
  }
  try {
    ibmig::check_plan(sc);
  } catch (const std::exception& e) {
    say("raw", "check_plan: " + type_name(e) + ": " + e.what());
    return 21;
  }
  ibmig::Report report;
  try {
    ibmig::sim::SimOptions so;
    so.runs = runs;
    report  = ibmig::sim::simulate(sc, so);
  } catch (const ibmig::ScenarioError& e) {
    say("raw", "simulate: ScenarioError of an accepted scenario: " + std::string(e.what()));
    return 21;
  } catch (const std::runtime_error& e) {
    say("simulate", e.what());
    return 22;
  } catch (const std::exception& e) {
    say("raw", "simulate: " + type_name(e) + ": " + e.what());
    return 21;
  }
  std::string why = inconsistent(sc, report);
  if (!why.empty()) {
    say("inconsistent", why);
    return 23;
  }
  // What the run went through, for the summary: the fuzzer should reach failed steps, faults, heals.
  std::set<std::string> kinds;
  for (auto const& e : report.events)
    kinds.insert(e.kind);
  std::string reached;
  for (auto const& k : kinds)
    reached += k + ",";
  std::fprintf(stderr, "\n@@reached %s\n", reached.c_str());
  return 0;
}

/* The first line of `out` containing `what`, trimmed. */
std::string line_with(const std::string& out, const std::string& what)
{
  size_t at = out.find(what);
  if (at == std::string::npos) return "";
  size_t b = out.rfind('\n', at);
  b        = b == std::string::npos ? 0 : b + 1;
  size_t e = out.find('\n', at);
  return out.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

std::string sanitizer_line(const std::string& out)
{
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"})
    if (std::string l = line_with(out, marker); !l.empty()) return l;
  return "";
}

Outcome run_case(const std::string& text, double timeout_s, int runs, const std::string& file = "fuzz.json")
{
  // The child's (and the simulator's grandchild's) stdout and stderr go to an unlinked file: no pipe to fill.
  char path[] = "/tmp/ibmig-semantic-fuzzer-XXXXXX";
  int fd      = mkstemp(path);
  if (fd < 0) throw std::runtime_error(std::string("mkstemp: ") + std::strerror(errno));
  unlink(path);
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    setpgid(0, 0); // its own group: a hang is ended with the simulator's child
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    int status = run_in_child(text, runs, file);
    std::fflush(nullptr);
    _exit(status);
  }
  setpgid(pid, pid);
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  int status    = 0;
  bool hung     = false;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      hung = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    usleep(1000);
  }
  kill(-pid, SIGKILL); // whatever of its group is left (nothing, normally)
  std::string out;
  char buf[65536];
  ssize_t n;
  lseek(fd, 0, SEEK_SET);
  while ((n = read(fd, buf, sizeof buf)) > 0 && out.size() < (16u << 20))
    out.append(buf, static_cast<size_t>(n));
  close(fd);

  std::string said = line_with(out, "@@fuzz ");
  if (!said.empty()) said = said.substr(said.find(':') + 2);
  std::string san = sanitizer_line(out);
  if (hung) return {Verdict::Hang, "no answer after " + std::to_string(static_cast<int>(timeout_s)) + " s"};
  if (!san.empty()) return {Verdict::Sanitizer, san};
  if (WIFSIGNALED(status))
    return {Verdict::Crash,
            std::string("signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")"};
  int code = WEXITSTATUS(status);
  switch (code) {
  case 0: {
    std::string oops = line_with(out, "Deadlock detected");
    if (!oops.empty()) return {Verdict::Deadlock, oops.substr(oops.find("Oops"))};
    std::string reached = line_with(out, "@@reached ");
    return {Verdict::Ok, "", reached.empty() ? "" : reached.substr(10)};
  }
  case 20:
    return {Verdict::Rejected, said};
  case 21:
    return {Verdict::RawError, said};
  case 22:
    if (said.find("eadlock") != std::string::npos || said.find("did not finish") != std::string::npos ||
        !line_with(out, "Deadlock detected").empty())
      return {Verdict::Deadlock, said};
    if (said.find("signal") != std::string::npos) return {Verdict::Crash, said};
    return {Verdict::SimulateFailed, said};
  case 23:
    return {Verdict::Inconsistent, said};
  default:
    return {Verdict::Crash, "exit status " + std::to_string(code) + (said.empty() ? "" : ": " + said)};
  }
}

/* What a generated scenario contains, to show that the generator covers the vocabulary. */
void count_features(const json& sc, std::map<std::string, long>& seen)
{
  auto step = [&](const json& s) { seen["action " + s["action"].get<std::string>()]++; };
  if (sc.contains("plan"))
    for (auto const& e : sc["plan"]["steps"]) {
      if (!e.contains("rolling")) {
        step(e);
        continue;
      }
      seen["rolling block"]++;
      for (auto const& s : e["rolling"]["steps"])
        step(s);
    }
  if (sc.contains("faults"))
    for (auto const& f : sc["faults"]) {
      seen[f.contains("at") ? "fault at a time" : "fault after a step"]++;
      seen[f.contains("down_for") ? "fault with down_for" : "fault without down_for"]++;
    }
  auto const& w = sc["workload"];
  if (w.value("before", "") == "0s") seen["workload.before 0s"]++;
  if (w.value("after", "") == "0s") seen["workload.after 0s"]++;
  for (auto const& vm : w["vms"]) {
    seen["access " + vm.value("access", "fuse")]++;
    for (auto const& s : vm["streams"])
      seen["stream " + s["type"].get<std::string>()]++;
  }
  for (auto const& v : sc["volumes"]) {
    seen["volume replica " + std::to_string(v.value("replica", 1))]++;
    if (v.value("arbiter", false)) seen["volume arbiter"]++;
  }
  seen["networks " + std::to_string(sc["networks"].size())]++;
  for (auto const& n : sc["networks"]) {
    std::string t = n["technology"];
    seen["technology " + t]++;
    seen[t.rfind("IB-", 0) == 0 ? "network InfiniBand" : "network Ethernet"]++;
  }
  if (sc.contains("storage_names")) seen["storage_names"]++;
}

Args parse_args(int argc, char** argv)
{
  Args a;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) throw std::invalid_argument(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; i++) {
    std::string o = argv[i];
    if (o == "--seed")
      a.seed = std::stoull(value(i));
    else if (o == "--count")
      a.count = std::stol(value(i));
    else if (o == "--seconds")
      a.seconds = std::stod(value(i));
    else if (o == "--out")
      a.out = value(i);
    else if (o == "--timeout")
      a.timeout = std::stod(value(i));
    else if (o == "--base")
      a.bases.push_back(value(i));
    else if (o == "--clashing-names")
      a.clashing_names = true;
    else if (o == "--verbose")
      a.verbose = true;
    else if (o == "--replay") {
      while (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0)
        a.replay.push_back(argv[++i]);
      if (a.replay.empty()) throw std::invalid_argument("--replay needs a file");
    } else
      throw std::invalid_argument("unknown option " + o);
  }
  if (a.count < 0 && a.seconds < 0) a.count = 100;
  return a;
}

std::string read_file(const std::string& file)
{
  std::ifstream in(file);
  if (!in) throw std::invalid_argument("cannot read " + file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int replay(const Args& a)
{
  int bad = 0;
  for (auto const& f : a.replay) {
    Outcome o = run_case(read_file(f), a.timeout, 1, f);
    std::cout << f << ": " << name(o.verdict) << (o.message.empty() ? "" : ": " + o.message) << "\n";
    // A file may be bad input: a rejection is the loader's answer, not a finding.
    bad += o.verdict != Verdict::Ok && o.verdict != Verdict::Rejected;
  }
  return bad ? 1 : 0;
}

} // namespace

int main(int argc, char** argv)
{
  Args a;
  std::vector<json> bases;
  try {
    a = parse_args(argc, argv);
    for (auto const& f : a.bases)
      bases.push_back(ibmig::expand_scenario(json::parse(read_file(f)), f).document); // mutated as plain nodes
  } catch (const std::exception& e) {
    std::cerr << "semantic_fuzzer: " << e.what() << "\n" << kUsage << "\n";
    return 2;
  }
  if (!a.replay.empty()) return replay(a);
  std::filesystem::create_directories(a.out);

  auto t0      = Clock::now();
  auto elapsed = [&]() { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  long cases = 0, findings = 0, rejected = 0, clashing = 0, clashing_refused = 0;
  std::map<std::string, long> by_kind, features, reached;
  std::map<std::string, std::vector<uint64_t>> seeds_by_kind;
  for (long i = 0;; i++) {
    if (a.count >= 0 && i >= a.count) break;
    if (a.seconds >= 0 && elapsed() >= a.seconds) break;
    uint64_t seed = a.seed + static_cast<uint64_t>(i);
    ibmig::fuzz::RandomScenarioOptions opt;
    size_t which = bases.empty() ? 0 : seed % (bases.size() + 1);
    if (which < bases.size()) opt.base = bases[which];
    // One random cluster in 25 has names that collide in what the simulator builds: the loader may refuse those.
    opt.clashing_names = opt.base.is_null() && (a.clashing_names || seed % 25 == 7);
    json doc           = ibmig::fuzz::random_scenario(seed, opt);
    int runs           = seed % 16 == 0 ? 3 : 1; // now and then a Monte Carlo run over the duration distributions
    Outcome o          = run_case(doc.dump(1), a.timeout, runs);
    cases++;
    count_features(doc, features);
    for (size_t b = 0, e; (e = o.reached.find(',', b)) != std::string::npos; b = e + 1)
      reached["runs with " + o.reached.substr(b, e - b)]++;
    if (opt.clashing_names) {
      clashing++;
      bool named = o.message.find(".switch.name") != std::string::npos || o.message.find(".nics[") != std::string::npos;
      if (o.verdict == Verdict::Rejected && named) {
        clashing_refused++;
        if (a.verbose) std::cout << "seed " << seed << ": clashing names refused: " << o.message << "\n";
        continue;
      }
    }
    if (a.verbose || o.verdict != Verdict::Ok)
      std::cout << "seed " << seed << ": " << name(o.verdict) << (o.message.empty() ? "" : ": " + o.message) << "\n";
    if (o.verdict == Verdict::Ok) continue;
    std::string kind = o.verdict == Verdict::Rejected ? "rejected" : "finding";
    std::string file = a.out + "/fuzz-" + kind + "-" + std::to_string(seed) + ".json";
    std::ofstream(file) << doc.dump(1) << "\n";
    std::cout << "  wrote " << file << "; again: semantic_fuzzer --seed " << seed << " --count 1";
    for (auto const& b : a.bases)
      std::cout << " --base " << b;
    std::cout << (a.clashing_names ? " --clashing-names" : "") << "\n";
    if (o.verdict == Verdict::Rejected) {
      rejected++;
      continue;
    }
    findings++;
    by_kind[name(o.verdict)]++;
    seeds_by_kind[name(o.verdict)].push_back(seed);
  }
  double t = elapsed();

  std::cout << "\ngenerated:";
  for (auto const& [k, v] : features)
    std::cout << " " << k << " " << v << ";";
  std::cout << "\nsimulated:";
  for (auto const& [k, v] : reached)
    std::cout << " " << k << " " << v << ";";
  std::cout << "\n";
  for (auto const& [k, v] : by_kind) {
    std::cout << k << ": " << v << " (seeds";
    auto const& s = seeds_by_kind[k];
    for (size_t j = 0; j < s.size() && j < 12; j++)
      std::cout << " " << s[j];
    std::cout << (s.size() > 12 ? " ...)" : ")") << "\n";
  }
  if (clashing)
    std::cout << clashing << " scenarios with clashing names, " << clashing_refused
              << " of them refused by the loader naming the switch or NIC\n";
  if (rejected) std::cout << rejected << " scenarios rejected by the loader: generator bugs\n";
  char line[160];
  std::snprintf(line, sizeof line, "%ld scenarios, %ld findings, %.1f s (%.1f per s)", cases, findings, t,
                t > 0 ? static_cast<double>(cases) / t : 0.0);
  std::cout << line << std::endl;
  return findings > 0 || rejected > 0 ? 1 : 0;
}
