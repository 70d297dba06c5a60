#include "technology.hpp"

#include <algorithm>
#include <cmath>

namespace ibmig {

std::map<std::string, Technology> builtin_technologies()
{
  std::map<std::string, Technology> t;
  const std::string ieee = "IEEE 802.3 line rates; latency: typical NIC+driver one-way figure";
  const std::string ibta = "InfiniBand Architecture Spec vol.2 (4x lane rates, 8b/10b or 64b/66b); IPoIB MTUs: "
                           "RFC 4391/4755 and kernel ipoib docs";
  t["1GbE"]              = {"1GbE", LinkKind::Ethernet, {1.25e9}, {1e9}, 1500, 9000, 0, {25e-6}, ieee};
  t["10GbE"]             = {"10GbE", LinkKind::Ethernet, {10.3125e9}, {10e9}, 1500, 9000, 0, {10e-6}, ieee};
  t["IB-SDR"]            = {"IB-SDR", LinkKind::InfiniBand, {10e9}, {8e9}, 2044, 65520, 4092, {5e-6}, ibta};
  t["IB-DDR"]            = {"IB-DDR", LinkKind::InfiniBand, {20e9}, {16e9}, 2044, 65520, 4092, {4e-6}, ibta};
  t["IB-QDR"]            = {"IB-QDR", LinkKind::InfiniBand, {40e9}, {32e9}, 2044, 65520, 4092, {3e-6}, ibta};
  t["IB-FDR"]            = {"IB-FDR", LinkKind::InfiniBand, {56.25e9}, {54.5e9}, 2044, 65520, 4092, {2e-6}, ibta};
  return t;
}

std::map<std::string, HcaModel> builtin_hcas()
{
  const std::string cm  = "supports IPoIB connected mode (mthca/mlx4 driver)";
  const std::string dgm = "mlx5 enhanced IPoIB: datagram mode only (RHEL 8 and kernel ipoib docs)";
  return {{"InfiniHost-III", {"InfiniHost-III", true, cm}}, {"ConnectX-2", {"ConnectX-2", true, cm}},
          {"ConnectX-3", {"ConnectX-3", true, cm}},         {"ConnectX-4", {"ConnectX-4", false, dgm}},
          {"ConnectX-5", {"ConnectX-5", false, dgm}},       {"ConnectX-6", {"ConnectX-6", false, dgm}}};
}

int largest_mtu(const Technology& tech, bool ipoib_datagram)
{
  if (tech.kind != LinkKind::InfiniBand) return tech.mtu_max;
  // With a 2K IB MTU an IPoIB datagram carries 2044 B of IP; a 4K IB MTU on the subnet allows 4092.
  if (ipoib_datagram) return tech.ipoib_datagram_mtu_max > 0 ? tech.ipoib_datagram_mtu_max : tech.mtu_default;
  return std::min(65520, tech.mtu_max);
}

double tcp_payload_efficiency(const Technology& tech, int mtu, bool ipoib_connected)
{
  const double tcpip_headers = 52; // 20 IP + 20 TCP + 12 timestamp option
  const double payload       = mtu - tcpip_headers;
  if (tech.kind == LinkKind::Ethernet) return payload / (mtu + 38.0);
  // IPoIB: each IP packet gets a 4-byte IPoIB header, then is cut into 2 KiB IB packets. UD packets carry
  // LRH 8 + BTH 12 + DETH 8 + ICRC 4 + VCRC 2 = 34 B; RC (connected mode) packets 26 B (no DETH).
  const double ib_mtu     = 2048;
  const double per_packet = ipoib_connected ? 26 : 34;
  const double ip_bytes   = mtu + 4.0;
  const double packets    = std::ceil(ip_bytes / ib_mtu);
  return payload / (ip_bytes + packets * per_packet);
}

} // namespace ibmig
