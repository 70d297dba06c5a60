#include "mistakes.hpp"

#include "topology.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace ibmig::emu {

const std::vector<std::string>& known_mistakes()
{
  static const std::vector<std::string> names = {"names-not-repointed", "mtu-mismatch", "client-left-mounted",
                                                 "node-does-not-return"};
  return names;
}

namespace {
void remove_node(Step& st, const std::string& node)
{
  st.nodes.erase(std::remove(st.nodes.begin(), st.nodes.end(), node), st.nodes.end());
}

/* The node of the first VM: a hypervisor whose client the mistakes single out. */
std::string first_client_node(const Scenario& sc)
{
  if (!sc.workload.vms.empty()) return sc.workload.vms.front().node;
  for (auto const& n : sc.nodes)
    if (n.hypervisor) return n.name;
  return sc.nodes.front().name;
}

std::string last_server(const Scenario& sc)
{
  for (auto it = sc.nodes.rbegin(); it != sc.nodes.rend(); ++it)
    if (it->server) return it->name;
  return sc.nodes.back().name;
}

Step injected_step(const std::string& name, Action a, const std::string& mistake)
{
  Step st;
  st.name      = name;
  st.action    = a;
  st.json_path = "inject:" + mistake;
  return st;
}
} // namespace

MistakenPlan apply_mistakes(const Scenario& sc, const std::vector<std::string>& names)
{
  MistakenPlan mp;
  std::vector<Step> steps = sc.plan.steps;
  std::vector<std::pair<std::string, std::string>> preinstalled; // (node, NIC) present from the start
  for (auto const& m : names) {
    if (m == "names-not-repointed") {
      auto before = steps.size();
      steps.erase(
          std::remove_if(steps.begin(), steps.end(), [](const Step& s) { return s.action == Action::RepointNames; }),
          steps.end());
      if (steps.size() == before)
        throw std::invalid_argument("names-not-repointed: the plan has no repoint_names step");
      mp.descriptions.push_back("the repoint_names step(s) were skipped: storage names still resolve to the old "
                                "network");
    } else if (m == "mtu-mismatch") {
      auto it = std::find_if(steps.begin(), steps.end(),
                             [](const Step& s) { return s.action == Action::ConfigureInterface && !s.nodes.empty(); });
      if (it == steps.end()) throw std::invalid_argument("mtu-mismatch: the plan has no configure_interface step");
      std::string victim = it->nodes.size() > 1 ? it->nodes[1] : it->nodes[0];
      auto nic           = sc.find_node(victim)->find_nic(it->interface);
      int mtu            = it->mtu ? it->mtu : (nic ? nic->mtu : 1500);
      auto net           = nic ? sc.find_network(nic->network) : nullptr;
      int default_mtu    = net ? sc.technology_of(*net).mtu_default : 1500;
      int wrong          = mtu > default_mtu ? default_mtu : (mtu > 1500 ? 1500 : 9000);
      Step odd           = *it;
      odd.nodes          = {victim};
      odd.mtu            = wrong;
      odd.name           = it->name + " (" + victim + ": MTU " + std::to_string(wrong) + ")";
      odd.json_path      = it->json_path; // same place in the runbook, only the MTU differs
      remove_node(*it, victim);
      if (it->nodes.empty())
        *it = odd;
      else
        steps.insert(it + 1, odd);
      mp.victim_node = victim;
      mp.descriptions.push_back(victim + "'s " + odd.interface + " was configured with MTU " + std::to_string(wrong) +
                                " instead of " + std::to_string(mtu));
    } else if (m == "client-left-mounted") {
      std::string victim = first_client_node(sc);
      // The node keeps running (no power cycle, which would end the mount) and its client is never remounted.
      auto affected = [](const Step& s) {
        return s.action == Action::StopClients || s.action == Action::StartClients ||
               s.action == Action::RemountClients || s.action == Action::PowerOff || s.action == Action::PowerOn;
      };
      // A node that is not power-cycled cannot have a card installed in this window: its HCA went in earlier.
      for (auto& st : steps)
        if (st.action == Action::InstallNic && std::count(st.nodes.begin(), st.nodes.end(), victim)) {
          preinstalled.push_back({victim, st.interface});
          remove_node(st, victim);
        }
      auto affected_or_empty_install = [&](const Step& s) {
        return (affected(s) || s.action == Action::InstallNic) && s.nodes.empty();
      };
      for (auto& st : steps)
        if (affected(st)) remove_node(st, victim);
      steps.erase(std::remove_if(steps.begin(), steps.end(), affected_or_empty_install), steps.end());
      // The old storage network goes away right after the names move (the decommissioning an admin would do).
      auto last_repoint =
          std::find_if(steps.rbegin(), steps.rend(), [](const Step& s) { return s.action == Action::RepointNames; });
      auto pos = last_repoint == steps.rend() ? steps.end() : last_repoint.base();
      std::map<std::string, std::vector<std::string>> by_iface; // old storage NIC name -> nodes
      Topology present(sc, /*include_absent_nics=*/false);
      for (auto const& n : sc.nodes)
        for (const Nic* nic : present.nics_on(n.name, sc.storage_names.network))
          by_iface[nic->name].push_back(n.name);
      std::vector<Step> downs;
      for (auto const& [iface, nodes] : by_iface) {
        Step down      = injected_step("Take the old storage network down (" + iface + ")", Action::InterfaceDown, m);
        down.interface = iface;
        down.nodes     = nodes;
        downs.push_back(down);
      }
      steps.insert(pos, downs.begin(), downs.end());
      mp.victim_node = victim;
      mp.descriptions.push_back("the Gluster client on " + victim +
                                " stayed mounted (VMs on it kept running, it was "
                                "never remounted; its HCA had gone in during an earlier window) and the old storage "
                                "network was taken down");
    } else if (m == "node-does-not-return") {
      std::string victim = last_server(sc);
      bool found         = false;
      for (auto& st : steps)
        if (st.action == Action::PowerOn && std::count(st.nodes.begin(), st.nodes.end(), victim)) {
          remove_node(st, victim);
          found = true;
        }
      steps.erase(std::remove_if(steps.begin(), steps.end(),
                                 [](const Step& s) { return s.action == Action::PowerOn && s.nodes.empty(); }),
                  steps.end());
      if (!found) { // a plan without a power cycle: the node crashes before the first check instead
        auto pos  = std::find_if(steps.begin(), steps.end(), [](const Step& s) {
          return s.action == Action::CheckPeers || s.action == Action::CheckVolume;
        });
        Step off  = injected_step(victim + " fails and stays off", Action::PowerOff, m);
        off.nodes = {victim};
        steps.insert(pos, off);
      }
      mp.victim_node = victim;
      mp.descriptions.push_back(victim + " did not come back after power off");
    } else {
      std::string known;
      for (auto const& k : known_mistakes())
        known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument("unknown mistake \"" + m + "\" (known: " + known + ")");
    }
  }
  // Intended name network after each step, from the original plan: a skipped repoint still counts as intended. A
  // pool probed by IP moves with its state files, whatever the names say.
  std::map<std::string, std::string> after_original;
  std::string net = sc.storage_names.network;
  Action moves    = sc.storage_names.by_ip() ? Action::RewritePeerAddresses : Action::RepointNames;
  for (auto const& st : sc.plan.steps) {
    if (st.action == moves) net = st.network;
    after_original[st.json_path] = net;
  }
  std::string current    = sc.storage_names.network;
  mp.scenario            = sc;
  mp.scenario.plan.steps = steps;
  for (auto const& [node, nic] : preinstalled)
    for (auto& n : mp.scenario.nodes)
      for (auto& x : n.nics)
        if (n.name == node && x.name == nic) { // as the driver brings a new card up: its default MTU, datagram
          const Technology& tech = sc.technology_of(*sc.find_network(x.network));
          x.present              = true;
          x.mtu                  = tech.mtu_default;
          x.mode                 = tech.kind == LinkKind::InfiniBand ? IpoibMode::Datagram : IpoibMode::None;
        }
  for (auto const& st : steps) {
    auto it = after_original.find(st.json_path);
    if (it != after_original.end()) current = it->second;
    mp.intended_names_network.push_back(current);
  }
  return mp;
}

} // namespace ibmig::emu
