/* A simulated run's report as bytes, for the pipe between a simulation child and its parent. The JSON report is the
 * format people and tools read; between two processes of the same binary it cost more than the run itself (4,096
 * nodes: 650k client entries built as a JSON tree, printed, parsed and rebuilt). This is every field a simulation
 * fills, in declaration order, doubles bit for bit: the parent gets exactly the child's report. Not a file format:
 * both ends are this build. */
#pragma once

#include "report.hpp"

#include <string>
#include <string_view>

namespace ibmig {

/* Every field except `emulation` and `topology`, which only emulate and the caller add: a report carrying either is a
 * programming error (std::logic_error). */
std::string to_wire(const Report& r);
/* Throws std::invalid_argument for bytes that are not a whole to_wire() answer (a child that died while writing). */
Report report_from_wire(std::string_view bytes);

} // namespace ibmig
