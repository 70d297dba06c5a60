#include "calibration_fit.hpp"

#include "host_limits.hpp"
#include "text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

using nlohmann::json;

namespace ibmig {
namespace {

std::string fixed(double x, int decimals)
{
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, x);
  return text;
}

std::string mbit(BitsPerSecond r)
{
  return fixed(r.value / 1e6, 1) + " Mbit/s";
}

std::string mbyte(BytesPerSecond r)
{
  return fixed(r.value / 1e6, 1) + " MB/s";
}

std::string when(const std::string& w)
{
  return w.empty() ? "" : ", " + w;
}

json calibrated(double value, const std::string& source)
{
  return {{"value", value}, {"source", source}};
}

void stream_rule(const CalibrationInputs& in, CalibrationFit& out)
{
  if (in.iperf3.empty()) return;
  if (!in.link)
    throw CalibrationError("--iperf3 needs the link it measured: --link KIND (with --mtu, --hca, "
                           "--technology) or --scenario FILE --node NODE --interface NAME");
  std::vector<const IperfRun*> one, parallel;
  for (auto const& r : in.iperf3)
    (r.streams == 1 ? one : parallel).push_back(&r);
  if (one.empty())
    throw CalibrationError(in.iperf3.front().file + ": an iperf3 run of " + std::to_string(in.iperf3.front().streams) +
                           " streams, and no one-stream run (-P 1) was given: a stream_limits rule is one stream's "
                           "figure");
  double sum = 0;
  std::vector<std::string> seen;
  for (const IperfRun* r : one) {
    sum += r->received.value;
    seen.push_back(r->file + ": " + mbit(r->received) + " received in " + fixed(r->duration.value, 1) + " s" +
                   (r->host.empty() ? "" : " to " + r->host) + when(r->when));
  }
  const BitsPerSecond rate{sum / static_cast<double>(one.size())};
  std::string source = "measured: iperf3 -J -P 1 (" + join(seen, "; ") + ")" +
                       (one.size() > 1 ? ", mean " + mbit(rate) : "") + " on " + describe(*in.link) + " (" +
                       in.link->origin + ")";
  StreamScope scope = StreamScope::Connection;
  if (parallel.empty()) {
    source += "; no -P N run: scope \"connection\" is not measured";
    out.notes.push_back("stream_limits: no iperf3 -P N run was given, so whether parallel connections get more than "
                        "one stream is not known; the rule says \"connection\" (each connection its own ceiling)");
  } else {
    const IperfRun* best = *std::max_element(parallel.begin(), parallel.end(),
                                             [](auto a, auto b) { return a->received.value < b->received.value; });
    const double ratio   = best->received.value / rate.value;
    scope                = ratio > 1.2 ? StreamScope::Connection : StreamScope::Interface;
    source += "; iperf3 -J -P " + std::to_string(best->streams) + " (" + best->file + ": " + mbit(best->received) +
              " in total" + when(best->when) + ") = " + fixed(ratio, 2) + "x one stream, " +
              (ratio > 1.2 ? "above" : "not above") + " 1.2x: the ceiling is " +
              (ratio > 1.2 ? "per connection" : "the interface's, shared by its connections");
  }
  json rule = {{"link", to_string(in.link->link)}};
  if (!in.link->technology.empty()) rule["technology"] = in.link->technology;
  if (!in.link->hca.empty()) rule["hca"] = in.link->hca;
  if (in.link->mtu) rule["mtu"] = in.link->mtu;
  rule["rate"]   = fixed(rate.value / 1e6, 1) + "Mbps";
  rule["scope"]  = to_string(scope);
  rule["source"] = source;
  out.doc["stream_limits"].push_back(rule);
  out.fitted.push_back("stream_limits: " + describe(*in.link) + ": " + rule["rate"].get<std::string>() + " per " +
                       to_string(scope) + "  <- " + source);
}

void disks(const CalibrationInputs& in, CalibrationFit& out)
{
  struct Figures {
    std::optional<std::pair<BytesPerSecond, const FioRun*>> write, read;
  };
  std::map<std::string, Figures> nodes;
  for (auto const& [node, run] : in.fio) {
    Figures& f = nodes[node];
    for (auto [dir, have, slot] : {std::tuple{"write", run.write, &f.write}, std::tuple{"read", run.read, &f.read}}) {
      if (!have) continue;
      if (*slot)
        throw CalibrationError("--fio: two " + std::string(dir) + " figures for node " + node + " (" +
                               (*slot)->second->file + " and " + run.file + "): give one");
      *slot = std::pair{*have, &run};
    }
  }
  for (auto const& [node, f] : nodes) {
    json d;
    std::vector<std::string> parts;
    for (auto [dir, fig] : {std::pair{"write", &f.write}, std::pair{"read", &f.read}}) {
      if (!*fig) continue;
      d[dir] = fixed((*fig)->first.value / 1e6, 1) + "MBps";
      parts.push_back(std::string(dir) + " " + mbyte((*fig)->first) + " from " + (*fig)->second->file + " (" +
                      (*fig)->second->jobs + when((*fig)->second->when) + ")");
    }
    d["source"]            = "measured: fio --output-format=json on " + node + ": " + join(parts, "; ");
    out.doc["disks"][node] = d;
    out.fitted.push_back("disks." + node + ": " + join(parts, "; "));
    if (!f.write) out.notes.push_back("disks." + node + ": no write figure: the node keeps its scenario's disk.write");
  }
}

void rdma(const CalibrationInputs& in, CalibrationFit& out)
{
  if (in.ib_write_bw.empty()) return;
  double sum = 0;
  std::vector<std::string> seen;
  for (auto const& r : in.ib_write_bw) {
    sum += r.average.value;
    seen.push_back(r.file + " line " + std::to_string(r.line) + ": " + format_binary_size(r.message) + " messages, " +
                   std::to_string(r.iterations) + " iterations, BW average " + fixed(r.average.value / 1048576, 2) +
                   " MiB/s = " + mbyte(r.average));
  }
  const BytesPerSecond rate{sum / static_cast<double>(in.ib_write_bw.size())};
  std::string source = "measured: perftest ib_write_bw (" + join(seen, "; ") + ")" +
                       (in.ib_write_bw.size() > 1 ? ", mean " + mbyte(rate) : "");
  std::string line = "rdma_write_MBps: " + mbyte(rate);
  if (in.fabric) {
    const BytesPerSecond data = to_bytes_per_second(in.fabric->data_rate);
    const double ratio        = rate.value / data.value;
    source += "; " + fixed(ratio, 3) + "x the " + in.fabric->name + " data rate (" + mbyte(data) + ")";
    line += ", " + fixed(ratio, 3) + "x the " + in.fabric->name + " data rate of " + mbyte(data);
  } else {
    out.notes.push_back("rdma_write_MBps: no --technology (or --scenario interface), so no ratio to a data rate");
  }
  out.doc["rdma_write_MBps"] = calibrated(rate.value / 1e6, source);
  out.fitted.push_back(line + "  <- " + source);
  out.notes.push_back("rdma_write_MBps is recorded, not simulated: Gluster on Debian 12 has no RDMA transport, and "
                      "the simulator carries storage traffic over IPoIB (TCP)");
}

void fuse(const CalibrationInputs& in, CalibrationFit& out)
{
  if (in.dd.empty()) return;
  FuseFit f                 = fit_fuse(in.dd, in.defaults);
  out.doc["fuse_request_s"] = calibrated(f.request.value, f.how);
  out.doc["fuse_MBps"]      = calibrated(f.copy.value / 1e6, f.how);
  out.fitted.push_back("fuse_request_s: " + fixed(f.request.value * 1e6, 2) +
                       " us, fuse_MBps: " + fixed(f.copy.value / 1e6, 1) + "  <- " + f.how);
  if (!f.separated)
    out.notes.push_back("dd at one request size cannot separate FUSE's cost per request from its copy rate: give dd "
                        "at two block sizes or more below 128 KiB (e.g. 4k and 16k)");
  if (f.worst_residual > 0.1)
    out.notes.push_back("the FUSE cost model fits the dd figures poorly (largest residual " +
                        fixed(f.worst_residual * 100, 1) +
                        "%): a run may be held by another limit (the link, the "
                        "brick's disk, the CPU), or the kernel merges small writes; check the figures before using "
                        "them");
}

/* Calibration key of an emulated step, and how many node units its machine time covers. */
struct MachineKey {
  const char* key                               = nullptr;
  enum { PerStep, PerNode, PerOrderedPair } per = PerStep;
};
MachineKey machine_key(const std::string& action)
{
  if (action == "start_service") return {"glusterd_start_s"};
  if (action == "stop_service") return {"service_stop_s"};
  if (action == "check_peers" || action == "check_volume") return {"gluster_check_s"};
  if (action == "verify_ping") return {"ping_pair_s", MachineKey::PerOrderedPair};
  if (action == "start_clients" || action == "remount_clients") return {"mount_s", MachineKey::PerNode};
  if (action == "stop_clients") return {"unmount_s", MachineKey::PerNode};
  if (action == "configure_interface" || action == "interface_down" || action == "interface_up") return {"command_s"};
  return {};
}

void machine_times(const CalibrationInputs& in, CalibrationFit& out)
{
  if (!in.emulate) return;
  const EmulateReport& rep = *in.emulate;
  struct Samples {
    std::vector<double> values;
    std::vector<std::string> seen;
  };
  std::map<std::string, Samples> by_key;
  std::set<std::string> needs_nodes;
  std::vector<bool> used(in.replayed ? in.replayed->plan.steps.size() : 0, false);
  for (auto const& st : rep.steps) {
    MachineKey k = machine_key(st.action);
    if (!k.key || !st.ok || !st.measured || !st.machine_s) continue;
    double units = 1;
    std::string per;
    if (k.per != MachineKey::PerStep) {
      const Step* plan_step = nullptr;
      if (in.replayed)
        for (size_t i = 0; i < in.replayed->plan.steps.size() && !plan_step; i++)
          if (!used[i] && in.replayed->plan.steps[i].name == st.name) {
            used[i]   = true;
            plan_step = &in.replayed->plan.steps[i];
          }
      if (!plan_step) {
        needs_nodes.insert(k.key);
        continue;
      }
      double n = static_cast<double>(plan_step->nodes.size());
      units    = k.per == MachineKey::PerNode ? n : n * (n - 1);
      if (units < 1) continue;
      per = k.per == MachineKey::PerNode ? " / " + fixed(n, 0) + " nodes" : " / " + fixed(units, 0) + " ordered pairs";
    }
    by_key[k.key].values.push_back(*st.machine_s / units);
    by_key[k.key].seen.push_back("\"" + st.name + "\" (" + st.json_path + ") " + fixed(*st.machine_s, 3) + " s" + per);
  }
  for (auto const& [key, s] : by_key) {
    double mean = 0;
    for (double v : s.values)
      mean += v / static_cast<double>(s.values.size());
    std::string source = "measured: ibmig emulate --json (" + rep.file + ", scenario " + rep.scenario +
                         "): " + join(s.seen, ", ") + (s.values.size() > 1 ? "; mean" : "");
    out.doc[key] = calibrated(mean, source);
    out.fitted.push_back(key + ": " + fixed(mean, 4) + " s  <- " + source);
  }
  for (auto const& key : needs_nodes)
    if (!by_key.count(key))
      out.notes.push_back(key + ": not fitted: its steps' machine time covers several nodes, and the scenario " +
                          (rep.scenario_file.empty() ? std::string("the report replayed") : rep.scenario_file) +
                          " was not found to count them (give --scenario FILE)");
  if (by_key.empty())
    out.notes.push_back(rep.file + ": no measured, successful step with a machine time of a runbook action");
}

} // namespace

