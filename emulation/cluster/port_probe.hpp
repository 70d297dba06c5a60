/* The seam through which the plan replay asks real HCA ports for their state at a verify_port step, as
 * `ibv_devinfo -d DEV -i PORT` shows it. `ibmig emulate --rdma` plugs in soft-RoCE guests (cli/rdma_fabric.cpp,
 * emulation/rdma/port_query.hpp); without a probe the step's outcome is the model's, and the step says so.
 *
 * The replay tells the probe what the model holds about each port's world (the InfiniBand stack loaded, a cable in,
 * the subnet's IB MTU); the probe builds that world where it can (soft-RoCE: the rxe device added or not, the
 * guest NIC's carrier on or off, its Ethernet MTU) and reports what the real verbs stack then shows. */
#pragma once

#include "cluster_model.hpp"

#include <string>
#include <vector>

namespace ibmig::emu {

struct PortQuery {
  std::string node;
  std::string interface;
  int port          = 1;    // the HCA port the scenario names
  bool stack_loaded = true; // ib_ipoib and the verbs stack are loaded (soft-RoCE: the rxe device exists)
  bool cabled       = true; // a cable is in the port (soft-RoCE: the guest's link has carrier)
  int ib_mtu        = 2048; // the IB MTU the model expects the port to run at
};

struct PortReading {
  std::string node;
  std::string state;   // "PORT_ACTIVE", "PORT_DOWN", "PORT_INIT", ..., "NO_DEVICE"; empty when the probe failed
  int active_mtu = 0;  // bytes
  std::string device;  // "rxe0"
  std::string where;   // what answered: "soft-RoCE guest n1 (tcg, 31.4 s)", or why nothing did
  std::string text;    // what `ibv_devinfo` printed there (the lab shows it to the trainee)
  int exit_status = 0; // ibv_devinfo's
};

class PortProbe {
public:
  virtual ~PortProbe() = default;
  /* One reading per query, in the same order. */
  virtual std::vector<PortReading> probe(const std::vector<PortQuery>& ports) = 0;
};

/* The ports a verify_port step looks at: its nodes that are running and have the HCA, as the model has them. */
std::vector<PortQuery> port_queries(const Step& st, const ClusterModel& model);

/* The step's outcome from the readings: what it saw, and one failure per port that is not PORT_ACTIVE. */
struct PortOutcome {
  std::string seen;
  std::vector<std::string> failures;
};
PortOutcome port_outcome(const Step& st, const std::vector<PortQuery>& asked, const std::vector<PortReading>& got);

} // namespace ibmig::emu
