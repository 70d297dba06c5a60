// ibmig-rdma-write: replicated RDMA write benchmark (see replicated_write.hpp and README.md).
//   ibmig-rdma-write serve   [--port P] [--bind ADDR] [--clients N] [--timeout SECONDS] [--poll event|busy]
//   ibmig-rdma-write write   --servers A[,B...] [--port P] [--bytes 64MiB] [--chunk 1MiB] [--depth 8]
//   ibmig-rdma-write latency --servers A[,B...] [--port P] [--chunk 4KiB] [--iterations 1000]
// Prints JSON on stdout. Exit status: 0 every chunk verified, 1 failure or checksum mismatch, 2 usage error,
// 3 no RDMA device.
#include "replicated_write.hpp"
#include "size_arguments.hpp"
#include "verbs.hpp"

#include <iostream>
#include <map>

namespace {

constexpr const char* kUsage =
    "usage: ibmig-rdma-write serve   [--port P] [--bind ADDR] [--clients N] [--timeout SECONDS] [--poll event|busy]\n"
    "       ibmig-rdma-write write   --servers A[,B...] [--port P] [--bytes 64MiB] [--chunk 1MiB] [--depth 8]\n"
    "                                [--connect-timeout SECONDS] [--poll event|busy]\n"
    "       ibmig-rdma-write latency --servers A[,B...] [--port P] [--chunk 4KiB] [--iterations 1000]\n";

std::map<std::string, std::string> parse_options(int argc, char** argv)
{
  std::map<std::string, std::string> options;
  for (int i = 2; i < argc; i += 2) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || i + 1 >= argc)
      throw std::invalid_argument("expected --option value, got \"" + name + "\"");
    options[name.substr(2)] = argv[i + 1];
  }
  return options;
}

std::string take(std::map<std::string, std::string>& options, const std::string& name, const std::string& fallback)
{
  auto found = options.find(name);
  if (found == options.end()) return fallback;
  std::string value = found->second;
  options.erase(found);
  return value;
}

int run(int argc, char** argv)
{
  using namespace ibmig::rdma;
  if (argc < 2) throw std::invalid_argument("missing command");
  const std::string command = argv[1];
  auto options              = parse_options(argc, argv);
  const auto port           = static_cast<uint16_t>(std::stoul(take(options, "port", "7471")));
  if (command == "serve") {
    ServerOptions server;
    server.port         = port;
    server.bind_address = take(options, "bind", "0.0.0.0");
    server.clients      = static_cast<uint32_t>(std::stoul(take(options, "clients", "1")));
    server.timeout      = std::chrono::seconds(std::stoul(take(options, "timeout", "300")));
    server.busy_poll    = take(options, "poll", "event") == "busy";
    if (!options.empty()) throw std::invalid_argument("unknown option --" + options.begin()->first);
    bool all_verified = true;
    for (const auto& session : run_server(server)) {
      std::cout << session.dump() << std::endl;
      all_verified = all_verified && session.value("all_verified", false);
    }
    return all_verified ? 0 : 1;
  }
  if (command != "write" && command != "latency") throw std::invalid_argument("unknown command \"" + command + "\"");
  ClientOptions client;
  client.port               = port;
  client.latency_mode       = command == "latency";
  client.servers            = split_list(take(options, "servers", ""));
  client.total_bytes        = parse_bytes(take(options, "bytes", "64MiB"));
  client.chunk_bytes        = parse_bytes(take(options, "chunk", client.latency_mode ? "4KiB" : "1MiB"));
  client.depth              = static_cast<uint32_t>(std::stoul(take(options, "depth", "8")));
  client.latency_iterations = static_cast<uint32_t>(std::stoul(take(options, "iterations", "1000")));
  client.connect_timeout    = std::chrono::seconds(std::stoul(take(options, "connect-timeout", "60")));
  client.busy_poll          = take(options, "poll", "event") == "busy";
  if (!options.empty()) throw std::invalid_argument("unknown option --" + options.begin()->first);
  if (client.servers.empty()) throw std::invalid_argument("--servers is required");
  const auto report = run_client(client);
  std::cout << report.dump() << std::endl;
  return report.value("all_verified", false) ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
  try {
    return run(argc, argv);
  } catch (const ibmig::rdma::NoRdmaDevice& e) {
    std::cerr << "ibmig-rdma-write: " << e.what() << "\n";
    return 3;
  } catch (const std::invalid_argument& e) {
    std::cerr << "ibmig-rdma-write: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ibmig-rdma-write: " << e.what() << "\n";
    return 1;
  }
}
