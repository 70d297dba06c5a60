// Lab status from hand-made observations: which steps are done as observed, and the checker's rules in its words.
#include "lab_status.hpp"
#include "plan_checker.hpp"
#include "running_lab.hpp"
#include "scenario_loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

using namespace ibmig;
using namespace ibmig::lab;

namespace {

const std::string kRoot = IBMIG_SOURCE_DIR;

Scenario reference()
{
  return load_scenario(kRoot + "/scenarios/reference.json");
}

size_t step_index(const Scenario& sc, Action a)
{
  for (size_t k = 0; k < sc.plan.steps.size(); k++)
    if (sc.plan.steps[k].action == a) return k;
  ADD_FAILURE() << "no " << to_string(a) << " step";
  return 0;
}

} // namespace

// If this fails, a cluster nobody touched is reported as partly migrated.
TEST(LabStatus, FreshClusterHasNoStepDone)
{
  Scenario sc = reference();
  auto states = states_along_plan(sc);
  LabStatus s = lab_status(sc, states, expected_lab(states.front()));
  EXPECT_TRUE(s.on_plan);
  EXPECT_EQ(s.current, 0u);
  for (auto const& st : s.steps)
    EXPECT_EQ(st.progress, StepProgress::NotDone) << st.name;
  EXPECT_TRUE(s.broken_rules.empty()) << s.broken_rules.front().message;
  EXPECT_EQ(s.volume_networks.begin()->second, sc.storage_names.network);
  std::ostringstream out;
  print_lab_status(s, out);
  EXPECT_NE(out.str().find("VM write throughput: not measured"), std::string::npos) << out.str();
}

// If this fails, a step the trainee did is not seen as done (or later steps are claimed): the status compares the
// observation with the model's state after each step.
TEST(LabStatus, EachStepsObservedStateMarksThatStepDone)
{
  Scenario sc = reference();
  auto states = states_along_plan(sc);
  for (size_t k = 0; k < sc.plan.steps.size(); k++) {
    LabStatus s = lab_status(sc, states, expected_lab(states[k + 1]));
    ASSERT_TRUE(s.on_plan) << sc.plan.steps[k].name;
    if (!s.steps[k].observable) {
      // A check or a wait shows nothing: it is the current step until the trainee does the next one.
      EXPECT_LE(s.current, k) << sc.plan.steps[k].name;
      continue;
    }
    EXPECT_EQ(s.current, k + 1) << sc.plan.steps[k].name;
    for (size_t j = 0; j <= k; j++)
      EXPECT_EQ(s.steps[j].progress, StepProgress::Done) << sc.plan.steps[j].name;
    for (size_t j = k + 1; j < s.steps.size(); j++)
      EXPECT_EQ(s.steps[j].progress, StepProgress::NotDone) << sc.plan.steps[j].name;
    EXPECT_TRUE(s.broken_rules.empty()) << sc.plan.steps[k].name << ": " << s.broken_rules.front().message;
  }
  LabStatus end = lab_status(sc, states, expected_lab(states.back()));
  EXPECT_EQ(end.current, sc.plan.steps.size());
  EXPECT_EQ(to_json(end)["plan_done"], true);
  EXPECT_NE(end.volume_networks.begin()->second, sc.storage_names.network); // on the IB network now
}

// If this fails, a step done on some of its nodes is reported as not started or as done.
TEST(LabStatus, StepDoneOnOneNodeIsPartly)
{
  Scenario sc                = reference();
  auto states                = states_along_plan(sc);
  size_t stop                = step_index(sc, Action::StopService);
  LabObservation obs         = expected_lab(states[stop]);
  const std::string n        = sc.plan.steps[stop].nodes.front();
  obs.nodes[n].seen.glusterd = false;
  LabStatus s                = lab_status(sc, states, obs);
  EXPECT_EQ(s.current, stop);
  EXPECT_EQ(s.steps[stop].progress, StepProgress::Partly);
  EXPECT_EQ(s.steps[stop].done_on, std::vector<std::string>{n});
  EXPECT_FALSE(s.steps[stop].differences.empty()); // the other nodes' glusterd still runs
}

// If this fails, glusterd started before the names were re-pointed goes unexplained, or the lab explains it in
// other words than the checker does for the same mistake in a plan.
TEST(LabStatus, GlusterdStartedBeforeRepointingGetsTheCheckersExplanation)
{
  Scenario sc        = reference();
  auto states        = states_along_plan(sc);
  size_t ping        = step_index(sc, Action::VerifyPing);
  LabObservation obs = expected_lab(states[ping + 1]);
  for (auto const& n : sc.nodes)
    if (n.server) obs.nodes[n.name].seen.glusterd = true;
  LabStatus s = lab_status(sc, states, obs);
  ASSERT_EQ(s.broken_rules.size(), 1u);
  EXPECT_EQ(s.broken_rules[0].rule, "NAMES_NOT_REPOINTED");
  EXPECT_EQ(s.current, step_index(sc, Action::RepointNames)); // not done: the names still point at the old network
  EXPECT_NE(s.steps[s.current].progress, StepProgress::Done);
  // The same mistake in a plan: start glusterd right after the ping.
  Scenario bad = sc;
  bad.plan.steps.insert(bad.plan.steps.begin() + static_cast<long>(ping + 1),
                        sc.plan.steps[step_index(sc, Action::StartService)]);
  std::string checker;
  for (auto const& f : check_plan(bad))
    if (f.rule == "NAMES_NOT_REPOINTED" && checker.empty()) checker = f.message;
  ASSERT_FALSE(checker.empty());
  auto after = [](const std::string& m, const std::string& from) { return m.substr(m.find(from) + from.size()); };
  EXPECT_EQ(after(s.broken_rules[0].message, "glusterd runs on"), after(checker, "starts glusterd on"));
}

