#include "scenario_expansion.hpp"

#include "name_pattern.hpp"
#include "scenario_error.hpp"

#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

using nlohmann::json;

namespace ibmig {

std::string WrittenAt::of(const std::string& expanded) const
{
  for (size_t end = expanded.size();;) {
    auto it = at_.find(expanded.substr(0, end));
    if (it != at_.end()) return it->second + expanded.substr(end);
    size_t cut = expanded.find_last_of(".[", end == 0 ? 0 : end - 1);
    if (end == 0 || cut == std::string::npos || cut == 0) return expanded;
    end = cut;
  }
}

bool is_compact_path(const std::string& path)
{
  std::string first = path.substr(0, path.find_first_of(".["));
  return first == "defaults" || first == "node_groups";
}

namespace {

/* One expanded node or VM: its value and, for each of its values (paths relative to it: "", ".disk.write",
 * ".nics[1]"), the path in the file that wrote it. */
struct Item {
  json value = json::object();
  std::map<std::string, std::string> written;
  std::map<std::string, std::string> group_of; // leaf -> the node group that set it, to refuse two
};

bool under(const std::string& path, const std::string& prefix)
{
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

template <class Map> void erase_under(Map& m, const std::string& rel)
{
  for (auto it = m.lower_bound(rel); it != m.end() && it->first.compare(0, rel.size(), rel) == 0;)
    it = under(it->first, rel) ? m.erase(it) : std::next(it);
}

void record_all(const json& v, const std::string& rel, const std::string& src, Item& item)
{
  item.written[rel] = src;
  if (v.is_object())
    for (auto it = v.begin(); it != v.end(); ++it)
      record_all(it.value(), rel + "." + it.key(), src + "." + it.key(), item);
  else if (v.is_array())
    for (size_t i = 0; i < v.size(); i++)
      record_all(v[i], rel + "[" + std::to_string(i) + "]", src + "[" + std::to_string(i) + "]", item);
}

/* Merges one layer (defaults, a node group, the entry itself) into an item: objects field by field, NICs by name,
 * everything else replaced. `group` is the node group's name when the layer is one. */
class Merger {
public:
  Merger(Item& item, const std::string& file, const std::string& item_name, std::string group)
      : item_(item), file_(file), name_(item_name), group_(std::move(group))
  {
  }

  void merge(json& dst, const json& src, const std::string& rel, const std::string& src_path)
  {
    if (!(src.is_object() && dst.is_object())) return replace(dst, src, rel, src_path);
    item_.written[rel] = src_path; // the most specific layer names the object
    for (auto it = src.begin(); it != src.end(); ++it) {
      std::string k = it.key();
      if (rel.empty() && k == "nics" && it.value().is_array() && (!dst.contains(k) || dst[k].is_array())) {
        merge_nics(dst[k], it.value(), src_path + ".nics");
        continue;
      }
      if (!dst.contains(k)) dst[k] = nullptr;
      merge(dst[k], it.value(), rel + "." + k, src_path + "." + k);
    }
  }

  /* A NIC of the same name is merged field by field; a new name is added after the others. */
  void merge_nics(json& dst, const json& src, const std::string& src_path)
  {
    if (!dst.is_array()) dst = json::array();
    item_.written[".nics"] = src_path;
    for (size_t i = 0; i < src.size(); i++) {
      const json& nic = src[i];
      size_t k        = dst.size();
      if (nic.is_object() && nic.contains("name"))
        for (size_t j = 0; j < dst.size(); j++)
          if (dst[j].is_object() && dst[j].value("name", json()) == nic["name"]) k = j;
      if (k == dst.size()) dst.push_back(json::object());
      merge(dst[k], nic, ".nics[" + std::to_string(k) + "]", src_path + "[" + std::to_string(i) + "]");
    }
  }

private:
  void replace(json& dst, const json& src, const std::string& rel, const std::string& src_path)
  {
    if (!group_.empty() && dst != src) // two groups agreeing (a NIC's name) is no conflict
      for (auto it = item_.group_of.lower_bound(rel); it != item_.group_of.end(); ++it) {
        if (it->first.compare(0, rel.size(), rel) != 0) break;
        if (!under(it->first, rel) || it->second == group_) continue;
        auto by = item_.written.find(it->first);
        throw ScenarioError(file_, src_path,
                            "node " + name_ + " is also in group " + it->second + ", which sets " +
                                it->first.substr(1) + " too" +
                                (by == item_.written.end() ? "" : " (" + by->second + ")") +
                                ": set it in one group, or on the node itself");
      }
    erase_under(item_.written, rel);
    erase_under(item_.group_of, rel);
    dst = src;
    record_all(src, rel, src_path, item_);
    if (!group_.empty()) record_leaves(src, rel);
  }

  /* Leaves only: two groups may set different fields of one object (disk.write and disk.read). */
  void record_leaves(const json& v, const std::string& rel)
  {
    if (!v.is_object() || v.empty()) {
      item_.group_of[rel] = group_;
      return;
    }
    for (auto it = v.begin(); it != v.end(); ++it)
      record_leaves(it.value(), rel + "." + it.key());
  }

  Item& item_;
  const std::string& file_;
  std::string name_;
  std::string group_;
};

/* {n}, {n+K}, {name} in every string of an item, an error naming the path where the string was written. */
void substitute_all(json& v, const std::string& rel, const PatternName& of, Item& item, const std::string& file,
                    const std::string& what)
{
  if (v.is_string() && rel != ".name") {
    const std::string s = v.get<std::string>();
    if (!has_placeholder(s)) return;
    try {
      v = substitute_placeholders(s, of);
    } catch (const std::invalid_argument& e) {
      throw ScenarioError(file, item.written.at(rel), std::string(e.what()) + " (for " + what + " " + of.name + ")");
    }
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it)
      substitute_all(it.value(), rel + "." + it.key(), of, item, file, what);
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); i++)
      substitute_all(v[i], rel + "[" + std::to_string(i) + "]", of, item, file, what);
  }
}

