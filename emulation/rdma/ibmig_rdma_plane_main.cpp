// ibmig-rdma-plane: boots one soft-RoCE guest per node and runs the fabric checks (see rdma_plane.hpp).
//   ibmig-rdma-plane [--image DIR] [--nodes n1,n2,n3] [--mtu 65520] [--replicas 2] [--bytes 64MiB]
//                    [--fault port-never-active:NODE] [--fault mtu-mismatch:NODE[:MTU]] [--perftest [--rounds N]]
//                    [--no-benchmark] [--timeout SECONDS] [--keep-logs]
// Prints the JSON report. Exit status: 0 no finding, 1 findings, 2 usage error, 3 cannot run here, 130 interrupted.
#include "command_line.hpp"
#include "rdma_plane.hpp"

#include <iomanip>
#include <iostream>

namespace {

constexpr const char* kUsage =
    "usage: ibmig-rdma-plane [--image DIR] [--nodes n1,n2,n3] [--mtu 65520] [--replicas 2] [--bytes 64MiB]\n"
    "                        [--fault port-never-active:NODE] [--fault mtu-mismatch:NODE[:MTU]] [--perftest [--rounds "
    "N]]\n"
    "                        [--no-benchmark] [--timeout SECONDS] [--keep-logs]\n"
    "sizes need a unit: B, KiB, MiB, GiB (2^10 steps) or kB, MB, GB (10^3 steps)\n";

ibmig::rdma::NodeSpec& find_node(ibmig::rdma::PlaneOptions& options, const std::string& name)
{
  for (auto& node : options.nodes)
    if (node.name == name) return node;
  throw std::invalid_argument("--fault names unknown node \"" + name + "\"");
}

// One line per figure, for people; the JSON on stdout is for programs.
void print_summary(const nlohmann::json& report, std::ostream& out)
{
  const auto& bench = report["benchmark"];
  auto number       = [](const nlohmann::json& value, const char* key) {
    return value.is_object() && value.contains(key) && value[key].is_number() ? value[key].get<double>() : -1.0;
  };
  out << std::fixed << std::setprecision(1);
  for (const auto& node : report["nodes"])
    out << "node " << node["name"].get<std::string>() << ": " << node["port_state"].get<std::string>()
        << ", active MTU " << node["active_mtu_bytes"] << ", IPoIB MTU " << node["ipoib_mtu_bytes"] << ", GID "
        << node["gid"].get<std::string>() << "\n";
  const double baseline = number(bench.value("perftest", nlohmann::json()), "ib_write_bw_MBps");
  if (baseline > 0) out << "perftest ib_write_bw (1 server):            " << baseline << " MB/s\n";
  const double r1 = number(bench.value("r1", nlohmann::json()), "client_MBps");
  if (r1 > 0)
    out << "ibmig-rdma-write R=1:                      " << r1 << " MB/s"
        << (baseline > 0 ? " (" + std::to_string(static_cast<int>(100 * r1 / baseline + 0.5)) + "% of ib_write_bw)"
                         : "")
        << "\n";
  if (bench.contains("rounds") && bench["rounds"].size() > 1) {
    int round = 0;
    for (const auto& r : bench["rounds"])
      out << "round " << ++round << ": ib_write_bw " << number(r, "ib_write_bw_MBps") << ", R=1 "
          << number(r, "r1_MBps") << ", R=2 per client " << number(r, "rr_client_MBps") << " MB/s\n";
    const auto& m = bench["median"];
    out << "median of " << round << " rounds: ib_write_bw " << number(m, "ib_write_bw_MBps") << " MB/s, R=1 "
        << number(m, "r1_MBps") << " MB/s ("
        << static_cast<int>(100 * number(m, "r1_MBps") / number(m, "ib_write_bw_MBps") + 0.5)
        << "% of ib_write_bw), R=2 per client " << number(m, "rr_client_MBps") << " MB/s\n";
  }
  const auto client = bench.value("client", nlohmann::json());
  if (number(client, "client_MBps") > 0) {
    out << "ibmig-rdma-write R=" << client["replicas"] << ": per client " << number(client, "client_MBps")
        << " MB/s, aggregate " << number(client, "aggregate_MBps") << " MB/s, per replica";
    for (const auto& replica : client["per_replica"])
      out << " " << number(replica, "MBps");
    out << " MB/s, all verified: " << (client.value("all_verified", false) ? "yes" : "no") << "\n";
  }
  const auto latency = bench.value("latency", nlohmann::json());
  if (latency.is_object() && latency.contains("latency_us"))
    out << "replicated 4 KiB write latency (R=" << latency["replicas"] << "): median "
        << number(latency["latency_us"], "median") << " us, p99 " << number(latency["latency_us"], "p99") << " us\n";
  out << "run " << report["run_id"].get<std::string>() << " (" << report["accelerator"].get<std::string>()
      << "): " << number(report, "seconds") << " s\n";
}

int run(int argc, char** argv)
{
  using namespace ibmig::rdma;
  using namespace ibmig::cli;
  PlaneOptions options;
  options.image_dir              = "build/guest";
  std::vector<std::string> names = {"n1", "n2", "n3"};
  std::vector<std::string> faults;
  uint32_t mtu       = 65520;
  unsigned timeout_s = static_cast<unsigned>(options.guest_timeout.count());
  CLI::App app("", "ibmig-rdma-plane");
  follow_conventions(app);
  app.add_option("--image", options.image_dir)->check(utf8_text());
  app.add_option("--nodes", names)->delimiter(',')->allow_extra_args(false)->check(list_item());
  app.add_option("--mtu", mtu)->transform(whole_number(1280, 65520));
  app.add_option("--replicas", options.replicas)->transform(whole_number(1, 64));
  app.add_option("--bytes", options.write_bytes)->transform(byte_count(1, 1ull << 40));
  app.add_option("--fault", faults)->allow_extra_args(false)->check(utf8_text());
  app.add_flag("--perftest", options.perftest);
  app.add_option("--rounds", options.rounds)->transform(whole_number(1, 100));
  CLI::Option* no_benchmark = app.add_flag("--no-benchmark");
  app.add_option("--timeout", timeout_s)->transform(whole_number(1, 86400));
  app.add_flag("--keep-logs", options.keep_logs);
  if (!parse_command_line(app, argc, argv)) {
    std::cout << kUsage;
    return 0;
  }
  options.benchmark     = no_benchmark->count() == 0;
  options.guest_timeout = std::chrono::seconds(timeout_s);
  for (const auto& name : names)
    options.nodes.push_back({name, mtu, true});
  for (const auto& fault : faults) {
    // KIND:NODE[:MTU]
    const size_t first     = fault.find(':');
    const size_t second    = first == std::string::npos ? first : fault.find(':', first + 1);
    const std::string kind = fault.substr(0, first);
    const std::string node = first == std::string::npos ? "" : fault.substr(first + 1, second - first - 1);
    if (kind == "port-never-active" && second == std::string::npos)
      find_node(options, node).port_up = false;
    else if (kind == "mtu-mismatch") {
      std::string fault_mtu = second == std::string::npos ? "1500" : fault.substr(second + 1);
      if (std::string problem = whole_number(1280, 65520)(fault_mtu); !problem.empty())
        throw UsageError("--fault " + fault + ": " + problem);
      find_node(options, node).ipoib_mtu_bytes = static_cast<uint32_t>(std::stoul(fault_mtu));
    } else
      throw std::invalid_argument("unknown fault \"" + fault + "\" (port-never-active:NODE, mtu-mismatch:NODE[:MTU])");
  }
  if (std::string reason = RdmaPlane::unavailable_reason(options.image_dir); !reason.empty()) {
    std::cerr << "ibmig-rdma-plane: cannot run: " << reason << "\n";
    return 3;
  }
  const nlohmann::json report = RdmaPlane(options).run();
  std::cout << report.dump(2) << std::endl;
  print_summary(report, std::cerr);
  for (const auto& finding : report["findings"])
    std::cerr << "finding: " << finding["explanation"].get<std::string>() << "\n";
  return report["ok"].get<bool>() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
  try {
    return run(argc, argv);
  } catch (const ibmig::rdma::Interrupted& e) {
    std::cerr << "ibmig-rdma-plane: " << e.what() << "\n";
    return 130;
  } catch (const ibmig::cli::UsageError& e) {
    std::cerr << "ibmig-rdma-plane: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "ibmig-rdma-plane: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ibmig-rdma-plane: " << e.what() << "\n";
    return 1;
  }
}