// If this fails, an MTU mismatch on the live fabric is not reported with the checker's rule.
TEST(LabStatus, MtuMismatchIsReported)
{
  Scenario sc        = reference();
  auto states        = states_along_plan(sc);
  size_t conf        = step_index(sc, Action::ConfigureInterface);
  LabObservation obs = expected_lab(states[conf + 1]);
  auto& ib           = obs.nodes[sc.plan.steps[conf].nodes.back()].seen.interfaces.at(sc.plan.steps[conf].interface);
  ib.mtu             = 2044;
  LabStatus s        = lab_status(sc, states, obs);
  ASSERT_FALSE(s.broken_rules.empty());
  EXPECT_EQ(s.broken_rules[0].rule, "MTU_MISMATCH");
  EXPECT_NE(s.broken_rules[0].message.find("MTU 2044"), std::string::npos) << s.broken_rules[0].message;
  EXPECT_EQ(s.steps[conf].progress, StepProgress::Partly); // the other nodes are configured
  EXPECT_NE(to_json(s)["broken_rules"][0]["rule"], nullptr);
}

// If this fails, heal info is misread: a brick lacks writes when another brick of its set lists entries to heal,
// and keeps that while no brick can tell.
TEST(LabStatus, StaleBricksFromHealInfo)
{
  Scenario sc       = reference();
  const Volume& vol = sc.volumes.front();
  ASSERT_GE(vol.replica, 2);
  std::vector<emu::HealBrick> heal(vol.bricks.size(), {"", true, 0});
  heal[1].entries = 12;
  auto stale      = stale_bricks(vol, heal, {});
  EXPECT_TRUE(stale[0]);
  EXPECT_FALSE(stale[1]);
  heal[1] = {"", false, -1}; // the good copy went down: nobody can tell, the last answer holds
  EXPECT_TRUE(stale_bricks(vol, heal, stale)[0]);
}

// If this fails, a node taken down while its partner's copy is not healed yet goes unexplained, or a heal that heal
// info shows finished is still held against the trainee.
TEST(LabStatus, NodeTakenDownBeforeHealFinished)
{
  Scenario sc  = load_scenario(kRoot + "/scenarios/reference-rolling.json");
  auto states  = states_along_plan(sc);
  size_t start = step_index(sc, Action::StartService); // the first node's glusterd is back: its brick is stale
  const std::string back = sc.plan.steps[start].nodes.front();
  const Volume& vol      = sc.volumes.front();
  size_t b               = 0;
  while (vol.bricks[b].node != back)
    b++;
  size_t partner                                    = b % 2 == 0 ? b + 1 : b - 1; // replica 2: its set's other brick
  LabObservation obs                                = expected_lab(states[start + 1]);
  obs.nodes[vol.bricks[partner].node].seen.glusterd = false; // taken down now
  LabVolume& lv                                     = obs.volumes[vol.name];
  lv.heal.assign(vol.bricks.size(), {"", true, 0});
  lv.heal[partner] = {"", false, -1};
  std::vector<bool> before(vol.bricks.size(), false);
  before[b]   = true; // the last heal info that could tell: the partner listed entries for it
  lv.stale    = stale_bricks(vol, lv.heal, before);
  LabStatus s = lab_status(sc, states, obs);
  auto rule   = std::find_if(s.broken_rules.begin(), s.broken_rules.end(),
                             [](const CheckFinding& f) { return f.rule == "ROLLING_BEFORE_HEAL"; });
  ASSERT_NE(rule, s.broken_rules.end());
  EXPECT_NE(rule->message.find("has not been healed"), std::string::npos) << rule->message;
  EXPECT_NE(rule->message.find("takes " + vol.bricks[partner].node + " down"), std::string::npos) << rule->message;
  // Healed meanwhile (heal info listed nothing for it): no rule is broken by taking the partner down.
  lv.stale = stale_bricks(vol, lv.heal, std::vector<bool>(vol.bricks.size(), false));
  for (auto const& f : lab_status(sc, states, obs).broken_rules)
    EXPECT_NE(f.rule, "ROLLING_BEFORE_HEAL") << f.message;
}

// If this fails, `--lab L` for a lab that is not running is not the clear message the issue asks for.
TEST(RunningLab, MissingLabIsNamed)
{
  std::string dir = ::testing::TempDir() + "/ibmig-no-labs";
  std::filesystem::create_directories(dir);
  try {
    running_lab(dir, "L");
    ADD_FAILURE() << "found a lab";
  } catch (const LabNotRunning& e) {
    EXPECT_STREQ(e.what(), "no lab named L is running (ibmig lab up SCENARIO)");
  }
  EXPECT_THROW(running_lab(dir, ""), LabNotRunning);
}
