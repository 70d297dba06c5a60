/* Bad input through the ibmig command as a user types it (issue 7, the rows of tests/repro/README's source): exit
 * status 2, one message naming the file or the option and the JSON path, never raw JSON-library text. */
#include "run_ibmig.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <sys/wait.h>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define IBMIG_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IBMIG_TEST_ASAN 1
#endif
#endif

namespace {

using ibmig::test::Result;
using ibmig::test::run;

bool has(const Result& r, const std::string& s)
{
  return r.out.find(s) != std::string::npos;
}

/* Bad input's contract: status 2, each phrase in the message, no library text, no sanitizer report. */
void expect_bad_input(const std::string& args, const std::vector<std::string>& phrases)
{
  SCOPED_TRACE(args);
  Result r = run(args);
  EXPECT_EQ(r.status, 2) << r.out;
  for (auto const& p : phrases)
    EXPECT_TRUE(has(r, p)) << "missing \"" << p << "\" in: " << r.out;
  EXPECT_FALSE(has(r, "json.exception")) << r.out;
  EXPECT_FALSE(has(r, "runtime error")) << r.out; // UBSan
}

const std::string kRef = "scenarios/reference.json";

} // namespace

// Row "--set networks[0].switch.ports=nan (also inf, 1e300, 9.3e18)": UBSan float-cast-overflow, or "expected an
// integer, got null" in Release. Wrong if any exits other than 2 or loses the option or the path.
TEST(CliInput, SetNonFiniteOrHugeNumberOnIntegerField)
{
  for (std::string v : {"nan", "inf", "1e300", "9.3e18"})
    expect_bad_input("check " + kRef + " --set 'networks[0].switch.ports=" + v + "'",
                     {kRef + ": networks[0].switch.ports: ", "--set", v});
  expect_bad_input("check " + kRef + " --set 'networks[0].switch.ports=nan'", {"expected a number", "got \"nan\""});
  expect_bad_input("check " + kRef + " --set 'networks[0].switch.ports=1e300'", {"expected an integer"});
}

// Row "--set $'name=\xff'" (simulate, and check with --json), and ref-step-nodes.json with a step's node set to
// \xff: exit 3 with "[json.exception.type_error.316]", the last without file or path. Wrong if any of them still
// reaches a JSON dump.
TEST(CliInput, SetValueThatIsNotUtf8)
{
  std::string out = testing::TempDir() + "not-utf8.report.json";
  std::remove(out.c_str());
  expect_bad_input("simulate " + kRef + " --set 'name=\xff'", {kRef + ": name: --set:", "not valid UTF-8"});
  expect_bad_input("check " + kRef + " --set 'name=\xff' --json " + out, {kRef + ": name: --set:", "UTF-8"});
  EXPECT_FALSE(std::ifstream(out).good()) << "a report was written for refused input";
  expect_bad_input("check tests/repro/ref-step-nodes.json --set 'plan.steps[0].nodes[0]=\xff'",
                   {"tests/repro/ref-step-nodes.json: plan.steps[0].nodes[0]: --set:", "not valid UTF-8"});
  // Other arguments land in reports too (scenario_file, --json's path).
  expect_bad_input("check " + kRef + " --json '/tmp/\xff.json'", {"--json: the value is not valid UTF-8"});
  expect_bad_input("check '/tmp/\xff.json'", {"scenario file name is not valid UTF-8"});
}

// A scenario file with a byte that is not UTF-8 (Latin-1 "é" on line 3): where it is, not just "not valid JSON".
TEST(CliInput, FileThatIsNotUtf8)
{
  expect_bad_input("check tests/models/inputs/name-not-utf8.json",
                   {"tests/models/inputs/name-not-utf8.json: not valid UTF-8 at line 3, column 14"});
}

