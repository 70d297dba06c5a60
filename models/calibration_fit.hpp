/* `ibmig calibrate`: from measurements (calibration_inputs.hpp) to a calibration file, the same keys and
 * {value, source} form as a scenario's "calibration" section, each value with the file and what it measured.
 *   iperf3 -P 1 (and -P N)  -> stream_limits[]: one stream's TCP payload; scope "interface" unless -P N gave more
 *                              than 1.2x one stream
 *   fio on a brick          -> disks.NODE {write, read}: replaces nodes[].disk of that node
 *   dd through FUSE         -> fuse_request_s and fuse_MBps (two request sizes or more; one: what it can)
 *   ib_write_bw             -> rdma_write_MBps (recorded; the simulator has no RDMA transport), its ratio to the
 *                              technology's data rate printed
 *   ibmig emulate --json    -> the machine times (glusterd_start_s, gluster_check_s, mount_s, ...) */
#pragma once

#include "calibration_inputs.hpp"
#include "scenario.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ibmig {

/* Measurements that do not make a calibration (no one-stream iperf3 run, dd figures no cost model fits, ...):
 * the command prints what() and exits 2. */
class CalibrationError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/* Which link the iperf3 runs measured: the fields of the stream_limits rule they become. */
struct LinkDescription {
  StreamLink link = StreamLink::Ethernet;
  std::string technology; // empty: any
  std::string hca;        // empty: any (IPoIB only)
  int mtu = 0;            // 0: any
  std::string origin;     // "n1 ib0 of scenario.json" or "the command line"
};
std::string describe(const LinkDescription& l); // "ipoib-connected, MTU 65520, HCA ConnectX-3"

struct CalibrationInputs {
  std::vector<IperfRun> iperf3;
  std::optional<LinkDescription> link;             // required with iperf3
  std::vector<std::pair<std::string, FioRun>> fio; // node, run
  std::vector<PerftestRun> ib_write_bw;
  std::optional<Technology> fabric; // the technology whose data rate ib_write_bw is compared with
  std::vector<DdRun> dd;            // every one with its block size
  std::optional<EmulateReport> emulate;
  const Scenario* replayed = nullptr; // the scenario the emulate report replayed: node counts of its steps
  Calibration defaults;               // what a value not measured stays at (dd with one block size)
  std::string include;                // written as the file's "include" (another calibration file), if not empty
};

struct CalibrationFit {
  nlohmann::json doc;              // the calibration file
  std::vector<std::string> fitted; // one line per value: what it is, from what
  std::vector<std::string> notes;  // what could not be fitted, and why
};
CalibrationFit fit_calibration(const CalibrationInputs& in);

/* FUSE as a cost per request plus a copy rate (host_limits.hpp): a request of r = min(bs, 128 KiB) bytes takes
 * request_s + r / copy. Least squares of r / rate over r, from two request sizes or more. */
struct FuseFit {
  bool separated = false; // false: one request size, only their sum at that size is known
  Seconds request;
  BytesPerSecond copy;
  std::string how;           // what was fitted from what, and what was kept
  double worst_residual = 0; // largest |fitted - measured| / measured time per request over the points
};
FuseFit fit_fuse(const std::vector<DdRun>& runs, const Calibration& defaults);

} // namespace ibmig