std::vector<PatternName> names_of(const std::string& pattern, const std::string& file, const std::string& path)
{
  try {
    return expand_range(pattern);
  } catch (const std::invalid_argument& e) {
    throw ScenarioError(file, path, e.what());
  }
}

/* A list of names, each possibly a range, or one such string: ["n1", "n{3..4}"] or "n{1..4}". */
std::vector<std::pair<PatternName, std::string>> name_list(const json& v, const std::string& file,
                                                           const std::string& path)
{
  std::vector<std::pair<PatternName, std::string>> out;
  auto add = [&](const json& s, const std::string& at) {
    if (!s.is_string()) throw ScenarioError(file, at, "expected a name or a range like \"n{1..4}\", got " + s.dump());
    for (auto& n : names_of(s.get<std::string>(), file, at))
      out.emplace_back(n, at);
  };
  if (v.is_array()) {
    for (size_t i = 0; i < v.size(); i++)
      add(v[i], path + "[" + std::to_string(i) + "]");
  } else {
    add(v, path);
  }
  if (out.empty()) throw ScenarioError(file, path, "names no node");
  return out;
}

const json* object_field(const json& parent, const std::string& key, const std::string& file, const std::string& path)
{
  if (!parent.contains(key)) return nullptr;
  const json& v = parent[key];
  if (!v.is_object()) throw ScenarioError(file, path, "expected an object, got " + std::string(v.type_name()));
  return &v;
}

void refuse(const json& layer, const std::string& key, const std::string& file, const std::string& path,
            const std::string& why)
{
  if (layer.contains(key)) throw ScenarioError(file, path + "." + key, why);
}

struct NodeGroup {
  std::string name, path;
  json fields; // the group's node fields, without "nodes"
};

class Expander {
public:
  Expander(const json& doc, const std::string& file) : doc_(doc), file_(file) { out_.document = doc; }

  ExpandedScenario run()
  {
    read_defaults();
    read_groups();
    expand_nodes();
    expand_vms();
    expand_bricks();
    out_.document.erase("defaults");
    out_.document.erase("node_groups");
    return std::move(out_);
  }

private:
  void read_defaults()
  {
    const json* d = object_field(doc_, "defaults", file_, "defaults");
    if (!d) return;
    for (auto it = d->begin(); it != d->end(); ++it)
      if (it.key() != "node" && it.key() != "nics" && it.key() != "vm")
        throw ScenarioError(file_, "defaults." + it.key(), "unknown field (defaults has \"node\", \"nics\", \"vm\")");
    if (const json* node = object_field(*d, "node", file_, "defaults.node")) {
      refuse(*node, "name", file_, "defaults.node", "a default cannot name a node");
      refuse(*node, "nics", file_, "defaults.node", "the NICs every node has go in defaults.nics");
      Merger(node_base_, file_, "", "").merge(node_base_.value, *node, "", "defaults.node");
    }
    if (d->contains("nics")) {
      const json& nics = (*d)["nics"];
      if (!nics.is_array()) throw ScenarioError(file_, "defaults.nics", "expected a list of NICs");
      std::set<json> names;
      for (size_t i = 0; i < nics.size(); i++) {
        std::string at = "defaults.nics[" + std::to_string(i) + "]";
        if (!nics[i].is_object() || !nics[i].contains("name"))
          throw ScenarioError(file_, at, "a default NIC needs its name (a node's own NIC of that name adds to it)");
        if (!names.insert(nics[i]["name"]).second)
          throw ScenarioError(file_, at + ".name", "NIC " + nics[i]["name"].dump() + " is listed twice");
      }
      Merger m(node_base_, file_, "", "");
      m.merge_nics(node_base_.value["nics"], nics, "defaults.nics");
    }
    if (const json* vm = object_field(*d, "vm", file_, "defaults.vm")) {
      refuse(*vm, "name", file_, "defaults.vm", "a default cannot name a VM");
      Merger(vm_base_, file_, "", "").merge(vm_base_.value, *vm, "", "defaults.vm");
    }
  }

