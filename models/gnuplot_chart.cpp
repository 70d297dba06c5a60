#include "gnuplot_chart.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace ibmig {

namespace {

/* A gnuplot single-quoted string: no escapes inside but '' for a quote; a newline would end the command. */
std::string quoted(const std::string& text)
{
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "''";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out + "'";
}

std::string number(double x)
{
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", x);
  return text;
}

} // namespace

std::string gnuplot_script(const Chart& chart)
{
  std::ostringstream s;
  std::vector<const ChartSeries*> drawn;
  for (auto const& series : chart.series)
    for (auto const& [x, y] : series.points)
      if (std::isfinite(x) && std::isfinite(y)) { // an empty datablock is a gnuplot error
        drawn.push_back(&series);
        break;
      }
  if (drawn.empty()) return "";
  // noenhanced: figure names such as vm1.write_MBps are text, not subscripts.
  s << "set terminal svg size " << chart.width_px << "," << chart.height_px
    << " dynamic noenhanced font 'sans-serif,11' background '#ffffff'\n";
  s << "set title " << quoted(chart.title) << "\n";
  s << "set xlabel " << quoted(chart.x_label) << "\nset ylabel " << quoted(chart.y_label) << "\n";
  s << "set key outside right top vertical\nset grid\nset yrange [0:*]\nset offsets graph 0.02, graph 0.02, 0, 0\n";
  if (!chart.x_tics.empty()) {
    s << "set xtics (";
    for (size_t i = 0; i < chart.x_tics.size(); i++)
      s << (i ? ", " : "") << quoted(chart.x_tics[i].second) << " " << number(chart.x_tics[i].first);
    s << ")" << (chart.rotate_x_tics ? " rotate by -35 left" : "") << "\n";
  }
  for (size_t i = 0; i < drawn.size(); i++) {
    s << "$D" << i << " << EOD\n";
    for (auto const& [x, y] : drawn[i]->points)
      if (std::isfinite(x) && std::isfinite(y)) s << number(x) << " " << number(y) << "\n";
    s << "EOD\n";
  }
  s << "plot ";
  const char* with = chart.style == Chart::Style::Steps ? "steps lw 2" : "linespoints lw 2 pt 7 ps 0.6";
  for (size_t i = 0; i < drawn.size(); i++)
    s << (i ? ", \\\n     " : "") << "$D" << i << " using 1:2 with " << with << " title " << quoted(drawn[i]->title);
  s << "\n";
  return s.str();
}

std::string chart_svg(const Chart& chart, FilterRunner& runner)
{
  std::string script = gnuplot_script(chart);
  if (script.empty()) return "";
  return run_tool(runner, {"gnuplot"}, script, "gnuplot-nox");
}

} // namespace ibmig
