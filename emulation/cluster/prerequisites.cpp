#include "prerequisites.hpp"

#include "cluster.hpp"
#include "emulator.hpp"
#include "text.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace ibmig::emu {

namespace {
bool in_path(const std::string& exe)
{
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::istringstream in(path);
  std::string dir;
  while (std::getline(in, dir, ':'))
    if (!dir.empty() && ::access((dir + "/" + exe).c_str(), X_OK) == 0) return true;
  return false;
}

} // namespace

Bytes available_memory()
{
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  double kib = 0;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return Bytes{kib * 1024};
  return Bytes{0};
}

Bytes brick_bytes_upper_bound(const Scenario& sc, const EmulateOptions& opt)
{
  double bytes = 0;
  for (auto const& vm : sc.workload.vms) {
    auto vol     = sc.find_volume(vm.volume);
    int replicas = vol ? vol->replica : 1;
    for (auto const& s : vm.streams) {
      double per_phase = 0;
      if (s.kind == StreamKind::SequentialWrite) {
        per_phase = opt.write_bytes.value;
        if (s.rate && !opt.concurrent_streams) // paced, alone: rate x paced_seconds (see WorkloadPhases::run_alone)
          per_phase = std::min(per_phase, s.rate->value * opt.paced_seconds);
      } else if (s.kind == StreamKind::SmallFiles) {
        per_phase = static_cast<double>(opt.small_files) * s.file_size.value;
      } else {
        bytes += opt.read_file_bytes.value * replicas; // the image it reads, written once before the phases
      }
      bytes += 2 * per_phase * replicas; // phases before and after
      // With faults the writers also run through the replay (WorkloadPhases::start_plan_writers), at most this much.
      if (s.kind == StreamKind::SequentialWrite && !sc.faults.empty()) bytes += opt.plan_write_bytes.value * replicas;
    }
  }
  return Bytes{bytes};
}

Bytes memory_for_bricks(const Scenario& sc, const EmulateOptions& opt, Bytes available)
{
  // Headroom for glusterd state, logs, .glusterfs metadata and rounding: 256 MiB plus 10%.
  Bytes want{brick_bytes_upper_bound(sc, opt).value * 1.1 + 256.0 * 1024 * 1024};
  if (available.value > 0 && want.value > available.value / 2)
    throw EmulationError("the emulated bricks live in memory and this run may write " + format_bytes(want) +
                         " (replicas included), more than half of the " + format_bytes(available) +
                         " this machine has available: use a smaller workload or a machine with more memory");
  return want;
}

void check_emulatable_names(const Scenario& sc)
{
  auto where = [&](const std::string& path) { return sc.file + ": " + path + ": "; };
  for (size_t i = 0; i < sc.nodes.size(); ++i) {
    auto const& n = sc.nodes[i];
    for (auto const& net : sc.networks)
      if (n.name == "sw-" + net.name) // its namespace would be the switch namespace of that network
        throw EmulationError(where("nodes[" + std::to_string(i) + "].name") + "node \"" + n.name +
                             "\" cannot be emulated next to network \"" + net.name + "\" (namespace names clash)");
    for (size_t k = 0; k < n.nics.size(); ++k) {
      auto port = RunLayout::switch_port(n.name, n.nics[k].name);
      if (port.size() > 15) // IFNAMSIZ - 1: the kernel refuses longer interface names
        throw EmulationError(where("nodes[" + std::to_string(i) + "].nics[" + std::to_string(k) + "].name") +
                             "the emulated switch port \"" + port +
                             "\" (node name, '-', NIC name) is longer than the kernel's 15-character limit for "
                             "interface names: use shorter node or NIC names to emulate this scenario");
    }
  }
}

std::string missing_prerequisites()
{
  std::vector<std::string> missing;
  if (::geteuid() != 0) missing.push_back("root (namespaces, mounts and glusterd need it)");
  if (::access("/dev/fuse", R_OK | W_OK) != 0) missing.push_back("/dev/fuse");
  for (auto exe : {"glusterd", "gluster", "glusterfs", "mount.glusterfs", "ip", "tc", "nsenter", "unshare", "ping",
                   "ss", "timeout"})
    if (!in_path(exe)) missing.push_back(exe);
  if (missing.empty()) return "";
  return "ibmig emulate needs " + join(missing) +
         " (packages: glusterfs-server glusterfs-client iproute2 iputils-ping util-linux)";
}

} // namespace ibmig::emu
