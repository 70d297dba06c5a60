/* `ibmig emulate --rdma`: the plan's fabric checks on a real verbs stack. One soft-RoCE guest per node that has an
 * InfiniBand NIC, at the IPoIB MTU the plan configures on it; port state, active MTU, GID, large pings and the
 * replicated RDMA write benchmark (emulation/rdma/rdma_plane.hpp). */
#pragma once

#include "scenario.hpp"

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

} // namespace ibmig::cli
