#include "runbook.hpp"

#include "cluster_model.hpp"
#include "distribution.hpp"
#include "text.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace ibmig {
namespace {

constexpr int kVmShutdownWait_s = 600; // a guest's clean shutdown
constexpr int kDnsWait_s        = 900; // old records cached until their TTL runs out

/* "gl1.storage.example" -> "gl1\.storage\.example": literal text in an Expectation's pattern. */
std::string literal(const std::string& text)
{
  std::string out;
  for (char c : text) {
    if (std::string(".[]()*+?{}|^$\\").find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string mount_point(const std::string& volume)
{
  return "/mnt/" + volume;
}

class Builder {
public:
  explicit Builder(const Scenario& sc) : sc_(sc), dist_(sc.distribution) {}

  RunbookStep step(const Step& st, const ClusterModel& before, const ClusterModel& after) const
  {
    RunbookStep out;
    out.title         = st.name;
    out.json_path     = st.json_path;
    out.action        = st.action;
    out.nodes         = st.nodes;
    out.rolling_group = st.rolling_group;
    out.rolling_node  = st.rolling_node;
    out.block_name    = st.rolling_name;
    RunbookPhase ph;
    switch (st.action) {
    case Action::StopClients:
      stop_clients(st, before, out);
      return out;
    case Action::StartClients:
      start_clients(st, before, after, out);
      return out;
    case Action::RemountClients:
      remount_clients(st, before, out);
      return out;
    case Action::StopService:
      service(st, ServiceChange::Stop, ph);
      out.notes.push_back("stopping glusterd leaves its brick processes (glusterfsd) running: the step stops them "
                          "too, as the plan means bricks down");
      break;
    case Action::StartService:
      service(st, ServiceChange::Start, ph);
      break;
    case Action::EnableService:
      service(st, ServiceChange::Enable, ph);
      break;
    case Action::DisableService:
      service(st, ServiceChange::Disable, ph);
      break;
    case Action::PowerOff:
      for (auto const& n : st.nodes)
        ph.commands.push_back({n, {"poweroff"}});
      ph.powers_off = true;
      break;
    case Action::PowerOn:
      for (auto const& n : st.nodes)
        ph.physical.push_back("Power on " + n + " (its power button, or its BMC).");
      ph.await_ssh = st.nodes;
      break;
    case Action::InstallNic:
      install_nic(st, before, ph, out);
      break;
    case Action::ConfigureInterface:
      configure(st, after, out);
      return out;
    case Action::InterfaceDown:
    case Action::InterfaceUp:
      for (auto const& n : st.nodes) {
        bool down = st.action == Action::InterfaceDown;
        ph.commands.push_back({n, set_interface(dist_, st.interface, !down)});
        ph.checks.push_back(link_check(n, st.interface, down));
      }
      break;
    case Action::VerifyPing:
      verify_ping(st, before, ph);
      break;
    case Action::RepointNames:
      repoint_names(st, before, ph, out);
      break;
    case Action::RewritePeerAddresses:
      rewrite_peer_addresses(st, before, ph, out);
      break;
    case Action::MigrateVms:
      migrate_vms(st, before, after, ph, out);
      break;
    case Action::CheckPeers:
      check_peers(before, ph, out);
      break;
    case Action::CheckVolume:
      check_volume(st, before, ph, out);
      break;
    case Action::WaitHeal:
      wait_heal(st, before, ph, out);
      break;
    case Action::Wait:
      ph.physical.push_back("Wait " + duration_text(static_cast<int>(st.duration.nominal().value)) +
                            " (the plan's duration) before the next step.");
      break;
    case Action::InstallPackages:
      for (auto const& n : st.nodes) {
        ph.commands.push_back({n, infiniband_packages(dist_)});
        ph.checks.push_back(infiniband_packages_check(dist_, n));
      }
      out.notes.push_back("the packages bring the InfiniBand user space; ib_ipoib is loaded by the rdma service "
                          "(start_service rdma) or at the next boot, and only then the ib interfaces appear");
      break;
    case Action::VerifyPort:
      verify_port(st, after, ph, out);
      break;
    }
    out.phases.push_back(ph);
    return out;
  }

private:
  const Nic* nic_on(const std::string& node, const std::string& network) const
  {
    for (auto const& nic : sc_.find_node(node)->nics)
      if (nic.network == network && !nic.address.empty()) return &nic;
    return nullptr;
  }

  int prefix_of(const std::string& network) const
  {
    const std::string& subnet = sc_.find_network(network)->subnet;
    auto slash                = subnet.find('/');
    if (slash == std::string::npos) return 24;
    try {
      int p = std::stoi(subnet.substr(slash + 1));
      return p >= 1 && p <= 32 ? p : 24;
    } catch (const std::exception&) {
      return 24;
    }
  }

  /* How the pool names `node` at this point: its FQDN, or for a pool probed by IP its address on the network its
   * state files name (the cluster model's pool_network). */
  std::string host_of(const std::string& node, const ClusterModel& m) const
  {
    if (!sc_.storage_names.by_ip()) return sc_.find_node(node)->storage_name;
    const Nic* nic = nic_on(node, m.pool_network(node));
    return nic ? nic->address : sc_.find_node(node)->storage_name;
  }

  /* What a node mounts `volume` from: its own name when it has a brick of it, else the first brick's node's. */
  std::string mount_source(const std::string& node, const std::string& volume, const ClusterModel& m) const
  {
    const Volume* vol = sc_.find_volume(volume);
    std::string from  = vol->bricks.front().node;
    for (auto const& b : vol->bricks)
      if (b.node == node) from = node;
    return host_of(from, m) + ":/" + volume;
  }

  std::vector<const Vm*> vms_on(const std::string& node, const ClusterModel& m, bool running) const
  {
    std::vector<const Vm*> out;
    for (auto const& vm : sc_.workload.vms)
      if (vm.node == node && m.vm(vm.name).running == running) out.push_back(&vm);
    return out;
  }

  /* The FUSE-mounted volumes of these VMs (libgfapi VMs have no mount: qemu opens the image itself). */
  static std::vector<std::string> fuse_volumes(const std::vector<const Vm*>& vms)
  {
    std::set<std::string> vols;
    for (const Vm* vm : vms)
      if (vm->access == Access::Fuse) vols.insert(vm->volume);
    return {vols.begin(), vols.end()};
  }

  Check mount_check(const std::string& node, const std::string& volume, const ClusterModel& m) const
  {
    const std::string src = mount_source(node, volume, m);
    return {node, "findmnt -n -o SOURCE " + mount_point(volume), {{"^" + literal(src) + "$", 1, src}}};
  }

  static Check domstate_check(const std::string& node, const Vm& vm, bool running)
  {
    const std::string state = running ? "running" : "shut off";
    return {node, "virsh domstate " + vm.name, {{"^" + state + "$", 1, state}}, running ? 0 : kVmShutdownWait_s};
  }

  void mount_note(RunbookStep& out) const
  {
    out.notes.push_back("the mount point /mnt/VOLUME is assumed (the scenario does not name it): use your fstab's");
  }

  void stop_clients(const Step& st, const ClusterModel& before, RunbookStep& out) const
  {
    RunbookPhase shut, unmount;
    for (auto const& n : st.nodes) {
      auto vms = vms_on(n, before, true);
      NodeCommands c{n, {}};
      for (const Vm* vm : vms) {
        c.commands.push_back("virsh shutdown " + vm->name);
        shut.checks.push_back(domstate_check(n, *vm, false));
      }
      if (!c.commands.empty()) shut.commands.push_back(c);
      NodeCommands u{n, {}};
      for (auto const& v : fuse_volumes(vms)) {
        u.commands.push_back("umount " + mount_point(v));
        unmount.checks.push_back(
            {n, "findmnt -n " + mount_point(v) + " || echo not mounted", {{"^not mounted$", 1, "not mounted"}}});
      }
      if (!u.commands.empty()) unmount.commands.push_back(u);
    }
    if (shut.commands.empty()) shut.physical.push_back("No VM runs on " + join(st.nodes) + ": nothing to stop.");
    out.phases.push_back(shut);
    if (!unmount.commands.empty()) {
      out.phases.push_back(unmount);
      mount_note(out);
    }
  }

  void start_clients(const Step& st, const ClusterModel& before, const ClusterModel& after, RunbookStep& out) const
  {
    RunbookPhase mount, start;
    for (auto const& n : st.nodes) {
      std::vector<const Vm*> starting;
      for (const Vm* vm : vms_on(n, after, true))
        if (!before.vm(vm->name).running) starting.push_back(vm);
      auto mounted = fuse_volumes(vms_on(n, before, true));
      NodeCommands m{n, {}};
      for (auto const& v : fuse_volumes(starting))
        if (std::find(mounted.begin(), mounted.end(), v) == mounted.end()) {
          m.commands.push_back("mkdir -p " + mount_point(v));
          m.commands.push_back("mount -t glusterfs " + mount_source(n, v, after) + " " + mount_point(v));
          mount.checks.push_back(mount_check(n, v, after));
        }
      if (!m.commands.empty()) mount.commands.push_back(m);
      NodeCommands s{n, {}};
      for (const Vm* vm : starting) {
        s.commands.push_back("virsh start " + vm->name);
        start.checks.push_back(domstate_check(n, *vm, true));
        if (vm->access == Access::Gfapi)
          out.notes.push_back(vm->name + " uses libgfapi: qemu opens gluster://" +
                              sc_.find_node(sc_.find_volume(vm->volume)->bricks.front().node)->storage_name + "/" +
                              vm->volume + "/" + vm->image + " itself (no mount)");
      }
      if (!s.commands.empty()) start.commands.push_back(s);
    }
    if (!mount.commands.empty()) {
      out.phases.push_back(mount);
      mount_note(out);
    }
    if (start.commands.empty()) start.physical.push_back("No VM to start on " + join(st.nodes) + ".");
    out.phases.push_back(start);
  }

  void remount_clients(const Step& st, const ClusterModel& before, RunbookStep& out) const
  {
    RunbookPhase ph;
    for (auto const& n : st.nodes) {
      NodeCommands c{n, {}};
      for (auto const& v : fuse_volumes(vms_on(n, before, true))) {
        c.commands.push_back("umount " + mount_point(v));
        c.commands.push_back("mount -t glusterfs " + mount_source(n, v, before) + " " + mount_point(v));
        ph.checks.push_back(mount_check(n, v, before));
      }
      if (!c.commands.empty()) ph.commands.push_back(c);
    }
    if (ph.commands.empty()) ph.physical.push_back("No FUSE mount is in use on " + join(st.nodes) + ".");
    out.phases.push_back(ph);
    mount_note(out);
    out.notes.push_back("umount refuses a mount whose files are open: a running VM's image keeps it busy (pause is "
                        "not enough; migrate or stop the VM first)");
  }

  void service(const Step& st, ServiceChange c, RunbookPhase& ph) const
  {
    if (st.service == "rdma") {
      for (auto const& n : st.nodes) {
        ph.commands.push_back({n, rdma_service_commands(dist_, c)});
        ph.checks.push_back(rdma_service_check(dist_, c, n));
      }
      return;
    }
    for (auto const& n : st.nodes) {
      ph.commands.push_back({n, service_commands(dist_, c, st.service)});
      ph.checks.push_back(service_check(dist_, c, st.service, n));
    }
  }

  void install_nic(const Step& st, const ClusterModel& before, RunbookPhase& ph, RunbookStep& out) const
  {
    for (auto const& n : st.nodes) {
      const Nic* nic     = sc_.find_node(n)->find_nic(st.interface);
      const Network* net = sc_.find_network(nic->network);
      std::string what   = nic->hca.empty() ? "the " + net->technology + " NIC" : "the " + nic->hca + " HCA";
      if (nic->bond) what += "s of " + st.interface + "'s " + std::to_string(nic->bond->slaves.size()) + " slaves";
      bool on = before.node(n).powered;
      ph.physical.push_back(n + (on ? " is running" : " is powered off") + ": install " + what + " for " +
                            st.interface + " and cable it to switch " + net->sw.name + " (network " + net->name + ").");
      if (on) ph.await_ssh.push_back(n);
    }
    if (!ph.await_ssh.empty())
      out.notes.push_back("a node left running has its NIC installed hot: the runbook then waits for it to answer "
                          "ssh");
  }

  void configure(const Step& st, const ClusterModel& after, RunbookStep& out) const
  {
    RunbookPhase software, ph;
    for (auto const& n : st.nodes) {
      const Nic* nic           = sc_.find_node(n)->find_nic(st.interface);
      const InterfaceState& is = after.node(n).interfaces.at(st.interface);
      InterfaceSettings s;
      s.name       = st.interface;
      s.infiniband = sc_.technology_of(*sc_.find_network(nic->network)).kind == LinkKind::InfiniBand;
      s.address    = nic->address;
      s.prefix     = prefix_of(nic->network);
      s.mtu        = is.mtu;
      s.mode       = is.mode;
      // A scenario that states the nodes' software installs it with its own steps (install_packages, rdma).
      if (s.infiniband && !sc_.find_node(n)->software.stated) {
        software.commands.push_back({n, infiniband_software(dist_)});
        software.checks.push_back({n,
                                   "cat /sys/class/infiniband/*/ports/*/state",
                                   {{"ACTIVE$", 1, "4: ACTIVE (a subnet manager runs on the fabric)"}},
                                   120});
      }
      ph.commands.push_back({n, configure_interface(dist_, s)});
      Check link = link_check(n, s.name, false);
      link.expect.push_back({" mtu " + std::to_string(s.mtu) + " ", 1, "mtu " + std::to_string(s.mtu)});
      ph.checks.push_back(link);
      ph.checks.push_back({n,
                           "ip -o -4 address show dev " + s.name,
                           {{" inet " + literal(s.address) + "/" + std::to_string(s.prefix) + " ", 1,
                             "inet " + s.address + "/" + std::to_string(s.prefix)}}});
      if (s.infiniband && s.mode != IpoibMode::None)
        ph.checks.push_back(
            {n, "cat /sys/class/net/" + s.name + "/mode", {{"^" + mode_name(s.mode) + "$", 1, mode_name(s.mode)}}});
      if (nic->bond)
        out.notes.push_back(st.interface + " on " + n +
                            " is a bond: create it and enslave its slaves with your "
                            "distribution's tools first; this step sets its address and "
                            "MTU only");
    }
    if (!software.commands.empty()) {
      out.phases.push_back(software);
      out.notes.push_back("without rdma-core the IPoIB module is not loaded and no ib interface appears; a port "
                          "becomes ACTIVE only when a subnet manager (opensm or the switch's) runs");
    }
    out.notes.push_back("persistent configuration: " + persistent_config(dist_, st.interface) +
                        (dist_ == Distribution::Debian12 ? " (read through /etc/network/interfaces' "
                                                           "\"source /etc/network/interfaces.d/*\")"
                                                         : ""));
    out.phases.push_back(ph);
  }

  /* ibv_devinfo -d DEV -i PORT on each node: the port of the step's interface must be PORT_ACTIVE (4). */
  void verify_port(const Step& st, const ClusterModel& after, RunbookPhase& ph, RunbookStep& out) const
  {
    std::set<std::string> unknown;
    std::map<std::string, std::vector<std::string>> mtus; // "2048 on port 2" -> nodes
    for (auto const& n : st.nodes) {
      const Nic* nic     = sc_.find_node(n)->find_nic(st.interface);
      std::string device = rdma_device(nic->hca);
      if (device.empty()) unknown.insert(nic->hca);
      std::string port = std::to_string(nic->hca_port);
      ph.checks.push_back({n,
                           "ibv_devinfo " + (device.empty() ? "" : "-d " + device + " ") + "-i " + port,
                           {{"state:.*PORT_ACTIVE \\(4\\)", 1, "state: PORT_ACTIVE (4)"}},
                           120});
      auto p = after.port_state(n, st.interface);
      if (p.active_mtu > 0) mtus[std::to_string(p.active_mtu) + "` on port " + port].push_back(n);
    }
    for (auto const& [what, who] : mtus)
      out.notes.push_back("the model expects `active_mtu: " + what + " on " + join(who) +
                          " (the subnet manager's IB MTU decides)");
    for (auto const& hca : unknown)
      out.notes.push_back("the verbs device name of " + hca +
                          " is not known here: ibv_devinfo without -d shows the "
                          "first device; name yours with `ibv_devices`");
    out.notes.push_back("PORT_INIT means the cable is in but no subnet manager runs (opensm, or the switch's); "
                        "PORT_DOWN with physical state POLLING, no cable or nothing at its other end");
  }

  static Check link_check(const std::string& node, const std::string& interface, bool down)
  {
    if (down) return {node, "ip -o link show " + interface, {{"state DOWN", 1, "state DOWN"}}};
    return {node, "ip -o link show " + interface, {{"[<,]UP[,>]", 1, "<...,UP,...>"}}};
  }

  void verify_ping(const Step& st, const ClusterModel& before, RunbookPhase& ph) const
  {
    std::string network = st.network;
    if (network.empty()) network = sc_.find_node(st.nodes.front())->find_nic(st.interface)->network;
    int size = st.mtu;
    if (size == 0) {
      auto mtus = before.mtus_on(network);
      int mtu   = mtus.empty() ? 1500 : mtus.begin()->first; // the smallest one up
      size      = mtu - 28;                                  // IPv4 and ICMP headers
    }
    for (auto const& n : st.nodes)
      for (auto const& other : sc_.nodes)
        if (other.name != n)
          if (const Nic* nic = nic_on(other.name, network))
            ph.checks.push_back({n,
                                 "ping -M do -s " + std::to_string(size) + " -c 3 " + nic->address,
                                 {{", 0% packet loss", 1, "3 packets transmitted, 3 received, 0% packet loss"}}});
    if (ph.checks.empty()) ph.physical.push_back("No other node has an address on " + network + ": nothing to ping.");
  }

  /* The storage FQDN -> address lines for `network`: every node with an address there. */
  std::vector<std::pair<std::string, std::string>> names_on(const std::string& network) const
  {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto const& n : sc_.nodes)
      if (const Nic* nic = nic_on(n.name, network)) out.push_back({n.storage_name, nic->address});
    return out;
  }

  void repoint_names(const Step& st, const ClusterModel& before, RunbookPhase& ph, RunbookStep& out) const
  {
    auto names = names_on(st.network);
    std::vector<std::string> fqdns, pattern, lines;
    std::vector<Expectation> resolved;
    for (auto const& [fqdn, address] : names) {
      fqdns.push_back(fqdn);
      pattern.push_back(literal(fqdn));
      lines.push_back(address + " " + fqdn);
      resolved.push_back({"^" + literal(address) + " +" + literal(fqdn) + "$", 1, address + " " + fqdn});
    }
    for (auto const& n : sc_.nodes)
      if (!nic_on(n.name, st.network))
        out.notes.push_back(n.storage_name + " (" + n.name + ") has no address on " + st.network + ": not re-pointed");
    if (names.empty()) {
      ph.physical.push_back("No node has an address on " + st.network + ": no name to re-point.");
      return;
    }
    const std::string lookup = "getent hosts " + join(fqdns, " ");
    if (st.method == "dns") {
      for (auto const& n : sc_.nodes) {
        const Nic* now = nic_on(n.name, st.network);
        const Nic* was = nic_on(n.name, before.node(n.name).names_network);
        if (now)
          ph.physical.push_back("In the DNS zone, set " + n.storage_name + " A " + now->address +
                                (was ? " (was " + was->address + ")" : "") + ".");
      }
      for (auto const& n : st.nodes)
        ph.checks.push_back({n, lookup, resolved, kDnsWait_s});
      return;
    }
    // hosts: drop every line naming one of the FQDNs, then add the new ones.
    const std::string drop = "sed -i -E '/[[:space:]](" + join(pattern, "|") + ")([[:space:]]|$)/d' /etc/hosts";
    const std::string add  = "cat >> /etc/hosts <<'EOF'\n" + join(lines, "\n") + "\nEOF";
    for (auto const& n : st.nodes) {
      ph.commands.push_back({n, {drop, add}});
      ph.checks.push_back({n, lookup, resolved});
    }
  }

  /* libvirt's live migration, one VM after the other, over the step's network (virsh's hypervisor URI names the
   * target's address there: libvirt docs/migration.rst; --bandwidth in MiB/s: runbook-sources Q14, Q15). */
  void migrate_vms(const Step& st, const ClusterModel& before, const ClusterModel& after, RunbookPhase& ph,
                   RunbookStep& out) const
  {
    const long long mib = std::llround(st.max_bandwidth.value / (1024.0 * 1024.0));
    for (auto const& vm : sc_.workload.vms) {
      const std::string& from = before.vm(vm.name).node;
      const std::string& to   = after.vm(vm.name).node;
      if (from == to) continue;
      const Nic* addr = nic_on(to, st.network);
      ph.commands.push_back(
          {from,
           {"virsh migrate --live --persistent --undefinesource --verbose --bandwidth " + std::to_string(mib) + " " +
            vm.name + " qemu+ssh://" + to + "/system tcp://" + (addr ? addr->address : to) + "/"}});
      ph.checks.push_back(domstate_check(to, vm, true));
    }
    if (ph.commands.empty()) ph.physical.push_back("No VM moves at this step.");
    out.notes.push_back("QEMU switches to stop-and-copy when what is left fits its downtime limit (" +
                        std::to_string(std::llround(st.downtime_limit.value * 1000)) +
                        " ms here; `virsh migrate-setmaxdowntime VM MS` while it runs); the VM pauses only then");
  }

  /* The community re-IP recipe (docs/research/runbook-sources.md, G21), with glusterd stopped everywhere: every
   * server's old address becomes its new one in every file of /var/lib/glusterd but glusterd.info, and in the file
   * names (brick files and volfiles carry the address in their names). UUIDs are untouched. */
  void rewrite_peer_addresses(const Step& st, const ClusterModel& before, RunbookPhase& ph, RunbookStep& out) const
  {
    std::vector<std::string> edits, gone;
    for (auto const& n : sc_.nodes) {
      const Nic* was = nic_on(n.name, before.pool_network(n.name));
      const Nic* now = nic_on(n.name, st.network);
      if (!n.server || !was || !now || was->address == now->address) continue;
      const std::string old_re = literal(was->address);
      edits.push_back("s/(^|[^0-9])" + old_re + "([^0-9]|$)/\\1" + now->address + "\\2/g");
      gone.push_back(literal(was->address));
    }
    if (edits.empty()) {
      ph.physical.push_back("The addresses on " + st.network + " are those glusterd already holds: nothing to do.");
      return;
    }
    const std::string sed_args = "-E -e '" + join(edits, "' -e '") + "'";
    const std::string rename   = "sed " + sed_args;
    const std::string files    = "find /var/lib/glusterd -type f ! -name glusterd.info";
    for (auto const& n : st.nodes) {
      ph.commands.push_back(
          {n,
           {"pgrep -x glusterd && { echo 'glusterd runs: stop it first' >&2; exit 1; } || true",
            "cp -a /var/lib/glusterd /var/lib/glusterd.before-rewrite", files + " -exec sed -i " + sed_args + " {} +",
            "find /var/lib/glusterd -depth -name '*[0-9].[0-9]*' | while read -r f; do "
            "b=$(basename \"$f\" | " +
                rename + "); [ \"$b\" = \"$(basename \"$f\")\" ] || mv \"$f\" \"$(dirname \"$f\")/$b\"; done"}});
      ph.checks.push_back({n,
                           "grep -rlE '(^|[^0-9])(" + join(gone, "|") +
                               ")([^0-9]|$)' /var/lib/glusterd --exclude=glusterd.info || echo none left",
                           {{"^none left$", 1, "none left"}}});
    }
    out.notes.push_back("the pool was probed by IP: re-pointing names would move nothing. Rewrite every server "
                        "before starting glusterd anywhere; a server left out shows as Peer Rejected");
    out.notes.push_back("/var/lib/glusterd.before-rewrite keeps each node's old state, to put back if the rewrite "
                        "goes wrong");
  }

  /* A server that can answer cluster-wide gluster commands: one whose glusterd runs, else the first server. */
  std::string server(const ClusterModel& m, const std::string& preferred = "") const
  {
    std::string first;
    for (auto const& n : sc_.nodes)
      if (n.server) {
        if (first.empty()) first = n.name;
        if (n.name == preferred && m.node(n.name).glusterd) return n.name;
      }
    for (auto const& n : sc_.nodes)
      if (n.server && m.node(n.name).glusterd && m.node(n.name).powered) return n.name;
    return first;
  }

  void once_on(const std::string& node, RunbookStep& out) const
  {
    out.nodes = {node};
    out.once  = true;
  }

  void check_peers(const ClusterModel& before, RunbookPhase& ph, RunbookStep& out) const
  {
    once_on(server(before), out);
    int peers = -1;
    for (auto const& n : sc_.nodes)
      peers += n.server ? 1 : 0;
    std::string count = std::to_string(peers);
    ph.checks.push_back({out.nodes.front(),
                         "gluster peer status",
                         {{"^Number of Peers: " + count + "$", 1, "Number of Peers: " + count},
                          {"^State: Peer in Cluster \\(Connected\\)$", peers,
                           "State: Peer in Cluster (Connected), once per peer (" + count + ")"}}});
  }

  void check_volume(const Step& st, const ClusterModel& before, RunbookPhase& ph, RunbookStep& out) const
  {
    once_on(server(before), out);
    const Volume* vol = sc_.find_volume(st.volume);
    const int bricks  = static_cast<int>(vol->bricks.size());
    Check status{out.nodes.front(), "gluster volume status " + vol->name + " detail", {}};
    Check clients{out.nodes.front(), "gluster volume status " + vol->name + " clients", {}};
    for (auto const& b : vol->bricks) {
      const std::string brick = host_of(b.node, before) + ":" + b.path;
      // cli_print_detailed_status pads its values ("%-20s : %-20s"): trailing blanks.
      status.expect.push_back({"^Brick +: Brick " + literal(brick) + " *$", 1, "Brick : Brick " + brick});
      clients.expect.push_back({"^Brick : " + literal(brick) + "$", 1, "Brick : " + brick});
    }
    status.expect.push_back({"^Online +: Y *$", bricks, "Online : Y, once per brick (" + std::to_string(bricks) + ")"});
    clients.expect.push_back({"^Clients connected : [1-9]", bricks, "Clients connected : N (N > 0), per brick"});
    ph.checks.push_back(status);
    ph.checks.push_back(clients);
    out.notes.push_back("bricks are named by their nodes' storage FQDNs, as at volume creation");
    // GlusterFS 595745f8 cli/src/cli-cmd-volume.c: cli_print_brick_status cuts a brick name longer than its column
    // into lines of their own; cli_print_detailed_status prints "Online : Y" per brick.
    out.notes.push_back("`detail` prints one \"Online : Y\" line per brick; the plain table cuts a long brick name "
                        "into lines of their own, away from its Online column");
  }

  void wait_heal(const Step& st, const ClusterModel& before, RunbookPhase& ph, RunbookStep& out) const
  {
    once_on(server(before, st.nodes.empty() ? "" : st.nodes.front()), out);
    const Volume* vol = sc_.find_volume(st.volume);
    const int bricks  = static_cast<int>(vol->bricks.size());
    ph.checks.push_back(
        {out.nodes.front(),
         "gluster volume heal " + vol->name + " info",
         {{"^Number of entries: 0$", bricks, "Number of entries: 0, on every brick (" + std::to_string(bricks) + ")"}},
         static_cast<int>(st.timeout.value)});
  }

  const Scenario& sc_;
  Distribution dist_;
};

} // namespace

std::vector<std::vector<const NodeCommands*>> same_commands(const RunbookPhase& ph)
{
  std::vector<std::vector<const NodeCommands*>> groups;
  for (auto const& c : ph.commands) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const std::vector<const NodeCommands*>& g) {
      return g.front()->commands == c.commands;
    });
    if (it == groups.end())
      groups.push_back({&c});
    else
      it->push_back(&c);
  }
  return groups;
}

