/* `ibmig sweep`: a what-if study. Every point of the grid is the scenario with that point's --set overrides,
 * simulated in a process forked from this one (SimGrid allows one engine per process and is not thread-safe), at most
 * -j at a time. Rows are appended as points finish, so a killed sweep resumes where it stopped; the finished file is
 * sorted by point. docs/sweep.md documents the command, the files and every field. */
#include "commands.hpp"
#include "progress.hpp"

#include "plan_checker.hpp"
#include "scenario_loader.hpp"
#include "simulation.hpp"
#include "sweep_grid.hpp"
#include "sweep_rows.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <poll.h>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ibmig::cli {
namespace {

using sweep::Columns;
using sweep::Format;
using sweep::Row;

/* Bad input found past the command line (a rows file, a grid that does not match it): one line, exit status 2. */
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Study {
  std::string scenario;
  std::vector<Override> fixed; // --set: at every point, before the point's own
  sweep::Grid grid;
  Columns columns;
  sim::SimOptions sim;
  int jobs = 1;
  sweep::Shard shard;
  std::string output;
};

struct Tally {
  std::size_t in_shard = 0, resumed = 0, ran = 0, ok = 0, failed = 0, invalid = 0;
  double wall_s = 0;
};

std::string joined(const std::vector<std::string>& v)
{
  std::string out;
  for (auto const& s : v)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

/* User and system CPU seconds of this process and its reaped children. */
double cpu_seconds()
{
  double s = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    struct rusage ru {};
    getrusage(who, &ru);
    s += static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  }
  return s;
}

int cores()
{
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

/* The grid of --sweep FILE, then --vary (in the order given). Fills the scenario and --runs/--seed from the file
 * where the command line gave none. */
sweep::Grid build_grid(const Options& opt, std::string* scenario, sim::SimOptions* so, bool runs_given, bool seed_given)
{
  sweep::Grid grid;
  if (!opt.sweep_file.empty()) {
    sweep::SweepFile f = sweep::load_sweep_file(opt.sweep_file);
    for (auto& a : f.axes)
      sweep::add_axis(grid, std::move(a), opt.sweep_file);
    if (scenario && scenario->empty()) *scenario = f.scenario;
    if (so && f.runs && !runs_given) so->runs = *f.runs;
    if (so && f.seed && !seed_given) so->seed = *f.seed;
  }
  for (auto const& v : opt.vary)
    sweep::vary_axis(grid, sweep::parse_vary(v), "--vary");
  return grid;
}

/* A typo in an axis (a path the scenario does not have, a word where a number goes) is the study's mistake, not a
 * point's result: refused before any point runs. What the loader refuses for a value is a row ("invalid"). */
void check_axes(const Study& st)
{
  for (auto const& axis : st.grid.axes)
    for (auto const& value : axis.values) {
      std::vector<Override> ovs = st.fixed;
      ovs.insert(ovs.end(), value.overrides.begin(), value.overrides.end());
      try {
        load_scenario(st.scenario, ovs);
      } catch (const ScenarioError& e) {
        // A field the --set added that the schema does not know is a misspelt path too.
        if (e.reason().rfind("--set:", 0) == 0 || e.reason().find(" added by --set ") != std::string::npos)
          throw InputError("axis " + axis.name + " = " + value.label + ": " + e.what());
      }
    }
}

/* The point's report. This process is the point's own, so one nominal run creates its engine here: sim::simulate
 * would fork once more and pass the whole report through JSON, a third of a point's cost on the reference. With
 * --runs N the Monte Carlo children are sim::simulate's. */
Report simulate_point(const Scenario& sc, const sim::SimOptions& so)
{
  if (so.runs > 1) return sim::simulate(sc, so);
  Report r                         = sim::simulate_in_process(sc, sim::nominal_durations(sc));
  r.runs                           = so.runs;
  r.seed                           = so.seed;
  std::vector<CheckFinding> checks = check_plan(sc); // first, as sim::simulate orders them
  r.checks.insert(r.checks.begin(), checks.begin(), checks.end());
  return r;
}

/* One point, in its own process: the text "STATUS ROW-LINE". */
std::string run_point(const Study& st, std::size_t point, Format f)
{
  std::vector<Override> ovs = st.fixed;
  for (auto const& ov : st.grid.overrides(point))
    ovs.push_back(ov);
  std::vector<std::string> labels = st.grid.labels(point);
  Row row;
  try {
    Scenario sc = load_scenario(st.scenario, ovs);
    try {
      row = sweep::row_from_report(point, labels, simulate_point(sc, st.sim), st.columns);
    } catch (const std::exception& e) {
      row = sweep::row_without_report(point, labels, "failed", std::string("simulator: ") + e.what(), st.columns);
    }
  } catch (const ScenarioError& e) {
    row = sweep::row_without_report(point, labels, "invalid", e.what(), st.columns);
  }
  return row.status + " " + sweep::row_line(f, row, st.columns);
}

/* Writes `text` to `file` through a temporary file and a rename: a reader never sees half a file. */
void replace_file(const std::string& file, const std::string& text)
{
  std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw std::runtime_error("-o: cannot write \"" + tmp + "\": " + std::strerror(errno));
    out << text;
    if (!out.flush()) throw std::runtime_error("-o: failed writing \"" + tmp + "\"");
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0)
    throw std::runtime_error("-o: cannot rename \"" + tmp + "\" to \"" + file + "\": " + std::strerror(errno));
}

/* The rows an earlier run of this sweep left in the output. Refuses a file of another grid. */
std::vector<Row> resumed_rows(const Study& st)
{
  std::error_code ec;
  if (!std::filesystem::exists(st.output, ec) || std::filesystem::file_size(st.output, ec) == 0) return {};
  sweep::RowsFile f;
  try {
    f = sweep::read_rows(st.output);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string(e.what()) + " (an existing -o file is resumed: remove it to start again)");
  }
  if (f.rows.empty() && f.columns.axes.empty() && f.columns.figures.empty()) return {};
  if (!(f.columns == st.columns))
    throw InputError(st.output + ": its columns are not this sweep's (axes " + joined(f.columns.axes) +
                     " against this grid's " + joined(st.columns.axes) +
                     (f.columns.axes == st.columns.axes ? "; the figures differ: another scenario?" : "") +
                     "): give another -o, or remove the file to start again");
  std::vector<Row> kept;
  std::set<std::size_t> seen;
  for (auto const& r : f.rows) {
    if (r.point >= st.grid.size() || r.axes != st.grid.labels(r.point))
      throw InputError(
          st.output + ": point " + std::to_string(r.point) + " has axes (" + joined(r.axes) + ")" +
          (r.point < st.grid.size()
               ? ", this grid's point " + std::to_string(r.point) + " is (" + joined(st.grid.labels(r.point)) + ")"
               : ", beyond this grid's " + std::to_string(st.grid.size()) + " points") +
          ": give another -o, or remove the file to start again");
    if (seen.insert(r.point).second) kept.push_back(r);
  }
  return kept;
}

