#include "lesson_text.hpp"

#include "mistakes.hpp"

#include <stdexcept>

namespace ibmig::lab {

void print_what_to_do(const RunbookStep& rs, std::ostream& out)
{
  for (auto const& ph : rs.phases) {
    for (auto const& p : ph.physical)
      out << "  By hand: " << p << "\n";
    if (!ph.physical.empty())
      out << "  (In the lab, from the host: ibmig lab install-hca NODE, ibmig lab power-on NODE.)\n";
    for (auto const& group : same_commands(ph)) {
      std::string where;
      for (auto const* nc : group)
        where += (where.empty() ? "" : ", ") + nc->node;
      out << "  On " << where << " (ibmig lab shell NODE):\n";
      for (auto const& c : group.front()->commands)
        out << "    " << c << "\n";
    }
    if (!ph.await_ssh.empty()) out << "  Wait until the node answers again (ibmig lab power-on NODE if it is off).\n";
  }
  for (auto const& c : check_lines(rs))
    out << "  Check: " << c << "\n";
  for (auto const& n : rs.notes)
    out << "  Note: " << n << "\n";
}

std::vector<std::string> check_lines(const RunbookStep& rs)
{
  std::vector<std::string> out;
  for (auto const& ph : rs.phases)
    for (auto const& c : ph.checks) {
      std::string line = "on " + c.node + ": " + c.command;
      for (auto const& e : c.expect)
        line += "  -> expect " + (e.lines > 1 ? std::to_string(e.lines) + " lines: " : std::string()) + e.shown;
      out.push_back(line);
    }
  return out;
}

namespace {

std::string replica_words(const Scenario& sc)
{
  for (auto const& v : sc.volumes)
    if (v.replica > 1)
      return "volume " + v.name + " is replica " + std::to_string(v.replica) +
             ", so each write leaves the client's NIC " + std::to_string(v.replica) + " times";
  return "a distributed volume sends each write once";
}

} // namespace

std::vector<std::string> why(const Scenario& sc, const Step& st)
{
  switch (st.action) {
  case Action::StopClients:
  case Action::StartClients:
    return {"Gluster replication (AFR) is client-side and synchronous: the client sends every write to every brick of "
            "its replica set; " +
                replica_words(sc) + ".",
            "That is why the client's network, not the bricks' disks, sets the VMs' write speed, and why stopping or "
            "starting the VMs is where the storage traffic starts and ends."};
  case Action::RemountClients:
    return {"A mounted client keeps the connections (and source addresses) it made when it mounted: it does not follow "
            "a name change. If the old network goes down it hangs (\"Transport endpoint is not connected\") until it "
            "is remounted."};
  case Action::StopService:
  case Action::DisableService:
    return {"glusterd runs the bricks: stopping it takes this node's bricks offline, so no write reaches them while "
            "the network changes under them.",
            "Disabled at boot, it cannot come back on the old network by itself when the node is powered on."};
  case Action::StartService:
  case Action::EnableService:
    return {std::string("glusterd resolves its peers when it starts: ") +
                (sc.storage_names.by_ip() ? "its state files must already hold the new network's addresses"
                                          : "the storage names must already point at the new network") +
                ", or glusterd, its peers and bricks come back on the old network.",
            "A volume is back when `gluster volume status VOL clients` shows every client on every brick, not when it "
            "first accepts a write (the first writes may reach one replica only and need healing)."};
  case Action::PowerOff:
  case Action::PowerOn:
  case Action::InstallNic:
    return {"A PCIe card (the HCA) is installed with the power off; after power-on the IPoIB interface exists once "
            "the InfiniBand stack is loaded, in datagram mode with MTU 2044."};
  case Action::ConfigureInterface:
    return {"IPoIB has two modes. Datagram mode carries at most 2044 bytes per packet (4092 with a 4K InfiniBand MTU); "
            "connected mode allows an MTU up to 65520, but only older HCAs support it (ConnectX-4 and newer run "
            "datagram mode only).",
            "This step sets " +
                (st.mode == IpoibMode::None ? std::string("the interface") : mode_name(st.mode) + " mode") +
                (st.mtu > 0 ? ", MTU " + std::to_string(st.mtu) : std::string()) +
                ". Every interface on the network must have the same MTU: packets larger than the smallest are "
                "dropped between them."};
  case Action::VerifyPing:
    return {"Only a ping whose payload nearly fills a packet (the MTU minus 28 bytes of IP and ICMP headers), with "
            "don't-fragment, proves the MTU end to end; a small ping passes even when large packets are dropped."};
  case Action::RepointNames:
    return {"The peers were probed by name (FQDN): /var/lib/glusterd/peers holds hostname1=NAME, not an address. "
            "Re-pointing the storage names at the new network's addresses (here: " +
            sc.storage_names.method + ") moves the whole pool without detaching or probing a peer."};
  case Action::RewritePeerAddresses:
    return {"This pool was probed by IP address: glusterd's state files hold the old addresses, so names move "
            "nothing. Rewrite them while glusterd is stopped everywhere (a running glusterd writes its state back "
            "from memory)."};
  case Action::CheckPeers:
  case Action::CheckVolume:
    return {"Check, do not assume: a peer that came back on the wrong network, or a brick no client reaches, shows "
            "here before the VMs see it."};
  case Action::WaitHeal:
    return {"A brick that was down lacks the writes it missed until self-heal copies them (every 600 s, or at once "
            "with `gluster volume heal VOL`). Take the next node down only once heal info shows nothing pending: "
            "otherwise the node going down holds the only good copy."};
  default:
    break;
  }
  return {"Do it as the runbook says; the check below confirms it."};
}

Drill drill(const std::string& name)
{
  if (name == "node-does-not-return")
    return {name, "a node stays off after its power-on",
            "`ping` to its storage name from another node fails; `gluster peer status` shows it Disconnected",
            "gluster peer status   (on another server: State: Peer in Cluster (Disconnected))"};
  if (name == "mtu-mismatch")
    return {name, "one node's new interface gets a different MTU",
            "`ip link show` on each node: compare the mtu of the new interface; small pings pass, large ones fail",
            "ping -M do -s <MTU-28> <peer's address>   (fails with \"message too long\" or no answer)"};
  if (name == "client-left-mounted")
    return {name, "a client is left mounted through the old network",
            "`ss -tn` on its hypervisor: connections to the bricks still go to old-network addresses",
            "gluster volume status VOL clients   (the client is listed with its old-network address)"};
  if (name == "names-not-repointed")
    return {name, "one node's storage names are not re-pointed",
            "`getent hosts <storage name>` on each node: one still answers an old-network address",
            "cat /etc/hosts   (the storage names still map to the old network)"};
  std::string known;
  for (auto const& m : emu::known_mistakes())
    known += (known.empty() ? "" : ", ") + m;
  throw std::invalid_argument("unknown drill \"" + name + "\" (known: " + known + ")");
}

bool changes_fabric(const Step& st)
{
  return st.action == Action::InstallNic || st.action == Action::ConfigureInterface ||
         st.action == Action::RepointNames || st.action == Action::RewritePeerAddresses;
}

} // namespace ibmig::lab
