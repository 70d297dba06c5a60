// Small command-line helpers shared by the rdma binaries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ibmig::rdma {

/// Parses "64MiB", "1MiB", "4KiB", "1GiB", "1MB" (10^6) or a plain byte count; throws std::invalid_argument.
uint64_t parse_bytes(const std::string& text);

/// Splits "a,b,c" into {"a","b","c"}; empty items are dropped.
std::vector<std::string> split_list(const std::string& text);

} // namespace ibmig::rdma