std::string describe(const LinkDescription& l)
{
  std::string s = to_string(l.link);
  if (!l.technology.empty()) s += ", " + l.technology;
  if (l.mtu) s += ", MTU " + std::to_string(l.mtu);
  if (!l.hca.empty()) s += ", HCA " + l.hca;
  return s;
}

FuseFit fit_fuse(const std::vector<DdRun>& runs, const Calibration& defaults)
{
  // One point per request size: the mean time per request of the dd runs at that size.
  std::map<double, std::vector<const DdRun*>> by_request;
  for (auto const& r : runs) {
    if (!r.block_size) throw CalibrationError(r.file + ": line " + std::to_string(r.line) + ": no block size");
    by_request[std::min(r.block_size->value, kFuseMaxWriteBytes)].push_back(&r);
  }
  std::vector<std::pair<double, double>> points; // request bytes, seconds per request
  std::vector<std::string> seen;
  for (auto const& [req, rs] : by_request) {
    double t = 0;
    for (const DdRun* r : rs) {
      t += req / r->rate().value / static_cast<double>(rs.size());
      seen.push_back(r->file + ": bs " + format_binary_size(*r->block_size) + " (" + format_binary_size(Bytes{req}) +
                     " requests), " + fixed(r->bytes.value / 1e6, 1) + " MB in " + fixed(r->seconds.value, 3) +
                     " s = " + mbyte(r->rate()));
    }
    points.push_back({req, t});
  }
  const std::string from = "measured: dd through a Gluster FUSE mount (" + join(seen, "; ") + ")";
  FuseFit f;
  if (points.size() == 1) {
    auto [r, t]     = points.front();
    double per_byte = 1 / (defaults.fuse_MBps.value * 1e6);
    if (t - r * per_byte >= 0) {
      f.request = Seconds{t - r * per_byte};
      f.copy    = BytesPerSecond{defaults.fuse_MBps.value * 1e6};
      f.how     = from + "; one request size: the copy rate kept at " + fixed(defaults.fuse_MBps.value, 0) + " MB/s (" +
              defaults.fuse_MBps.source + "), the cost per request fitted to the rest";
    } else {
      f.request = Seconds{0};
      f.copy    = BytesPerSecond{r / t};
      f.how     = from + "; one request size, faster than the default copy rate allows: cost per request 0, the "
                         "copy rate fitted";
    }
    return f;
  }
  // Least squares of t = a + b r.
  double n = static_cast<double>(points.size()), sr = 0, st = 0, srr = 0, srt = 0;
  for (auto [r, t] : points)
    sr += r, st += t, srr += r * r, srt += r * t;
  const double b = (n * srt - sr * st) / (n * srr - sr * sr);
  const double a = (st - b * sr) / n;
  if (!(b > 0) || a < 0)
    throw CalibrationError(
        "the dd figures do not fit a FUSE cost per request plus a copy rate (fitted: " + fixed(a * 1e6, 2) +
        " us per request, " + (b > 0 ? fixed(1 / b / 1e6, 1) + " MB/s" : std::string("no positive copy rate")) +
        "): the larger blocks are held by another limit (the link, the brick's disk). Give dd at "
        "block sizes where FUSE is the limit (e.g. 4k and 16k). " +
        from);
  f.separated  = true;
  f.request    = Seconds{a};
  f.copy       = BytesPerSecond{1 / b};
  double worst = 0;
  for (auto [r, t] : points)
    worst = std::max(worst, std::abs(a + b * r - t) / t);
  f.worst_residual = worst;
  f.how = from + "; fitted: time per request = " + fixed(a * 1e6, 2) + " us + request / " + fixed(1 / b / 1e6, 1) +
          " MB/s (least squares over " + std::to_string(points.size()) + " request sizes, largest residual " +
          fixed(worst * 100, 1) + "%)";
  return f;
}

CalibrationFit fit_calibration(const CalibrationInputs& in)
{
  CalibrationFit out;
  out.doc                = json::object();
  out.doc["description"] = "written by ibmig calibrate; every value's source names the file it was measured in";
  if (!in.include.empty()) out.doc["include"] = in.include;
  stream_rule(in, out);
  disks(in, out);
  fuse(in, out);
  rdma(in, out);
  machine_times(in, out);
  if (out.fitted.empty()) throw CalibrationError("no measurement given: nothing to calibrate");
  return out;
}

} // namespace ibmig
