/* After the run: every file the VMs wrote is read back from every data brick of its replica set (the brick
 * directories directly, not through Gluster) and compared with its deterministic pattern (workload.hpp). */
#pragma once

#include "cluster.hpp"
#include "plan_replay.hpp"
#include "report.hpp"
#include "workload_phase.hpp"

#include <vector>

namespace ibmig::emu {

Verification verify_written_files(const Scenario& sc, const RunLayout& layout, const std::vector<WrittenFile>& written);

/* The verification of a run. When the plan's replay succeeded but replicas differ, waits for self-heal on every
 * volume (`replay`'s wait_heal, at most heal_deadline_s; what it says goes to `events`) and verifies again: right
 * after a restart some writes reached one replica only, and self-heal repairs that. */
Verification verify_replicas(EmulatedCluster& cluster, const std::vector<WrittenFile>& written, PlanReplayer& replay,
                             bool replay_ok, double heal_deadline_s, std::vector<Event>& events);

} // namespace ibmig::emu
