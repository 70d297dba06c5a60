#include "commands.hpp"
#include "progress.hpp"

#include "plan_checker.hpp"
#include "report.hpp"
#include "scenario_generator.hpp"
#include "simulation.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <unistd.h>

#ifdef IBMIG_HAVE_EMULATION
#include "emulator.hpp"
#endif
#ifdef IBMIG_HAVE_RDMA
#include "rdma_fabric.hpp"
#include "rdma_plane.hpp"
#endif
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

namespace ibmig::cli {

namespace {

void write_json(const std::string& file, const nlohmann::json& j)
{
  if (file.empty()) return;
  std::ofstream out(file);
  // Not a UsageError: the command line was fine, and the usage text would bury the report printed above.
  if (!out) throw std::runtime_error("--json: cannot write \"" + file + "\": " + std::strerror(errno));
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error("--json: failed writing \"" + file + "\"");
}

} // namespace

int run_simulate(const Scenario& sc, const Options& opt)
{
  if (std::string missing = missing_html_prerequisite(opt); !missing.empty()) { // before the run, not after
    std::cerr << "ibmig simulate: " << missing << "\n";
    return 2;
  }
  sim::SimOptions so;
  so.runs = opt.runs;
  so.seed = opt.seed;
  Progress progress("ibmig simulate", "runs", opt.runs > 1 ? static_cast<std::size_t>(opt.runs) : 0);
  so.on_run_done = [&progress]() { progress.advance(); };
  Report r       = sim::simulate(sc, so);
  progress.finish();
  r.topology = report_topology(sc);
  print_report(r, std::cout);                                      // ends with the verdict's one-line summary
  if (!opt.json_out.empty()) write_json(opt.json_out, to_json(r)); // not built for nothing: large at 4,096 nodes
  write_html_report(opt, r);
  return verdict(r).ok() ? 0 : 1;
}

int run_check(const Scenario& sc, const Options& opt)
{
  auto findings = check_plan(sc);
  std::cout << "ibmig check: " << sc.name << " (" << sc.file << "), plan \"" << sc.plan.name << "\", "
            << sc.plan.steps.size() << " steps\n";
  print_checks(findings, std::cout);
  Report r;
  r.tool          = "check";
  r.scenario      = sc.name;
  r.scenario_file = sc.file;
  r.checks        = findings;
  write_json(opt.json_out, to_json(r));
  return has_errors(findings) ? 1 : 0;
}

int run_generate(const Options& opt)
{
  GeneratorOptions g;
  g.nodes        = opt.nodes;
  g.vms_per_node = opt.vms_per_node;
  g.replica      = opt.replica;
  g.duration     = Seconds{opt.duration_s};
  nlohmann::json doc;
  try {
    doc = generate_scenario(g);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  // Validate what we write: a generated scenario must load.
  parse_scenario(doc, opt.output.empty() ? "<generated>" : opt.output);
  if (opt.output.empty())
    std::cout << doc.dump(1) << "\n";
  else
    write_json(opt.output, doc);
  return 0;
}

namespace {

/* Every duration in `j` (a string with a unit, or a distribution of them) times `factor`; numbers such as a
 * lognormal's sigma are not durations and stay. */
void scale_durations(nlohmann::json& j, double factor)
{
  if (j.is_string())
    j = std::to_string(parse_duration(j.get<std::string>()).value * factor) + "s";
  else if (j.is_structured())
    for (auto& v : j)
      scale_durations(v, factor);
}

/* The same plan `factor` times longer: every step's duration and timeout, and the workload phases around it. */
void scale_plan(nlohmann::json& steps, double factor)
{
  for (auto& st : steps) {
    for (const char* key : {"duration", "timeout"})
      if (st.contains(key)) scale_durations(st[key], factor);
    if (st.contains("rolling")) scale_plan(st["rolling"]["steps"], factor);
  }
}

double mib(const sim::RunStats& s)
{
  return static_cast<double>(s.max_rss_kib) / 1024.0;
}

} // namespace

int run_bench(const Options& opt)
{
  if (opt.bench_nodes % GeneratorOptions{}.replica != 0) // checked first: don't spend a run before refusing
    throw UsageError("bench: --nodes must be a multiple of the replica count " +
                     std::to_string(GeneratorOptions{}.replica));
  // Wall time is what a user waits; CPU time of the simulation child is the steadier figure on a shared machine.
  std::printf("ibmig bench: simulation child's wall and CPU time, peak memory (getrusage; this machine: %ld cores)\n",
              sysconf(_SC_NPROCESSORS_ONLN));
  auto t0                       = std::chrono::steady_clock::now();
  const std::string small_files = "scenarios/reference-small-files-rolling.json";
  if (!std::filesystem::exists("scenarios/reference.json") || !std::filesystem::exists(small_files))
    throw UsageError("bench reads scenarios/reference.json and " + small_files +
                     ": run it from the repository's top directory");
  Scenario ref = load_scenario("scenarios/reference.json");
  sim::RunStats s1;
  Report r1 = sim::simulate(ref, {}, &s1);
  double w1 = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("reference.json: %.3f s wall end to end (simulation %.3f s wall, %.3f s CPU), %.0f s of plan "
              "simulated   target < 1 s\n",
              w1, s1.wall_s, s1.cpu_s, r1.plan_duration_s);
  std::fflush(stdout);

  // Small-file streams must cost events, not simulated seconds: the same rolling plan, then 10x longer.
  nlohmann::json sf_doc;
  {
    std::ifstream in(small_files);
    sf_doc = nlohmann::json::parse(in);
  }
  auto run_small_files = [&](double factor, double* plan_s) {
    nlohmann::json doc = sf_doc;
    scale_plan(doc["plan"]["steps"], factor);
    for (const char* phase : {"before", "after"})
      scale_durations(doc["workload"][phase], factor);
    sim::RunStats stats;
    *plan_s = sim::simulate(parse_scenario(doc, small_files), {}, &stats).plan_duration_s;
    return stats;
  };
  double p1 = 0, p10 = 0;
  sim::RunStats f1 = run_small_files(1, &p1);
  std::printf("%s (%.1f h of plan): %.3f s wall, %.3f s CPU   target < 1 s\n", small_files.c_str(), p1 / 3600,
              f1.wall_s, f1.cpu_s);
  std::fflush(stdout);
  sim::RunStats f10 = run_small_files(10, &p10);
  std::printf("same plan 10x longer (%.1f h): %.3f s wall, %.3f s CPU; ratio %.2f wall, %.2f CPU   target < 1.5\n",
              p10 / 3600, f10.wall_s, f10.cpu_s, f10.wall_s / f1.wall_s, f10.cpu_s / f1.cpu_s);
  std::fflush(stdout);

  // Generated clusters of 1x, 2x and 4x --nodes: cost must grow linearly with the cluster. Then the base size with
  // 10x longer workload phases: same events, 10x the bytes.
  GeneratorOptions g;
  g.vms_per_node     = opt.bench_vms_per_node;
  auto run_generated = [&g](int nodes, double phase_s) {
    g.nodes    = nodes;
    g.duration = Seconds{phase_s};
    sim::RunStats stats;
    sim::simulate(parse_scenario(generate_scenario(g), "<generated>"), {}, &stats);
    return stats;
  };
  sim::RunStats base;
  for (int k : {1, 2, 4}) {
    int nodes = opt.bench_nodes * k;
    if (!generated_size_problem(nodes, g.vms_per_node).empty()) break;
    sim::RunStats s = run_generated(nodes, 600);
    if (k == 1) base = s;
    std::printf("generated %d nodes, %d VMs, 600 s workload phases, whole plan: %.2f s wall, %.2f s CPU, peak memory "
                "%.0f MiB; CPU %.2fx and memory %.2fx the %d-node run%s\n",
                nodes, nodes * g.vms_per_node, s.wall_s, s.cpu_s, mib(s), s.cpu_s / base.cpu_s, mib(s) / mib(base),
                opt.bench_nodes, k == 4 ? "   targets < 30 s, < 4096 MiB" : "");
    std::fflush(stdout);
  }
  sim::RunStats s3 = run_generated(opt.bench_nodes, 6000);
  std::printf("%d nodes with 10x longer workload phases (6000 s): %.2f s wall, %.2f s CPU; ratio %.2f wall, %.2f CPU   "
              "target < 1.5\n",
              opt.bench_nodes, s3.wall_s, s3.cpu_s, s3.wall_s / base.wall_s, s3.cpu_s / base.cpu_s);
  return 0;
}

#ifdef IBMIG_HAVE_EMULATION
int run_emulate(const Scenario& sc, const Options& opt)
{
  std::string missing = emu::missing_prerequisites();
  if (!missing.empty()) {
    std::cerr << "ibmig emulate: " << missing << "\n";
    return 2;
  }
  if (std::string no_html = missing_html_prerequisite(opt); !no_html.empty()) {
    std::cerr << "ibmig emulate: " << no_html << "\n";
    return 2;
  }
  Report predicted = sim::simulate(sc); // the same model, predicted: the comparison table sets them side by side
  emu::EmulateOptions eo;
  eo.time_scale = opt.time_scale;
  eo.rate_scale = opt.rate_scale;
  // The phases' writers; the replay's (with faults) keep plan_write_bytes so that a crash finds them writing.
  if (opt.write_size) eo.write_bytes = Bytes{static_cast<double>(opt.write_size)};
  // Slowed down, the VMs of a phase no longer compete for this machine's CPU: run them together, as predicted.
  eo.concurrent_streams = opt.rate_scale < 1;
  eo.rdma               = opt.rdma;
  std::vector<std::string> rdma_faults;
  for (auto const& name : opt.inject) {
#ifdef IBMIG_HAVE_RDMA
    if (is_rdma_fault(name)) {
      if (!opt.rdma) throw UsageError("--inject " + name + " needs --rdma");
      rdma_faults.push_back(name);
      continue;
    }
#endif
    eo.inject.push_back(name);
  }
  eo.state_dir = opt.state_dir;
  eo.log       = &std::cerr;
#ifdef IBMIG_HAVE_RDMA
  const std::string guest_image = guest_image_dir();
  std::optional<GuestPortProbe> ports;
  if (opt.rdma) {
    if (std::string why = rdma::RdmaPlane::unavailable_reason(guest_image); why.empty()) {
      ports.emplace(guest_image, &std::cerr);
      eo.ports = &*ports;
    } else {
      std::cerr << "ibmig emulate: verify_port steps take the model's answer: " << why << "\n";
    }
  }
#endif
  Report measured;
  try {
    measured = emu::emulate(sc, eo, &predicted);
  } catch (const emu::EmulationError& e) {
    std::cerr << "ibmig emulate: " << e.what() << "\n";
    return 2;
  }
  bool rdma_failed = false;
  if (opt.rdma) {
#ifdef IBMIG_HAVE_RDMA
    std::cerr << "ibmig emulate: RDMA plane: booting soft-RoCE guests from " << guest_image << "\n";
    nlohmann::json rdma      = run_rdma_fabric(sc, rdma_faults, guest_image);
    measured.emulation->rdma = rdma;
    rdma_failed              = rdma.contains("skipped") || !rdma.value("ok", false);
#else
    measured.emulation->rdma = {{"skipped", "this build has no verbs tools (libibverbs/librdmacm missing)"}};
    rdma_failed              = true;
#endif
  }
  print_report(measured, std::cout);
  emu::print_comparison(measured, std::cout);
#ifdef IBMIG_HAVE_RDMA
  if (opt.rdma) print_rdma_summary(measured.emulation->rdma, std::cout);
#endif
  measured.topology = report_topology(sc);
  write_json(opt.json_out, to_json(measured));
  write_html_report(opt, measured);
  return emu::run_failed(measured) || rdma_failed ? 1 : 0;
}

int run_emulate_cleanup(const Options& opt)
{
  emu::CleanupSummary s;
  try {
    s = emu::cleanup(opt.scenario.empty() ? opt.state_dir : opt.scenario, &std::cerr);
  } catch (const emu::EmulationError& e) {
    std::cerr << "ibmig emulate --cleanup: " << e.what() << "\n";
    return 2;
  }
  std::cout << "ibmig emulate --cleanup: cleaned " << s.cleaned << " run(s)";
  if (s.running) std::cout << ", left " << s.running << " running run(s) alone";
  if (s.failures) std::cout << "; " << s.failures << " object(s) could not be removed (still in their state files)";
  std::cout << "\n";
  return s.failures ? 1 : 0;
}
#else
int run_emulate(const Scenario&, const Options&)
{
  std::cerr << "ibmig emulate: this build has no emulator (configure with -DIBMIG_EMULATION=ON)\n";
  return 2;
}
int run_emulate_cleanup(const Options& opt)
{
  return run_emulate(Scenario{}, opt);
}
#endif

} // namespace ibmig::cli
