/* `ibmig emulate --rdma`: the plan's fabric checks on a real verbs stack. One soft-RoCE guest per node that has an
 * InfiniBand NIC (its first cabled one), at the IPoIB MTU the plan configures on it; port state, active MTU, GID, large
 * pings and the replicated RDMA write benchmark (emulation/rdma/rdma_plane.hpp). */
#pragma once

#include "scenario.hpp"
#ifdef IBMIG_HAVE_EMULATION
#include "port_probe.hpp"
#endif

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace ibmig::cli {

/* --inject names the RDMA plane understands (others go to the emulator). */
bool is_rdma_fault(const std::string& name);

/* Runs the plane; returns its JSON report (with "ok" and "findings"), or {"skipped": reason} when it cannot run. */
nlohmann::json run_rdma_fabric(const Scenario& sc, const std::vector<std::string>& faults,
                               const std::string& image_dir);

void print_rdma_summary(const nlohmann::json& rdma, std::ostream& out);

/* The soft-RoCE guest image: next to the ibmig binary (setup.sh builds it into build/guest). */
std::string guest_image_dir();

#ifdef IBMIG_HAVE_EMULATION
/* verify_port steps of the replay ask soft-RoCE guests (emulation/rdma/port_query.hpp), one boot per step. */
class GuestPortProbe : public emu::PortProbe {
public:
  explicit GuestPortProbe(std::string image_dir, std::ostream* log = nullptr)
      : image_dir_(std::move(image_dir)), log_(log)
  {
  }
  std::vector<emu::PortReading> probe(const std::vector<emu::PortQuery>& ports) override;

private:
  std::string image_dir_;
  std::ostream* log_;
};
#endif

} // namespace ibmig::cli
