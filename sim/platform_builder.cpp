#include "platform_builder.hpp"

#include <algorithm>

namespace sg4 = simgrid::s4u;

namespace ibmig::sim {

Platform::Platform(const Scenario& sc) : sc_(sc)
{
  auto* zone = sg4::create_star_zone("cluster");
  // A switch: one shared link for its backplane (or a non-blocking fabric) carrying the per-hop latency.
  for (auto const& net : sc.networks) {
    double bw           = net.sw.backplane ? to_bytes_per_second(*net.sw.backplane).value : kUnlimited;
    switches_[net.name] = zone->create_link("switch-" + net.sw.name, bw)->set_latency(net.sw.latency.value);
  }
  for (auto const& node : sc.nodes) {
    disks_[node.name] = zone->create_host(node.name + ":disk", node.disk.write.value);
    fuse_[node.name]  = zone->create_host(node.name + ":fuse", sc.calibration.fuse_MBps.value * 1e6);
    for (auto const& nic : node.nics) {
      NicResources r;
      r.nic                  = &nic;
      r.node                 = node.name;
      r.host                 = zone->create_host(node.name + "@" + nic.network + "-" + nic.name, kUnlimited);
      const Technology& tech = sc.technology_of(*sc.find_network(nic.network));
      r.capacity_Bps         = nic_capacity_Bps(nic, nic.mtu, nic.mode);
      r.link                 = zone->create_split_duplex_link(node.name + "-" + nic.name, r.capacity_Bps)
                   ->set_latency(tech.nic_latency.value);
      sg4::Link* sw = switches_.at(nic.network);
      zone->add_route(r.host->get_netpoint(), nullptr, nullptr, nullptr,
                      {sg4::LinkInRoute(r.link, sg4::LinkInRoute::Direction::UP), sg4::LinkInRoute(sw)}, false);
      zone->add_route(nullptr, r.host->get_netpoint(), nullptr, nullptr,
                      {sg4::LinkInRoute(r.link, sg4::LinkInRoute::Direction::DOWN)}, false);
      NicResources& stored = nics_[node.name + "-" + nic.name] = r;
      by_network_.emplace(std::make_pair(node.name, nic.network), &stored);
    }
  }
  for (auto const& vm : sc.workload.vms) {
    double limit    = vm.access == Access::Gfapi ? sc.calibration.gfapi_MBps.value * 1e6 : kUnlimited;
    vm_io_[vm.name] = zone->create_host(vm.name + ":io", limit);
    for (size_t k = 0; k < vm.streams.size(); k++)
      if (vm.streams[k].rate) {
        std::string key     = vm.name + "#" + std::to_string(k);
        stream_limits_[key] = zone->create_host(key, vm.streams[k].rate->value);
      }
  }
  for (auto const& v : sc.volumes)
    heal_[v.name] = zone->create_host(v.name + ":shd", sc.calibration.heal_MBps.value * 1e6);
  zone->seal();
}

double Platform::nic_capacity_Bps(const Nic& nic, int mtu, IpoibMode mode) const
{
  const Technology& tech = sc_.technology_of(*sc_.find_network(nic.network));
  return to_bytes_per_second(tech.data_rate).value * tcp_payload_efficiency(tech, mtu, mode == IpoibMode::Connected) *
         sc_.calibration.gluster_stream_efficiency.value;
}

NicResources* Platform::nic_on(const std::string& node, const std::string& network)
{
  auto it = by_network_.find({node, network});
  return it == by_network_.end() ? nullptr : it->second;
}

void Platform::configure_nic(const std::string& node, const std::string& iface, int mtu, IpoibMode mode)
{
  NicResources& r = nic(node, iface);
  r.capacity_Bps  = nic_capacity_Bps(*r.nic, mtu, mode);
  // A split-duplex link's halves are separate links; set both.
  sg4::Link::by_name(r.link->get_name() + "_UP")->set_bandwidth(r.capacity_Bps);
  sg4::Link::by_name(r.link->get_name() + "_DOWN")->set_bandwidth(r.capacity_Bps);
}

} // namespace ibmig::sim
