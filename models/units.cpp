#include "units.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace ibmig {
namespace {

/* Splits "12.5MBps" into 12.5 and "MBps"; rejects empty numbers, signs, exponents and missing units. */
std::pair<double, std::string> split_number(const std::string& text, const char* what, const char* example)
{
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    i++;
  std::string number = text.substr(0, i);
  std::string unit   = text.substr(i);
  while (!unit.empty() && unit.front() == ' ')
    unit.erase(0, 1);
  if (number.empty() || number == "." || std::count(number.begin(), number.end(), '.') > 1)
    throw UnitError("expected a " + std::string(what) + " like \"" + example + "\", got \"" + text + "\"");
  if (unit.empty()) throw UnitError("\"" + text + "\" has no unit");
  try {
    return {std::stod(number), unit};
  } catch (const std::out_of_range&) {
    throw UnitError("\"" + text + "\": the number is too large");
  }
}

double lookup(const std::map<std::string, double>& table, const std::string& unit, const std::string& text,
              const char* what)
{
  auto it = table.find(unit);
  if (it == table.end()) {
    std::string known;
    for (auto const& [k, v] : table)
      known += (known.empty() ? "" : ", ") + k;
    throw UnitError("unknown " + std::string(what) + " unit \"" + unit + "\" in \"" + text + "\" (known: " + known +
                    ")");
  }
  return it->second;
}

} // namespace

Bytes parse_bytes(const std::string& text)
{
  static const std::map<std::string, double> units = {
      {"B", 1},     {"kB", 1e3},     {"KB", 1e3},        {"MB", 1e6},           {"GB", 1e9},
      {"TB", 1e12}, {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}};
  auto [n, u] = split_number(text, "size", "1GiB");
  return Bytes{n * lookup(units, u, text, "size")};
}

BitsPerSecond parse_bandwidth(const std::string& text)
{
  static const std::map<std::string, double> units = {{"bps", 1},
                                                      {"kbps", 1e3},
                                                      {"Kbps", 1e3},
                                                      {"Mbps", 1e6},
                                                      {"Gbps", 1e9},
                                                      {"Tbps", 1e12},
                                                      {"Bps", 8},
                                                      {"kBps", 8e3},
                                                      {"KBps", 8e3},
                                                      {"MBps", 8e6},
                                                      {"GBps", 8e9},
                                                      {"MiBps", 8 * 1048576.0},
                                                      {"GiBps", 8 * 1073741824.0}};
  auto [n, u]                                      = split_number(text, "bandwidth", "1Gbps");
  return BitsPerSecond{n * lookup(units, u, text, "bandwidth")};
}

Seconds parse_duration(const std::string& text)
{
  static const std::map<std::string, double> units = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3},
                                                      {"s", 1},     {"min", 60},  {"h", 3600}};
  auto [n, u]                                      = split_number(text, "duration", "30s");
  return Seconds{n * lookup(units, u, text, "duration")};
}

std::string format_bytes(Bytes b)
{
  char buf[64];
  if (b.value >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f GB", b.value / 1e9);
  else if (b.value >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1f MB", b.value / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.0f B", b.value);
  return buf;
}

std::string format_binary_size(Bytes b)
{
  auto n = static_cast<long long>(b.value);
  if (n > 0 && n % (1 << 20) == 0) return std::to_string(n >> 20) + " MiB";
  if (n > 0 && n % (1 << 10) == 0) return std::to_string(n >> 10) + " KiB";
  return std::to_string(n) + " B";
}

std::string format_duration(Seconds s)
{
  char buf[64];
  double v = s.value;
  if (v >= 3600)
    std::snprintf(buf, sizeof buf, "%dh%02dm%02ds", int(v / 3600), int(std::fmod(v, 3600) / 60), int(std::fmod(v, 60)));
  else if (v >= 60)
    std::snprintf(buf, sizeof buf, "%dm%04.1fs", int(v / 60), std::fmod(v, 60));
  else
    std::snprintf(buf, sizeof buf, "%.1fs", v);
  return buf;
}

} // namespace ibmig
