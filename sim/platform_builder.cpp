#include "platform_builder.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace ibmig::sim {

namespace {
/* A scenario name inside a SimGrid name: '/' separates the parts and SimGrid appends "_UP"/"_DOWN" to split-duplex
 * links, so '/', '_' and the escape itself are escaped. Names from different scenario objects cannot collide. */
std::string esc(const std::string& name)
{
  std::string out;
  for (char c : name)
    if (c == '%')
      out += "%25";
    else if (c == '/')
      out += "%2F";
    else if (c == '_')
      out += "%5F";
    else
      out += c;
  return out;
}
} // namespace

std::string Platform::sg_name(const std::string& kind, const std::string& a, const std::string& b)
{
  return kind + "/" + esc(a) + (b.empty() ? "" : "/" + esc(b));
}

Platform::Platform(const Scenario& sc) : sc_(sc), topology_(sc)
{
  auto* zone = sg4::create_star_zone("cluster");
  // A switch: one shared link for its backplane (or a non-blocking fabric) carrying the per-hop latency.
  for (const Network* net : topology_.networks()) {
    double bw            = net->sw.backplane ? to_bytes_per_second(*net->sw.backplane).value : kUnlimited;
    switches_[net->name] = zone->create_link(sg_name("switch", net->name), bw)->set_latency(net->sw.latency.value);
  }
  // A node: its disk and FUSE mount, and per NIC (present or to be installed) a host, its link and the routes
  // through the link to the switch the NIC is cabled to.
  for (const Node* node : topology_.nodes()) {
    disks_[node->name] = zone->create_host(sg_name("disk", node->name), node->disk.write.value);
    fuse_[node->name]  = zone->create_host(sg_name("fuse", node->name), kCostUnit);
    for (const Cable& cable : topology_.cables(node->name)) {
      const Nic& nic = *cable.nic;
      NicResources r;
      r.nic          = &nic;
      r.node         = node->name;
      r.host         = zone->create_host(sg_name("nic", node->name, nic.name), kUnlimited);
      r.capacity_Bps = nic_capacity_Bps(nic, nic.mtu, nic.mode);
      r.mtu          = nic.mtu;
      r.mode         = nic.mode;
      for (bool send : {true, false})
        interface_cpu_[{node->name, nic.name, send}] =
            zone->create_host(sg_name("cpu", node->name, nic.name + (send ? "/tx" : "/rx")), kCostUnit);
      r.link = zone->create_split_duplex_link(sg_name("link", node->name, nic.name), r.capacity_Bps)
                   ->set_latency(sc.technology_of(*cable.network).nic_latency.value);
      sg4::Link* sw = switches_.at(cable.network->name);
      zone->add_route(r.host->get_netpoint(), nullptr, nullptr, nullptr,
                      {sg4::LinkInRoute(r.link, sg4::LinkInRoute::Direction::UP), sg4::LinkInRoute(sw)}, false);
      zone->add_route(nullptr, r.host->get_netpoint(), nullptr, nullptr,
                      {sg4::LinkInRoute(r.link, sg4::LinkInRoute::Direction::DOWN)}, false);
      nics_[{node->name, nic.name}] = r;
    }
  }
  // Listed once: networks() walks the whole graph, and per VM that made building the platform quadratic.
  const std::vector<const Network*> networks = topology_.networks();
  for (auto const& vm : sc.workload.vms) {
    vm_io_[vm.name] = zone->create_host(sg_name("io", vm.name), kCostUnit);
    // The client's connections: one per brick node of its image's replica set (the only bricks it writes to or
    // reads from), per network both can use. Not one per brick of the volume: that grows as VMs x bricks.
    const Volume& vol = *sc.find_volume(vm.volume);
    const int set     = replica_set_of(sc, vm);
    // Where its I/O can come from: its home, and with a memory (it can be migrated live) every hypervisor.
    std::vector<std::string> homes = {vm.node};
    if (vm.memory) {
      migration_[vm.name] = zone->create_host(sg_name("mig", vm.name), kCostUnit);
      for (auto const& n : sc.nodes)
        if (n.hypervisor && n.name != vm.node) homes.push_back(n.name);
    }
    for (auto const& home : homes) {
      ConnectionClient client = connection_client(vm, home);
      for (int b = set * vol.replica; b < (set + 1) * vol.replica; b++)
        for (const Network* net : networks) {
          const Brick& brick = vol.bricks[static_cast<size_t>(b)];
          if (brick.node == home || !topology_.nic_on(home, net->name) || !topology_.nic_on(brick.node, net->name))
            continue;
          for (bool send : {true, false}) {
            auto key = std::make_tuple(client, brick.node, net->name, send);
            if (!connections_.count(key))
              connections_[key] = zone->create_host(sg_name("tcp", client.first, client.second) + "/" +
                                                        esc(brick.node) + "/" + esc(net->name) + (send ? "/tx" : "/rx"),
                                                    kCostUnit);
          }
        }
    }
    for (size_t k = 0; k < vm.streams.size(); k++) {
      if (vm.streams[k].rate)
        stream_limits_[{vm.name, k}] =
            zone->create_host(sg_name("stream", vm.name, std::to_string(k)), vm.streams[k].rate->value);
      if (vm.streams[k].kind == StreamKind::SmallFiles)
        small_files_[{vm.name, k}] = zone->create_host(sg_name("files", vm.name, std::to_string(k)), kCostUnit);
    }
  }
  for (auto const& v : sc.volumes)
    heal_[v.name] = zone->create_host(sg_name("shd", v.name), sc.calibration.heal_MBps.value * 1e6);
  zone->seal();
}

double Platform::nic_capacity_Bps(const Nic& nic, int mtu, IpoibMode mode) const
{
  const Technology& tech = sc_.technology_of(*sc_.find_network(nic.network));
  // A bond carries its slaves together (active-backup one of them); one connection at most one (gluster_client).
  int slaves = nic.bond ? nic.bond->carrying() : 1;
  return slaves * to_bytes_per_second(tech.data_rate).value *
         tcp_payload_efficiency(tech, mtu, mode == IpoibMode::Connected) *
         sc_.calibration.gluster_stream_efficiency.value;
}

NicResources* Platform::nic_on(const std::string& node, const std::string& network)
{
  const Nic* nic = topology_.nic_on(node, network);
  return nic ? &nics_.at({node, nic->name}) : nullptr;
}

Platform::ConnectionClient Platform::connection_client(const Vm& vm, const std::string& node)
{
  // One glusterfs FUSE process per mounted volume on a node; qemu's libgfapi client is per VM.
  return vm.access == Access::Fuse ? ConnectionClient{node, vm.volume} : ConnectionClient{vm.name, ""};
}

void Platform::configure_nic(const std::string& node, const std::string& iface, int mtu, IpoibMode mode)
{
  NicResources& r = nic(node, iface);
  r.mtu           = mtu;
  r.mode          = mode;
  r.capacity_Bps  = nic_capacity_Bps(*r.nic, mtu, mode);
  // A split-duplex link's halves are separate links; set both.
  sg4::Link::by_name(r.link->get_name() + "_UP")->set_bandwidth(r.capacity_Bps);
  sg4::Link::by_name(r.link->get_name() + "_DOWN")->set_bandwidth(r.capacity_Bps);
}

} // namespace ibmig::sim