  void read_groups()
  {
    const json* g = object_field(doc_, "node_groups", file_, "node_groups");
    if (!g) return;
    for (auto it = g->begin(); it != g->end(); ++it) {
      NodeGroup group{it.key(), "node_groups." + it.key(), json::object()};
      if (!it.value().is_object())
        throw ScenarioError(file_, group.path, "expected an object, got " + std::string(it.value().type_name()));
      if (!it.value().contains("nodes"))
        throw ScenarioError(file_, group.path + ".nodes", "missing: which nodes are in the group");
      refuse(it.value(), "name", file_, group.path, "a group gives its fields to several nodes: it cannot name them");
      group.fields = it.value();
      group.fields.erase("nodes");
      groups_.push_back(group);
      for (auto& [n, at] : name_list(it.value()["nodes"], file_, group.path + ".nodes"))
        members_[n.name].push_back({groups_.size() - 1, at});
    }
  }

  void expand_nodes()
  {
    if (!doc_.contains("nodes") || !doc_["nodes"].is_array()) return;
    const json& nodes = doc_["nodes"];
    json out          = json::array();
    std::set<std::string> seen;
    for (size_t i = 0; i < nodes.size(); i++) {
      const std::string at = "nodes[" + std::to_string(i) + "]";
      json own             = nodes[i].is_string() ? json::object() : nodes[i];
      std::vector<PatternName> names;
      if (nodes[i].is_string())
        names = names_of(nodes[i].get<std::string>(), file_, at);
      else if (nodes[i].is_object() && nodes[i].contains("name") && nodes[i]["name"].is_string())
        names = names_of(nodes[i]["name"].get<std::string>(), file_, at + ".name");
      if (names.empty()) { // no name: the loader says so, at the entry's path
        Item item;
        record_all(nodes[i], "", at, item);
        add(out, nodes[i], item, "nodes");
        continue;
      }
      own.erase("name");
      for (auto const& n : names) {
        Item item = node_base_;
        for (auto const& [g, member_at] : members_[n.name]) {
          (void)member_at;
          Merger(item, file_, n.name, groups_[g].name).merge(item.value, groups_[g].fields, "", groups_[g].path);
        }
        Merger(item, file_, n.name, "").merge(item.value, own, "", at);
        item.value["name"]    = n.name;
        item.written[".name"] = nodes[i].is_string() ? at : at + ".name";
        substitute_all(item.value, "", n, item, file_, "node");
        seen.insert(n.name);
        add(out, item.value, item, "nodes");
      }
    }
    for (auto const& [name, in] : members_)
      if (!seen.count(name))
        throw ScenarioError(file_, in.front().second,
                            "unknown node \"" + name + "\" (a group gives fields to the nodes listed in \"nodes\")");
    out_.document["nodes"] = out;
  }

  void expand_vms()
  {
    if (!doc_.contains("workload") || !doc_["workload"].is_object()) return;
    const json& w = doc_["workload"];
    if (!w.contains("vms") || !w["vms"].is_array()) return;
    const json& vms = w["vms"];
    json out        = json::array();
    for (size_t i = 0; i < vms.size(); i++) {
      const std::string at = "workload.vms[" + std::to_string(i) + "]";
      if (!vms[i].is_object() || !vms[i].contains("name") || !vms[i]["name"].is_string()) {
        Item item;
        record_all(vms[i], "", at, item);
        add(out, vms[i], item, "workload.vms");
        continue;
      }
      json own                       = vms[i];
      std::vector<PatternName> names = names_of(own["name"].get<std::string>(), file_, at + ".name");
      std::vector<std::pair<PatternName, std::string>> hosts;
      size_t per_node = 0;
      if (own.contains("nodes")) {
        if (!has_range(own["name"].get<std::string>()))
          throw ScenarioError(file_, at + ".nodes",
                              "\"nodes\" places the VMs of a name range (\"vm{1..4}\"); one VM has \"node\"");
        if (own.contains("node"))
          throw ScenarioError(file_, at + ".node", "give \"node\" (every VM on it) or \"nodes\" (spread), not both");
        hosts = name_list(own["nodes"], file_, at + ".nodes");
        own.erase("nodes");
      }
      if (own.contains("per_node")) {
        const json& p = own["per_node"];
        if (hosts.empty()) throw ScenarioError(file_, at + ".per_node", "per_node needs \"nodes\" to place VMs on");
        if (!p.is_number_unsigned() || p.get<std::uint64_t>() < 1 || p.get<std::uint64_t>() > 100000)
          throw ScenarioError(file_, at + ".per_node", "expected a count of VMs per node (1, 2, ...), got " + p.dump());
        per_node = p.get<size_t>();
        if (per_node * hosts.size() != names.size())
          throw ScenarioError(file_, at + ".name",
                              std::to_string(names.size()) + " VMs do not fill " + std::to_string(hosts.size()) +
                                  " nodes with " + std::to_string(per_node) + " each");
        own.erase("per_node");
      }
      own.erase("name");
      for (size_t k = 0; k < names.size(); k++) {
        Item item = vm_base_;
        Merger(item, file_, names[k].name, "").merge(item.value, own, "", at);
        if (!hosts.empty()) {
          const auto& host      = hosts[per_node ? k / per_node : k % hosts.size()];
          item.value["node"]    = host.first.name;
          item.written[".node"] = host.second;
        }
        item.value["name"]    = names[k].name;
        item.written[".name"] = at + ".name";
        substitute_all(item.value, "", names[k], item, file_, "VM");
        add(out, item.value, item, "workload.vms");
      }
    }
    out_.document["workload"]["vms"] = out;
  }

