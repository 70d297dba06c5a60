/* The one strict unit parser: every figure in a scenario goes through it, so a wrong factor here is wrong
 * everywhere (the "100 Mbps that was 800 Mbit/s" bug of STYLE.md). */
#include "technology.hpp"
#include "units.hpp"

#include <gtest/gtest.h>

using namespace ibmig;

// If this fails, sizes are scaled wrongly: MB must be 10^6 B, MiB 2^20 B.
TEST(Units, Sizes)
{
  EXPECT_DOUBLE_EQ(parse_bytes("1GiB").value, 1073741824.0);
  EXPECT_DOUBLE_EQ(parse_bytes("1GB").value, 1e9);
  EXPECT_DOUBLE_EQ(parse_bytes("64KiB").value, 65536.0);
  EXPECT_DOUBLE_EQ(parse_bytes("1.5MB").value, 1.5e6);
  EXPECT_DOUBLE_EQ(parse_bytes("512B").value, 512.0);
  EXPECT_DOUBLE_EQ(parse_bytes("2TiB").value, 2.0 * 1099511627776.0);
}

// If this fails, bits and bytes are confused: "1Gbps" is 10^9 bit/s and "125MBps" is the same rate in bytes.
TEST(Units, Bandwidths)
{
  EXPECT_DOUBLE_EQ(parse_bandwidth("1Gbps").value, 1e9);
  EXPECT_DOUBLE_EQ(parse_bandwidth("125MBps").value, 1e9);
  EXPECT_DOUBLE_EQ(parse_bandwidth("100Mbps").value, 1e8);
  EXPECT_DOUBLE_EQ(parse_bandwidth("1GBps").value, 8e9);
  EXPECT_DOUBLE_EQ(parse_bandwidth("1MiBps").value, 8.0 * 1048576);
  EXPECT_DOUBLE_EQ(to_MBps(to_bytes_per_second(parse_bandwidth("1Gbps"))), 125.0);
}

// If this fails, step durations and latencies are off by powers of 1000 or 60.
TEST(Units, Durations)
{
  EXPECT_DOUBLE_EQ(parse_duration("20us").value, 20e-6);
  EXPECT_DOUBLE_EQ(parse_duration("1.5ms").value, 1.5e-3);
  EXPECT_DOUBLE_EQ(parse_duration("30s").value, 30.0);
  EXPECT_DOUBLE_EQ(parse_duration("5min").value, 300.0);
  EXPECT_DOUBLE_EQ(parse_duration("2h").value, 7200.0);
  EXPECT_DOUBLE_EQ(parse_duration("200ns").value, 200e-9);
}

// If this fails, a bare number is guessed into some unit instead of being refused.
TEST(Units, RejectsValuesWithoutUnits)
{
  EXPECT_THROW(parse_bytes("1024"), UnitError);
  EXPECT_THROW(parse_bandwidth("1000000000"), UnitError);
  EXPECT_THROW(parse_duration("30"), UnitError);
  try {
    parse_duration("30");
    FAIL();
  } catch (const UnitError& e) {
    EXPECT_NE(std::string(e.what()).find("no unit"), std::string::npos) << e.what();
  }
}

// If this fails, a typo or a case change silently means another unit ("mbps" is not "Mbps", and "MBps" is 8x).
TEST(Units, RejectsUnknownUnits)
{
  EXPECT_THROW(parse_bandwidth("1gbps"), UnitError);
  EXPECT_THROW(parse_bandwidth("1Gbit"), UnitError);
  EXPECT_THROW(parse_bytes("1mb"), UnitError);
  EXPECT_THROW(parse_duration("5sec"), UnitError);
  EXPECT_THROW(parse_duration("1e3s"), UnitError); // exponents are not numbers here
  try {
    parse_bandwidth("10Gbs");
    FAIL();
  } catch (const UnitError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("unknown bandwidth unit \"Gbs\""), std::string::npos) << m;
    EXPECT_NE(m.find("Gbps"), std::string::npos) << "the message lists the known units: " << m;
  }
}

// If this fails, negative or malformed figures get through (a negative duration or bandwidth has no meaning).
TEST(Units, RejectsNegativeAndMalformedNumbers)
{
  EXPECT_THROW(parse_duration("-5s"), UnitError);
  EXPECT_THROW(parse_bandwidth("-1Gbps"), UnitError);
  EXPECT_THROW(parse_bytes("-1GiB"), UnitError);
  EXPECT_THROW(parse_duration("+5s"), UnitError);
  EXPECT_THROW(parse_duration("1.2.3s"), UnitError);
  EXPECT_THROW(parse_duration(".s"), UnitError);
  EXPECT_THROW(parse_bandwidth("Gbps"), UnitError);
  EXPECT_THROW(parse_bytes(""), UnitError);
  EXPECT_THROW(parse_bandwidth(std::string(400, '9') + "Gbps"), UnitError); // beyond double: not std::out_of_range
}

// One MTU ceiling for checker, simulator and emulator (they disagreed on a technology without a datagram maximum).
TEST(Technology, LargestMtu)
{
  auto techs = builtin_technologies();
  for (auto const& [name, t] : techs) {
    if (t.kind == LinkKind::Ethernet) {
      EXPECT_EQ(largest_mtu(t, false), t.mtu_max) << name;
    } else {
      EXPECT_EQ(largest_mtu(t, false), std::min(65520, t.mtu_max)) << name;
      EXPECT_LE(largest_mtu(t, true), 4092) << name;
    }
  }
  Technology custom             = techs.at("IB-SDR");
  custom.ipoib_datagram_mtu_max = 0; // not given: the 2K-IB-MTU datagram default
  EXPECT_EQ(largest_mtu(custom, true), custom.mtu_default);
  custom.mtu_max = 100000;
  EXPECT_EQ(largest_mtu(custom, false), 65520);
}

// If this fails, reports print figures in a unit other than the one they claim.
TEST(Units, Formatting)
{
  EXPECT_EQ(format_bytes(Bytes{1.5e9}), "1.50 GB");
  EXPECT_EQ(format_bytes(Bytes{2.5e6}), "2.5 MB");
  EXPECT_EQ(format_duration(Seconds{42}), "42.0s");
  EXPECT_EQ(format_duration(Seconds{3725}), "1h02m05s");
}
