/* Predicted (simulator) versus measured (emulator) figures, with a tolerance per kind of figure. */
#pragma once

#include "report.hpp"

#include <string>
#include <vector>

namespace ibmig::emu {

constexpr double throughput_tolerance_pct = 15;
constexpr double nic_ratio_tolerance_pct  = 10;
constexpr double step_tolerance_pct       = 50; // a step's machine time: a few seconds of commands and polling
/* Downtime: both clocks time a step alike (runbook duration or machine time, whichever is longer), so the two differ
 * only where the machine here took longer than the runbook allows. */
constexpr double downtime_tolerance_pct = 5;
/* A node's heal after a crash: the simulator's heal rate (heal_MBps) is an assumption, and here the self-heal
 * daemon's crawl and this machine's 2 shared cores add seconds. */
constexpr double heal_tolerance_pct = 50;
/* A live migration's time: the same rounds' bytes over a shaped veth (TCP's start and the shaper's burst add a
 * little to each round). */
constexpr double migration_tolerance_pct = 25;

/* concurrent: the VMs of a phase ran together, so a node's NIC counter holds all its VMs' copies and what its
 * bricks sent to other nodes' readers: the NIC rows are then per node (its NIC on storage_network, the one the
 * storage names point to before the migration), against the simulator's NIC bytes. */
std::vector<ComparisonRow> build_comparison(const Report& measured, const Report& predicted,
                                            const std::string& workload_note, bool concurrent = false,
                                            const std::string& storage_network = "");

} // namespace ibmig::emu