  /* "n{1..4}:/bricks/b" in a volume's bricks: four bricks, in that order (consecutive ones form replica sets). */
  void expand_bricks()
  {
    if (!doc_.contains("volumes") || !doc_["volumes"].is_array()) return;
    for (size_t v = 0; v < doc_["volumes"].size(); v++) {
      const json& vol = doc_["volumes"][v];
      if (!vol.is_object() || !vol.contains("bricks") || !vol["bricks"].is_array()) continue;
      const std::string at = "volumes[" + std::to_string(v) + "].bricks";
      json out             = json::array();
      for (size_t b = 0; b < vol["bricks"].size(); b++) {
        const json& brick    = vol["bricks"][b];
        const std::string in = at + "[" + std::to_string(b) + "]";
        std::vector<json> expanded{brick};
        if (brick.is_string() && has_range(brick.get<std::string>())) {
          expanded.clear();
          for (auto& n : names_of(brick.get<std::string>(), file_, in))
            expanded.emplace_back(n.name);
        }
        for (auto& e : expanded) {
          out_.written_at.record(at + "[" + std::to_string(out.size()) + "]", in);
          out.push_back(e);
        }
      }
      out_.document["volumes"][v]["bricks"] = out;
    }
  }

  void add(json& out, const json& value, const Item& item, const std::string& list)
  {
    const std::string at = list + "[" + std::to_string(out.size()) + "]";
    for (auto const& [rel, written] : item.written)
      out_.written_at.record(at + rel, written);
    out.push_back(value);
  }

  const json& doc_;
  const std::string& file_;
  ExpandedScenario out_;
  Item node_base_, vm_base_;
  std::vector<NodeGroup> groups_;
  std::map<std::string, std::vector<std::pair<size_t, std::string>>> members_; // node -> (group, where listed)
};

bool has_compact_string(const json& v, bool name_ranges)
{
  if (v.is_string()) return has_placeholder(v.get<std::string>()) || (name_ranges && has_range(v.get<std::string>()));
  if (v.is_object())
    for (auto it = v.begin(); it != v.end(); ++it)
      if (has_compact_string(it.value(), name_ranges && (it.key() == "name" || it.key() == "nodes"))) return true;
  if (v.is_array())
    for (auto const& e : v)
      if (has_compact_string(e, name_ranges)) return true;
  return false;
}

/* Whether the document uses any compact form: if not, it is returned as it is (and errors keep their paths). */
bool uses_compact_form(const json& doc)
{
  if (!doc.is_object()) return false;
  if (doc.contains("defaults") || doc.contains("node_groups")) return true;
  if (doc.contains("nodes") && doc["nodes"].is_array())
    for (auto const& n : doc["nodes"])
      if (n.is_string() || has_compact_string(n, true)) return true;
  if (doc.contains("workload") && doc["workload"].is_object() && doc["workload"].contains("vms") &&
      doc["workload"]["vms"].is_array())
    for (auto const& vm : doc["workload"]["vms"])
      if (has_compact_string(vm, true)) return true;
  if (doc.contains("volumes") && doc["volumes"].is_array())
    for (auto const& vol : doc["volumes"])
      if (vol.is_object() && vol.contains("bricks") && vol["bricks"].is_array())
        for (auto const& b : vol["bricks"])
          if (b.is_string() && has_range(b.get<std::string>())) return true;
  return false;
}

} // namespace

ExpandedScenario expand_scenario(const json& doc, const std::string& file)
{
  if (!uses_compact_form(doc)) return {doc, {}};
  return Expander(doc, file).run();
}

} // namespace ibmig
