/* The simulation child's report comes back through report_wire: the parent must get exactly the child's report. */
#include "report_wire.hpp"
#include "sim_test_util.hpp"

#include <stdexcept>

using namespace ibmig;
using namespace ibmig::test;

namespace {
/* One run in this process (each test is a process of its own: one engine each). */
Report run(const std::string& file)
{
  Scenario sc = parse_scenario(read_json(file), file);
  return sim::simulate_in_process(sc, sim::nominal_durations(sc));
}
} // namespace

// A field the codec forgot or mangled (a fault's optional times, a migration, a check's origin) would make the
// parent's report differ from the child's: every figure the JSON report carries must survive, bit for bit.
TEST(ReportWire, NodeCrashRoundTripsExactly)
{
  Report r = run("scenarios/reference-node-crash.json");
  ASSERT_FALSE(r.faults.empty());
  ASSERT_FALSE(r.events.empty());
  r.plan_duration_p50_s       = 1.0 / 3; // the Monte Carlo fields the parent adds: carried too
  r.runs_with_failed_steps    = 2;
  r.vm_downtime.front().p95_s = 2.0 / 3;
  r.checks.push_back({"RULE", Severity::Warning, "a message", "a step", FindingOrigin::Check});
  Report back = report_from_wire(to_wire(r));
  EXPECT_EQ(to_json(back), to_json(r));
}

TEST(ReportWire, LiveMigrationRoundTripsExactly)
{
  Report r = run("scenarios/reference-rolling-live.json");
  ASSERT_FALSE(r.migrations.empty());
  EXPECT_EQ(to_json(report_from_wire(to_wire(r))), to_json(r));
}

// A child that died while writing leaves a prefix: refused, never read as a shorter report.
TEST(ReportWire, RefusesTruncatedOrTrailingBytes)
{
  Report r          = run("scenarios/reference.json");
  std::string bytes = to_wire(r);
  for (size_t cut : {size_t{0}, size_t{7}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_THROW(report_from_wire(std::string_view(bytes).substr(0, cut)), std::invalid_argument) << cut;
  EXPECT_THROW(report_from_wire(bytes + "x"), std::invalid_argument);
  r.topology = ReportTopology{};
  EXPECT_THROW(to_wire(r), std::logic_error); // the caller adds the topology after the run
}