/* A child's answer so far and its pipe. */
struct Running {
  pid_t pid         = -1;
  int fd            = -1;
  std::size_t point = 0;
  std::string answer;
};

Running spawn_point(const Study& st, std::size_t point, Format f)
{
  int fd[2];
  if (pipe(fd) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::fflush(nullptr); // the child must not write the parent's buffered output again
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(fd[0]);
    int status = 0;
    std::string out;
    try {
      out = run_point(st, point, f);
    } catch (const std::exception& e) {
      out    = e.what();
      status = 4;
    }
    for (std::size_t off = 0; off < out.size();) {
      ssize_t n = write(fd[1], out.data() + off, out.size() - off);
      if (n <= 0) _exit(3);
      off += static_cast<std::size_t>(n);
    }
    _exit(status);
  }
  close(fd[1]);
  return {pid, fd[0], point, {}};
}

/* Runs the points not yet in the output, -j at a time, appending each row as it comes. */
Tally run_study(const Study& st, bool show_progress)
{
  auto t0               = std::chrono::steady_clock::now();
  Format f              = sweep::format_of(st.output);
  std::vector<Row> done = resumed_rows(st);
  std::set<std::size_t> have;
  for (auto const& r : done)
    have.insert(r.point);
  Tally t;
  std::vector<std::size_t> todo;
  for (std::size_t p = 0; p < st.grid.size(); p++) {
    if (!st.shard.contains(p)) continue;
    t.in_shard++;
    if (have.count(p))
      t.resumed++;
    else
      todo.push_back(p);
  }
  // The kept rows, sorted (and a torn last line dropped), then the new rows appended as they finish.
  replace_file(st.output, sweep::rows_text(f, st.columns, done));
  std::FILE* out = std::fopen(st.output.c_str(), "ab");
  if (!out) throw std::runtime_error("-o: cannot append to \"" + st.output + "\": " + std::strerror(errno));

  Progress progress("ibmig sweep", "points", todo.size());
  if (!show_progress) progress.finish();
  std::vector<Running> running;
  std::size_t next = 0;
  auto tally_row   = [&t](const std::string& status) {
    t.ran++;
    (status == "ok" ? t.ok : status == "invalid" ? t.invalid : t.failed)++;
  };
  try {
    while (next < todo.size() || !running.empty()) {
      while (next < todo.size() && static_cast<int>(running.size()) < st.jobs)
        running.push_back(spawn_point(st, todo[next++], f));
      std::vector<pollfd> fds;
      for (auto const& r : running)
        fds.push_back({r.fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      for (std::size_t k = running.size(); k-- > 0;) {
        if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Running& r = running[k];
        char buf[65536];
        ssize_t n = read(r.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) {
          r.answer.append(buf, static_cast<std::size_t>(n));
          continue;
        }
        close(r.fd);
        int status = 0;
        while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
        }
        std::string line;
        auto space = r.answer.find(' ');
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && space != std::string::npos) {
          tally_row(r.answer.substr(0, space));
          line = r.answer.substr(space + 1);
        } else {
          // The point's process died without an answer (a crash in the loader or the simulator): still a row.
          std::string why = WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status)) + " (" +
                                                      strsignal(WTERMSIG(status)) + ")"
                                                : "exit status " + std::to_string(WEXITSTATUS(status));
          std::string msg = "the point's process ended with " + why + (r.answer.empty() ? "" : ": " + r.answer);
          Row row         = sweep::row_without_report(r.point, st.grid.labels(r.point), "failed", msg, st.columns);
          tally_row(row.status);
          line = sweep::row_line(f, row, st.columns);
        }
        if (std::fwrite(line.data(), 1, line.size(), out) != line.size() || std::fflush(out) != 0)
          throw std::runtime_error("-o: failed writing \"" + st.output + "\": " + std::strerror(errno));
        running.erase(running.begin() + static_cast<long>(k));
        progress.advance();
      }
    }
  } catch (...) {
    for (auto& r : running) { // leave no child behind
      kill(r.pid, SIGKILL);
      close(r.fd);
      waitpid(r.pid, nullptr, 0);
    }
    std::fclose(out);
    throw;
  }
  progress.finish();
  std::fclose(out);
  sweep::RowsFile all = sweep::read_rows(st.output);
  replace_file(st.output, sweep::rows_text(f, st.columns, all.rows));
  t.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return t;
}

