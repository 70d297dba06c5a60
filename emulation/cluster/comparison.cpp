#include "comparison.hpp"
#include "emulator.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace ibmig::emu {

namespace {
const ClientFigures* find_client(const Report& r, const std::string& phase, const std::string& vm)
{
  for (auto const& p : r.phases)
    if (p.name == phase)
      for (auto const& c : p.clients)
        if (c.name == vm) return &c;
  return nullptr;
}

/* `absolute` (same unit as the figures): a difference this small agrees whatever the percentage, so sub-second
 * polling checks are not called out for a few hundred milliseconds. */
ComparisonRow row(const std::string& metric, double predicted, double measured, double tolerance,
                  const std::string& note, double absolute = 0)
{
  double err  = predicted != 0 ? (measured - predicted) / predicted * 100 : (measured == 0 ? 0 : 100);
  bool within = std::fabs(err) <= tolerance || std::fabs(measured - predicted) <= absolute;
  return {metric, predicted, measured, std::round(err * 10) / 10, tolerance, within, note};
}

double tx_in_phase(const Report& r, const std::string& node, const std::string& nic, const std::string& phase)
{
  for (auto const& n : r.nics)
    if (n.node == node && n.interface == nic)
      for (auto const& p : n.phases)
        if (p.phase == phase) return p.tx_bytes;
  return 0;
}

/* Whether the emulated cluster has the limit the simulator predicts for this client: brick disks are memory here,
 * and with a rate scale below 1 the host's own costs (the FUSE or libgfapi request rate) are not slowed with the
 * links, so a client the model holds there would only measure this machine's CPU. */
bool emulated_limit(const ClientFigures& predicted, double rate_scale)
{
  auto starts = [&](const char* prefix) { return predicted.bottleneck.rfind(prefix, 0) == 0; };
  if (starts("brick disk")) return false;
  if (rate_scale < 1 && (starts("FUSE request rate") || starts("libgfapi request rate"))) return false;
  return true;
}

/* Bytes a node's storage NIC sent in the phase per byte its VMs wrote, from a report's own figures. */
double node_nic_ratio(const Report& r, const std::string& node, const std::string& nic, const std::string& phase,
                      double mbps_scale)
{
  for (auto const& p : r.phases)
    if (p.name == phase) {
      double written = 0;
      for (auto const& c : p.clients)
        if (c.node == node) written += c.write_MBps * 1e6 * mbps_scale * (p.end_s - p.start_s);
      return written > 0 ? tx_in_phase(r, node, nic, phase) / written : 0;
    }
  return 0;
}
} // namespace

