/* The runbook as one bash script run from an admin host: every command through ssh, every check compared, the first
 * mismatch stops it. */
#include "runbook.hpp"

#include <sstream>

namespace ibmig {
namespace {

/* One word for bash, nothing expanded: 'it'\''s'. */
std::string quoted(const std::string& s)
{
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

const char* kFunctions = R"SH(set -euo pipefail

# Node NODE is reached as host NODE, or as the value of IBMIG_HOST_NODE (e.g. IBMIG_HOST_n1=10.10.0.11).
# IBMIG_SSH is the ssh command (default: ssh), e.g. IBMIG_SSH="ssh -o BatchMode=yes -l root".
run_on() {
  local node=$1
  shift
  local var="IBMIG_HOST_${node//[^A-Za-z0-9_]/_}"
  ${IBMIG_SSH:-ssh} "${!var:-$node}" "$@"
}

step() { printf '\n== %s\n' "$1"; }

# by_hand TEXT: what a person does; the script waits for Enter (and stops when there is nobody to press it).
by_hand() {
  if ! read -r -p "BY HAND: $1 [Enter when done] " _; then
    echo "STOPPED: no answer on stdin at: $1" >&2
    exit 1
  fi
}

# await NODE up|down: until NODE answers ssh (up: it has booted, 30 min at most) or no longer does (down: it has
# shut down, 10 min at most).
await() {
  local node=$1 want=$2 limit=1800 now
  [ "$want" = up ] || limit=600
  local deadline=$((SECONDS + limit))
  while :; do
    if run_on "$node" true 2>/dev/null; then now=up; else now=down; fi
    [ "$now" = "$want" ] && break
    if ((SECONDS >= deadline)); then
      echo "STOPPED: $node is not $want (ssh) after $((limit / 60)) min" >&2
      exit 1
    fi
    sleep 10
  done
  echo "ok   $node is $want"
}

# matches OUTPUT [COUNT PATTERN SHOWN]...: every PATTERN matches at least COUNT lines; else sets $missing.
missing=""
matches() {
  local out=$1 n
  shift
  while (($#)); do
    n=$(printf '%s\n' "$out" | grep -c -E -- "$2" || true)
    if ((n < $1)); then
      missing="$3 (wanted $1 line(s) matching $2, got $n)"
      return 1
    fi
    shift 3
  done
}

# expect_on NODE WAIT_S COMMAND [COUNT PATTERN SHOWN]...: run COMMAND on NODE and compare its output; with WAIT_S > 0
# repeat every 10 s for up to WAIT_S seconds. A mismatch stops the script.
expect_on() {
  local node=$1 wait_s=$2 cmd=$3 out
  shift 3
  local deadline=$((SECONDS + wait_s))
  while :; do
    out=$(run_on "$node" "$cmd" 2>&1) || true
    if matches "$out" "$@"; then
      echo "ok   $node: $cmd"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      {
        echo "STOPPED: check failed on $node: $cmd"
        echo "expected: $missing"
        echo "got:"
        printf '%s\n' "$out"
      } >&2
      exit 1
    fi
    sleep 10
  done
}
)SH";

void write_phase(std::ostream& out, const RunbookPhase& ph)
{
  for (auto const& p : ph.physical)
    out << "by_hand " << quoted(p) << "\n";
  for (auto const& c : ph.commands)
    for (size_t i = 0; i < c.commands.size(); i++) {
      out << "run_on " << quoted(c.node) << " " << quoted(c.commands[i]);
      // The session drops as the node shuts down: ssh's status says nothing then.
      out << (ph.powers_off && i + 1 == c.commands.size() ? " || true" : "") << "\n";
    }
  if (ph.powers_off)
    for (auto const& c : ph.commands)
      out << "await " << quoted(c.node) << " down\n";
  for (auto const& n : ph.await_ssh)
    out << "await " << quoted(n) << " up\n";
  for (auto const& c : ph.checks) {
    out << "expect_on " << quoted(c.node) << " " << c.wait_s << " " << quoted(c.command);
    for (auto const& e : c.expect)
      out << " \\\n  " << e.lines << " " << quoted(e.pattern) << " " << quoted(e.shown);
    out << "\n";
  }
}

} // namespace

std::string write_shell(const Runbook& rb)
{
  std::ostringstream out;
  out << "#!/usr/bin/env bash\n";
  out << "# Runbook: " << rb.plan << "\n";
  out << "# Scenario: " << rb.scenario << " (" << rb.file << "). Distribution: " << distribution_line(rb) << ".\n";
  out << "# Written by ibmig runbook. Run it from an admin host that reaches every node by ssh as root.\n";
  out << kFunctions;
  size_t number = 1;
  for (auto const& st : rb.steps) {
    out << "\nstep " << quoted(std::to_string(number++) + ". " + st.title) << "\n";
    for (auto const& n : st.notes)
      out << "# " << n << "\n";
    for (auto const& ph : st.phases)
      write_phase(out, ph);
  }
  out << "\necho\necho " << quoted("Runbook done: every step ran and every check passed.") << "\n";
  return out.str();
}

} // namespace ibmig
