/* The grid of a what-if study (`ibmig sweep`): axes over scenario paths or named presets, each point a list of
 * --set overrides (overrides.hpp: the one override engine). Documented in docs/sweep.md. */
#pragma once

#include "overrides.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ibmig::sweep {

/* One value of an axis: its label as given (the --set value, or the preset's name) and what it sets. */
struct AxisValue {
  std::string label;
  std::vector<Override> overrides;
};

struct Axis {
  std::string name; // the scenario path (a path axis) or the preset axis's name
  bool preset = false;
  std::vector<AxisValue> values;
};

/* Points are numbered 0 .. size()-1 with the last axis varying fastest (as nested loops in axis order). */
struct Grid {
  std::vector<Axis> axes;
  std::size_t size() const; // 1 for no axes: the scenario itself
  std::vector<std::size_t> coordinates(std::size_t point) const;
  std::vector<std::string> labels(std::size_t point) const;
  /* The axes' overrides in axis order: where two axes set one path, the later axis wins. */
  std::vector<Override> overrides(std::size_t point) const;
  std::vector<std::string> axis_names() const;
};

constexpr std::size_t kMaxPoints = 10'000'000; // a grid beyond this is a typo (rows would not fit a study's disk)

/* "PATH=V1,V2,..." where an item START:STOP:STEP with one unit (60s:300s:60s, 1:4:1) expands to START, START+STEP,
 * ... up to STOP. Throws ScenarioError("--vary", PATH, why). */
Axis parse_vary(const std::string& arg);
/* START:STOP:STEP -> the values as text with the unit (an empty optional when `item` is not of that form). Throws
 * std::invalid_argument when it is a range but a bad one (mixed units, a step of 0, STOP before START). */
std::optional<std::vector<std::string>> expand_range(const std::string& item);

/* A sweep file (docs/sweep.md): {"scenario"?, "runs"?, "seed"?, "axes": [{"path", "values" | "range"} |
 * {"name", "presets": {NAME: {PATH: VALUE, ...}, ...}}, ...]}. Throws ScenarioError naming the file and path. */
struct SweepFile {
  std::string scenario; // resolved against the sweep file's directory; empty when the file names none
  std::optional<int> runs;
  std::optional<std::uint64_t> seed;
  std::vector<Axis> axes;
};
SweepFile load_sweep_file(const std::string& file);

/* Adds `axis`, refusing a second axis of the same name and a grid beyond kMaxPoints (ScenarioError naming `where`). */
void add_axis(Grid& grid, Axis axis, const std::string& where);

/* A --vary over a path the sweep file already varies replaces that axis's values in its place (a study re-run with
 * one more value); any other is added as add_axis does. */
void vary_axis(Grid& grid, Axis axis, const std::string& where);

/* --shard I/N: the points whose index % N == I-1 (interleaved: every shard gets a share of every region of the grid,
 * so shards of a grid whose cost grows along an axis take about as long). */
struct Shard {
  std::size_t index = 1; // 1-based
  std::size_t count = 1;
  bool contains(std::size_t point) const { return point % count == index - 1; }
};
Shard parse_shard(const std::string& text); // "2/4"; throws std::invalid_argument

} // namespace ibmig::sweep
