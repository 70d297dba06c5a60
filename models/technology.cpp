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

namespace ibmig {

/* Published single-stream figures (docs/research/host-limits-sources.md and ipoib-stream-figures.md). The rate is
 * TCP payload as iperf3 prints it; rules without an HCA are the fallback for their mode. */
const std::vector<StreamLimitRule>& builtin_stream_limits()
{
  const std::string s1  = "published: netperf (1 TCP stream) over IPoIB connected mode, '800MByte/sec or more' on a "
                          "Mellanox 4x DDR back-to-back system (M. S. Tsirkin, kernel commit 839fcaba355a 'IPoIB: "
                          "Connected mode experimental support'; an InfiniHost III era HCA; 800 MB/s read as 10^6 B; "
                          "moderate; docs/research/ipoib-stream-figures.md S1)";
  const std::string a8  = "published: iperf3, 1 TCP stream over IPoIB, Mellanox ConnectX-2 (QDR), AMD A10-7700K <-> "
                          "Intel i7-920, 7.19 Gbits/sec (gist suma/738de00f3e1403ba36a5, 2014; mode and MTU not stated: "
                          "weak; host-limits-sources.md A8)";
  const std::string a9  = "published: iperf3, 1 TCP stream over IPoIB, 15.3 Gbits/sec receiver (RHEL 9 'Configuring "
                          "InfiniBand and RDMA networks' 7.3; its HCA listings are ConnectX-3 at rate 56, the run's HCA "
                          "is not stated: weak; host-limits-sources.md A9)";
  const std::string a10 = "published: iperf per process over IPoIB on EDR ConnectX-4 peaks at about 20 Gbps, over 80 "
                          "Gbps with 10 processes (open-mpi/ompi issue 9087, 2021; enhanced IPoIB is datagram only; "
                          "host-limits-sources.md A10)";
  // No published single-stream datagram figure on these HCAs was found (ipoib-stream-figures.md, section 3): the
  // ratios below are structural, and say so.
  const std::string dg_mthca =
      "assumption (no published measurement found): 0.45 x the connected-mode figure (" + std::string("6.4 Gbit/s") +
      "). InfiniHost (mthca) has no LSO or checksum offload in either mode (kernel ipoib.rst: offloads need HCA "
      "support), and at MTU 2044 a byte costs 32x the packets of MTU 65520; connected mode was written to lift "
      "that 2K limit (S1). Measure with iperf3 in datagram mode and give calibration.stream_limits";
  const std::string dg_cx =
      "assumption (no published measurement found): 0.8 x the connected-mode figure. ConnectX HCAs offload "
      "checksum and segmentation (LSO) in datagram mode only (kernel ipoib.rst, ipoib_fix_features), which narrows "
      "the gap of the 2K MTU; Mellanox recommends datagram 'for better scalability and performance' (MLNX_OFED "
      "2.1 manual 4.3). Measure with iperf3 in datagram mode and give calibration.stream_limits";
  static const std::vector<StreamLimitRule> rules = {
      {StreamLink::IpoibConnected, "", "InfiniHost-III", 0, {6.4e9}, StreamScope::Connection, s1},
      {StreamLink::IpoibConnected, "", "ConnectX-2", 0, {7.19e9}, StreamScope::Connection, a8},
      {StreamLink::IpoibConnected, "", "ConnectX-3", 0, {15.3e9}, StreamScope::Connection, a9},
      // An HCA outside the catalogue: the oldest published connected-mode figure, the one least likely to flatter.
      {StreamLink::IpoibConnected, "", "", 0, {6.4e9}, StreamScope::Connection, s1},
      {StreamLink::IpoibDatagram, "", "InfiniHost-III", 0, {0.45 * 6.4e9}, StreamScope::Connection, dg_mthca},
      {StreamLink::IpoibDatagram, "", "ConnectX-2", 0, {0.8 * 7.19e9}, StreamScope::Connection, dg_cx},
      {StreamLink::IpoibDatagram, "", "ConnectX-3", 0, {0.8 * 15.3e9}, StreamScope::Connection, dg_cx},
      {StreamLink::IpoibDatagram, "", "ConnectX-4", 0, {20e9}, StreamScope::Connection, a10},
      {StreamLink::IpoibDatagram,
       "",
       "ConnectX-5",
       0,
       {20e9},
       StreamScope::Connection,
       a10 + "; ConnectX-5 taken as ConnectX-4 (no figure found)"},
      {StreamLink::IpoibDatagram,
       "",
       "ConnectX-6",
       0,
       {20e9},
       StreamScope::Connection,
       a10 + "; ConnectX-6 taken as ConnectX-4 (no figure found)"},
      {StreamLink::IpoibDatagram, "", "", 0, {0.45 * 6.4e9}, StreamScope::Connection, dg_mthca},
  };
  return rules;
}

} // namespace ibmig
