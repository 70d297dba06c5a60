/* The checker's rules that are about one state of the cluster, not about a plan: asked by the plan checker after
 * each step it applies, and by `ibmig lab status` about the state observed on a live lab (a ClusterModel whose state
 * was overwritten with the observation). One copy of each rule and of its words. */
#pragma once

#include "cluster_model.hpp"

#include <set>
#include <string>
#include <vector>

namespace ibmig {

/* The networks a plan brings up for storage: new hardware (NICs installed by the plan), a network the names are
 * re-pointed to, or InfiniBand replacing an Ethernet storage network. */
std::set<std::string> new_storage_networks(const Scenario& sc);

/* MTU_MISMATCH on `net`: "" when its interfaces agree, else what is wrong ("interfaces on network ... have different
 * MTUs (...)"), for mtu_mismatch_message. */
std::string mtu_mismatch(const ClusterModel& m, const std::string& net);
/* `when` ("step X pings across network ib", "lab status") + what is wrong, with the advice. */
std::string mtu_mismatch_message(const std::string& when, const std::string& what);

/* NAMES_NOT_REPOINTED (or PEER_ADDRESSES_NOT_REWRITTEN for a pool probed by IP): glusterd running on `nodes`
 * while the pool still points at the old network although a new one is up there. */
struct OldNetworkGlusterd {
  std::vector<std::string> nodes; // where glusterd (re)started on the old network
  std::set<std::string> new_up;   // the new networks that are up there
  std::string rule;               // NAMES_NOT_REPOINTED or PEER_ADDRESSES_NOT_REWRITTEN
};
OldNetworkGlusterd glusterd_on_old_network(const ClusterModel& m, const std::set<std::string>& new_nets,
                                           const std::vector<std::string>& glusterd_nodes);
/* `subject` names who did it ("step X (plan.steps[3]) starts glusterd on", "glusterd runs on"). */
std::string glusterd_on_old_network_message(const ClusterModel& m, const std::string& subject,
                                            const OldNetworkGlusterd& found);

/* What moves the pool to another network (its names, or for a pool probed by IP its state files): the rule id, where
 * the pool points ("the storage names still resolve to"), and the advice. */
std::string move_pool_rule(const Scenario& sc);
std::string where_pool_points(const Scenario& sc);
std::string move_pool_advice(const Scenario& sc);

/* "a, b and c": messages are read by people. */
std::string join_words(const std::vector<std::string>& items);

} // namespace ibmig