std::string duration_text(int s)
{
  if (s > 0 && s % 3600 == 0) return std::to_string(s / 3600) + " h";
  if (s > 0 && s % 60 == 0) return std::to_string(s / 60) + " min";
  return std::to_string(s) + " s";
}

std::vector<StepRange> step_ranges(const Runbook& rb)
{
  std::vector<StepRange> out;
  for (size_t i = 0; i < rb.steps.size(); i++) {
    const int g = rb.steps[i].rolling_group;
    if (g >= 0 && !out.empty() && out.back().rolling && rb.steps[out.back().first].rolling_group == g)
      out.back().last = i + 1;
    else
      out.push_back({i, i + 1, g >= 0});
  }
  return out;
}

std::vector<std::string> rolling_nodes(const Runbook& rb, const StepRange& r)
{
  std::vector<std::string> nodes;
  for (size_t i = r.first; i < r.last; i++)
    if (std::find(nodes.begin(), nodes.end(), rb.steps[i].rolling_node) == nodes.end())
      nodes.push_back(rb.steps[i].rolling_node);
  return nodes;
}

std::string distribution_line(const Runbook& rb)
{
  std::string known;
  for (Distribution d : distributions())
    known += (known.empty() ? "" : ", ") + std::string(to_string(d));
  return std::string(to_string(rb.distribution)) +
         (rb.distribution_defaulted ? " (defaulted: the scenario has no \"distribution\"; known: " + known + ")" : "");
}

Runbook make_runbook(const Scenario& sc)
{
  Runbook rb;
  rb.scenario               = sc.name;
  rb.file                   = sc.file;
  rb.plan                   = sc.plan.name;
  rb.distribution           = sc.distribution;
  rb.distribution_defaulted = sc.distribution_defaulted;
  for (auto const& n : sc.nodes) {
    rb.nodes.push_back(n.name);
    std::string address = n.nics.empty() ? n.name : n.nics.front().address;
    for (auto const& nic : n.nics)
      if (nic.network == "vmbridge" && !nic.address.empty()) address = nic.address;
    rb.addresses.push_back(address.empty() ? n.name : address);
  }
  ClusterModel model(sc);
  Builder b(sc);
  for (auto const& st : sc.plan.steps) {
    const ClusterModel before = model;
    model.apply(st);
    rb.steps.push_back(b.step(st, before, model));
  }
  return rb;
}

} // namespace ibmig
