#include "node_access.hpp"

#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace ibmig::lab {

using emu::CreatedObject;
using emu::StepFailure;

namespace {
void write_file(const std::string& path, const std::string& text, mode_t mode = 0644)
{
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw StepFailure("cannot write " + path);
  out.close();
  ::chmod(path.c_str(), mode);
}

std::string read_text(const std::string& path)
{
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/* The last usable address of an IPv4 subnet ("10.10.0.0/24" -> "10.10.0.254"): the host's port on the bridge,
 * outside the addresses scenarios give nodes. */
std::string last_address(const std::string& subnet)
{
  auto slash = subnet.find('/');
  in_addr a{};
  if (::inet_pton(AF_INET, subnet.substr(0, slash).c_str(), &a) != 1) return "";
  int prefix    = emu::prefix_length(subnet);
  uint32_t host = prefix >= 31 ? 0 : ((1u << (32 - prefix)) - 2);
  uint32_t mask = prefix == 0 ? 0 : ~0u << (32 - prefix);
  a.s_addr      = htonl((ntohl(a.s_addr) & mask) | host);
  char out[INET_ADDRSTRLEN];
  return ::inet_ntop(AF_INET, &a, out, sizeof out) ? out : "";
}

/* A shim: the real command's name, the request it becomes. The node is baked in (each node has its own copy). */
std::string shim(const std::string& ibmig, const std::string& socket, const std::string& node, const std::string& cmd)
{
  return "#!/bin/sh\n# ibmig lab shim: `" + cmd +
         "` acts on the lab through its supervisor (emulation/lab/README.md)\n" + "exec " + ibmig +
         " lab node-op --socket " + socket + " --node " + node + " -- " + cmd + " \"$@\"\n";
}
} // namespace

NodeAccess::NodeAccess(emu::EmulatedCluster& cluster, emu::CommandRunner& runner, std::string dir, std::string socket,
                       std::string ibmig_binary)
    : cluster_(cluster), runner_(runner), dir_(std::move(dir)), socket_(std::move(socket)),
      ibmig_(std::move(ibmig_binary))
{
  // The VMs' bridge: the network of the VMs' and admins' traffic, neither storage nor InfiniBand.
  auto const& sc = cluster_.scenario();
  for (auto const& n : sc.networks)
    if (network_.empty() && n.name != sc.storage_names.network) {
      bool ib = false;
      for (auto const& node : sc.nodes)
        for (auto const& nic : node.nics)
          ib = ib || (nic.network == n.name && !nic.hca.empty());
      if (!ib) network_ = n.name;
    }
  if (network_.empty()) network_ = sc.storage_names.network;
}

std::string NodeAccess::address(const std::string& node) const
{
  const Nic* nic = cluster_.nic_on(node, network_);
  return nic && nic->present ? nic->address : "";
}

void NodeAccess::set_up()
{
  std::filesystem::create_directories(dir_);
  make_keys();
  connect_host();
  for (auto const& n : cluster_.scenario().nodes) {
    write_shims(n.name);
    own_files(n.name);
    auto seen = cluster_.observe(n.name).interfaces;
    for (auto const& nic : n.nics)
      if (!nic.hca.empty() && seen.count(nic.name)) {
        hca_files(n.name, nic, hca_id(n.name, nic));
        set_ipoib_mode(n.name, nic.name, nic.mode);
      }
    start_sshd(n.name);
  }
  write_client_files();
}

void NodeAccess::make_keys()
{
  for (auto const& k : {key(), dir_ + "/ssh_host_ed25519_key"}) {
    auto r = runner_.run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ibmig-lab", "-f", k}, Seconds{30});
    if (!r.ok()) throw StepFailure("ssh-keygen " + k + ": " + r.summary());
  }
  write_file(dir_ + "/authorized_keys", read_text(key() + ".pub"), 0600);
}

/* The host's own port on the VMs' bridge (the emulator connects the host to no bridge): a veth whose peer sits in
 * the switch's namespace, recorded there, so removing the switch (or the record) removes both ends. */
void NodeAccess::connect_host()
{
  auto const& run = cluster_.layout().run_id;
  auto sw         = cluster_.layout().switch_netns(network_);
  auto host_end   = "ibmig-" + run + "h";
  auto net        = cluster_.scenario().find_network(network_);
  host_address_   = last_address(net->subnet);
  cluster_.state().add(emu::created(CreatedObject::Kind::Link, "host", sw));
  for (std::vector<std::string> argv :
       {std::vector<std::string>{"ip", "link", "add", host_end, "type", "veth", "peer", "name", "host", "netns", sw},
        {"ip", "-n", sw, "link", "set", "host", "master", "br0", "up"},
        {"ip", "addr", "add", host_address_ + "/" + std::to_string(emu::prefix_length(net->subnet)), "dev", host_end},
        {"ip", "link", "set", host_end, "up"}}) {
    auto r = runner_.run(argv, Seconds{30});
    if (!r.ok()) throw StepFailure("host port on " + network_ + ": `" + emu::join_command(argv) + "`: " + r.summary());
  }
}

void NodeAccess::write_shims(const std::string& node)
{
  auto bin = cluster_.layout().node_dir(node) + "/bin";
  std::filesystem::create_directories(bin);
  for (auto const& cmd : {"systemctl", "service", "chkconfig", "poweroff", "halt", "init", "shutdown", "ifup", "ifdown",
                          "ibv_devinfo", "virsh", "yum", "dnf"})
    write_file(bin + "/" + cmd, shim(ibmig_, socket_, node, cmd), 0755);
  // The nodes share the host's process table: pgrep and pkill in a node see the processes of its network namespace
  // only, so `pkill -x glusterfsd` stops this node's bricks, not every node's (nor anything else on the host).
  for (auto const& cmd : {"pgrep", "pkill"})
    write_file(
        bin + "/" + cmd,
        std::string("#!/bin/sh\n# ibmig lab: this node's processes only (its network namespace)\nexec /usr/bin/") +
            cmd + " --ns $$ --nslist net \"$@\"\n",
        0755);
  // Root's PATH searches /usr/local/sbin first: the shims win over the host's systemctl and poweroff.
  auto r = cluster_.node_run(node, {"mount", "--bind", bin, "/usr/local/sbin"});
  if (!r.ok()) throw StepFailure("shims on " + node + ": " + r.summary());
}

/* The node's own /etc and /mnt, in its mount namespace only: /etc is an overlay of the host's whose upper layer is
 * the node's directory (the emulator's hosts file is already there), so `sed -i /etc/hosts`, ifcfg files in
 * /etc/sysconfig/network-scripts and /etc/resolv.conf are the node's; /mnt is a tmpfs holding, per volume, the path
 * the runbook mounts it at (/mnt/VOLUME), a symbolic link to the emulator's mount point. */
void NodeAccess::own_files(const std::string& node)
{
  auto const& layout = cluster_.layout();
  auto dir           = layout.node_dir(node);
  for (auto const& d : {"/etc-work", "/sys-class", "/sys-class-work"})
    std::filesystem::create_directories(dir + d);
  // /sys: a sysfs of the node's network namespace (its own /sys/class/net), /sys/class overlaid so that the lab
  // can add what an HCA would (hca_files).
  std::string script = "umount /etc/hosts && mount -t overlay ibmig-etc -o lowerdir=/etc,upperdir=" + dir +
                       "/etc,workdir=" + dir + "/etc-work /etc && mkdir -p /etc/sysconfig/network-scripts && " +
                       "mount -t tmpfs -o size=1m,mode=0755 ibmig-mnt /mnt && mount -t sysfs ibmig-sys /sys && " +
                       "mount -t overlay ibmig-sys-class -o lowerdir=/sys/class,upperdir=" + dir +
                       "/sys-class,workdir=" + dir + "/sys-class-work /sys/class";
  for (auto const& v : cluster_.scenario().volumes)
    script += " && ln -s " + layout.mount_point(node, v.name) + " /mnt/" + v.name;
  auto r = cluster_.node_run(node, {"sh", "-c", script});
  if (!r.ok()) throw StepFailure("/etc and /mnt of " + node + ": " + r.summary());
}

void NodeAccess::hca_files(const std::string& node, const Nic& nic, const std::string& hca_id)
{
  auto up = cluster_.layout().node_dir(node) + "/sys-" + nic.name;
  std::filesystem::create_directories(up);
  std::filesystem::create_directories(up + "-work");
  auto port  = "/sys/class/infiniband/" + hca_id + "/ports/" + std::to_string(nic.hca_port ? nic.hca_port : 1);
  auto state = nic.cabled ? "4: ACTIVE" : "1: DOWN"; // a subnet manager runs on the fabric (the model's assumption)
  auto r     = cluster_.node_run(node, {"sh", "-c",
                                        "d=$(readlink -f /sys/class/net/" + nic.name + ") && mount -t overlay ibmig-" +
                                            nic.name + " -o lowerdir=$d,upperdir=" + up + ",workdir=" + up +
                                            "-work $d && echo datagram > $d/mode && " + "mkdir -p " + port + " && echo '" +
                                            state + "' > " + port + "/state"});
  if (!r.ok()) throw StepFailure("the HCA's files in " + node + "'s /sys: " + r.summary());
}

std::string NodeAccess::hca_id(const std::string& node, const Nic& nic) const
{
  int k = 0;
  for (auto const& x : cluster_.scenario().find_node(node)->nics)
    if (!x.hca.empty()) {
      if (x.name == nic.name) break;
      ++k;
    }
  return nic.hca + "_" + std::to_string(k);
}

void NodeAccess::set_ipoib_mode(const std::string& node, const std::string& iface, IpoibMode mode)
{
  if (mode == IpoibMode::None) return;
  cluster_.node_run(node, {"sh", "-c",
                           "test -f /sys/class/net/" + iface + "/mode && echo " + mode_name(mode) +
                               " > /sys/class/net/" + iface + "/mode"});
}

void NodeAccess::start_sshd(const std::string& node)
{
  auto addr = address(node);
  if (addr.empty()) return; // no NIC on the VMs' bridge: reachable by `lab shell` only
  auto cfg = cluster_.layout().node_dir(node) + "/sshd_config";
  write_file(cfg, "# ibmig lab: sshd of " + node +
                      ", inside its namespace only\n"
                      "ListenAddress " +
                      addr + "\nHostKey " + dir_ + "/ssh_host_ed25519_key\n" + "AuthorizedKeysFile " + dir_ +
                      "/authorized_keys\n" +
                      "PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                      "UsePAM no\nStrictModes no\nPidFile /run/sshd.pid\nSubsystem sftp internal-sftp\n"
                      "SetEnv IBMIG_LAB_NODE=" +
                      node + " debian_chroot=" + node + "\n");
  // debian_chroot: Debian's bash prompt then names the node, "(n1)root@host:~#" (nodes share the host's name).
  // /run is the node's own tmpfs: sshd's privilege-separation directory lives there.
  auto r = cluster_.node_run(node, {"sh", "-c", "mkdir -p /run/sshd && /usr/sbin/sshd -f " + cfg});
  if (!r.ok()) throw StepFailure("sshd on " + node + ": " + r.summary());
  cluster_.record_processes(node);
}

void NodeAccess::write_client_files()
{
  auto host_key = read_text(dir_ + "/ssh_host_ed25519_key.pub");
  host_key      = host_key.substr(0, host_key.rfind(' ')); // drop the comment
  std::string known, config, inventory = "[nodes]\n";
  for (auto const& n : cluster_.scenario().nodes) {
    auto addr = address(n.name);
    if (addr.empty()) continue;
    known += addr + " " + host_key + "\n";
    config += "Host " + n.name + "\n  HostName " + addr + "\n  User root\n  IdentityFile " + key() +
              "\n  IdentitiesOnly yes\n  UserKnownHostsFile " + dir_ + "/known_hosts\n  StrictHostKeyChecking yes\n";
    inventory += n.name + " ansible_host=" + addr + "\n";
  }
  // By address, as Ansible connects: the ssh_config's Host names would not match it.
  inventory += "\n[nodes:vars]\nansible_user=root\nansible_ssh_private_key_file=" + key() +
               "\nansible_ssh_common_args='-o UserKnownHostsFile=" + dir_ + "/known_hosts -o IdentitiesOnly=yes'\n";
  write_file(dir_ + "/known_hosts", known);
  write_file(dir_ + "/ssh_config", config);
  write_file(dir_ + "/inventory.ini", inventory);
}

std::string NodeAccess::how_to_reach() const
{
  std::string s = "ssh (from this host, on network " + network_ + "; the host is " + host_address_ + " there):\n";
  for (auto const& n : cluster_.scenario().nodes)
    if (auto a = address(n.name); !a.empty())
      s += "  ssh -i " + key() + " -o UserKnownHostsFile=" + dir_ + "/known_hosts root@" + a + "   # " + n.name + "\n";
  s += "  or: ssh -F " + dir_ + "/ssh_config NODE;  Ansible: -i " + dir_ + "/inventory.ini\n";
  return s;
}

} // namespace ibmig::lab
