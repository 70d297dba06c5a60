// ibmig train through the real binary, without a lab: its input errors are one clear line and exit status 2.
#include "run_ibmig.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using ibmig::test::run;

namespace {
const std::string kRoot = IBMIG_SOURCE_DIR;
}

// If this fails, `--lab L` for a lab that is not running crashes or says something else than the issue asks for.
TEST(CliTrain, LabNotRunningIsNamed)
{
  std::string dir = std::string(IBMIG_BINARY_DIR) + "/cli-train-no-labs";
  std::filesystem::create_directories(dir);
  auto r = run("train " + kRoot + "/scenarios/reference.json --lab L1 --state-dir " + dir + " </dev/null");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("no lab named L1 is running (ibmig lab up SCENARIO)"), std::string::npos) << r.out;
  r = run("train " + kRoot + "/scenarios/reference.json --state-dir " + dir + " </dev/null");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("no lab is running"), std::string::npos) << r.out;
}

// If this fails, a bad drill name or a missing scenario is not refused before any work, with the known names.
TEST(CliTrain, BadInputIsRefused)
{
  auto r = run("train " + kRoot + "/scenarios/reference.json --inject bogus </dev/null");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("unknown drill \"bogus\" (known: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mtu-mismatch"), std::string::npos) << r.out;
  r = run("train </dev/null");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("train needs a scenario file"), std::string::npos) << r.out;
}
