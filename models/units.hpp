/* Units live in types. JSON carries strings with units ("1Gbps", "125MBps", "20us", "1GiB"), parsed here by one
 * strict parser; MB = 10^6 bytes, MiB = 2^20 bytes, Gbps = 10^9 bits/s. */
#pragma once

#include <stdexcept>
#include <string>

namespace ibmig {

struct Bytes {
  double value = 0;
};
struct Seconds {
  double value = 0;
};
struct BitsPerSecond {
  double value = 0;
};
struct BytesPerSecond {
  double value = 0;
};

inline BytesPerSecond to_bytes_per_second(BitsPerSecond b)
{
  return BytesPerSecond{b.value / 8};
}
inline double to_MBps(BytesPerSecond b)
{
  return b.value / 1e6;
}

/* Thrown by the parsers with a message that does not know the JSON path; the scenario loader adds file and path. */
class UnitError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/* "1GiB", "64KiB", "10MB", "512B". */
Bytes parse_bytes(const std::string& text);
/* "1Gbps", "100Mbps" (bits) or "125MBps", "1GBps" (bytes). Returns bits per second. */
BitsPerSecond parse_bandwidth(const std::string& text);
/* "20us", "1.5ms", "30s", "5min", "2h". */
Seconds parse_duration(const std::string& text);

std::string format_bytes(Bytes b);
/* A size as it is written: "128 KiB", "1 MiB", "10235 B" (whole binary units when it has them). */
std::string format_binary_size(Bytes b);
std::string format_duration(Seconds s);

} // namespace ibmig
