/* The migration plan as the runbook an admin follows: per step the commands typed on each node, what is done by hand
 * (install an HCA, press power), and the checks between steps with the output they expect. Built from the plan and
 * the cluster model (which VMs run, an interface's MTU after configure), for the scenario's distribution
 * (distribution.hpp). Pure logic; three writers turn it into text: markdown, a bash script, an Ansible playbook. */
#pragma once

#include "scenario.hpp"

#include <string>
#include <vector>

namespace ibmig {

/* What a check wants in a command's output. */
struct Expectation {
  // A regular expression matched against each output line. Only what POSIX ERE (grep -E) and Python's re (Ansible)
  // read alike: literal text, ^ $ . + * [0-9] and escaped characters.
  std::string pattern;
  int lines = 1;     // at least this many lines match
  std::string shown; // what the admin sees: "State: Peer in Cluster (Connected)"
};

struct Check {
  std::string node;
  std::string command;
  std::vector<Expectation> expect;
  int wait_s = 0; // > 0: repeat it every 10 s until the output matches, for at most this long
};

struct NodeCommands {
  std::string node;
  std::vector<std::string> commands; // shell, in order; one may span lines (a here-document)
};

/* One part of a step, done in this order: by hand, commands, wait for ssh, checks. */
struct RunbookPhase {
  std::vector<std::string> physical;  // what a person does, one line each
  std::vector<NodeCommands> commands; // per node, in node order
  bool powers_off = false;            // the commands end with the node shutting down: its ssh session drops
  std::vector<std::string> await_ssh; // nodes to wait for until they answer ssh
  std::vector<Check> checks;
};

struct RunbookStep {
  std::string title;     // the plan step's name
  std::string json_path; // where it is in the scenario
  Action action = Action::Wait;
  std::vector<std::string> nodes; // where it acts
  bool once = false;              // a cluster-wide check: runs on one server (nodes.front())
  std::vector<RunbookPhase> phases;
  std::vector<std::string> notes; // what the runbook assumes that the scenario does not say
  int rolling_group = -1;         // steps of one rolling block share it
  std::string rolling_node;
  std::string block_name; // the rolling block's name
};

struct Runbook {
  std::string scenario, file, plan;
  Distribution distribution   = Distribution::Debian12;
  bool distribution_defaulted = true;
  std::vector<std::string> nodes;     // every node, scenario order
  std::vector<std::string> addresses; // per node: where the admin reaches it (its vmbridge NIC, else its first)
  std::vector<RunbookStep> steps;
};

Runbook make_runbook(const Scenario& sc);

/* The writers (runbook_markdown.cpp, runbook_shell.cpp, runbook_ansible.cpp). */
std::string write_markdown(const Runbook& rb);
std::string write_shell(const Runbook& rb); // bash, run from an admin host: ssh to each node
struct AnsibleFiles {
  std::string playbook;
  std::string inventory; // INI: host = node name, ansible_host = its address
};
AnsibleFiles write_ansible(const Runbook& rb);

/* The steps as the writers lay them out: a rolling block's steps together, every other step alone. [first, last) */
struct StepRange {
  size_t first = 0, last = 0;
  bool rolling = false;
};
std::vector<StepRange> step_ranges(const Runbook& rb);
/* The block's nodes, in the order it visits them. */
std::vector<std::string> rolling_nodes(const Runbook& rb, const StepRange& r);
/* The header's line on the distribution: "centos6" or "debian12 (defaulted: ...)". */
std::string distribution_line(const Runbook& rb);

/* 600 -> "10 min", 7200 -> "2 h", 90 -> "90 s": how long, for the admin. */
std::string duration_text(int seconds);

/* The nodes of a phase grouped by identical commands, in node order: one group when every node types the same. */
std::vector<std::vector<const NodeCommands*>> same_commands(const RunbookPhase& ph);

} // namespace ibmig
