#include "size_arguments.hpp"

#include <cctype>
#include <sstream>
#include <stdexcept>

namespace ibmig::rdma {

uint64_t parse_bytes(const std::string& text)
{
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
    ++digits;
  if (digits == 0) throw std::invalid_argument("size \"" + text + "\": expected a number of bytes such as 64MiB");
  const uint64_t number                          = std::stoull(text.substr(0, digits));
  const std::string unit                         = text.substr(digits);
  const std::pair<const char*, uint64_t> units[] = {
      {"", 1},      {"B", 1},     {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
      {"kB", 1000}, {"KB", 1000}, {"MB", 1000000},     {"GB", 1000000000}};
  for (const auto& [name, factor] : units)
    if (unit == name) return number * factor;
  throw std::invalid_argument("size \"" + text + "\": unknown unit \"" + unit +
                              "\" (use B, KiB, MiB, GiB, kB, MB, GB)");
}

std::vector<std::string> split_list(const std::string& text)
{
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

} // namespace ibmig::rdma
