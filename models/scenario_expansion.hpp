/* The compact scenario (scenarios/README.md, "Compact scenarios"): "defaults" for nodes, their NICs and VMs,
 * "node_groups", and name ranges ("n{1..4}") in nodes, VMs and bricks, expanded into the plain document that
 * parse_scenario reads, with the path the user wrote for every expanded value, so that an error found in the
 * plain document still names what is in the file. */
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace ibmig {

/* Expanded JSON path ("nodes[3].nics[1].mode", as the loader writes paths) -> the path in the file
 * ("defaults.nics[1].mode"). */
class WrittenAt {
public:
  void record(const std::string& expanded, const std::string& written) { at_[expanded] = written; }
  /* Exact, else the longest recorded prefix with the rest appended, else the path itself. */
  std::string of(const std::string& expanded) const;

private:
  std::map<std::string, std::string> at_;
};

struct ExpandedScenario {
  nlohmann::json document; // plain form: no defaults, node_groups, ranges or placeholders
  WrittenAt written_at;
};

/* A document with none of the compact forms comes back unchanged. Throws ScenarioError naming `file` and the path
 * in the compact form. */
ExpandedScenario expand_scenario(const nlohmann::json& doc, const std::string& file);

/* A --set path into the compact sections ("defaults...", "node_groups..."): applied before expansion. */
bool is_compact_path(const std::string& override_path);

} // namespace ibmig