/* A small grid is read on the terminal too: its axes, status and the figures a study compares first. */
void print_table(const Study& st)
{
  sweep::RowsFile f = sweep::read_rows(st.output);
  auto col          = [&](const std::string& name) {
    auto it = std::find(st.columns.figures.begin(), st.columns.figures.end(), name);
    return static_cast<std::size_t>(it - st.columns.figures.begin());
  };
  std::size_t w_after = col("aggregate.write_MBps.after"), r_after = col("aggregate.read_MBps.after"),
              down = col("vm_downtime_s.max");
  std::vector<std::size_t> width;
  for (auto const& a : st.columns.axes)
    width.push_back(a.size());
  for (auto const& r : f.rows)
    for (std::size_t k = 0; k < r.axes.size(); k++)
      width[k] = std::max(width[k], r.axes[k].size());
  std::printf("%5s", "point");
  for (std::size_t k = 0; k < st.columns.axes.size(); k++)
    std::printf("  %-*s", static_cast<int>(width[k]), st.columns.axes[k].c_str());
  std::printf("  %-7s  %9s  %9s  %10s  %s\n", "status", "write MB/s", "read MB/s", "VM down s",
              "limit after (or the error)");
  auto fig = [](const Row& r, std::size_t i) {
    char buf[32] = "-";
    if (i < r.figures.size() && r.figures[i]) std::snprintf(buf, sizeof buf, "%.1f", *r.figures[i]);
    return std::string(buf);
  };
  for (auto const& r : f.rows) {
    std::printf("%5zu", r.point);
    for (std::size_t k = 0; k < r.axes.size(); k++)
      std::printf("  %-*s", static_cast<int>(width[k]), r.axes[k].c_str());
    std::string note = r.status == "invalid" || !r.error ? r.bottleneck.back() : "";
    if (r.error) note = (note.empty() ? "" : note + "; ") + *r.error;
    if (note.size() > 100) note = note.substr(0, 97) + "...";
    std::printf("  %-7s  %10s  %9s  %10s  %s\n", r.status.c_str(), fig(r, w_after).c_str(), fig(r, r_after).c_str(),
                fig(r, down).c_str(), note.c_str());
  }
  std::printf("(after the migration, aggregates over the VMs; VM down: the longest; all figures in %s)\n",
              st.output.c_str());
}

