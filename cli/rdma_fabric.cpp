#include "rdma_fabric.hpp"

#include "port_query.hpp"
#include "rdma_plane.hpp"

#include <cstdio>
#include <filesystem>

namespace ibmig::cli {

bool is_rdma_fault(const std::string& name)
{
  return name == "port-never-active" || name == "rdma-mtu-mismatch";
}

namespace {
/* The IPoIB MTU the plan leaves on the node's interface: its last configure_interface step, else the NIC's own. */
uint32_t planned_mtu(const Scenario& sc, const Node& node, const Nic& nic)
{
  int mtu = nic.mtu;
  for (auto const& st : sc.plan.steps)
    if (st.action == Action::ConfigureInterface && st.interface == nic.name && st.mtu > 0 &&
        std::count(st.nodes.begin(), st.nodes.end(), node.name))
      mtu = st.mtu;
  return static_cast<uint32_t>(mtu);
}
} // namespace

nlohmann::json run_rdma_fabric(const Scenario& sc, const std::vector<std::string>& faults, const std::string& image_dir)
{
  rdma::PlaneOptions opt;
  opt.image_dir = image_dir;
  for (auto const& node : sc.nodes)
    for (auto const& nic : node.nics)
      if (sc.technology_of(*sc.find_network(nic.network)).kind == LinkKind::InfiniBand && nic.cabled) {
        opt.nodes.push_back({node.name, planned_mtu(sc, node, nic), true});
        break;
      }
  if (opt.nodes.size() < 2) return {{"skipped", "the scenario has fewer than two nodes with an InfiniBand NIC"}};
  std::string why = rdma::RdmaPlane::unavailable_reason(image_dir);
  if (!why.empty()) return {{"skipped", why}};
  // Faults hit the last node: the first is the benchmark client, so its figures stay meaningful.
  for (auto const& f : faults) {
    if (f == "port-never-active") opt.nodes.back().port_up = false;
    if (f == "rdma-mtu-mismatch")
      opt.nodes.back().ipoib_mtu_bytes = opt.nodes.front().ipoib_mtu_bytes == 2044 ? 65520 : 2044;
  }
  opt.replicas = 2;
  try {
    return rdma::RdmaPlane(opt).run();
  } catch (const rdma::Interrupted&) {
    throw; // Ctrl-C: stop here, as everywhere else
  } catch (const std::exception& e) {
    // The cluster replay has finished and its report must still be printed: the plane's failure goes into it.
    return {{"skipped", std::string("the RDMA plane failed: ") + e.what()}};
  }
}

#ifdef IBMIG_HAVE_EMULATION
std::vector<emu::PortReading> GuestPortProbe::probe(const std::vector<emu::PortQuery>& ports)
{
  std::vector<emu::PortReading> out;
  if (ports.empty()) return out;
  rdma::PortQueryOptions opt;
  opt.image_dir = image_dir_;
  for (auto const& q : ports)
    opt.nodes.push_back({q.node, q.stack_loaded, q.cabled, static_cast<uint32_t>(q.ib_mtu)});
  if (log_) *log_ << "ibmig emulate: verify_port: booting " << ports.size() << " soft-RoCE guest(s)\n";
  nlohmann::json r;
  try {
    r = rdma::query_ports(opt);
  } catch (const rdma::Interrupted&) {
    throw;
  } catch (const std::exception& e) { // nothing answered: the step fails with the reason, the replay goes on
    for (auto const& q : ports)
      out.push_back({q.node, "", 0, "", std::string("the soft-RoCE guests failed: ") + e.what(), "", -1});
    return out;
  }
  char where[160];
  for (auto const& n : r["nodes"]) {
    std::snprintf(where, sizeof where, "soft-RoCE guest %s, %s, %.1f s%s", n["name"].get<std::string>().c_str(),
                  r.value("accelerator", "?").c_str(), n.value("seconds", 0.0),
                  n.value("timed_out", false) ? ", timed out" : "");
    out.push_back({n["name"], n["port_state"], n["active_mtu_bytes"], n["device"], where, n.value("devinfo_text", ""),
                   n.value("devinfo_exit_status", -1)});
  }
  return out;
}
#endif

std::string guest_image_dir()
{
  return (std::filesystem::canonical("/proc/self/exe").parent_path() / "guest").string();
}

void print_rdma_summary(const nlohmann::json& rdma, std::ostream& out)
{
  out << "\nRDMA plane (soft-RoCE guests):\n";
  if (rdma.contains("skipped")) {
    out << "  not run: " << rdma["skipped"].get<std::string>() << "\n";
    return;
  }
  char buf[256];
  for (auto const& n : rdma.value("nodes", nlohmann::json::array())) {
    std::snprintf(buf, sizeof buf, "  %-8s port %-14s active MTU %-5s IPoIB MTU %-6s GID %s\n",
                  n.value("name", "?").c_str(), n.value("port_state", "?").c_str(),
                  n.value("active_mtu_bytes", nlohmann::json()).dump().c_str(),
                  n.value("ipoib_mtu_bytes", nlohmann::json()).dump().c_str(), n.value("gid", "").c_str());
    out << buf;
  }
  auto const& client = rdma.value("benchmark", nlohmann::json::object()).value("client", nlohmann::json::object());
  if (client.contains("client_MBps")) {
    std::snprintf(buf, sizeof buf, "  replicated RDMA write R=%s: %.1f MB/s per client, %.1f MB/s aggregate, %s\n",
                  client.value("replicas", nlohmann::json()).dump().c_str(), client.value("client_MBps", 0.0),
                  client.value("aggregate_MBps", 0.0),
                  client.value("all_verified", false) ? "every chunk verified on every replica" : "NOT verified");
    out << buf;
  }
  for (auto const& f : rdma.value("findings", nlohmann::json::array()))
    out << "  finding (" << f.value("kind", "?") << ", " << f.value("node", "?") << "): " << f.value("explanation", "")
        << "\n";
}

} // namespace ibmig::cli
