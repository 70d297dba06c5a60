#include "distribution.hpp"

#include "text.hpp"

#include <cstdint>

namespace ibmig {
namespace {

/* 24 -> "255.255.255.0": CentOS 6's ifcfg files take NETMASK. */
std::string netmask(int prefix)
{
  std::uint32_t m = prefix <= 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return std::to_string(m >> 24) + "." + std::to_string((m >> 16) & 255) + "." + std::to_string((m >> 8) & 255) + "." +
         std::to_string(m & 255);
}

std::string cidr(const InterfaceSettings& s)
{
  return s.address + "/" + std::to_string(s.prefix);
}

/* cat > FILE <<'EOF' ... EOF: the file's lines, quoted so that nothing in them is expanded. */
std::string write_file(const std::string& file, const std::vector<std::string>& lines)
{
  return "cat > " + file + " <<'EOF'\n" + join(lines, "\n") + "\nEOF";
}

} // namespace

std::vector<std::string> service_commands(Distribution d, ServiceChange c, const std::string& service)
{
  const bool sysv = d == Distribution::Centos6;
  switch (c) {
  case ServiceChange::Stop:
    // Stopping glusterd leaves its brick processes running; the plan's stop_service takes the bricks down too.
    return {sysv ? "service " + service + " stop" : "systemctl stop " + service, "pkill -x glusterfsd || true"};
  case ServiceChange::Start:
    return {sysv ? "service " + service + " start" : "systemctl start " + service};
  case ServiceChange::Enable:
    return {sysv ? "chkconfig " + service + " on" : "systemctl enable " + service};
  case ServiceChange::Disable:
    return {sysv ? "chkconfig " + service + " off" : "systemctl disable " + service};
  }
  return {};
}

Check service_check(Distribution d, ServiceChange c, const std::string& service, const std::string& node)
{
  const bool sysv = d == Distribution::Centos6;
  switch (c) {
  case ServiceChange::Stop:
    return {node, "pgrep -c -x '" + service + "|glusterfsd'", {{"^0$", 1, "0 (no " + service + " or brick process)"}}};
  case ServiceChange::Start:
    if (sysv) return {node, "service " + service + " status", {{"is running", 1, service + " (pid N) is running..."}}};
    return {node, "systemctl is-active " + service, {{"^active$", 1, "active"}}};
  case ServiceChange::Enable:
    if (sysv) return {node, "chkconfig --list " + service, {{"3:on", 1, service + " ... 3:on ... 5:on"}}};
    return {node, "systemctl is-enabled " + service, {{"^enabled$", 1, "enabled"}}};
  case ServiceChange::Disable:
    if (sysv) return {node, "chkconfig --list " + service, {{"3:off", 1, service + " ... 3:off ... 5:off"}}};
    return {node, "systemctl is-enabled " + service, {{"^disabled$", 1, "disabled"}}};
  }
  return {};
}

std::vector<std::string> infiniband_software(Distribution d)
{
  switch (d) {
  case Distribution::Centos6:
    // The rdma service loads ib_ipoib (IPOIB_LOAD=yes by default): research I6.
    return {"yum install -y rdma infiniband-diags", "chkconfig rdma on", "service rdma start"};
  case Distribution::El9:
    return {"dnf install -y rdma-core infiniband-diags", "modprobe ib_ipoib"};
  case Distribution::Debian12:
    return {"apt-get install -y rdma-core infiniband-diags", "modprobe ib_ipoib"};
  }
  return {};
}

std::vector<std::string> infiniband_packages(Distribution d)
{
  switch (d) {
  case Distribution::Centos6:
    // The group brings rdma (the service), libibverbs and the drivers' user space; ibv_devinfo and ibstat come in
    // libibverbs-utils and infiniband-diags.
    return {"yum groupinstall -y \"Infiniband Support\"", "yum install -y libibverbs-utils infiniband-diags"};
  case Distribution::El9:
    return {"dnf install -y rdma-core libibverbs-utils infiniband-diags"};
  case Distribution::Debian12:
    return {"apt-get install -y rdma-core ibverbs-utils infiniband-diags"};
  }
  return {};
}

Check infiniband_packages_check(Distribution d, const std::string& node)
{
  switch (d) {
  case Distribution::Centos6:
    return {node, "rpm -q rdma", {{"^rdma-[0-9]", 1, "rdma-VERSION"}}};
  case Distribution::El9:
    return {node, "rpm -q rdma-core", {{"^rdma-core-[0-9]", 1, "rdma-core-VERSION"}}};
  case Distribution::Debian12:
    return {node, "dpkg-query -W -f='${Status}\\n' rdma-core", {{"^install ok installed$", 1, "install ok installed"}}};
  }
  return {};
}

namespace {
const char* kRdmaUnit = "rdma-load-modules@infiniband.service";
}

std::vector<std::string> rdma_service_commands(Distribution d, ServiceChange c)
{
  if (d == Distribution::Centos6) return service_commands(d, c, "rdma");
  // The unit has no [Install] section (udev wants it): masking is what keeps it from starting at boot.
  switch (c) {
  case ServiceChange::Start:
    return {std::string("systemctl start ") + kRdmaUnit};
  case ServiceChange::Enable:
    return {std::string("systemctl unmask ") + kRdmaUnit};
  case ServiceChange::Disable:
    return {std::string("systemctl mask ") + kRdmaUnit};
  case ServiceChange::Stop:
    return {std::string("systemctl stop ") + kRdmaUnit};
  }
  return {};
}

Check rdma_service_check(Distribution d, ServiceChange c, const std::string& node)
{
  switch (c) {
  case ServiceChange::Start:
  case ServiceChange::Stop: // not a plan action (the loader refuses it); the module is what counts
    return {node, "grep -c '^ib_ipoib ' /proc/modules || true", {{"^1$", 1, "1 (ib_ipoib loaded)"}}};
  case ServiceChange::Enable:
    if (d == Distribution::Centos6) return service_check(d, c, "rdma", node);
    return {node, std::string("systemctl cat ") + kRdmaUnit, {{"^ExecStart=", 1, "ExecStart=... infiniband.conf"}}};
  case ServiceChange::Disable:
    if (d == Distribution::Centos6) return service_check(d, c, "rdma", node);
    return {node, std::string("systemctl is-enabled ") + kRdmaUnit + " || true", {{"^masked$", 1, "masked"}}};
  }
  return {};
}

std::string rdma_device(const std::string& hca)
{
  if (hca == "InfiniHost-III") return "mthca0";
  if (hca == "ConnectX-2" || hca == "ConnectX-3") return "mlx4_0";
  if (hca == "ConnectX-4" || hca == "ConnectX-5" || hca == "ConnectX-6") return "mlx5_0";
  return "";
}

std::string persistent_config(Distribution d, const std::string& interface)
{
  switch (d) {
  case Distribution::Centos6:
    return "/etc/sysconfig/network-scripts/ifcfg-" + interface;
  case Distribution::El9:
    return "NetworkManager connection " + interface;
  case Distribution::Debian12:
    return "/etc/network/interfaces.d/" + interface;
  }
  return "";
}

std::vector<std::string> configure_interface(Distribution d, const InterfaceSettings& s)
{
  const std::string& i  = s.name;
  const bool connected  = s.mode == IpoibMode::Connected;
  const std::string mtu = std::to_string(s.mtu);
  switch (d) {
  case Distribution::Centos6: {
    std::vector<std::string> file = {
        "DEVICE=" + i,         std::string("TYPE=") + (s.infiniband ? "InfiniBand" : "Ethernet"),
        "ONBOOT=yes",          "BOOTPROTO=none",
        "IPADDR=" + s.address, "NETMASK=" + netmask(s.prefix)};
    if (s.infiniband) file.push_back(std::string("CONNECTED_MODE=") + (connected ? "yes" : "no"));
    file.push_back("MTU=" + mtu);
    file.push_back("NM_CONTROLLED=no");
    return {write_file(persistent_config(d, i), file), "ifdown " + i + " 2>/dev/null || true", "ifup " + i};
  }
  case Distribution::El9: {
    std::string add = "nmcli connection add type " + std::string(s.infiniband ? "infiniband" : "ethernet") +
                      " con-name " + i + " ifname " + i;
    if (s.infiniband)
      add += std::string(" infiniband.transport-mode ") + (connected ? "connected" : "datagram") + " infiniband.mtu " +
             mtu;
    else
      add += " ethernet.mtu " + mtu;
    add += " ipv4.method manual ipv4.addresses " + cidr(s) + " connection.autoconnect yes";
    return {"nmcli connection delete " + i + " 2>/dev/null || true", add, "nmcli connection up " + i};
  }
  case Distribution::Debian12: {
    // The mode first: an IPoIB MTU above 2044 needs connected mode (research I13).
    const std::string set_mode =
        "echo " + std::string(connected ? "connected" : "datagram") + " > /sys/class/net/" + i + "/mode";
    std::vector<std::string> now = {"ip link set " + i + " down"};
    if (s.infiniband) now.push_back(set_mode);
    now.push_back("ip link set " + i + " mtu " + mtu);
    now.push_back("ip address flush dev " + i);
    now.push_back("ip address add " + cidr(s) + " dev " + i);
    now.push_back("ip link set " + i + " up");
    std::vector<std::string> file = {"auto " + i, "iface " + i + " inet static", "    address " + cidr(s),
                                     "    mtu " + mtu};
    if (s.infiniband) file.push_back("    pre-up " + set_mode);
    now.push_back(write_file(persistent_config(d, i), file));
    return now;
  }
  }
  return {};
}

std::vector<std::string> set_interface(Distribution d, const std::string& interface, bool up)
{
  switch (d) {
  case Distribution::Centos6:
    return {(up ? "ifup " : "ifdown ") + interface};
  case Distribution::El9:
    return {"nmcli device " + std::string(up ? "connect " : "disconnect ") + interface};
  case Distribution::Debian12:
    return {"ip link set " + interface + (up ? " up" : " down")};
  }
  return {};
}

} // namespace ibmig
