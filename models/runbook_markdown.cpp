/* The runbook as a document to read and follow by hand. */
#include "runbook.hpp"
#include "text.hpp"

#include <sstream>

namespace ibmig {
namespace {

std::vector<std::string> node_names(const std::vector<const NodeCommands*>& group)
{
  std::vector<std::string> out;
  for (const NodeCommands* c : group)
    out.push_back(c->node);
  return out;
}

/* Consecutive checks that differ only in their node, as one: "Check on n1, n2: `cmd`". */
std::vector<std::pair<std::vector<std::string>, const Check*>> merged(const std::vector<Check>& checks)
{
  std::vector<std::pair<std::vector<std::string>, const Check*>> out;
  for (auto const& c : checks) {
    bool same = false;
    if (!out.empty()) {
      const Check& last = *out.back().second;
      same              = last.command == c.command && last.wait_s == c.wait_s && last.expect.size() == c.expect.size();
      for (size_t i = 0; same && i < c.expect.size(); i++)
        same = last.expect[i].pattern == c.expect[i].pattern && last.expect[i].lines == c.expect[i].lines;
    }
    if (same)
      out.back().first.push_back(c.node);
    else
      out.push_back({{c.node}, &c});
  }
  return out;
}

void write_step(std::ostream& out, const RunbookStep& st, size_t number, const char* heading)
{
  out << "\n" << heading << " " << number << ". " << st.title << "\n\n";
  out << (st.nodes.empty() ? std::string("On the admin host.")
          : st.once        ? "Once, on " + st.nodes.front() + " (one server)."
                           : "On " + join(st.nodes) + ".")
      << " `" << to_string(st.action) << "`, " << st.json_path << ".\n";
  for (auto const& ph : st.phases) {
    if (!ph.physical.empty()) {
      out << "\nBy hand:\n\n";
      for (auto const& p : ph.physical)
        out << "- " << p << "\n";
    }
    for (auto const& group : same_commands(ph)) {
      out << "\nOn " << join(node_names(group)) << ":\n\n```sh\n";
      for (auto const& c : group.front()->commands)
        out << c << "\n";
      out << "```\n";
    }
    if (ph.powers_off)
      out << "\nThe ssh session drops as the node shuts down. Wait until it no longer answers ssh (its power is "
             "off).\n";
    if (!ph.await_ssh.empty())
      out << "\nWait until " << join(ph.await_ssh) << " answer" << (ph.await_ssh.size() == 1 ? "s" : "")
          << " ssh (`ssh NODE true`).\n";
    for (auto const& [nodes, c] : merged(ph.checks)) {
      out << "\nCheck on " << join(nodes) << ": `" << c->command << "`";
      if (c->wait_s > 0) out << " (repeat every 10 s, for up to " << duration_text(c->wait_s) << ")";
      out << "\n";
      for (auto const& e : c->expect)
        out << "Expected: `" << e.shown << "`\n";
    }
  }
  if (!st.notes.empty()) {
    out << "\nNotes:\n\n";
    for (auto const& n : st.notes)
      out << "- " << n << "\n";
  }
}

} // namespace

std::string write_markdown(const Runbook& rb)
{
  std::ostringstream out;
  out << "# Runbook: " << rb.plan << "\n\n";
  out << "Scenario: " << rb.scenario << " (" << rb.file << "). Distribution: " << distribution_line(rb) << ".\n\n";
  out << "Run each block as root on the nodes it names. After each check, compare the output with the expected "
         "lines and stop at the first that differs.\n";
  size_t number = 1;
  for (auto const& r : step_ranges(rb)) {
    if (r.rolling)
      out << "\n## Rolling: " << rb.steps[r.first].block_name << ", one node at a time (" << join(rolling_nodes(rb, r))
          << ")\n";
    for (size_t i = r.first; i < r.last; i++)
      write_step(out, rb.steps[i], number++, r.rolling ? "###" : "##");
  }
  return out.str();
}

} // namespace ibmig
