#include "report_wire.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace ibmig {

namespace {

/* Each struct's fields, listed once for both directions: `io` is a Writer or a Reader. */
template <class IO> void fields(IO& io, ClientFigures& c)
{
  io(c.name, c.node, c.write_MBps, c.read_MBps, c.small_files_per_s, c.replicas, c.replicas_local,
     c.nic_bytes_per_byte_written, c.bottleneck, c.bottleneck_source);
}
template <class IO> void fields(IO& io, PhaseReport& p)
{
  io(p.name, p.start_s, p.end_s, p.aggregate_write_MBps, p.aggregate_read_MBps, p.bottleneck, p.clients);
}
template <class IO> void fields(IO& io, NicPhaseBytes& p)
{
  io(p.phase, p.tx_bytes, p.rx_bytes);
}
template <class IO> void fields(IO& io, NicReport& n)
{
  io(n.node, n.interface, n.network, n.phases);
}
template <class IO> void fields(IO& io, DowntimeByStep& d)
{
  io(d.step, d.seconds);
}
template <class IO> void fields(IO& io, Interval& i)
{
  io(i.start_s, i.end_s, i.reason);
}
template <class IO> void fields(IO& io, DowntimeEntry& d)
{
  io(d.name, d.seconds, d.p50_s, d.p95_s, d.by_step, d.intervals);
}
template <class IO> void fields(IO& io, StepReport& s)
{
  io(s.name, s.action, s.start_s, s.end_s, s.outcome, s.detail, s.timing, s.machine_s, s.duration_source);
}
template <class IO> void fields(IO& io, CheckFinding& c)
{
  io(c.rule, c.severity, c.message, c.step, c.origin);
}
template <class IO> void fields(IO& io, Event& e)
{
  io(e.t_s, e.kind, e.message);
}
template <class IO> void fields(IO& io, FaultReport& f)
{
  io(f.node, f.json_path, f.crashed_s, f.back_s, f.healed_s, f.heal_s, f.split_brain);
}
template <class IO> void fields(IO& io, MigrationReport& m)
{
  io(m.vm, m.step, m.from, m.to, m.network, m.precopy_rounds, m.bytes, m.seconds, m.pause_s, m.completed, m.why_not);
}
template <class IO> void fields(IO& io, Report& r)
{
  io(r.tool, r.scenario, r.scenario_file, r.runs, r.seed, r.plan_duration_s, r.plan_duration_p50_s,
     r.plan_duration_p95_s, r.runs_with_failed_steps, r.phases, r.nics, r.volume_downtime, r.vm_downtime, r.steps,
     r.checks, r.events, r.faults, r.migrations);
}

/* Numbers and enums as their bytes (both ends are this binary), strings and vectors after their length. */
class Writer {
public:
  std::string out;
  template <class... T> void operator()(const T&... v) { (put(v), ...); }

private:
  template <class T> void put(const T& v)
  {
    if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>)
      out.append(reinterpret_cast<const char*>(&v), sizeof v);
    else
      fields(*this, const_cast<T&>(v)); // fields() lists members; a Writer only reads them
  }
  void put(const std::string& s)
  {
    put(static_cast<uint64_t>(s.size()));
    out.append(s);
  }
  template <class T> void put(const std::optional<T>& v)
  {
    put(v.has_value());
    if (v) put(*v);
  }
  template <class T> void put(const std::vector<T>& v)
  {
    put(static_cast<uint64_t>(v.size()));
    for (auto const& e : v)
      put(e);
  }
};

class Reader {
public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class... T> void operator()(T&... v) { (get(v), ...); }
  bool at_end() const { return pos_ == in_.size(); }

private:
  const char* take(size_t n)
  {
    if (in_.size() - pos_ < n)
      throw std::invalid_argument("simulation report: truncated after byte " + std::to_string(pos_));
    const char* p = in_.data() + pos_;
    pos_ += n;
    return p;
  }
  size_t length()
  {
    uint64_t n = 0;
    get(n);
    if (n > in_.size() - pos_) // every element takes at least a byte: a longer count is garbage, not a huge vector
      throw std::invalid_argument("simulation report: a length of " + std::to_string(n) + " at byte " +
                                  std::to_string(pos_) + " is past its end");
    return static_cast<size_t>(n);
  }
  template <class T> void get(T& v)
  {
    if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>)
      std::memcpy(&v, take(sizeof v), sizeof v);
    else
      fields(*this, v);
  }
  void get(std::string& s)
  {
    size_t n = length();
    s.assign(take(n), n);
  }
  template <class T> void get(std::optional<T>& v)
  {
    bool has = false;
    get(has);
    v.reset();
    if (has) get(v.emplace());
  }
  template <class T> void get(std::vector<T>& v)
  {
    v.resize(length());
    for (auto& e : v)
      get(e);
  }

  std::string_view in_;
  size_t pos_ = 0;
};

} // namespace

std::string to_wire(const Report& r)
{
  if (r.emulation || r.topology) throw std::logic_error("to_wire: a simulation's report has no emulation or topology");
  Writer w;
  w(r);
  return std::move(w.out);
}

Report report_from_wire(std::string_view bytes)
{
  Report r;
  Reader in(bytes);
  in(r);
  if (!in.at_end()) throw std::invalid_argument("simulation report: bytes left after its end");
  return r;
}

} // namespace ibmig
