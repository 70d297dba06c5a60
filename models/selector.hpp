/* A --set path and where it leads in a document: `key(.key|[i]|[*]|[key=value])*`. [*] is every element of a list,
 * [key=value] every element whose field equals the value (or whose list field "keys" holds it: nodes[role=server]
 * matches "roles": ["server", ...]). A missing field at the end of the path is created, for the loader to check as it
 * checks the file's own fields. */
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ibmig {

struct PathStep {
  enum class Kind { Key, Index, All, Match } kind = Kind::Key;
  std::string key;   // Key: the field; Match: the field compared
  size_t index = 0;  // Index
  std::string value; // Match
};

/* Strict: a malformed path is an error naming it, never another element. */
std::vector<PathStep> parse_set_path(const std::string& path, const std::string& file);

struct PathTarget {
  nlohmann::json* value;
  std::string path;    // concrete, as the loader writes paths: nodes[2].nics[1].mode
  std::string created; // the first field the path created ("" when every field existed): nodes[2].memory
};

/* Every value the path selects; a selector that matches nothing, an index out of range or a field under a scalar
 * is an error naming `set_path`. */
std::vector<PathTarget> resolve_set_path(nlohmann::json& doc, const std::vector<PathStep>& steps,
                                         const std::string& set_path, const std::string& file);

} // namespace ibmig
