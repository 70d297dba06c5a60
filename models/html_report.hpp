/* `ibmig report --html`: one self-contained page of a report (simulate or emulate): the topology diagram (dot), the
 * plan as a timeline with each VM's and volume's downtime, throughput per phase per VM (gnuplot), the bottleneck of
 * each phase, the checker's findings and, for an emulate report, predicted vs measured. */
#pragma once

#include "filter_runner.hpp"
#include "report.hpp"

#include <string>

namespace ibmig {

/* Throws ToolError when dot or gnuplot is missing or fails. */
std::string html_report(const Report& report, FilterRunner& runner);

} // namespace ibmig

namespace ibmig {
/* "" when dot and gnuplot can both be run, else the message naming what is missing and its Debian package. */
std::string missing_html_tools(FilterRunner& runner);
} // namespace ibmig