Study study_of(const Options& opt, const std::vector<std::string>& args)
{
  Study st;
  if (args.size() > 1) throw UsageError("sweep takes one scenario file, got \"" + args[1] + "\" too");
  st.scenario     = args.empty() ? "" : args[0];
  st.sim.runs     = opt.runs;
  st.sim.seed     = opt.seed;
  st.sim.parallel = 1; // the points already fill the cores
  st.grid         = build_grid(opt, &st.scenario, &st.sim, opt.runs != 1, opt.seed != 1);
  if (st.scenario.empty())
    throw UsageError("sweep needs a scenario file (SCENARIO, or \"scenario\" in the --sweep file)");
  if (opt.output.empty()) throw UsageError("sweep needs -o FILE.csv or -o FILE.jsonl (its rows)");
  try {
    sweep::format_of(opt.output);
    if (!opt.shard.empty()) st.shard = sweep::parse_shard(opt.shard);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string(opt.shard.empty() ? "-o: " : "") + e.what());
  }
  st.output = opt.output;
  st.fixed  = opt.overrides;
  // Twice the cores by default: a point is a few milliseconds, and while this process forks one and collects
  // another a core would otherwise idle (1000 reference points on 2 cores: 134 points/s at -j 2, 162 at -j 4).
  st.jobs = opt.jobs > 0 ? opt.jobs : 2 * cores();
  // The columns come from the scenario as --set leaves it: its VMs name the per-VM figures of every row.
  Scenario base = load_scenario(st.scenario, st.fixed);
  std::vector<std::string> vms;
  for (auto const& vm : base.workload.vms)
    vms.push_back(vm.name);
  st.columns.axes    = st.grid.axis_names();
  st.columns.figures = sweep::figure_names(vms);
  return st;
}

/* --html FILE: drawn from every row of the output (CSV or JSON lines), so a resumed or merged study is drawn whole. */
void write_sweep_html(const Options& opt, const sweep::RowsFile& f, const std::string& file)
{
  std::string lines;
  for (auto const& r : f.rows)
    lines += sweep::row_line(sweep::Format::Jsonl, r, f.columns);
  if (!lines.empty()) write_html_sweep(opt, lines, file);
}

