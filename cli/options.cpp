#include "options.hpp"

#include "command_line.hpp"
#include "scenario_generator.hpp"

namespace ibmig::cli {

const char* kUsage = R"(usage:
  ibmig simulate SCENARIO [--json FILE] [--html FILE] [--runs N] [--seed S] [--set PATH=VALUE ...]
  ibmig check    SCENARIO [--json FILE] [--set PATH=VALUE ...]
  ibmig runbook  SCENARIO [--format markdown|shell|ansible] [-o FILE] [--set PATH=VALUE ...]
  ibmig emulate  SCENARIO [--json FILE] [--html FILE] [--time-scale X] [--rate-scale X] [--inject NAME ...] [--rdma]
                          [--write-size SIZE] [--state-dir DIR] [--set PATH=VALUE ...]
  ibmig emulate  --cleanup [--state-dir DIR | STATE_FILE]
  ibmig generate --nodes N --vms-per-node M [--replica R] [--duration D] [-o FILE]
  ibmig bench    [--nodes N] [--vms-per-node M] | --sweep [--points N]
  ibmig sweep    [SCENARIO] [--sweep FILE] [--vary PATH=V1,V2,...|START:STOP:STEP ...] -o FILE.csv|FILE.jsonl
                 [--runs N] [--seed S] [-j N] [--shard I/N] [--set PATH=VALUE ...] [--html FILE]
  ibmig sweep    --merge OUT FILE... [--html FILE]
  ibmig calibrate [--iperf3 FILE ...] [--link KIND] [--technology NAME] [--hca MODEL] [--mtu N]
                  [--scenario SCENARIO [--node NODE --interface NAME]] [--fio NODE=FILE ...]
                  [--ib-write-bw FILE ...] [--dd [BS=]FILE ...] [--emulate-report FILE] [--include FILE]
                  [-o FILE] [--write-scenario FILE]
  ibmig report   REPORT.json|SWEEP.jsonl [--html FILE]
  ibmig compare  A B [--json FILE]      (A, B: reports, or scenarios to simulate)
  ibmig train    SCENARIO [--lab LAB] [--inject DRILL ...] [--progress FILE] [--state-dir DIR]

  simulate  predict throughput per phase, NIC bytes, bottlenecks and downtime of the migration plan (SimGrid)
  check     run only the plan checker (exit status 1 when it finds an error)
  runbook   write the plan as the commands an admin types on the scenario's distribution, with the checks between
            steps (stdout or -o FILE; ansible: FILE and inventory.ini next to it)
  emulate   replay the plan on an emulated cluster on this machine (root; real GlusterFS) and compare
  generate  write a valid scenario of the given size (stdout or -o FILE)
  bench     time the simulator: reference.json, a generated large scenario, and a 10x longer workload
  sweep     simulate every point of a grid over scenario paths and presets (docs/sweep.md), one row a point;
            resumes an existing -o FILE; --merge joins --shard outputs
  calibrate turn iperf3 -J, fio JSON, ib_write_bw, dd and emulate --json outputs into a calibration file that a
            scenario includes ("calibration": {"include": FILE}); KIND: ipoib-connected, ipoib-datagram, ethernet
  report    print a saved report, or write it (or a sweep's lines) as one self-contained HTML page (needs dot and
            gnuplot)
  train     a guided lesson over the plan on a running lab (docs/train.md): what to do and why, checked on the lab
  compare   two reports side by side with their differences (plan A vs plan B, before vs after calibration)
exit status: 0 ok, 1 the plan failed (check: an error; simulate: a failed step, a check error, writes with no
serving copy, a failed --runs sample; emulate: a failed replay), 2 bad input, 3 internal failure)";

