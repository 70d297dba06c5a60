/* A line chart drawn by gnuplot's SVG terminal: the script and the data (inline datablocks) go to gnuplot's stdin,
 * the SVG comes back on its stdout, so no temporary file is left behind. */
#pragma once

#include "filter_runner.hpp"

#include <string>
#include <utility>
#include <vector>

namespace ibmig {

struct ChartSeries {
  std::string title;
  std::vector<std::pair<double, double>> points; // (x, y), in x order; a series without points is left out
};

struct Chart {
  enum class Style { Steps, LinesPoints };
  std::string title, x_label, y_label;
  Style style = Style::LinesPoints;
  std::vector<ChartSeries> series;
  std::vector<std::pair<double, std::string>> x_tics; // categorical x values (a sweep axis of words); empty: numbers
  bool rotate_x_tics = false;                         // long labels (phase names) at an angle
  int width_px       = 900;
  int height_px      = 340;
};

/* The gnuplot script (terminal, labels, datablocks, plot); "" when no series has a point. */
std::string gnuplot_script(const Chart& chart);
/* The chart as an SVG document; "" when there is nothing to draw. Throws ToolError when gnuplot is missing or
 * fails. */
std::string chart_svg(const Chart& chart, FilterRunner& runner);

} // namespace ibmig
