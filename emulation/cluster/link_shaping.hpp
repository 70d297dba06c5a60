/* How one emulated NIC (a veth pair) is shaped: the technology's data rate, and, where the host model says one TCP
 * stream cannot fill the link (models/host_limits.hpp: IPoIB's CPU cost per packet), the stream's ceiling as well.
 * This kernel has htb and tbf but no fq or netem, and u32 as its only classifier (FIELD-NOTES), so:
 *   no stream rule (1GbE):    tbf at the data rate, as before;
 *   rule of scope connection: htb root class at the data rate, one class per peer node (u32 on the peer's address)
 *                             capped at the stream limit, a default class (ARP, anything else) at the data rate;
 *   rule of scope interface:  htb root class capped at min(data rate, stream limit), no peer classes;
 *   a bond (balance-alb, 802.3ad): the root at the slaves' rate together, one class per peer capped at one slave
 *                             (and at the stream limit): Linux has no bonding module here, and one connection never
 *                             spans slaves, so one veth at the bond's rate with per-peer classes carries the same.
 * A Gluster client holds one TCP connection per brick node, so a class per peer caps that connection; it caps every
 * connection to that peer together (glusterd, self-heal, several bricks on one node). Both ends are shaped: the node
 * end by destination (what the node sends to the peer), the switch port by source (what the peer sends to it).
 * Every rate is multiplied by the run's rate scale (--rate-scale). */
#pragma once

#include "host_limits.hpp"
#include "scenario.hpp"
#include "topology.hpp"
#include "units.hpp"

#include <string>
#include <vector>

namespace ibmig::emu {

struct PeerClass {
  std::string node;
  std::string address; // the peer's address on this network (its NIC there, installed or not yet)
};

struct LinkShaping {
  int mtu = 1500;
  BitsPerSecond data_rate;          // the technology's data rate x rate scale, as tbf and htb count it (whole frames)
  StreamLimit stream;               // the model's rule; stream.limited == false: tbf at data_rate
  BitsPerSecond stream_tcp_payload; // the rule's TCP payload rate x rate scale (what iperf3 reports)
  BitsPerSecond stream_htb;         // the same in what htb counts at this MTU (htb_bits_per_payload_bit)
  BitsPerSecond root_rate;          // htb root class: data_rate, or min(data_rate, stream_htb) for scope interface
  BitsPerSecond slave_rate;         // a bond that spreads connections: one slave's data rate x rate scale; else 0
  BitsPerSecond peer_ceil;          // what one peer class may reach: the stream limit and/or one slave
  std::vector<PeerClass> peers;     // scope connection or a spreading bond: one class each; otherwise empty
  bool uses_htb() const { return stream.limited || slave_rate.value > 0; }
};

/* htb (like tbf) charges a packet its length at the qdisc: the Ethernet header (14 B) + IP (20 B) + TCP (20 B) +
 * TCP timestamps (12 B, on by default) + payload; a GSO packet is charged as the sum of its segments
 * (qdisc_pkt_len_init). A full segment at this MTU carries mtu - 52 payload bytes in mtu + 14 counted bytes, so a
 * TCP payload rate P needs htb rate P x (mtu + 14) / (mtu - 52): 1.046 at MTU 1500, 1.033 at 2044, 1.001 at 65520. */
double htb_bits_per_payload_bit(int mtu);

/* The shaping of `nic` of `node` at this MTU and mode. rate_scale in (0, 1]. */
LinkShaping link_shaping(const Scenario& sc, const Topology& topology, const std::string& node, const Nic& nic, int mtu,
                         IpoibMode mode, double rate_scale);

/* Which end of the veth: the node's end (node egress, classes by destination) or the switch port (egress towards
 * the node, classes by source). */
enum class LinkEnd { Node, SwitchPort };

/* The tc command lines that shape device `dev` in namespace `netns` from scratch (its root qdisc replaced). */
std::vector<std::vector<std::string>> shaping_commands(const LinkShaping& s, const std::string& netns,
                                                       const std::string& dev, LinkEnd end);

/* One line for logs and the README: "htb 8000 Mbit/s root, 3 peer classes at 6407 Mbit/s (IPoIB stream ...)". */
std::string describe(const LinkShaping& s);

} // namespace ibmig::emu
