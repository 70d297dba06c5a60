#include "rdma_plane.hpp"

#include "statistics.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace ibmig::rdma {

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint16_t kWritePort = 7471;

// Job output is cut into sections: "@@section NAME" ... "@@end NAME STATUS".
struct Section {
  std::string text;
  int status = -1; // -1: the section never ended (guest killed or crashed inside it)
};

std::map<std::string, Section> split_sections(const std::string& output)
{
  std::map<std::string, Section> sections;
  std::istringstream lines(output);
  std::string line, current;
  while (std::getline(lines, line)) {
    if (line.rfind("@@section ", 0) == 0) {
      current           = line.substr(10);
      sections[current] = Section{};
    } else if (line.rfind("@@end ", 0) == 0 && !current.empty()) {
      std::string rest         = line.substr(6 + current.size());
      sections[current].status = rest.empty() ? -1 : std::atoi(rest.c_str());
      current.clear();
    } else if (!current.empty()) {
      sections[current].text += line + "\n";
    }
  }
  return sections;
}

nlohmann::json last_json_line(const std::string& text)
{
  std::istringstream lines(text);
  nlohmann::json found;
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line.front() == '{') found = nlohmann::json::parse(line, nullptr, false);
  return found.is_discarded() ? nlohmann::json() : found;
}

std::vector<nlohmann::json> json_lines(const std::string& text)
{
  std::vector<nlohmann::json> all;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line.front() == '{')
      if (auto value = nlohmann::json::parse(line, nullptr, false); !value.is_discarded()) all.push_back(value);
  return all;
}

std::string tail(const std::string& text, size_t max_chars = 400)
{
  return text.size() <= max_chars ? text : "..." + text.substr(text.size() - max_chars);
}

std::string join(const std::vector<std::string>& items, const std::string& separator = ", ")
{
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

// "ib_write_bw" prints "#bytes #iterations BW-peak BW-average MsgRate" with MB meaning MiB (perftest divides by
// 0x100000); converted here to MB = 10^6 bytes like the rest of the project.
nlohmann::json parse_perftest(const std::string& text)
{
  std::istringstream lines(text);
  bool header_seen = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("#bytes") != std::string::npos) {
      header_seen = true;
      continue;
    }
    std::istringstream fields(line);
    double bytes = 0, iterations = 0, peak = 0, average_mib = 0;
    if (header_seen && fields >> bytes >> iterations >> peak >> average_mib)
      return {{"message_bytes", bytes}, {"iterations", iterations}, {"ib_write_bw_MBps", average_mib * 1.048576}};
  }
  return nullptr;
}

} // namespace

nlohmann::json parse_devinfo(const std::string& text)
{
  nlohmann::json info = {{"device", ""}, {"port_state", "NO_DEVICE"}, {"active_mtu_bytes", 0}, {"gid", ""}};
  std::smatch match;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, match, std::regex(R"(hca_id:\s*(\S+))")))
      info["device"] = match[1].str();
    else if (std::regex_search(line, match, std::regex(R"(^\s*state:\s*(\S+))")))
      info["port_state"] = match[1].str();
    else if (std::regex_search(line, match, std::regex(R"(active_mtu:\s*(\d+))")))
      info["active_mtu_bytes"] = std::stoi(match[1].str());
    else if (std::regex_search(line, match, std::regex(R"(GID\[\s*\d+\]:\s*([0-9a-fA-F:.]+))")))
      // Prefer the IPv4-mapped RoCE v2 GID, the one rdma_cm uses for an IPv4 connection.
      if (info["gid"] == "" || match[1].str().find("::ffff:") == 0) info["gid"] = match[1].str();
  }
  return info;
}

