/* The runbook as an Ansible playbook (ansible.builtin modules only) and its inventory. One play per step; a rolling
 * block is one play over its nodes with serial: 1; a cluster-wide check runs once on one server. */
#include "runbook.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

namespace ibmig {
namespace {

/* A YAML scalar: a JSON string is a valid YAML double-quoted one. Jinja would expand {{ }}, {% %} and {# #} in
 * module arguments, so text containing them is kept raw. */
std::string yaml(const std::string& s)
{
  bool jinja =
      s.find("{{") != std::string::npos || s.find("{%") != std::string::npos || s.find("{#") != std::string::npos;
  return nlohmann::json(jinja ? "{% raw %}" + s + "{% endraw %}" : s).dump();
}

/* A string literal inside a Jinja expression. */
std::string jinja(const std::string& s)
{
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

/* Where a task runs inside its play: all the play's hosts, some of them, or another node (delegate_to). */
struct Where {
  std::vector<std::string> play_hosts;
  bool once = false; // the play's single host, run_once

  void write(std::ostream& out, const std::vector<std::string>& nodes) const
  {
    if (once) {
      out << "      run_once: true\n";
      if (nodes.front() != play_hosts.front()) out << "      delegate_to: " << yaml(nodes.front()) << "\n";
      return;
    }
    if (nodes == play_hosts) return;
    if (play_hosts.size() == 1 && nodes.size() == 1 && nodes.front() != play_hosts.front()) {
      // A serial: 1 batch holds one host: a task for another node is delegated to it.
      out << "      delegate_to: " << yaml(nodes.front()) << "\n";
      return;
    }
    std::vector<std::string> names;
    for (auto const& n : nodes)
      names.push_back(jinja(n));
    out << "      when: " << yaml("inventory_hostname in [" + join(names) + "]") << "\n";
  }
};

std::string condition(const Check& c)
{
  std::vector<std::string> parts;
  for (auto const& e : c.expect)
    parts.push_back("(ibmig_out.stdout_lines | select('search', " + jinja(e.pattern) +
                    ") | list | length) >= " + std::to_string(e.lines));
  return join(parts, " and ");
}

void write_phase(std::ostream& out, const RunbookPhase& ph, const Where& where)
{
  if (!ph.physical.empty()) {
    // pause runs once per batch: in a rolling play the batch is the one node the instructions are for.
    out << "    - name: " << yaml("By hand") << "\n      ansible.builtin.pause:\n        prompt: "
        << yaml(join(ph.physical, "\n") + "\nPress Enter when done") << "\n";
  }
  for (auto const& group : same_commands(ph)) {
    std::vector<std::string> nodes;
    for (const NodeCommands* c : group)
      nodes.push_back(c->node);
    auto const& cmds = group.front()->commands;
    for (size_t i = 0; i < cmds.size(); i++) {
      const bool last_poweroff = ph.powers_off && i + 1 == cmds.size();
      out << "    - name: " << yaml(cmds[i].substr(0, cmds[i].find('\n'))) << "\n";
      out << "      ansible.builtin.shell: " << yaml(last_poweroff ? "sleep 2 && " + cmds[i] : cmds[i]) << "\n";
      if (last_poweroff) out << "      async: 30\n      poll: 0\n"; // the connection drops as the node shuts down
      where.write(out, nodes);
      if (last_poweroff) {
        // "Powered off" in the next pause must be true: wait from the controller until sshd stops answering.
        out << "    - name: " << yaml("Wait until the node no longer answers ssh") << "\n"
            << "      ansible.builtin.wait_for:\n        host: \"{{ ansible_host | default(inventory_hostname) }}\"\n"
            << "        port: \"{{ ansible_port | default(22) }}\"\n        state: stopped\n        timeout: 600\n"
            << "      delegate_to: localhost\n      become: false\n";
        where.write(out, nodes);
      }
    }
  }
  if (!ph.await_ssh.empty()) {
    out << "    - name: " << yaml("Wait until the node answers ssh") << "\n";
    out << "      ansible.builtin.wait_for_connection:\n        timeout: 1800\n";
    where.write(out, ph.await_ssh);
  }
  for (auto const& c : ph.checks) {
    const std::string cond = condition(c);
    out << "    - name: " << yaml("Check: " + c.command) << "\n";
    out << "      ansible.builtin.shell: " << yaml(c.command) << "\n";
    out << "      register: ibmig_out\n      changed_when: false\n      failed_when: false\n";
    if (c.wait_s > 0)
      out << "      until: " << yaml(cond) << "\n      retries: " << (c.wait_s + 9) / 10 << "\n      delay: 10\n";
    where.write(out, {c.node});
    std::vector<std::string> shown;
    for (auto const& e : c.expect)
      shown.push_back(e.shown);
    out << "    - name: " << yaml("Expected: " + join(shown, "; ")) << "\n";
    out << "      ansible.builtin.assert:\n        that:\n          - " << yaml(cond) << "\n";
    out << "        fail_msg: " << yaml(c.node + ": " + c.command + ": expected " + join(shown, "; ")) << "\n";
    where.write(out, {c.node});
  }
}

void write_play(std::ostream& out, const std::string& name, const std::vector<std::string>& hosts, bool serial)
{
  out << "\n- name: " << yaml(name) << "\n";
  out << "  hosts: " << yaml(join(hosts, ":")) << "\n";
  if (serial) out << "  serial: 1\n";
  out << "  gather_facts: false\n  become: true\n  tasks:\n";
}

} // namespace

AnsibleFiles write_ansible(const Runbook& rb)
{
  std::ostringstream out;
  out << "---\n# Runbook: " << rb.plan << "\n# Scenario: " << rb.scenario << " (" << rb.file
      << "). Distribution: " << distribution_line(rb) << ".\n";
  out << "# Written by ibmig runbook. ansible-playbook -i inventory.ini PLAYBOOK\n";
  size_t number = 1;
  for (auto const& r : step_ranges(rb)) {
    if (r.rolling) {
      auto nodes = rolling_nodes(rb, r);
      write_play(out, "Rolling: " + rb.steps[r.first].block_name + ", one node at a time", nodes, true);
      for (size_t i = r.first; i < r.last; i++) {
        const RunbookStep& st = rb.steps[i];
        // Each of the block's steps is for one node: it runs in that node's batch only.
        out << "    - name: " << yaml(std::to_string(number++) + ". " + st.title) << "\n";
        out << "      when: " << yaml("inventory_hostname == " + jinja(st.rolling_node)) << "\n";
        out << "      block:\n";
        std::ostringstream inner;
        for (auto const& ph : st.phases)
          write_phase(inner, ph, Where{{st.rolling_node}, false});
        std::istringstream lines(inner.str());
        for (std::string line; std::getline(lines, line);)
          out << "    " << line << "\n";
      }
      continue;
    }
    const RunbookStep& st = rb.steps[r.first];
    // A step without nodes (a plain wait) is the admin's: it runs on the control node.
    write_play(out, std::to_string(number++) + ". " + st.title,
               st.nodes.empty() ? std::vector<std::string>{"localhost"} : st.nodes, false);
    for (auto const& ph : st.phases)
      write_phase(out, ph, Where{st.nodes, st.once});
  }
  AnsibleFiles f;
  f.playbook = out.str();
  std::ostringstream inv;
  inv << "# ibmig runbook: " << rb.scenario
      << "'s nodes; ansible_host is the node's vmbridge address (else its first "
         "NIC's)\n[cluster]\n";
  for (size_t i = 0; i < rb.nodes.size(); i++)
    inv << rb.nodes[i] << " ansible_host=" << rb.addresses[i] << "\n";
  f.inventory = inv.str();
  return f;
}

} // namespace ibmig
