// ibmig-rdma-write: replicated RDMA write benchmark (see replicated_write.hpp and README.md).
//   ibmig-rdma-write serve   [--port P] [--bind ADDR] [--clients N] [--timeout SECONDS] [--poll event|busy]
//   ibmig-rdma-write write   --servers A[,B...] [--port P] [--bytes 64MiB] [--chunk 1MiB] [--depth 8]
//   ibmig-rdma-write latency --servers A[,B...] [--port P] [--chunk 4KiB] [--iterations 1000]
// Prints JSON on stdout. Exit status: 0 every chunk verified, 1 failure or checksum mismatch, 2 usage error,
// 3 no RDMA device.
#include "command_line.hpp"
#include "replicated_write.hpp"
#include "verbs.hpp"

#include <iostream>

namespace {

constexpr const char* kUsage =
    "usage: ibmig-rdma-write serve   [--port P] [--bind ADDR] [--clients N] [--timeout SECONDS] [--poll event|busy]\n"
    "       ibmig-rdma-write write   --servers A[,B...] [--port P] [--bytes 64MiB] [--chunk 1MiB] [--depth 8]\n"
    "                                [--connect-timeout SECONDS] [--poll event|busy]\n"
    "       ibmig-rdma-write latency --servers A[,B...] [--port P] [--chunk 4KiB] [--iterations 1000]\n"
    "                                [--connect-timeout SECONDS] [--poll event|busy]\n"
    "sizes need a unit: B, KiB, MiB, GiB (2^10 steps) or kB, MB, GB (10^3 steps)\n";

int run(int argc, char** argv)
{
  using namespace ibmig::rdma;
  using namespace ibmig::cli;
  CLI::App app("", "ibmig-rdma-write");
  follow_conventions(app);

  ServerOptions server;
  unsigned timeout_s = 300;
  std::string poll   = "event";
  CLI::App* serve    = app.add_subcommand("serve");
  serve->add_option("--port", server.port)->transform(whole_number(1, 65535));
  serve->add_option("--bind", server.bind_address)->check(utf8_text());
  serve->add_option("--clients", server.clients)->transform(whole_number(1, 10000));
  serve->add_option("--timeout", timeout_s)->transform(whole_number(1, 86400));
  serve->add_option("--poll", poll)->check(one_of({"event", "busy"}));

  ClientOptions client;
  unsigned connect_timeout_s = 60;
  for (const char* name : {"write", "latency"}) { // one set of options: the latency run takes the write's
    CLI::App* command = app.add_subcommand(name);
    command->add_option("--servers", client.servers)
        ->required()
        ->delimiter(',')
        ->allow_extra_args(false)
        ->check(list_item());
    command->add_option("--port", client.port)->transform(whole_number(1, 65535));
    command->add_option("--bytes", client.total_bytes)->transform(byte_count(1, 1ull << 40));
    command->add_option("--chunk", client.chunk_bytes)->transform(byte_count(1, 1ull << 30));
    command->add_option("--depth", client.depth)->transform(whole_number(1, 1024));
    command->add_option("--iterations", client.latency_iterations)->transform(whole_number(1, 100000000));
    command->add_option("--connect-timeout", connect_timeout_s)->transform(whole_number(0, 86400));
    command->add_option("--poll", poll)->check(one_of({"event", "busy"}));
  }
  if (!parse_command_line(app, argc, argv)) {
    std::cout << kUsage;
    return 0;
  }
  if (app.get_subcommands().empty()) throw UsageError("missing command");
  const std::string command = app.get_subcommands().front()->get_name();
  if (command == "serve") {
    server.timeout    = std::chrono::seconds(timeout_s);
    server.busy_poll  = poll == "busy";
    bool all_verified = true;
    for (const auto& session : run_server(server)) {
      std::cout << session.dump() << std::endl;
      all_verified = all_verified && session.value("all_verified", false);
    }
    return all_verified ? 0 : 1;
  }
  client.latency_mode = command == "latency";
  if (client.latency_mode && app.get_subcommand(command)->get_option("--chunk")->count() == 0)
    client.chunk_bytes = 4096;
  client.connect_timeout = std::chrono::seconds(connect_timeout_s);
  client.busy_poll       = poll == "busy";
  const auto report      = run_client(client);
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
  } catch (const ibmig::cli::UsageError& e) {
    std::cerr << "ibmig-rdma-write: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "ibmig-rdma-write: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ibmig-rdma-write: " << e.what() << "\n";
    return 1;
  }
}
