#include "commands.hpp"

#include "plan_checker.hpp"
#include "report.hpp"
#include "scenario_generator.hpp"
#include "simulation.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#ifdef IBMIG_HAVE_EMULATION
#include "emulator.hpp"
#endif

namespace ibmig::cli {

namespace {

void write_json(const std::string& file, const nlohmann::json& j)
{
  if (file.empty())
    return;
  std::ofstream out(file);
  if (!out)
    throw UsageError("--json: cannot write \"" + file + "\"");
  out << j.dump(2) << "\n";
  if (!out)
    throw UsageError("--json: failed writing \"" + file + "\"");
}

} // namespace

int run_simulate(const Scenario& sc, const Options& opt)
{
  sim::SimOptions so;
  so.runs      = opt.runs;
  so.seed      = opt.seed;
  Report r     = sim::simulate(sc, so);
  print_report(r, std::cout);
  write_json(opt.json_out, to_json(r));
  return 0;
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

int run_bench(const Options& opt)
{
  auto timed = [](const Scenario& sc, sim::RunStats& stats) {
    auto t0  = std::chrono::steady_clock::now();
    Report r = sim::simulate(sc);
    return std::make_pair(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), r);
  };
  std::printf("ibmig bench (wall times include loading and the forked simulation child)\n");
  sim::RunStats s1;
  auto t_load     = std::chrono::steady_clock::now();
  Scenario ref    = load_scenario("scenarios/reference.json");
  auto [w1, r1]   = timed(ref, s1);
  double load_ref = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();
  std::printf("reference.json: %.3f s wall (simulation %.3f s), plan %.0f s simulated   target < 1 s\n", load_ref, w1,
              r1.plan_duration_s);

  GeneratorOptions g;
  g.nodes        = opt.bench_nodes;
  g.vms_per_node = opt.bench_vms_per_node;
  g.duration     = Seconds{600};
  Scenario big   = parse_scenario(generate_scenario(g), "<generated>");
  sim::RunStats s2;
  sim::simulate(big, {}, &s2);
  std::printf("generated %d nodes, %d VMs, whole plan: %.2f s wall, peak memory %.0f MiB   targets < 60 s, < 4096 MiB\n",
              g.nodes, g.nodes * g.vms_per_node, s2.wall_s, s2.max_rss_kib / 1024.0);
  g.duration       = Seconds{6000};
  Scenario longer  = parse_scenario(generate_scenario(g), "<generated-10x>");
  sim::RunStats s3;
  sim::simulate(longer, {}, &s3);
  std::printf("same with a 10x longer workload: %.2f s wall, ratio %.2f   target < 1.5\n", s3.wall_s,
              s3.wall_s / s2.wall_s);
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
  Report predicted = sim::simulate(sc);
  emu::EmulateOptions eo;
  eo.time_scale = opt.time_scale;
  eo.inject     = opt.inject;
  eo.rdma       = opt.rdma;
  eo.state_dir  = opt.state_dir;
  eo.log        = &std::cerr;
  Report measured = emu::emulate(sc, eo, &predicted);
  print_report(measured, std::cout);
  emu::print_comparison(measured, std::cout);
  write_json(opt.json_out, to_json(measured));
  bool failed = measured.extra.value("failed", false);
  for (auto const& s : measured.steps)
    failed |= s.outcome != "ok";
  return failed ? 1 : 0;
}

int run_emulate_cleanup(const Options& opt)
{
  emu::cleanup(opt.scenario.empty() ? opt.state_dir : opt.scenario);
  return 0;
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
