/* The commands that differ between Linux distributions: services (SysV service/chkconfig on CentOS 6, systemctl
 * elsewhere), the InfiniBand software, and an interface's configuration (ifcfg files and ifup on CentOS 6, nmcli on
 * EL9, ip plus an /etc/network/interfaces.d file on Debian 12). Sources: docs/research/runbook-sources.md, section 3.
 */
#pragma once

#include "runbook.hpp"
#include "scenario.hpp"

#include <string>
#include <vector>

namespace ibmig {

enum class ServiceChange { Stop, Start, Enable, Disable };

std::vector<std::string> service_commands(Distribution d, ServiceChange c, const std::string& service);
/* The check that the change took effect on `node`. */
Check service_check(Distribution d, ServiceChange c, const std::string& service, const std::string& node);

/* What an interface becomes: the scenario's NIC with the mode and MTU the cluster model gives it. */
struct InterfaceSettings {
  std::string name; // "ib0"
  bool infiniband = false;
  std::string address; // "10.10.2.11"
  int prefix     = 24;
  int mtu        = 1500;
  IpoibMode mode = IpoibMode::None;
};

/* The InfiniBand user space and the IPoIB module (rdma-core does not load ib_ipoib without its package: I1-I4). */
std::vector<std::string> infiniband_software(Distribution d);
/* install_packages "infiniband": the InfiniBand user space with ibv_devinfo and ibstat, and the check it is there. */
std::vector<std::string> infiniband_packages(Distribution d);
Check infiniband_packages_check(Distribution d, const std::string& node);
/* The rdma service: CentOS 6's init script, which loads ib_ipoib; elsewhere rdma-core's
 * rdma-load-modules@infiniband unit, which udev starts at boot when an HCA is present (research I3, I6). */
std::vector<std::string> rdma_service_commands(Distribution d, ServiceChange c);
Check rdma_service_check(Distribution d, ServiceChange c, const std::string& node);
/* The verbs device name of an HCA model ("mthca0", "mlx4_0", "mlx5_0"), or "" when it is not known. */
std::string rdma_device(const std::string& hca);

/* Mode, MTU and address now, the same in a file that survives a reboot, and the interface up. */
std::vector<std::string> configure_interface(Distribution d, const InterfaceSettings& s);
std::string persistent_config(Distribution d, const std::string& interface); // the file or connection written
/* Up or down now (interface_up / interface_down). */
std::vector<std::string> set_interface(Distribution d, const std::string& interface, bool up);

} // namespace ibmig