std::vector<ComparisonRow> build_comparison(const Report& measured, const Report& predicted,
                                            const std::string& workload_note, bool concurrent,
                                            const std::string& storage_network)
{
  std::vector<ComparisonRow> rows;
  const double scale = measured.emulation ? measured.emulation->run.rate_scale : 1;
  for (auto const& p : measured.phases) {
    if (p.name != "before" && p.name != "after") continue;
    for (auto const& c : p.clients) {
      if (c.write_MBps <= 0) continue;
      auto pc = find_client(predicted, p.name, c.name);
      if (!pc || !emulated_limit(*pc, scale)) continue;
      rows.push_back(row(p.name + ": " + c.name + " write MB/s", pc->write_MBps, c.write_MBps, throughput_tolerance_pct,
                         workload_note));
      if (p.name != "before") continue;
      if (pc->nic_bytes_per_byte_written > 0 && !concurrent)
        rows.push_back(row("before: " + c.node + " storage NIC bytes sent per byte " + c.name + " wrote",
                           pc->nic_bytes_per_byte_written, c.nic_bytes_per_byte_written, nic_ratio_tolerance_pct,
                           "measured: kernel tx counter (includes Ethernet/IP/TCP headers and the node's other "
                           "traffic) / bytes written by the VMs of that node"));
    }
  }
  if (concurrent) {
    // One row per node with writers: its storage NIC's bytes over the phase / what its VMs wrote, in both reports
    // (the measured MB/s were divided by the rate scale: multiply back to get the bytes that moved).
    for (auto const& n : predicted.nics) {
      bool storage = n.network == storage_network;
      bool writes  = false;
      for (auto const& p : measured.phases)
        for (auto const& c : p.clients)
          writes = writes || (p.name == "before" && c.node == n.node && c.write_MBps > 0);
      double pr = node_nic_ratio(predicted, n.node, n.interface, "before", 1);
      double mr = node_nic_ratio(measured, n.node, n.interface, "before", scale);
      if (!storage || !writes || pr <= 0 || mr <= 0) continue;
      rows.push_back(row("before: " + n.node + " " + n.interface + " bytes sent per byte its VMs wrote", pr, mr,
                         nic_ratio_tolerance_pct,
                         "all VMs at once: the NIC's bytes in the phase (simulator: TCP payload; here: the kernel tx "
                         "counter) include what the node's bricks sent to other nodes' readers, so which brick serves "
                         "a read matters"));
    }
  }
  for (auto const& s : measured.steps) {
    if (s.timing != StepTiming::Measured || !s.machine_s) continue;
    for (auto const& ps : predicted.steps)
      if (ps.name == s.name) {
        // Like with like: the model's machine time of the action against the commands and checks here. The
        // runbook's duration (the admin's work) is the same number in both reports.
        if (ps.machine_s)
          rows.push_back(row("step machine time s: " + s.name, *ps.machine_s, *s.machine_s, step_tolerance_pct,
                             "predicted: the model's machine time of the action; measured: the commands and checks "
                             "here; within 1 s agrees",
                             1.0));
        break;
      }
  }
  const double time_scale = measured.emulation ? measured.emulation->run.time_scale : 1;
  for (size_t i = 0; i < measured.faults.size() && i < predicted.faults.size(); ++i) {
    auto const& m = measured.faults[i];
    auto const& p = predicted.faults[i];
    if (!m.heal_s || !p.heal_s || m.node != p.node) continue;
    std::ostringstream ts;
    ts << time_scale;
    rows.push_back(row("heal s after " + m.node + " crashed (" + m.json_path + ")", *p.heal_s, *m.heal_s,
                       heal_tolerance_pct,
                       "predicted: the simulated self-heal of what the node's bricks missed (heal_MBps and the links); "
                       "measured: from its bricks online again to `heal info` with no pending entry" +
                           (time_scale != 1 ? "; time scale " + ts.str() +
                                                  ": the node was down that many times shorter here, so it missed "
                                                  "less: compare at --time-scale 1"
                                            : std::string()) +
                           "; within 5 s agrees",
                       5.0));
  }
  // The k-th move of both runs is the same move when the plans took the same path (a spread chooses by free RAM in
  // both): compare it then.
  std::ostringstream rs;
  rs << scale;
  for (size_t i = 0; i < measured.migrations.size() && i < predicted.migrations.size(); ++i) {
    auto const& m = measured.migrations[i];
    auto const& p = predicted.migrations[i];
    if (!m.completed || !p.completed || m.vm != p.vm || m.from != p.from || m.to != p.to) continue;
    rows.push_back(row("live migration s: " + m.vm + " " + m.from + "->" + m.to + " (" + m.step + ")", p.seconds,
                       m.seconds, migration_tolerance_pct,
                       "predicted: the pre-copy rounds as flows on the " + m.network +
                           " NICs; measured: the same rounds' bytes sent between the two nodes" +
                           (scale != 1 ? " at rate scale " + rs.str() + ", times multiplied by it" : std::string())));
  }
  for (auto const& v : measured.volume_downtime)
    for (auto const& pv : predicted.volume_downtime)
      if (pv.name == v.name)
        rows.push_back(row("volume " + v.name + " downtime s", pv.seconds, v.seconds, downtime_tolerance_pct,
                           "both clocks: a step lasts its runbook duration or its machine time, whichever is longer"));
  return rows;
}

void print_comparison(const Report& measured, std::ostream& out)
{
  const EmulationSections* e = measured.emulation ? &*measured.emulation : nullptr;
  if (!e || !e->comparison || e->comparison->empty()) {
    out << "\nNo prediction to compare with.\n";
    return;
  }
  out << "\nPredicted (simulate) vs measured (emulate):\n";
  out << std::left << std::setw(64) << "metric" << std::right << std::setw(11) << "predicted" << std::setw(11)
      << "measured" << std::setw(9) << "error%" << std::setw(6) << "tol%"
      << "  verdict\n";
  for (auto const& r : *e->comparison) {
    auto metric = r.metric;
    if (metric.size() > 63) metric = metric.substr(0, 60) + "...";
    out << std::left << std::setw(64) << metric << std::right << std::fixed << std::setprecision(2) << std::setw(11)
        << r.predicted << std::setw(11) << r.measured << std::setprecision(1) << std::setw(9) << r.error_pct
        << std::setprecision(0) << std::setw(6) << r.tolerance_pct << "  " << r.verdict() << "\n";
  }
  out.unsetf(std::ios::fixed);
  out << std::setprecision(6);
  if (!e->workload_mode.empty()) out << "Note: " << e->workload_mode << "\n";
  if (!e->run.bricks.empty()) out << "Bricks: " << e->run.bricks << "\n";
}

} // namespace ibmig::emu