RdmaPlane::RdmaPlane(PlaneOptions options, emu::CommandRunner* runner)
    : options_(std::move(options)), runner_(runner ? runner : &default_runner_)
{
  default_runner_.set_interruptible(false); // the shared interrupt flag must not cut the fabric's teardown short
  if (options_.nodes.empty()) throw std::invalid_argument("rdma plane: no node given");
  if (options_.nodes.size() > 200) throw std::invalid_argument("rdma plane: at most 200 nodes (one /24 network)");
  for (const auto& node : options_.nodes) {
    if (node.ipoib_mtu_bytes < 1280 || node.ipoib_mtu_bytes > 65520)
      throw std::invalid_argument("rdma plane: node " + node.name + ": IPoIB MTU " +
                                  std::to_string(node.ipoib_mtu_bytes) + " outside 1280..65520");
    if (node.name.empty() || node.name.find_first_of("/ \t") != std::string::npos)
      throw std::invalid_argument("rdma plane: bad node name \"" + node.name + "\"");
  }
  options_.replicas = std::min<uint32_t>(options_.replicas, static_cast<uint32_t>(options_.nodes.size() - 1));
  if (options_.replicas == 0) options_.benchmark = false;
}

std::string RdmaPlane::node_ip(size_t index) const
{
  return "10.77.0." + std::to_string(index + 1);
}

std::string RdmaPlane::job_script(size_t index) const
{
  const NodeSpec& node = options_.nodes[index];
  std::vector<std::string> peers;
  for (size_t i = 0; i < options_.nodes.size(); ++i)
    if (i != index) peers.push_back(node_ip(i));
  std::vector<std::string> servers;
  for (size_t i = 1; i <= options_.replicas; ++i)
    servers.push_back(node_ip(i));
  // A server waits for its clients for up to half the guest timeout (in the bench, rounds of ib_write_bw run in
  // between); a client gives a server that is not listening 30 s, which covers boot skew between guests.
  const auto session_timeout        = std::to_string(std::max<long>(30, options_.guest_timeout.count() / 2));
  const std::string connect_timeout = "30";
  // Sizes carry their unit: ibmig-rdma-write reads them with the scenario's units parser, which refuses bare numbers.
  const std::string write_arguments = " --bytes " + std::to_string(options_.write_bytes) + "B --chunk " +
                                      std::to_string(options_.chunk_bytes) + "B --depth " +
                                      std::to_string(options_.depth) + " --port " + std::to_string(kWritePort) +
                                      " --connect-timeout " + connect_timeout;

  const uint64_t iterations = std::max<uint64_t>(1, options_.write_bytes / options_.chunk_bytes);
  std::ostringstream s;
  s << "# ibmig soft-RoCE node " << node.name << "\n"
    << "MTU=" << node.ipoib_mtu_bytes << "\n"
    << "PEERS=\"" << join(peers, " ") << "\"\n"
    << "/usr/sbin/ip link set eth0 mtu $MTU up\n"
    << "/usr/sbin/ip addr add " << node_ip(index) << "/24 dev eth0\n"
    << "echo '@@section link'; /usr/sbin/ip -o link show eth0; echo \"@@end link $?\"\n";
  if (node.port_up)
    s << "rdma link add rxe0 type rxe netdev eth0\n";
  else
    s << "echo 'fault injected: soft-RoCE link not added, the port never becomes active'\n";
  // Guests boot at about the same time but not exactly: wait (at most ~30 s in all) until every peer answers a small
  // ping, then measure with don't-fragment pings while all of them are surely up. Only then wait for the port
  // (rxe turns ACTIVE within a second of `rdma link add`; a port that stays down costs this node 10 s, not its peers).
  s << "i=0; for p in $PEERS; do while [ $i -lt 30 ] && ! /usr/bin/ping -c 1 -W 1 $p >/dev/null 2>&1; do "
       "i=$((i+1)); done; done\n"
    << "for p in $PEERS; do echo \"@@section ping $p\"; /usr/bin/ping -c 2 -W 2 -M do -s $((MTU - 28)) $p; "
       "echo \"@@end ping $p $?\"; done\n"
    << "i=0; while [ $i -lt 10 ] && ! ibv_devinfo 2>/dev/null | grep -q PORT_ACTIVE; do sleep 1; i=$((i+1)); done\n"
    << "echo '@@section devinfo'; ibv_devinfo -v; echo \"@@end devinfo $?\"\n";
  // Benchmark. With perftest (the bench command) each round runs ib_write_bw, then R=1, then R=R on the same guests,
  // so the three figures of a round share the same conditions; round k > 1 suffixes its sections with " k".
  const uint32_t rounds = options_.perftest ? std::max<uint32_t>(1, options_.rounds) : 1;
  auto suffix           = [](uint32_t round) { return round == 1 ? std::string() : " " + std::to_string(round); };
  if (options_.benchmark && index == 0) {
    for (uint32_t round = 1; round <= rounds; ++round) {
      const std::string k = suffix(round);
      if (options_.perftest) {
        // Baseline: the same amount in the same message size. ib_write_bw has no event mode for WRITE (it spins).
        s << "echo '@@section perftest" << k << "'; i=0; while [ $i -lt 30 ]; do ib_write_bw -d rxe0 -F -s "
          << options_.chunk_bytes << " -n " << iterations << " " << servers[0]
          << " && break; sleep 1; i=$((i+1)); done; echo \"@@end perftest" << k << " $?\"\n"
          << "echo '@@section r1" << k << "'; ibmig-rdma-write write --servers " << servers[0] << write_arguments
          << "; echo \"@@end r1" << k << " $?\"\n";
      }
      s << "echo '@@section write" << k << "'; ibmig-rdma-write write --servers " << join(servers, ",")
        << write_arguments << "; write_status=$?; echo \"@@end write" << k << " $write_status\"\n";
    }
    // Skipped when the last write failed: its servers are gone or unreachable, waiting again would only cost time.
    s << "[ \"$write_status\" = 0 ] && { echo '@@section latency'; ibmig-rdma-write latency --servers "
      << join(servers, ",") << " --iterations " << options_.latency_iterations << " --port " << kWritePort
      << " --connect-timeout " << connect_timeout << "; echo \"@@end latency $?\"; }\n";
  } else if (options_.benchmark && index <= options_.replicas) {
    auto serve = [&](const std::string& section, int clients) {
      s << "echo '@@section " << section << "'; ibmig-rdma-write serve --port " << kWritePort << " --clients "
        << clients << " --timeout " << session_timeout << "; echo \"@@end " << section << " $?\"\n";
    };
    if (options_.perftest && index == 1) {
      for (uint32_t round = 1; round <= rounds; ++round) {
        s << "echo '@@section perftest" << suffix(round) << "'; ib_write_bw -d rxe0 -F -s " << options_.chunk_bytes
          << " -n " << iterations << "; echo \"@@end perftest" << suffix(round) << " $?\"\n";
        serve("serve" + suffix(round), 2); // R=1 and R=R of this round
      }
      serve("serve latency", 1);
    } else {
      serve("serve", static_cast<int>(rounds) + 1); // every round's R=R write, then the latency run
    }
  }
  s << "exit 0\n";
  return s.str();
}