Options parse_options(int argc, char** argv)
{
  Options o;
  if (argc < 2 || std::string(argv[1]) == "help") {
    o.command = "help";
    return o;
  }
  CLI::App app("", "ibmig");
  follow_conventions(app);

  std::vector<std::string> sets; // --set PATH=VALUE: checked by apply_overrides, naming the JSON path
  auto reads_scenario = [&](CLI::App* command) {
    command->add_option("SCENARIO", o.scenario);
    command->add_option("--json", o.json_out)->check(utf8_text());
    command->add_option("--set", sets)->allow_extra_args(false);
  };
  CLI::App* simulate = app.add_subcommand("simulate");
  reads_scenario(simulate);
  simulate->add_option("--html", o.html_out)->check(utf8_text());
  simulate->add_option("--runs", o.runs)->transform(whole_number(1, 1000000));
  simulate->add_option("--seed", o.seed)->transform(whole_number(0, 2147483647));
  reads_scenario(app.add_subcommand("check"));
  CLI::App* runbook = app.add_subcommand("runbook");
  runbook->add_option("SCENARIO", o.scenario);
  runbook->add_option("--set", sets)->allow_extra_args(false);
  runbook->add_option("--format", o.format)->check(one_of({"markdown", "shell", "ansible"}));
  runbook->add_option("-o,--output", o.output)->check(utf8_text());
  CLI::App* emulate = app.add_subcommand("emulate");
  reads_scenario(emulate); // or, with --cleanup, the state file
  emulate->add_option("--html", o.html_out)->check(utf8_text());
  emulate->add_option("--time-scale", o.time_scale)->transform(number(0, 1));
  emulate->add_option("--rate-scale", o.rate_scale)->transform(positive_number(1));
  emulate->add_option("--write-size", o.write_size)->transform(byte_count(1 << 20, 1ULL << 40));
  emulate->add_option("--inject", o.inject)->check(utf8_text())->allow_extra_args(false);
  emulate->add_flag("--rdma", o.rdma);
  emulate->add_flag("--cleanup", o.cleanup);
  emulate->add_option("--state-dir", o.state_dir)->check(utf8_text());
  CLI::App* generate = app.add_subcommand("generate");
  // --nodes: the generator's addressing, 250 x 250.
  CLI::Option* nodes        = generate->add_option("--nodes", o.nodes)->transform(whole_number(1, 62500));
  CLI::Option* vms_per_node = generate->add_option("--vms-per-node", o.vms_per_node)->transform(whole_number(0, 10000));
  generate->add_option("--replica", o.replica)->transform(whole_number(1, 16));
  generate->add_option("--duration", o.duration_s)
      ->transform(positive_duration(30 * 86400.0, "30 days (a workload phase)"));
  generate->add_option("-o,--output", o.output)->check(utf8_text());
  CLI::App* bench = app.add_subcommand("bench");
  bench->add_option("--nodes", o.bench_nodes)->transform(whole_number(1, 62500));
  bench->add_option("--vms-per-node", o.bench_vms_per_node)->transform(whole_number(0, 10000));
  bench->add_flag("--sweep", o.bench_sweep);
  bench->add_option("--points", o.bench_points)->transform(whole_number(100, 1000000));
  CLI::App* sweep = app.add_subcommand("sweep");
  sweep->add_option("ARGS", o.sweep_args)->check(utf8_text())->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sweep->add_option("--sweep", o.sweep_file)->check(utf8_text());
  sweep->add_option("--vary", o.vary)->check(utf8_text())->allow_extra_args(false);
  sweep->add_option("--set", sets)->allow_extra_args(false);
  sweep->add_option("-o,--output", o.output)->check(utf8_text());
  sweep->add_option("--runs", o.runs)->transform(whole_number(1, 1000000));
  sweep->add_option("--seed", o.seed)->transform(whole_number(0, 2147483647));
  sweep->add_option("-j,--jobs", o.jobs)->transform(whole_number(1, 1024));
  sweep->add_option("--shard", o.shard)->check(utf8_text());
  sweep->add_flag("--merge", o.merge);
  sweep->add_option("--html", o.html_out)->check(utf8_text());
  CLI::App* calibrate = app.add_subcommand("calibrate");
  for (auto [name, files] : {std::pair{"--iperf3", &o.iperf3}, std::pair{"--fio", &o.fio},
                             std::pair{"--ib-write-bw", &o.ib_write_bw}, std::pair{"--dd", &o.dd}})
    calibrate->add_option(name, *files)->check(list_item())->allow_extra_args(false);
  calibrate->add_option("--link", o.link)->check(one_of({"ipoib-connected", "ipoib-datagram", "ethernet"}));
  calibrate->add_option("--mtu", o.mtu)->transform(whole_number(576, 65520));
  for (auto [name, text] :
       {std::pair{"--emulate-report", &o.emulate_report}, std::pair{"--technology", &o.technology},
        std::pair{"--hca", &o.hca}, std::pair{"--scenario", &o.scenario}, std::pair{"--node", &o.node},
        std::pair{"--interface", &o.interface}, std::pair{"--include", &o.include},
        std::pair{"--write-scenario", &o.write_scenario}, std::pair{"-o,--output", &o.output}})
    calibrate->add_option(name, *text)->check(utf8_text());
  CLI::App* report = app.add_subcommand("report");
  report->add_option("REPORT", o.scenario);
  report->add_option("--html", o.html_out)->check(utf8_text());
  CLI::App* compare = app.add_subcommand("compare");
  compare->add_option("A", o.scenario);
  compare->add_option("B", o.compare_with);
  compare->add_option("--json", o.json_out)->check(utf8_text());

  if (!parse_command_line(app, argc, argv) || app.get_subcommands().empty()) {
    o.command = "help";
    return o;
  }
  o.command = app.get_subcommands().front()->get_name();
  if (first_invalid_utf8(o.scenario) != std::string::npos)
    throw UsageError("the scenario file name is not valid UTF-8 (it is written into the JSON reports)");
  for (auto const& s : sets)
    o.overrides.push_back(parse_override(s));
  bool needs_scenario = o.command == "simulate" || o.command == "check" || o.command == "runbook" ||
                        (o.command == "emulate" && !o.cleanup);
  if (needs_scenario && o.scenario.empty()) throw UsageError(o.command + " needs a scenario file");
  if (o.command == "report" && o.scenario.empty()) throw UsageError("report needs a report file (--json output)");
  if (o.command == "compare" && (o.scenario.empty() || o.compare_with.empty()))
    throw UsageError("compare needs two files: reports (--json output) or scenarios");
  if (first_invalid_utf8(o.compare_with) != std::string::npos)
    throw UsageError("the second file name is not valid UTF-8 (it is written into the output)");
  if (o.command == "generate" && (nodes->count() == 0 || vms_per_node->count() == 0))
    throw UsageError("generate needs --nodes N and --vms-per-node M");
  // Refused before any work: past the cap the generator runs out of memory (see kMaxGeneratedVms).
  std::string too_large = o.command == "generate" ? generated_size_problem(o.nodes, o.vms_per_node)
                          : o.command == "bench"  ? generated_size_problem(o.bench_nodes, o.bench_vms_per_node)
                                                  : "";
  if (!too_large.empty()) throw UsageError(too_large);
  return o;
}

} // namespace ibmig::cli
