/* `ibmig lab` command-line errors (no root needed: nothing is built): each is one line naming what is wrong, exit 2.
 * The labs themselves are tested end to end in tests/emulation/lab_e2e_test.cpp. */
#include "run_ibmig.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <unistd.h>

using ibmig::test::run;

namespace {
const std::string reference = std::string(IBMIG_SOURCE_DIR) + "/scenarios/reference.json";

size_t lines(const std::string& s)
{
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}
} // namespace

// Wrong if a bad lab command line builds anything, crashes, exits other than 2, or does not say what is wrong.
TEST(CliLab, UsageErrorsExit2WithOneLine)
{
  struct Case {
    std::string args, names;
  } cases[] = {
      {"lab bogus", "bogus"},
      {"lab up", "SCENARIO"},
      {"lab up " + reference + " --bogus", "--bogus"},
      {"lab up " + reference + " --rate-scale 0", "--rate-scale"},
      {"lab up " + reference + " --rate-scale x", "not a number"},
      {"lab up /nonexistent/lab.json", "/nonexistent/lab.json"},
      {"lab shell", "NODE"},
      {"lab node-op --node n1", "--socket"},
  };
  for (auto const& c : cases) {
    auto r = run(c.args);
    EXPECT_EQ(r.status, 2) << c.args << ":\n" << r.out;
    EXPECT_NE(r.out.find(c.names), std::string::npos) << c.args << ":\n" << r.out;
    EXPECT_EQ(lines(r.out), 1u) << c.args << ":\n" << r.out;
  }
}

// Wrong if `lab down` of a lab that does not exist succeeds or does not name it.
TEST(CliLab, DownOfAnUnknownLabExits2NamingIt)
{
  auto name = "no-such-lab-" + std::to_string(::getpid());
  auto r    = run("lab down " + name);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find(name), std::string::npos) << r.out;
}

// Wrong if `ibmig lab` alone does not show the lab commands.
TEST(CliLab, NoSubcommandShowsUsage)
{
  auto r = run("lab");
  EXPECT_EQ(r.status, 2);
  for (auto const* sub : {"up", "down", "list", "shell", "install-hca", "power-on"})
    EXPECT_NE(r.out.find(sub), std::string::npos) << sub;
}