nlohmann::json RdmaPlane::run()
{
  const auto start = Clock::now();
  GuestLauncher launcher(launcher_options_of(options_), *runner_);
  std::vector<GuestSpec> guests;
  for (size_t i = 0; i < options_.nodes.size(); ++i)
    guests.push_back({options_.nodes[i].name, job_script(i)});
  std::vector<GuestResult> results = launcher.run(guests);

  nlohmann::json report = analyse(results);
  report["run_id"]      = launcher.run_id();
  report["accelerator"] = launcher.accelerator();
  report["seconds"]     = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

nlohmann::json RdmaPlane::analyse(const std::vector<GuestResult>& results) const
{
  nlohmann::json nodes    = nlohmann::json::array();
  nlohmann::json findings = nlohmann::json::array();
  auto add_finding        = [&](const std::string& kind, const std::string& node, const std::string& explanation) {
    findings.push_back({{"kind", kind}, {"node", node}, {"explanation", explanation}});
  };
  std::vector<std::map<std::string, Section>> sections;
  std::vector<std::string> failed_pings;
  for (size_t i = 0; i < results.size(); ++i) {
    const NodeSpec& spec = options_.nodes[i];
    sections.push_back(split_sections(results[i].output));
    auto& node_sections    = sections.back();
    nlohmann::json devinfo = parse_devinfo(node_sections["devinfo"].text);
    std::smatch match;
    const std::string link = node_sections["link"].text;
    int mtu                = std::regex_search(link, match, std::regex(R"(mtu (\d+))")) ? std::stoi(match[1].str()) : 0;
    nlohmann::json pings   = nlohmann::json::array();
    for (size_t j = 0; j < results.size(); ++j) {
      if (j == i) continue;
      auto found    = node_sections.find("ping " + node_ip(j));
      const bool ok = found != node_sections.end() && found->second.status == 0;
      pings.push_back({{"to", options_.nodes[j].name}, {"payload_bytes", spec.ipoib_mtu_bytes - 28}, {"ok", ok}});
      if (!ok) failed_pings.push_back(spec.name + " -> " + options_.nodes[j].name);
    }
    nodes.push_back({{"name", spec.name},
                     {"ip", node_ip(i)},
                     {"ipoib_mtu_bytes", mtu},
                     {"port_state", devinfo["port_state"]},
                     {"active_mtu_bytes", devinfo["active_mtu_bytes"]},
                     {"gid", devinfo["gid"]},
                     {"device", devinfo["device"]},
                     {"pings", pings},
                     {"exit_status", results[i].exit_status},
                     {"timed_out", results[i].timed_out},
                     {"boot_to_poweroff_seconds", results[i].seconds}});
    if (results[i].timed_out || results[i].exit_status != 0)
      add_finding("guest_failed", spec.name,
                  spec.name + ": the guest " +
                      (results[i].timed_out
                           ? "was killed at the " + std::to_string(options_.guest_timeout.count()) + " s timeout"
                           : "ended without finishing its checks") +
                      "; last output: " + tail(results[i].output));
    if (devinfo["port_state"] != "PORT_ACTIVE")
      add_finding("port_never_active", spec.name,
                  spec.name + ": the RDMA port never became ACTIVE (ibv_devinfo: " +
                      (devinfo["port_state"] == "NO_DEVICE"
                           ? std::string("no RDMA device listed")
                           : "port state " + devinfo["port_state"].get<std::string>()) +
                      "). No RDMA connection can reach this node, so Gluster traffic must stay on Ethernet until it "
                      "is fixed. On real InfiniBand check the cable, that a subnet manager runs (sminfo) and the "
                      "port state (ibstat).");
  }

  // MTU mismatch: the most common MTU is taken as the fabric's; every node with another one is named.
  std::map<int, std::vector<std::string>> by_mtu;
  std::map<int, int> active_mtu_of;
  for (const auto& node : nodes) {
    if (node["ipoib_mtu_bytes"].get<int>() == 0) continue; // its guest never reported a link: not an MTU finding
    by_mtu[node["ipoib_mtu_bytes"].get<int>()].push_back(node["name"]);
    int& active = active_mtu_of[node["ipoib_mtu_bytes"].get<int>()]; // nodes without a port report 0
    active      = std::max(active, node["active_mtu_bytes"].get<int>());
  }
  if (by_mtu.size() > 1) {
    auto common = std::max_element(by_mtu.begin(), by_mtu.end(),
                                   [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
    for (const auto& [mtu, names] : by_mtu) {
      if (mtu == common->first) continue;
      std::string explanation =
          "MTU mismatch: " + join(names) + " use" + (names.size() == 1 ? "s" : "") + " IPoIB MTU " +
          std::to_string(mtu) + " (RDMA active MTU " + std::to_string(active_mtu_of[mtu]) + ") while " +
          join(common->second) + " use " + std::to_string(common->first) + " (RDMA active MTU " +
          std::to_string(active_mtu_of[common->first]) +
          "). All interfaces of one IPoIB subnet need the same MTU: on real IPoIB a datagram larger than the "
          "receiver's MTU is dropped, not fragmented, so Gluster over IPoIB stalls on large writes. (The emulated "
          "link delivers oversized frames, so the MTUs are compared directly rather than inferred from pings.)";
      if (!failed_pings.empty())
        explanation += " Don't-fragment pings at the sender's MTU that failed: " + join(failed_pings) + ".";
      for (const auto& name : names)
        add_finding("mtu_mismatch", name, explanation);
    }
  } else if (!failed_pings.empty()) {
    add_finding("ping_failed", "",
                "Large pings with don't-fragment at the node MTU failed (" + join(failed_pings) +
                    ") although every node has the same MTU: a switch port or bridge in between has a smaller MTU.");
  }

  nlohmann::json benchmark = nlohmann::json::object();
  if (options_.benchmark && !sections.empty()) {
    auto& client_sections  = sections[0];
    benchmark["client"]    = last_json_line(client_sections["write"].text);
    benchmark["latency"]   = last_json_line(client_sections["latency"].text);
    nlohmann::json servers = nlohmann::json::array();
    for (size_t i = 1; i <= options_.replicas && i < sections.size(); ++i) {
      nlohmann::json sessions = nlohmann::json::array();
      for (const auto& [name, section] : sections[i])
        if (name.rfind("serve", 0) == 0)
          for (auto& session : json_lines(section.text))
            sessions.push_back(session);
      servers.push_back({{"node", options_.nodes[i].name}, {"sessions", sessions}});
    }
    benchmark["servers"]  = servers;
    const uint32_t rounds = options_.perftest ? std::max<uint32_t>(1, options_.rounds) : 1;
    if (options_.perftest) {
      benchmark["perftest"] = parse_perftest(client_sections["perftest"].text);
      benchmark["r1"]       = last_json_line(client_sections["r1"].text);
      // Every round's three figures, and their medians (the bench command's headline numbers).
      nlohmann::json per_round = nlohmann::json::array();
      std::vector<double> perftest_figures, r1_figures, rr_figures;
      for (uint32_t round = 1; round <= rounds; ++round) {
        const std::string k = round == 1 ? "" : " " + std::to_string(round);
        auto figure         = [](const nlohmann::json& value, const char* key) {
          return value.is_object() && value.contains(key) ? value[key].get<double>() : 0.0;
        };
        const double baseline = figure(parse_perftest(client_sections["perftest" + k].text), "ib_write_bw_MBps");
        const double r1       = figure(last_json_line(client_sections["r1" + k].text), "client_MBps");
        const double rr       = figure(last_json_line(client_sections["write" + k].text), "client_MBps");
        perftest_figures.push_back(baseline);
        r1_figures.push_back(r1);
        rr_figures.push_back(rr);
        per_round.push_back({{"ib_write_bw_MBps", baseline}, {"r1_MBps", r1}, {"rr_client_MBps", rr}});
      }
      auto median         = [](const std::vector<double>& values) { return percentile(values, 0.50).value_or(0.0); };
      benchmark["rounds"] = per_round;
      benchmark["median"] = {{"ib_write_bw_MBps", median(perftest_figures)},
                             {"r1_MBps", median(r1_figures)},
                             {"rr_client_MBps", median(rr_figures)}};
    }
    std::vector<std::string> server_names;
    for (size_t i = 1; i <= options_.replicas; ++i)
      server_names.push_back(options_.nodes[i].name);
    for (uint32_t round = 1; round <= rounds; ++round) {
      const Section& write        = client_sections[round == 1 ? "write" : "write " + std::to_string(round)];
      const nlohmann::json client = last_json_line(write.text);
      if (write.status == 0 && client.is_object() && client.value("all_verified", false)) continue;
      add_finding("benchmark_failed", options_.nodes[0].name,
                  "The replicated RDMA write from " + options_.nodes[0].name + " to " + join(server_names) +
                      (client.is_object() && client.contains("all_verified")
                           ? " completed but not every chunk was verified on every replica"
                           : " failed (exit status " + std::to_string(write.status) + "): " + tail(write.text, 300)));
      break;
    }
  }

  return {{"ok", findings.empty()}, {"nodes", nodes}, {"benchmark", benchmark}, {"findings", findings}};
}

} // namespace ibmig::rdma
