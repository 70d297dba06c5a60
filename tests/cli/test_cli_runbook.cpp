/* ibmig runbook as a user runs it: every shipped scenario in the three formats and the three distributions, the
 * script through bash -n, the playbook through ansible-playbook --syntax-check; bad input refused like elsewhere. */
#include "run_ibmig.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace {

using ibmig::test::Result;
using ibmig::test::run;
namespace fs = std::filesystem;

const std::string kRoot = IBMIG_SOURCE_DIR;

std::vector<std::string> shipped_scenarios()
{
  std::vector<std::string> out;
  for (auto const& e : fs::directory_iterator(kRoot + "/scenarios"))
    if (e.path().extension() == ".json") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const std::string& file)
{
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool have_ansible()
{
  return std::system("command -v ansible-playbook > /dev/null 2>&1") == 0;
}

class RunbookOfScenario : public ::testing::TestWithParam<std::string> {
protected:
  std::string dir(const std::string& distribution) const
  {
    std::string d = testing::TempDir() + "runbook-" + GetParam() + "-" + distribution;
    fs::create_directories(d);
    return d;
  }
  /* A copy of the shipped scenario with "distribution" set (--set replaces fields, it does not add them). */
  std::string scenario(const std::string& distribution) const
  {
    nlohmann::json doc     = nlohmann::json::parse(read(kRoot + "/scenarios/" + GetParam() + ".json"));
    doc["distribution"]    = distribution;
    const std::string file = dir(distribution) + "/" + GetParam() + ".json";
    std::ofstream(file) << doc.dump(1);
    return file;
  }
};

// If this fails, a shipped scenario's runbook is not written, or its header does not name the distribution.
TEST_P(RunbookOfScenario, MarkdownOnStdoutNamesTheDistribution)
{
  for (const char* d : {"centos6", "el9", "debian12"}) {
    Result r = run("runbook " + scenario(d));
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out.rfind("# Runbook: ", 0), 0u) << r.out.substr(0, 200);
    EXPECT_NE(r.out.find("Distribution: " + std::string(d) + "."), std::string::npos) << d;
    // A heading per step: "## 1. Stop VMs", or "### 1. ..." under a rolling block's "## Rolling: ..." heading.
    EXPECT_TRUE(r.out.find("\n## 1. ") != std::string::npos || r.out.find("\n### 1. ") != std::string::npos);
  }
}

// If this fails, the script would not even start: bash refuses its syntax (quoting of names, here-documents).
TEST_P(RunbookOfScenario, ShellPassesBashN)
{
  for (const char* d : {"centos6", "el9", "debian12"}) {
    std::string file = dir(d) + "/runbook.sh";
    Result r         = run("runbook " + scenario(d) + " --format shell -o " + file);
    ASSERT_EQ(r.status, 0) << r.out;
    std::string text = read(file);
    EXPECT_EQ(text.rfind("#!/usr/bin/env bash\n", 0), 0u);
    EXPECT_NE(text.find("set -euo pipefail"), std::string::npos);
    EXPECT_NE(text.find("\nexpect_on "), std::string::npos);
    EXPECT_EQ(std::system(("bash -n " + file).c_str()), 0) << file;
  }
}

// If this fails, the playbook or its inventory is not what ansible-playbook accepts.
TEST_P(RunbookOfScenario, AnsiblePassesSyntaxCheck)
{
  for (const char* d : {"centos6", "el9", "debian12"}) {
    std::string playbook = dir(d) + "/site.yml";
    Result r             = run("runbook " + scenario(d) + " --format ansible -o " + playbook);
    ASSERT_EQ(r.status, 0) << r.out;
    std::string inventory = dir(d) + "/inventory.ini";
    ASSERT_TRUE(fs::exists(inventory)) << r.out;
    // Every shipped scenario has an n1 with an address (the reference's is its vmbridge 10.10.0.11).
    EXPECT_TRUE(std::regex_search(read(inventory), std::regex("\nn1 ansible_host=10\\.[0-9.]+\n"))) << read(inventory);
    if (!have_ansible())
      GTEST_SKIP() << "ansible-playbook is not installed (Debian package ansible; setup.sh test "
                      "installs it)";
    std::string cmd =
        "ansible-playbook --syntax-check -i " + inventory + " " + playbook + " > " + playbook + ".out 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << read(playbook + ".out");
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, RunbookOfScenario, ::testing::ValuesIn(shipped_scenarios()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string name = i.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// If this fails, the scenario the generator writes (every node a server and a hypervisor, replica 2) has a
// runbook that bash or Ansible refuses.
TEST(Runbook, GeneratedScenarioInEveryFormat)
{
  std::string d = testing::TempDir() + "runbook-generated";
  fs::create_directories(d);
  ASSERT_EQ(run("generate --nodes 6 --vms-per-node 1 -o " + d + "/gen.json").status, 0);
  Result sh = run("runbook " + d + "/gen.json --format shell -o " + d + "/gen.sh");
  ASSERT_EQ(sh.status, 0) << sh.out;
  EXPECT_EQ(std::system(("bash -n " + d + "/gen.sh").c_str()), 0);
  Result yml = run("runbook " + d + "/gen.json --format ansible -o " + d + "/gen.yml");
  ASSERT_EQ(yml.status, 0) << yml.out;
  if (!have_ansible()) GTEST_SKIP() << "ansible-playbook is not installed (Debian package ansible)";
  EXPECT_EQ(
      std::system(("ansible-playbook --syntax-check -i " + d + "/inventory.ini " + d + "/gen.yml > /dev/null").c_str()),
      0);
}

// If this fails, a misspelt distribution is accepted (and gets some other distribution's commands), or the message
// does not point to the field and list what is known.
TEST(Runbook, UnknownDistributionIsRefusedWithPathAndKnownValues)
{
  Result r = run("runbook scenarios/reference.json --set distribution=suse");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("scenarios/reference.json: distribution: unknown distribution \"suse\" (known: "
                       "\"centos6\", \"el9\", \"debian12\")"),
            std::string::npos)
      << r.out;
}

// If this fails, a format that does not exist writes something anyway.
TEST(Runbook, UnknownFormatIsAUsageError)
{
  Result r = run("runbook scenarios/reference.json --format pdf");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--format"), std::string::npos) << r.out;
}

// If this fails, stdout and -o differ: what the admin reviews on screen is not what is written.
TEST(Runbook, StdoutIsWhatMinusOWrites)
{
  std::string file = testing::TempDir() + "runbook-ref.md";
  Result on_screen = run("runbook scenarios/reference.json");
  ASSERT_EQ(run("runbook scenarios/reference.json -o " + file).status, 0);
  ASSERT_EQ(on_screen.status, 0);
  EXPECT_EQ(on_screen.out, read(file));
}

} // namespace
