#include "scenario.hpp"

#include <algorithm>
#include <cmath>

namespace ibmig {

const char* to_string(BondMode m)
{
  switch (m) {
  case BondMode::ActiveBackup:
    return "active-backup";
  case BondMode::BalanceAlb:
    return "balance-alb";
  case BondMode::Lacp:
    return "802.3ad";
  }
  return "?";
}

const char* to_string(PeerNaming p)
{
  switch (p) {
  case PeerNaming::Fqdn:
    return "fqdn";
  case PeerNaming::ShortName:
    return "short";
  case PeerNaming::Ip:
    return "ip";
  }
  return "?";
}

std::string mode_name(IpoibMode m)
{
  return m == IpoibMode::Connected ? "connected" : m == IpoibMode::Datagram ? "datagram" : "";
}

const Nic* Node::find_nic(const std::string& n) const
{
  auto it = std::find_if(nics.begin(), nics.end(), [&](const Nic& x) { return x.name == n; });
  return it == nics.end() ? nullptr : &*it;
}

bool Volume::has_quorum(const std::vector<bool>& up_in_set) const
{
  int up = 0;
  for (bool b : up_in_set)
    up += b;
  switch (quorum_type) {
  case QuorumType::None:
    return up >= 1;
  case QuorumType::Fixed:
    return up >= quorum_count;
  case QuorumType::Auto: {
    // More than half the bricks, or exactly half including the first brick (AFR's tie-break).
    int n = static_cast<int>(up_in_set.size());
    return 2 * up > n || (2 * up == n && n > 0 && up_in_set[0]);
  }
  }
  return false;
}

std::string Volume::type() const
{
  if (replica == 1) return "distribute";
  return replica_sets() == 1 ? "replicate" : "distributed-replicate";
}

Seconds DurationSpec::nominal() const
{
  switch (kind) {
  case Kind::Fixed:
  case Kind::Normal:
  case Kind::Lognormal:
    return Seconds{a};
  case Kind::Uniform:
    return Seconds{(a + b) / 2};
  }
  return Seconds{a};
}

Seconds DurationSpec::sample(std::mt19937_64& rng) const
{
  switch (kind) {
  case Kind::Fixed:
    return Seconds{a};
  case Kind::Uniform:
    return Seconds{std::uniform_real_distribution<double>(a, b)(rng)};
  case Kind::Normal: // truncated at zero: a step never takes negative time
    return Seconds{std::max(0.0, std::normal_distribution<double>(a, b)(rng))};
  case Kind::Lognormal:
    return Seconds{std::lognormal_distribution<double>(std::log(a), b)(rng)};
  }
  return Seconds{a};
}

const char* to_string(Distribution d)
{
  switch (d) {
  case Distribution::Centos6:
    return "centos6";
  case Distribution::El9:
    return "el9";
  case Distribution::Debian12:
    return "debian12";
  }
  return "?";
}

const std::vector<Distribution>& distributions()
{
  static const std::vector<Distribution> all = {Distribution::Centos6, Distribution::El9, Distribution::Debian12};
  return all;
}

const char* to_string(Action a)
{
  switch (a) {
  case Action::StopClients:
    return "stop_clients";
  case Action::StartClients:
    return "start_clients";
  case Action::RemountClients:
    return "remount_clients";
  case Action::StopService:
    return "stop_service";
  case Action::StartService:
    return "start_service";
  case Action::EnableService:
    return "enable_service";
  case Action::DisableService:
    return "disable_service";
  case Action::PowerOff:
    return "power_off";
  case Action::PowerOn:
    return "power_on";
  case Action::InstallNic:
    return "install_nic";
  case Action::ConfigureInterface:
    return "configure_interface";
  case Action::InterfaceDown:
    return "interface_down";
  case Action::InterfaceUp:
    return "interface_up";
  case Action::VerifyPing:
    return "verify_ping";
  case Action::RepointNames:
    return "repoint_names";
  case Action::RewritePeerAddresses:
    return "rewrite_peer_addresses";
  case Action::MigrateVms:
    return "migrate_vms";
  case Action::CheckPeers:
    return "check_peers";
  case Action::CheckVolume:
    return "check_volume";
  case Action::WaitHeal:
    return "wait_heal";
  case Action::Wait:
    return "wait";
  case Action::InstallPackages:
    return "install_packages";
  case Action::VerifyPort:
    return "verify_port";
  }
  return "?";
}

const Node* Scenario::find_node(const std::string& n) const
{
  if (node_index_.size() == nodes.size()) {
    auto idx = node_index_.find(n);
    if (idx != node_index_.end() && idx->second < nodes.size() && nodes[idx->second].name == n)
      return &nodes[idx->second];
  }
  auto it = std::find_if(nodes.begin(), nodes.end(), [&](const Node& x) { return x.name == n; });
  return it == nodes.end() ? nullptr : &*it;
}

void Scenario::index_nodes()
{
  node_index_.clear();
  for (size_t i = 0; i < nodes.size(); i++)
    node_index_.emplace(nodes[i].name, i);
}
const Network* Scenario::find_network(const std::string& n) const
{
  auto it = std::find_if(networks.begin(), networks.end(), [&](const Network& x) { return x.name == n; });
  return it == networks.end() ? nullptr : &*it;
}
const Volume* Scenario::find_volume(const std::string& n) const
{
  auto it = std::find_if(volumes.begin(), volumes.end(), [&](const Volume& x) { return x.name == n; });
  return it == volumes.end() ? nullptr : &*it;
}

uint32_t name_hash(const std::string& name)
{
  uint32_t h = 2166136261u;
  for (unsigned char c : name) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

int replica_set_of(const Volume& vol, const std::string& file)
{
  return static_cast<int>(name_hash(file) % static_cast<uint32_t>(vol.replica_sets()));
}

int replica_set_of(const Scenario& sc, const Vm& vm)
{
  if (vm.pinned_set) return *vm.pinned_set;
  return replica_set_of(*sc.find_volume(vm.volume), vm.image);
}

} // namespace ibmig
