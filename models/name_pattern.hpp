/* The compact scenario's two kinds of pattern (scenarios/README.md, "Compact scenarios"):
 *   a range in a name, "n{1..4}" -> n1 n2 n3 n4 ("n{01..12}" pads to the first bound's width), and
 *   placeholders in a value, "10.10.1.{n+10}" -> 10.10.1.11 for n1: {n} (the number the range gave, else the
 *   name's trailing number), {n+K}, {n-K}, {name}.
 * Errors are std::invalid_argument with a reason; the caller adds the file and the JSON path. */
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ibmig {

struct PatternName {
  std::string name;
  long number     = 0; // what {n} means for this name
  bool has_number = false;
};

bool has_range(const std::string& pattern);
/* A name without a range gives itself (numbered by its trailing digits, if any). */
std::vector<PatternName> expand_range(const std::string& pattern);
/* The name itself, numbered by its trailing digits (n12 -> 12), for names that came from no range. */
PatternName numbered(const std::string& name);

bool has_placeholder(const std::string& value);
std::string substitute_placeholders(const std::string& value, const PatternName& of);

} // namespace ibmig
