/* Readers of the measurements an admin takes on their own machines, for `ibmig calibrate`: iperf3 -J, fio JSON,
 * perftest's ib_write_bw text, dd's summary lines and ibmig emulate --json. Each keeps what it read and where it
 * came from; bad input is a ScenarioError naming the file and the JSON path (or "line N"). MB = 10^6 bytes. */
#pragma once

#include "units.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ibmig {

/* One iperf3 test: end.sum_received (TCP payload the receiver got) over start.test_start.num_streams streams. */
struct IperfRun {
  std::string file;
  int streams = 1;
  BitsPerSecond received; // end.sum_received.bits_per_second
  Seconds duration;       // end.sum_received.seconds
  std::string host;       // start.connecting_to.host
  std::string when;       // start.timestamp.time
};
IperfRun read_iperf3(const std::string& file);

/* One fio run: per direction, the jobs of one reporting group run together (their bandwidths add up); groups run
 * one after the other (stonewall), so the figure is the best group's. */
struct FioRun {
  std::string file;
  std::optional<BytesPerSecond> write; // jobs[].write.bw_bytes
  std::optional<BytesPerSecond> read;  // jobs[].read.bw_bytes
  std::string jobs;                    // "seqwrite (write, bs 1M), seqread (read, bs 1M)"
  std::string when;                    // "time"
};
FioRun read_fio(const std::string& file);

/* perftest ib_write_bw: the first result row after the "#bytes #iterations BW peak[MB/sec] BW average[MB/sec]"
 * header. Its MB/sec is read as 2^20 bytes per second, as the soft-RoCE plane's parser reads it
 * (emulation/rdma/rdma_plane.cpp, parse_perftest), and converted to bytes per second. */
struct PerftestRun {
  std::string file;
  Bytes message;
  long long iterations = 0;
  BytesPerSecond average; // BW average
  BytesPerSecond peak;    // BW peak
  int line = 0;           // of the result row
};
PerftestRun read_ib_write_bw(const std::string& file);

/* A dd summary line "N bytes (...) copied, T s, R MB/s": N and T (R is rounded). The block size is the bs= of a
 * dd command line written in the file before it (e.g. "$ dd if=/dev/zero of=/mnt/x bs=1M count=256
 * conv=fdatasync"), if any. */
struct DdRun {
  std::string file;
  int line = 0;
  Bytes bytes;
  Seconds seconds;
  std::optional<Bytes> block_size;
  BytesPerSecond rate() const { return BytesPerSecond{bytes.value / seconds.value}; }
};
std::vector<DdRun> read_dd(const std::string& file); // at least one
/* dd's own size syntax (GNU dd): 512, 4k, 4K, 1M, 1MB (10^6), 1MiB, 64KiB, 2G, 1w, 1b. */
std::optional<Bytes> parse_dd_size(const std::string& text);

/* The steps of an `ibmig emulate --json` report: what each took on this machine. */
struct EmulatedStep {
  std::string name;
  std::string action; // "start_service", "check_peers", ...
  bool ok       = false;
  bool measured = false; // timing "measured" (not "emulated-wait")
  std::optional<double> machine_s;
  std::string json_path; // "steps[3]"
};
struct EmulateReport {
  std::string file;
  std::string scenario;      // report's "scenario"
  std::string scenario_file; // report's "scenario_file", as the emulate command was given it
  std::vector<EmulatedStep> steps;
};
EmulateReport read_emulate_report(const std::string& file);

} // namespace ibmig