/* --merge OUT FILE...: the shards' rows in one file, sorted by point. */
int run_merge(const Options& opt)
{
  if (opt.sweep_args.size() < 2) throw UsageError("sweep --merge needs OUT and at least one FILE to merge");
  const std::string& out_file = opt.sweep_args[0];
  Format out_format;
  try {
    out_format = sweep::format_of(out_file);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--merge: ") + e.what());
  }
  // With the grid (--sweep/--vary), every point of it is expected, with its axes.
  std::optional<sweep::Grid> grid;
  if (!opt.sweep_file.empty() || !opt.vary.empty()) grid = build_grid(opt, nullptr, nullptr, false, false);
  std::map<std::size_t, std::pair<Row, std::string>> rows;
  std::optional<Columns> columns;
  std::vector<std::size_t> duplicates; // points in two files with the same row: kept once
  for (std::size_t i = 1; i < opt.sweep_args.size(); i++) {
    const std::string& file = opt.sweep_args[i];
    sweep::RowsFile f;
    try {
      f = sweep::read_rows(file);
    } catch (const std::invalid_argument& e) {
      throw InputError(e.what());
    }
    if (f.truncated) std::cerr << "ibmig sweep --merge: " << file << ": its last line is incomplete: left out\n";
    if (f.rows.empty() && f.columns.axes.empty() && f.columns.figures.empty()) {
      std::cerr << "ibmig sweep --merge: " << file << ": no rows\n";
      continue;
    }
    if (!columns) columns = f.columns;
    if (!(f.columns == *columns))
      throw InputError(file + ": its columns (axes " + joined(f.columns.axes) + ") are not those of " +
                       rows.begin()->second.second + " (axes " + joined(columns->axes) + "): not one sweep");
    if (grid && f.columns.axes != grid->axis_names())
      throw InputError(file + ": its axes (" + joined(f.columns.axes) + ") are not the grid's (" +
                       joined(grid->axis_names()) + ")");
    for (auto const& r : f.rows) {
      if (grid && (r.point >= grid->size() || r.axes != grid->labels(r.point)))
        throw InputError(file + ": point " + std::to_string(r.point) + " (" + joined(r.axes) +
                         ") is not that point of the grid");
      auto [it, fresh] = rows.emplace(r.point, std::pair{r, file});
      if (fresh) continue;
      if (!(it->second.first == r))
        throw InputError("point " + std::to_string(r.point) + " differs between " + it->second.second + " and " + file +
                         ": not the same sweep (another --seed, --runs or scenario?)");
      duplicates.push_back(r.point);
    }
  }
  if (!columns) throw InputError("--merge: no rows in any of the files");
  std::size_t total = grid ? grid->size() : (rows.empty() ? 0 : rows.rbegin()->first + 1);
  std::vector<std::size_t> missing;
  for (std::size_t p = 0; p < total; p++)
    if (!rows.count(p)) missing.push_back(p);
  std::vector<Row> all;
  for (auto& [p, rf] : rows)
    all.push_back(rf.first);
  replace_file(out_file, sweep::rows_text(out_format, *columns, all));
  if (!opt.html_out.empty()) write_sweep_html(opt, sweep::read_rows(out_file), out_file);
  auto listed = [](const std::vector<std::size_t>& points) {
    std::string out;
    for (std::size_t k = 0; k < points.size() && k < 20; k++)
      out += (k ? ", " : "") + std::to_string(points[k]);
    return out + (points.size() > 20 ? ", ..." : "");
  };
  std::cout << "ibmig sweep --merge: " << all.size() << " points from " << opt.sweep_args.size() - 1 << " files into "
            << out_file << "; "
            << (duplicates.empty() ? std::string("no duplicate")
                                   : std::to_string(duplicates.size()) +
                                         " duplicate(s), the same rows, kept once: " + listed(duplicates))
            << "; "
            << (missing.empty() ? std::string("no point missing")
                                : std::to_string(missing.size()) + " missing: " + listed(missing))
            << (grid ? " (of the grid's " + std::to_string(total) + ")"
                     : " (between 0 and the last point; give the grid, --sweep/--vary, to check its end too)")
            << "\n";
  return missing.empty() ? 0 : 1;
}

} // namespace

