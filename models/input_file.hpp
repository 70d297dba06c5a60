/* Reading an input file whole (a report, a sweep's lines, a measurement output), with the project's messages. */
#pragma once

#include <cstdint>
#include <string>

namespace ibmig {

/* Throws ScenarioError naming the file when it is missing, not a regular file, larger than max_bytes (the message
 * then ends with `too_large`, e.g. "not a measurement output") or unreadable. */
std::string read_input_text(const std::string& file, std::uintmax_t max_bytes, const std::string& too_large);

} // namespace ibmig
