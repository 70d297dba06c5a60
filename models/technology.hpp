/* Catalogue of network technologies and InfiniBand HCAs. Every figure carries its source. */
#pragma once

#include "units.hpp"

#include <map>
#include <string>
#include <vector>

namespace ibmig {

enum class LinkKind { Ethernet, InfiniBand };

struct Technology {
  std::string name;
  LinkKind kind = LinkKind::Ethernet;
  BitsPerSecond line_rate;           // signalling rate on the wire
  BitsPerSecond data_rate;           // after line coding (8b/10b for SDR/DDR/QDR, 64b/66b for FDR)
  int mtu_default            = 1500; // Ethernet: the interface default; IPoIB: datagram MTU with 2K IB MTU
  int mtu_max                = 9000; // Ethernet: largest jumbo MTU; IPoIB: connected-mode maximum
  int ipoib_datagram_mtu_max = 0;    // IPoIB only: 2044 with a 2K IB MTU, 4092 with a 4K IB MTU
  Seconds nic_latency;               // one-way latency added by a NIC and its driver
  std::string source;
};

struct HcaModel {
  std::string name;
  bool connected_mode = true; // ConnectX-4 and newer run IPoIB in datagram mode only (enhanced IPoIB)
  std::string source;
};

/* What kind of link a stream rule is for. */
enum class StreamLink { IpoibConnected, IpoibDatagram, Ethernet };
const char* to_string(StreamLink l); // "ipoib-connected", "ipoib-datagram", "ethernet"
bool parse_stream_link(const std::string& s, StreamLink& out);

/* Which streams share the ceiling: each TCP connection its own (datagram mode spreads connections over queues and
 * cores), or all connections of the interface one (the rule was measured that way, e.g. iperf3 -P N gave no more
 * than one stream). */
enum class StreamScope { Connection, Interface };
const char* to_string(StreamScope s); // "connection", "interface"

/* One measured or published ceiling of a single TCP stream (TCP payload, what iperf3 reports). Fields left empty
 * (technology, hca, mtu 0) match anything; the most specific matching rule wins, the scenario's before the
 * built-in ones. */
struct StreamLimitRule {
  StreamLink link = StreamLink::IpoibConnected;
  std::string technology; // "IB-QDR", "10GbE"; empty: any
  std::string hca;        // HCA model (IPoIB only); empty: any
  int mtu = 0;            // 0: any
  BitsPerSecond rate;     // one stream's TCP payload
  StreamScope scope = StreamScope::Connection;
  std::string source;
};

/* The built-in rules, each from a published measurement (docs/research/host-limits-sources.md). */
const std::vector<StreamLimitRule>& builtin_stream_limits();

/* Built-in catalogue; a scenario may add entries under "technologies" / "hcas". */
std::map<std::string, Technology> builtin_technologies();
std::map<std::string, HcaModel> builtin_hcas();

/* Largest MTU an interface of this technology takes: Ethernet its jumbo maximum; IPoIB datagram mode the datagram
 * maximum (the 2K-IB-MTU default when the catalogue gives none); IPoIB connected mode at most 65520. The checker,
 * the simulator and the emulator all ask this one function. */
int largest_mtu(const Technology& tech, bool ipoib_datagram);

/* Fraction of the data rate left for TCP payload at this MTU: TCP/IP headers (52 B with timestamps) per packet,
 * plus the link's framing (Ethernet: 38 B preamble+header+FCS+gap; IPoIB: 4 B encapsulation per IP packet and
 * 26-34 B of IB headers per 2 KiB IB packet). */
double tcp_payload_efficiency(const Technology& tech, int mtu, bool ipoib_connected);

} // namespace ibmig