// Row "a file whose whole content is 1e99999": exit 3 with "[json.exception.out_of_range.406]".
TEST(CliInput, WholeFileNumberBeyondADouble)
{
  expect_bad_input("check tests/models/inputs/whole-file-1e99999.json",
                   {"tests/models/inputs/whole-file-1e99999.json: number 1e99999 is out of range at line 1, column 1"});
  expect_bad_input("check " + kRef + " --set 'networks[0].switch.ports=1e99999'",
                   {"networks[0].switch.ports: --set: number 1e99999 is out of range"});
}

// Row "--set 'networks[12.switch.ports=1'" (a digit lost: networks[1] changed) and "networks[1x.switch.ports=30"
// (accepted). Wrong if either is accepted or the path is not named.
TEST(CliInput, SetPathThatIsMalformed)
{
  for (std::string p : {"networks[12.switch.ports", "networks[1x.switch.ports"})
    expect_bad_input("check " + kRef + " --set '" + p + "=1'", {p + ": --set: bad path: ", "not closed by \"]\""});
}

// Row "switch.ports set to 18446744073709551615 in a file": "value -1 out of range".
TEST(CliInput, IntegerAboveInt64IsShownAsWritten)
{
  std::string f = "tests/models/inputs/switch-ports-2pow64-minus-1.json";
  expect_bad_input("check " + f, {f + ": networks[0].switch.ports: value 18446744073709551615 out of range"});
  expect_bad_input("check " + kRef + " --set 'networks[0].switch.ports=18446744073709551615'",
                   {"value 18446744073709551615 out of range", "--set networks[0].switch.ports="});
}

// Row "ulimit -v 2000000; ibmig generate --nodes 62500 --vms-per-node 10000": std::bad_alloc escaped a json
// destructor (signal 6). Wrong if it is not refused, at once, naming both flags and the cap.
TEST(CliInput, GenerateBeyondTheCapIsRefused)
{
#ifndef IBMIG_TEST_ASAN // ASan reserves terabytes of address space: it cannot start under ulimit -v
  Result r = run("generate --nodes 62500 --vms-per-node 10000 -o /dev/null", "ulimit -v 2000000; ");
  EXPECT_EQ(r.status, 2) << r.out;
#endif
  for (std::string cmd :
       {"generate --nodes 62500 --vms-per-node 10000 -o /dev/null",
        "generate --nodes 62500 --vms-per-node 5 -o /dev/null", "bench --nodes 1000 --vms-per-node 251"})
    expect_bad_input(cmd, {"--nodes", "--vms-per-node", "cap of 250000"});
}

// Out of memory within the cap (1000 x 200 VMs needs ~0.5 GB; 300 MB given): one line and exit 3. Wrong if the
// bad_alloc ends in std::terminate from a json destructor (signal 6) or prints library text.
TEST(CliInput, OutOfMemoryIsOneLine)
{
#ifdef IBMIG_TEST_ASAN
  GTEST_SKIP() << "ASan cannot start under ulimit -v";
#endif
  Result r = run("generate --nodes 1000 --vms-per-node 200 -o /dev/null", "ulimit -v 300000; ");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_EQ(r.out, "ibmig: out of memory (use a smaller scenario or a machine with more memory)\n");
}

// Rows sim-duplicate-switch-name.json (also --set networks[1].switch.name=sw-lan) and sim-link-name-collision.json:
// SimGrid aborted while `check` said OK. Wrong if either command accepts them or a path is missing.
TEST(CliInput, CollidingNamesNameBothPaths)
{
  for (std::string cmd : {"check", "simulate"}) {
    expect_bad_input(
        cmd + " tests/repro/sim-duplicate-switch-name.json",
        {"tests/repro/sim-duplicate-switch-name.json: networks[1].switch.name: ", "networks[0].switch.name"});
    expect_bad_input(cmd + " tests/repro/sim-link-name-collision.json",
                     {"tests/repro/sim-link-name-collision.json: nodes[1].nics[0].name: ", "nodes[0].nics[0].name"});
  }
  expect_bad_input("check " + kRef + " --set 'networks[1].switch.name=sw-lan'",
                   {kRef + ": networks[1].switch.name: ", "networks[0].switch.name", "--set"});
}