int run_sweep(const Options& opt)
{
  try {
    if (std::string missing = missing_html_prerequisite(opt); !missing.empty()) {
      std::cerr << "ibmig sweep: " << missing << "\n";
      return 2;
    }
    if (opt.merge) return run_merge(opt);
    Study st = study_of(opt, opt.sweep_args);
    check_axes(st);
    std::cout << "ibmig sweep: " << st.scenario << ", " << st.grid.size() << " points (" << st.grid.axes.size()
              << " axes: " << joined(st.grid.axis_names()) << ")" << (opt.shard.empty() ? "" : ", shard " + opt.shard)
              << ", " << st.sim.runs << " run(s) a point, -j " << st.jobs << "\n"
              << std::flush;
    Tally t = run_study(st, true);
    if (st.grid.size() <= 64) print_table(st);
    std::printf("%zu points of %zu in this run (%zu already in %s), %.1f s, %.1f points/s\n", t.in_shard,
                st.grid.size(), t.resumed, st.output.c_str(), t.wall_s,
                t.wall_s > 0 ? static_cast<double>(t.ran) / t.wall_s : 0.0);
    sweep::RowsFile f = sweep::read_rows(st.output);
    std::size_t ok = 0, failed = 0, invalid = 0;
    for (auto const& r : f.rows)
      (r.status == "ok" ? ok : r.status == "invalid" ? invalid : failed)++;
    std::printf("Result: %zu rows in %s: %zu ok, %zu failed, %zu invalid\n", f.rows.size(), st.output.c_str(), ok,
                failed, invalid);
    write_sweep_html(opt, f, st.output);
    return 0;
  } catch (const InputError& e) {
    std::cerr << "ibmig sweep: " << e.what() << "\n";
    return 2;
  }
}

int run_sweep_bench(const Options& opt)
{
  const std::string ref = "scenarios/reference.json";
  if (!std::filesystem::exists(ref))
    throw UsageError("bench reads " + ref + ": run it from the repository's top directory");
  Options o;
  o.vary       = {"nodes[0].disk.write=100MBps:199MBps:1MBps",
                  "workload.before=60s:" + std::to_string(59 + (opt.bench_points + 99) / 100) + "s:1s"};
  o.sweep_args = {ref};
  char dir[]   = "/tmp/ibmig-bench-sweep-XXXXXX";
  if (!mkdtemp(dir)) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  o.output   = std::string(dir) + "/points.jsonl";
  int status = 0;
  try {
    Study st = study_of(o, o.sweep_args);
    std::printf("ibmig bench --sweep: %zu points of %s (%s), one simulation a point, -j %d (this machine: %d cores)\n",
                st.grid.size(), ref.c_str(), joined(st.grid.axis_names()).c_str(), st.jobs, cores());
    std::fflush(stdout);
    double cpu0 = cpu_seconds();
    Tally t     = run_study(st, true);
    double cpu  = cpu_seconds() - cpu0;
    double rate = static_cast<double>(t.ran) / t.wall_s;
    std::printf("%zu points in %.1f s: %.1f points/s (%zu ok, %zu failed, %zu invalid)   target >= 167 points/s "
                "(10,000 in < 60 s)\n",
                t.ran, t.wall_s, rate, t.ok, t.failed, t.invalid);
    // The CPU time is the steadier figure on a shared machine: what the cores would give if nothing else ran.
    std::printf("CPU %.2f ms a point (this process and the points'): at most %.0f points/s on %d idle cores\n",
                1000 * cpu / static_cast<double>(t.ran), static_cast<double>(t.ran) * cores() / cpu, cores());
    status = t.ok == t.ran ? 0 : 1;
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
  std::filesystem::remove_all(dir);
  return status;
}

} // namespace ibmig::cli
