#include "port_query.hpp"

#include "guest_launcher.hpp"
#include "rdma_plane.hpp"

#include <regex>
#include <sstream>
#include <stdexcept>

namespace ibmig::rdma {

namespace {
using Clock = std::chrono::steady_clock;

/* The text between "@@section NAME" and "@@end NAME" in a guest's output. */
std::string section(const std::string& output, const std::string& name)
{
  const std::string begin = "@@section " + name + "\n";
  auto from               = output.find(begin);
  if (from == std::string::npos) return "";
  from += begin.size();
  auto to = output.find("@@end " + name, from);
  return output.substr(from, to == std::string::npos ? std::string::npos : to - from);
}
} // namespace

std::string port_job_script(const PortSpec& spec)
{
  if (spec.ib_mtu < 256 || spec.ib_mtu > 4096) throw std::invalid_argument("port query: IB MTU outside 256..4096");
  // rxe derives its active MTU from the netdev's, less its 80-byte headers (rxe_set_mtu, eth_mtu_int_to_enum):
  // 512 bytes above the IB MTU gives that IB MTU and not the next one.
  std::ostringstream s;
  s << "# ibmig port query " << spec.name << "\n"
    << "/usr/sbin/ip link set eth0 mtu " << spec.ib_mtu + 512 << "\n"
    << (spec.carrier ? "/usr/sbin/ip link set eth0 up\n" : "/usr/sbin/ip link set eth0 down # no cable\n");
  if (spec.device) {
    s << "rdma link add rxe0 type rxe netdev eth0\n";
    if (spec.carrier) // rxe turns ACTIVE within a second or two of `rdma link add`
      s << "i=0; while [ $i -lt 10 ] && ! ibv_devinfo -d rxe0 -i 1 2>/dev/null | grep -q PORT_ACTIVE; do sleep 1; "
           "i=$((i+1)); done\n";
    s << "echo '@@section devinfo'; ibv_devinfo -d rxe0 -i 1 2>&1; echo \"@@end devinfo $?\"\n";
  } else {
    // No stack, no device: ask for every device, as an admin does, so the answer is the one a node without its
    // verbs stack gives (not "rxe0 wasn't found", a name the node never had).
    s << "echo 'no verbs stack loaded: the rxe device is not added'\n"
      << "echo '@@section devinfo'; ibv_devinfo 2>&1; echo \"@@end devinfo $?\"\n";
  }
  s << "exit 0\n";
  return s.str();
}

nlohmann::json query_ports(const PortQueryOptions& options, emu::CommandRunner* runner)
{
  if (options.nodes.empty()) throw std::invalid_argument("port query: no node given");
  const auto start = Clock::now();
  emu::SystemRunner system;
  system.set_interruptible(false); // the launcher's InterruptGuard stops the guests; teardown must not be cut short
  GuestLauncher launcher(launcher_options_of(options), runner ? *runner : system);
  std::vector<GuestSpec> guests;
  for (auto const& n : options.nodes)
    guests.push_back({n.name, port_job_script(n)});
  std::vector<GuestResult> results = launcher.run(guests);
  nlohmann::json nodes             = nlohmann::json::array();
  for (size_t i = 0; i < results.size(); i++) {
    const std::string text = section(results[i].output, "devinfo");
    nlohmann::json devinfo = parse_devinfo(text);
    std::smatch end; // "@@end devinfo STATUS": ibv_devinfo's own exit status
    int status =
        std::regex_search(results[i].output, end, std::regex("@@end devinfo ([0-9]+)")) ? std::stoi(end[1]) : -1;
    nodes.push_back({{"name", options.nodes[i].name},
                     {"port_state", devinfo["port_state"]},
                     {"active_mtu_bytes", devinfo["active_mtu_bytes"]},
                     {"device", devinfo["device"]},
                     {"devinfo_text", text},
                     {"devinfo_exit_status", status},
                     {"exit_status", results[i].exit_status},
                     {"timed_out", results[i].timed_out},
                     {"seconds", results[i].seconds}});
  }
  return {{"run_id", launcher.run_id()},
          {"accelerator", launcher.accelerator()},
          {"seconds", std::chrono::duration<double>(Clock::now() - start).count()},
          {"nodes", nodes}};
}

} // namespace ibmig::rdma
