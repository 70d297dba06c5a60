#include "name_pattern.hpp"

#include <cctype>
#include <regex>
#include <stdexcept>

namespace ibmig {
namespace {

const std::regex& range_re()
{
  static const std::regex re(R"(\{(\d{1,9})\.\.(\d{1,9})\})");
  return re;
}
const std::regex& placeholder_re()
{
  static const std::regex re(R"(\{(n([+-]\d{1,9})?|name)\})");
  return re;
}

constexpr long kMaxRange = 100000; // a typo like n{1..1000000} would otherwise build a million nodes

} // namespace

bool has_range(const std::string& pattern)
{
  // Most strings have no brace: std::regex costs microseconds, and a generated cluster has a million strings.
  return pattern.find('{') != std::string::npos && std::regex_search(pattern, range_re());
}

PatternName numbered(const std::string& name)
{
  size_t end = name.size(), begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(name[begin - 1])) && end - begin < 9)
    begin--;
  if (begin == end) return {name, 0, false};
  return {name, std::stol(name.substr(begin)), true};
}

std::vector<PatternName> expand_range(const std::string& pattern)
{
  std::smatch m;
  if (!has_range(pattern) || !std::regex_search(pattern, m, range_re())) return {numbered(pattern)};
  const std::string prefix = m.prefix(), suffix = m.suffix();
  if (has_range(suffix)) throw std::invalid_argument("\"" + pattern + "\" has two ranges (one {A..B} per name)");
  const std::string first = m[1];
  long a = std::stol(first), b = std::stol(m[2].str());
  if (b < a) throw std::invalid_argument("range {" + first + ".." + m[2].str() + "} in \"" + pattern + "\" is empty");
  if (b - a + 1 > kMaxRange)
    throw std::invalid_argument("range in \"" + pattern + "\" has more than " + std::to_string(kMaxRange) + " names");
  const size_t width = first.size() > 1 && first[0] == '0' ? first.size() : 0;
  std::vector<PatternName> out;
  for (long i = a; i <= b; i++) {
    std::string digits = std::to_string(i);
    if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
    out.push_back({prefix + digits + suffix, i, true});
  }
  return out;
}

bool has_placeholder(const std::string& value)
{
  return value.find('{') != std::string::npos && std::regex_search(value, placeholder_re());
}

std::string substitute_placeholders(const std::string& value, const PatternName& of)
{
  std::string out;
  auto begin  = std::sregex_iterator(value.begin(), value.end(), placeholder_re());
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out += value.substr(last, m.position() - last);
    last = m.position() + m.length();
    if (m[1] == "name") {
      out += of.name;
      continue;
    }
    if (!of.has_number)
      throw std::invalid_argument("\"" + value + "\" uses " + m.str() + ", but the name \"" + of.name +
                                  "\" has no number (give it a range like n{1..4}, or end it in digits)");
    long n = of.number + (m[2].matched ? std::stol(m[2].str()) : 0);
    if (n < 0)
      throw std::invalid_argument("\"" + value + "\" gives " + m.str() + " = " + std::to_string(n) + " for " + of.name +
                                  " (below zero)");
    out += std::to_string(n);
  }
  return out + value.substr(last);
}

} // namespace ibmig
