#include "cluster.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace ibmig::emu {

namespace {
std::string read_cmdline(long pid)
{
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::replace(s.begin(), s.end(), '\0', ' ');
  return s;
}

/* What a process in a node namespace is, from its command line (glusterd forks bricks and the self-heal daemon;
 * mount.glusterfs forks the FUSE client, whose last argument is the mount point). */
std::string process_role(const std::string& cmdline, const RunLayout& layout, const std::string& node)
{
  std::istringstream in(cmdline);
  std::string argv0;
  in >> argv0;
  auto base = argv0.substr(argv0.rfind('/') + 1);
  if (base == "glusterd") return "glusterd";
  if (base == "glusterfsd") return "brick";
  if (cmdline.find("glustershd") != std::string::npos) return "shd";
  auto prefix = layout.node_dir(node) + "/mnt/";
  auto p      = cmdline.find(prefix);
  if (base == "glusterfs" && p != std::string::npos) {
    auto rest = cmdline.substr(p + prefix.size());
    return "client:" + rest.substr(0, rest.find(' '));
  }
  return "other";
}

void sleep_s(double s)
{
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}
} // namespace

std::string render_hosts_file(const Topology& topology, const std::string& network)
{
  std::string text = "# written by ibmig emulate: storage names on network " + network + "\n127.0.0.1 localhost\n";
  for (const Node* n : topology.nodes())
    if (const Nic* nic = topology.nic_on(n->name, network); nic && !n->storage_name.empty())
      text += nic->address + " " + n->storage_name + "\n";
  return text;
}

int prefix_length(const std::string& subnet)
{
  auto s = subnet.find('/');
  if (s == std::string::npos) return 24;
  try {
    return std::stoi(subnet.substr(s + 1));
  } catch (...) {
    return 24;
  }
}

EmulatedCluster::EmulatedCluster(const Scenario& sc, RunLayout layout, CommandRunner& runner, std::ostream* log,
                                 double rate_scale)
    : sc_(sc), topology_(sc), layout_(std::move(layout)), runner_(runner), log_(log),
      state_(layout_.state_file(), layout_.run_id), rate_scale_(rate_scale)
{
  if (!(rate_scale_ > 0 && rate_scale_ <= 1)) throw std::invalid_argument("rate scale must be in (0, 1]");
}

EmulatedCluster::~EmulatedCluster()
{
  try {
    teardown();
  } catch (...) {
    if (log_) *log_ << "teardown failed; run `ibmig emulate --cleanup " << layout_.state_file() << "`\n";
  }
}

int EmulatedCluster::teardown()
{
  if (torn_down_) return 0;
  torn_down_ = true;
  Teardown td(runner_, log_);
  int failures = td.undo_all(state_);
  if (failures == 0)
    std::remove(layout_.state_file().c_str());
  else if (log_)
    *log_ << failures << " object(s) could not be removed; the state file " << layout_.state_file() << " lists them\n";
  return failures;
}

CommandResult EmulatedCluster::run(std::vector<std::string> argv, double timeout_s)
{
  return runner_.run(argv, Seconds{timeout_s > 0 ? timeout_s : timeouts_.command_s});
}

void EmulatedCluster::must(std::vector<std::string> argv, const std::string& what, double timeout_s)
{
  auto r = run(argv, timeout_s);
  if (!r.ok()) throw StepFailure(what + ": `" + join_command(argv) + "` failed (" + r.summary() + ")");
}

CommandResult EmulatedCluster::node_run(const std::string& node, std::vector<std::string> argv, double timeout_s)
{
  std::vector<std::string> full = {"nsenter", "--mount=" + layout_.mntns(node),
                                   "--net=/run/netns/" + layout_.netns(node), "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  return run(full, timeout_s);
}

CommandResult EmulatedCluster::gluster(const std::string& node, std::vector<std::string> args)
{
  std::vector<std::string> argv = {"gluster", "--mode=script"};
  argv.insert(argv.end(), args.begin(), args.end());
  return node_run(node, argv, 60);
}

std::vector<PeerState> EmulatedCluster::peer_status(const std::string& node)
{
  return parse_peer_status(gluster(node, {"peer", "status", "--xml"}).out);
}

std::vector<BrickStatus> EmulatedCluster::volume_status(const std::string& node, const std::string& volume)
{
  return parse_volume_status(gluster(node, {"volume", "status", volume, "--xml"}).out);
}

std::vector<BrickClients> EmulatedCluster::volume_clients(const std::string& node, const std::string& volume)
{
  return parse_volume_clients(gluster(node, {"volume", "status", volume, "clients", "--xml"}).out);
}

std::vector<HealBrick> EmulatedCluster::heal_info(const std::string& node, const std::string& volume)
{
  return parse_heal_info(gluster(node, {"volume", "heal", volume, "info", "--xml"}).out);
}

std::vector<SplitBrainBrick> EmulatedCluster::heal_split_brain(const std::string& node, const std::string& volume)
{
  return parse_heal_split_brain(gluster(node, {"volume", "heal", volume, "info", "split-brain", "--xml"}).out);
}

CommandResult EmulatedCluster::ping(const std::string& from, const std::string& address, int payload)
{
  return node_run(from, {"ping", "-M", "do", "-s", std::to_string(payload), "-c", "3", "-i", "0.2", "-W", "1", address},
                  10);
}

const Nic* EmulatedCluster::nic_on(const std::string& node, const std::string& network) const
{
  return topology_.nic_on(node, network);
}

namespace {
std::string first_server(const Scenario& sc)
{
  for (auto const& n : sc.nodes)
    if (n.server) return n.name;
  return "";
}
} // namespace

std::string EmulatedCluster::peer_host(const std::string& node, const std::string& viewer) const
{
  if (!sc_.storage_names.by_ip()) return sc_.find_node(node)->storage_name;
  auto net       = state_network_.count(viewer) ? state_network_.at(viewer) : sc_.storage_names.network;
  const Nic* nic = nic_on(node, net);
  return nic ? nic->address : sc_.find_node(node)->storage_name;
}

std::string EmulatedCluster::brick_name(const Brick& b, const std::string& viewer) const
{
  return peer_host(b.node, viewer.empty() ? b.node : viewer) + ":" + b.path;
}

std::string EmulatedCluster::pool_network(const std::string& node)
{
  if (!sc_.storage_names.by_ip()) return observe(node).names_network;
  std::string from = sc_.find_node(node)->server ? node : first_server(sc_);
  return state_network_.count(from) ? state_network_.at(from) : sc_.storage_names.network;
}

int EmulatedCluster::rewrite_glusterd_state(const std::string& node, const std::string& from, const std::string& to)
{
  namespace fs = std::filesystem;
  // Old address -> new, whole addresses only: 10.10.1.1 must not match inside 10.10.1.11 (a '.' before it is the
  // separator of a volfile name: vmstore.10.10.1.11.var-tmp-...vol).
  std::vector<std::pair<std::string, std::string>> subst;
  for (auto const& n : sc_.nodes) {
    const Nic* a = nic_on(n.name, from);
    const Nic* b = nic_on(n.name, to);
    if (a && b && a->address != b->address) subst.push_back({a->address, b->address});
  }
  auto digit   = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  auto rewrite = [&](const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
      bool replaced = false;
      for (auto const& [old_addr, new_addr] : subst) {
        size_t end = i + old_addr.size();
        if (text.compare(i, old_addr.size(), old_addr) == 0 && (i == 0 || !digit(text[i - 1])) &&
            (end == text.size() || !digit(text[end]))) {
          out += new_addr;
          i        = end;
          replaced = true;
          break;
        }
      }
      if (!replaced) out += text[i++];
    }
    return out;
  };
  int changed   = 0;
  fs::path root = layout_.node_dir(node) + "/glusterd";
  std::vector<fs::path> files;
  for (auto const& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().filename() != "glusterd.info") files.push_back(e.path());
  for (auto const& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    std::string after = rewrite(text);
    fs::path target   = f.parent_path() / rewrite(f.filename().string());
    if (after == text && target == f) continue;
    std::ofstream(target, std::ios::binary | std::ios::trunc) << after;
    if (target != f) fs::remove(f);
    changed++;
  }
  state_network_[node] = to;
  if (log_)
    *log_ << node << ": rewrote " << changed << " files of /var/lib/glusterd (" << from << " -> " << to << ")\n";
  return changed;
}

void EmulatedCluster::make_mount_point(const std::string& path)
{
  std::filesystem::path p;
  for (auto const& part : std::filesystem::path(path)) {
    p /= part;
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) continue;
    if (std::filesystem::exists(p, ec))
      throw StepFailure("brick path " + path + ": " + p.string() + " is not a directory here");
    add(created(CreatedObject::Kind::MountPoint, p.string()));
    must({"mkdir", p.string()}, "mount point of brick " + path);
  }
}

std::string brick_path_conflict(const Brick& b, const RunLayout& layout)
{
  auto within = [](const std::string& path, const std::string& dir) {
    return path == dir ||
           (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
  };
  // The directories every node shares with the host or has of its own (the emulator's and the lab's mounts).
  for (std::string dir : {"/proc", "/sys", "/dev", "/run", "/etc", "/mnt", "/usr", "/bin", "/sbin", "/lib", "/lib64",
                          "/boot", "/var/lib/glusterd", "/var/log/glusterfs"})
    if (within(b.path, dir))
      return "brick " + b.node + ":" + b.path + " lies in " + dir +
             ", which the emulated node shares with the host or has of its own: give it a path elsewhere (e.g. "
             "/bricks/NAME)";
  for (auto const& dir : {layout.work_dir, layout.state_dir})
    if (within(b.path, dir) || within(dir, b.path))
      return "brick " + b.node + ":" + b.path + " overlaps the emulator's " + dir;
  return "";
}

void EmulatedCluster::build()
{
  for (auto const& v : sc_.volumes)
    for (auto const& b : v.bricks)
      if (auto why = brick_path_conflict(b, layout_); !why.empty()) throw StepFailure(why);
  // A clash of run ids must never make this run's teardown remove another run's directories.
  for (auto const& dir : {layout_.ns_dir(), layout_.work_dir})
    if (std::filesystem::exists(dir)) throw StepFailure(dir + " exists already (another run?): not touching it");
  // Directories first, so namespaces files and per-node state have a home that teardown removes last.
  add(created(CreatedObject::Kind::Directory, layout_.ns_dir()));
  must({"mkdir", "-p", layout_.ns_dir()}, "state directory");
  // unshare --mount=FILE needs FILE on a private mount: bind the run's directory onto itself.
  must({"mount", "--bind", layout_.ns_dir(), layout_.ns_dir()}, "state directory");
  add(created(CreatedObject::Kind::PrivateBind, layout_.ns_dir()));
  must({"mount", "--make-private", layout_.ns_dir()}, "state directory");
  add(created(CreatedObject::Kind::Directory, layout_.work_dir));
  must({"mkdir", "-p", layout_.work_dir}, "work directory");
  if (layout_.work_dir_memory.value > 0) {
    add(created(CreatedObject::Kind::MemoryFileSystem, layout_.work_dir));
    auto size = std::to_string(static_cast<long long>(layout_.work_dir_memory.value));
    must({"mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "ibmig-" + layout_.run_id, layout_.work_dir},
         "bricks in memory (tmpfs on " + layout_.work_dir + ")");
  }

  for (const Network* net : topology_.networks()) {
    auto sw = layout_.switch_netns(net->name);
    add(created(CreatedObject::Kind::NetNamespace, sw));
    must({"ip", "netns", "add", sw}, "switch of network " + net->name);
    must({"ip", "-n", sw, "link", "add", "br0", "type", "bridge"}, "switch of network " + net->name);
    add(created(CreatedObject::Kind::Link, "br0", sw));
    must({"ip", "-n", sw, "link", "set", "br0", "up"}, "switch of network " + net->name);
  }

  for (const Node* node : topology_.nodes()) {
    auto const& n = *node;
    auto dir      = layout_.node_dir(n.name);
    must({"mkdir", "-p", dir + "/glusterd", dir + "/log", dir + "/mnt", dir + "/bricks", dir + "/etc"},
         "node " + n.name);
    {
      std::ofstream hosts(layout_.hosts_file(n.name));
      hosts << hosts_text(sc_.storage_names.network);
    }
    // Before the node's namespaces, so teardown removes them after everything that could still use them.
    std::vector<const Brick*> bricks;
    for (auto const& v : sc_.volumes)
      for (auto const& b : v.bricks)
        if (b.node == n.name) {
          bricks.push_back(&b);
          must({"mkdir", "-p", layout_.brick_dir(b)}, "brick of " + v.name);
          make_mount_point(b.path);
        }
    auto ns = layout_.netns(n.name);
    add(created(CreatedObject::Kind::NetNamespace, ns));
    must({"ip", "netns", "add", ns}, "node " + n.name);
    must({"ip", "-n", ns, "link", "set", "lo", "up"}, "node " + n.name);
    auto mnt = layout_.mntns(n.name);
    must({"touch", mnt}, "node " + n.name);
    add(created(CreatedObject::Kind::MountNamespace, mnt));
    must({"unshare", "--mount=" + mnt, "--propagation", "private", "true"}, "mount namespace of " + n.name);
    // Private /run (glusterd's sockets and pid files), glusterd state, logs and name resolution per node.
    must({"nsenter", "--mount=" + mnt, "sh", "-c",
          "mount -t tmpfs ibmig /run && mount --bind " + dir + "/glusterd /var/lib/glusterd && mount --bind " + dir +
              "/log /var/log/glusterfs && mount --bind " + layout_.hosts_file(n.name) + " /etc/hosts"},
         "mount namespace of " + n.name);
    for (auto const& cable : topology_.cables(n.name))
      if (cable.nic->present) {
        create_veth(n.name, *cable.nic);
        configure_interface(n.name, *cable.nic, cable.nic->mtu, cable.nic->mode);
      }
    // Each brick at the scenario's path inside its node, as a brick file system is mounted on a real server: what
    // `gluster volume info` shows and the runbook's checks compare. The data stays under the node's directory.
    std::sort(bricks.begin(), bricks.end(), [](const Brick* a, const Brick* b) { return a->path < b->path; });
    for (const Brick* b : bricks)
      must({"nsenter", "--mount=" + mnt, "mount", "--bind", layout_.brick_dir(*b), b->path},
           "brick " + n.name + ":" + b->path);
  }

  std::vector<std::string> servers;
  for (auto const& n : sc_.nodes)
    if (n.server) {
      servers.push_back(n.name);
      start_glusterd(n.name);
    }
  if (servers.empty()) return;
  for (size_t i = 1; i < servers.size(); ++i) {
    auto peer = peer_host(servers[i], servers[0]);
    auto r    = gluster(servers[0], {"peer", "probe", peer});
    if (!r.ok()) throw StepFailure("peer probe " + peer + " failed: " + r.summary());
  }
  // volume create stages on every peer: each must see all the others, not only the node that probed them.
  for (auto const& s : servers)
    wait_peers_connected(s, servers.size() - 1);
  for (auto const& v : sc_.volumes) {
    std::vector<std::string> args = {"volume", "create", v.name};
    if (v.replica > 1) {
      args.insert(args.end(), {"replica", std::to_string(v.replica)});
      if (v.arbiter) args.insert(args.end(), {"arbiter", "1"});
    }
    for (auto const& b : v.bricks)
      args.push_back(brick_name(b));
    args.push_back("force"); // bricks are plain directories on the root file system
    auto r = gluster(servers[0], args);
    if (!r.ok()) throw StepFailure("volume create " + v.name + " failed: " + r.summary());
    r = gluster(servers[0], {"volume", "set", v.name, "network.ping-timeout",
                             std::to_string(static_cast<int>(v.ping_timeout.value))});
    if (!r.ok()) throw StepFailure("volume set " + v.name + " network.ping-timeout failed: " + r.summary());
    // Client quorum as the scenario says (the model's has_quorum), not Gluster's default for the replica count.
    if (v.replica > 1) {
      std::string type = v.quorum_type == QuorumType::None   ? "none"
                         : v.quorum_type == QuorumType::Auto ? "auto"
                                                             : "fixed";
      r                = gluster(servers[0], {"volume", "set", v.name, "cluster.quorum-type", type});
      if (r.ok() && v.quorum_type == QuorumType::Fixed)
        r = gluster(servers[0], {"volume", "set", v.name, "cluster.quorum-count", std::to_string(v.quorum_count)});
      if (!r.ok()) throw StepFailure("volume set " + v.name + " cluster.quorum-type failed: " + r.summary());
    }
    r = gluster(servers[0], {"volume", "start", v.name});
    if (!r.ok()) throw StepFailure("volume start " + v.name + " failed: " + r.summary());
  }
  for (auto const& s : servers)
    record_processes(s);
}

void EmulatedCluster::wait_peers_connected(const std::string& from, size_t expected)
{
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeouts_.check_s);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r     = gluster(from, {"peer", "status", "--xml"});
    auto peers = parse_peer_status(r.out);
    size_t connected =
        static_cast<size_t>(std::count_if(peers.begin(), peers.end(), [](auto const& p) { return p.connected; }));
    if (connected == expected) return;
    last = peers.empty() ? (r.ok() ? "no peer listed" : r.summary()) : "";
    for (auto const& p : peers)
      last += p.hostname + ": " + p.state + "\n";
    if (interrupt_requested()) break;
    sleep_s(0.5);
  }
  throw StepFailure("the pool did not form: peers not all connected from " + from + ":\n" + last);
}

void EmulatedCluster::create_veth(const std::string& node, const Nic& nic)
{
  auto sw   = layout_.switch_netns(nic.network);
  auto port = RunLayout::switch_port(node, nic.name);
  auto ns   = layout_.netns(node);
  must({"ip", "-n", sw, "link", "add", port, "type", "veth", "peer", "name", nic.name, "netns", ns},
       "NIC " + nic.name + " of " + node);
  add(created(CreatedObject::Kind::Link, port, sw));
  must({"ip", "-n", sw, "link", "set", port, "master", "br0"}, "NIC " + nic.name + " of " + node);
  shape(node, nic, nic.mtu, nic.mode);
}

void EmulatedCluster::shape(const std::string& node, const Nic& nic, int mtu, IpoibMode mode)
{
  auto key = std::make_pair(node, nic.name);
  auto s   = link_shaping(sc_, topology_, node, nic, mtu, mode, rate_scale_);
  auto it  = shaped_.find(key);
  if (it != shaped_.end() && it->second.mtu == mtu && it->second.stream.label == s.stream.label) return;
  auto ns   = layout_.netns(node);
  auto sw   = layout_.switch_netns(nic.network);
  auto port = RunLayout::switch_port(node, nic.name);
  // Shaped both ways: node egress on the node end, switch egress (towards the node) on the switch port.
  for (auto const& [netns, dev, end] : {std::tuple{ns, nic.name, LinkEnd::Node}, {sw, port, LinkEnd::SwitchPort}}) {
    // From scratch: a changed limit means other classes, and `qdisc replace` of an htb keeps the old ones.
    if (it != shaped_.end()) must({"tc", "-n", netns, "qdisc", "del", "dev", dev, "root"}, "reshaping " + dev);
    for (auto const& argv : shaping_commands(s, netns, dev, end))
      must(argv, "shaping " + nic.name + " of " + node);
  }
  if (log_) *log_ << "[emulate] " << node << " " << nic.name << ": " << describe(s) << "\n";
  shaped_[key] = s;
}

const LinkShaping* EmulatedCluster::shaping_of(const std::string& node, const std::string& nic) const
{
  auto it = shaped_.find({node, nic});
  return it == shaped_.end() ? nullptr : &it->second;
}

void EmulatedCluster::configure_interface(const std::string& node, const Nic& nic, int mtu, IpoibMode mode)
{
  auto net  = sc_.find_network(nic.network);
  auto ns   = layout_.netns(node);
  auto sw   = layout_.switch_netns(nic.network);
  auto port = RunLayout::switch_port(node, nic.name);
  must({"ip", "-n", sw, "link", "set", port, "mtu", std::to_string(mtu)}, "MTU " + std::to_string(mtu));
  must({"ip", "-n", sw, "link", "set", port, "up"}, "switch port " + port);
  must({"ip", "-n", ns, "link", "set", nic.name, "mtu", std::to_string(mtu)},
       "MTU " + std::to_string(mtu) + " on " + node + " " + nic.name);
  must({"ip", "-n", ns, "addr", "replace", nic.address + "/" + std::to_string(prefix_length(net->subnet)), "dev",
        nic.name},
       "address of " + node + " " + nic.name);
  must({"ip", "-n", ns, "link", "set", nic.name, "up"}, node + " " + nic.name + " up");
  // A veth has no IPoIB mode: the mode shows in the MTU it allows (checked by the model) and in the stream limit.
  shape(node, nic, mtu, mode);
}

void EmulatedCluster::install_nic(const std::string& node, const Nic& nic)
{
  if (run({"ip", "-n", layout_.netns(node), "link", "show", nic.name}).ok())
    throw StepFailure(node + " already has an interface " + nic.name);
  create_veth(node, nic);
}

void EmulatedCluster::set_interface(const std::string& node, const std::string& iface, bool up)
{
  must({"ip", "-n", layout_.netns(node), "link", "set", iface, up ? "up" : "down"}, node + " " + iface);
}

void EmulatedCluster::write_hosts(const std::string& node, const std::string& network)
{
  // Written in place: /etc/hosts in the node is a bind mount of this very inode (a rename would not be seen).
  std::ofstream hosts(layout_.hosts_file(node), std::ios::trunc);
  hosts << hosts_text(network);
  if (!hosts) throw StepFailure("cannot write the hosts file of " + node);
}

std::string EmulatedCluster::hosts_text(const std::string& network) const
{
  // A pool probed by IP has no storage names: with them, glusterd would name a prober by its reverse lookup (the
  // first node probed by IP shows as gl1.storage.example on the others) and the pool would not be by IP.
  if (sc_.storage_names.by_ip()) return "# written by ibmig emulate: the pool is probed by IP\n127.0.0.1 localhost\n";
  return render_hosts_file(topology_, network);
}

void EmulatedCluster::record_processes(const std::string& node)
{
  auto ns = layout_.netns(node);
  auto r  = run({"ip", "netns", "pids", ns});
  std::istringstream in(r.out);
  long pid;
  while (in >> pid) {
    auto start = read_process_start_time(pid);
    if (start == 0) continue;
    bool known = false;
    for (auto const& o : state_.objects())
      known = known || (o.kind == CreatedObject::Kind::Process && o.pid == pid && o.start_time == start);
    if (!known)
      add(created(CreatedObject::Kind::Process, process_role(read_cmdline(pid), layout_, node), ns, "", pid, start));
  }
}

void EmulatedCluster::kill_processes(const std::string& node, const std::function<bool(const CreatedObject&)>& which)
{
  record_processes(node);
  auto ns = layout_.netns(node);
  std::vector<CreatedObject> victims;
  for (auto const& o : state_.objects())
    if (o.kind == CreatedObject::Kind::Process && o.netns == ns && which(o)) victims.push_back(o);
  for (auto const& v : victims)
    run({"kill", "-TERM", std::to_string(v.pid)});
  for (int i = 0; i < 50; ++i) { // bounded: 5 s for a clean exit, then SIGKILL
    bool alive = false;
    for (auto const& v : victims)
      alive = alive || read_process_start_time(v.pid) == v.start_time;
    if (!alive) break;
    sleep_s(0.1);
  }
  for (auto const& v : victims)
    if (read_process_start_time(v.pid) == v.start_time) run({"kill", "-KILL", std::to_string(v.pid)});
  state_.remove_if([&](const CreatedObject& o) {
    return o.kind == CreatedObject::Kind::Process && o.netns == ns && which(o) &&
           read_process_start_time(o.pid) != o.start_time;
  });
}

void EmulatedCluster::start_glusterd(const std::string& node)
{
  if (glusterd_running(node)) return;
  auto r = node_run(node, {"glusterd", "-p", "/run/glusterd.pid", "--log-level", "INFO"});
  if (!r.ok()) throw StepFailure("glusterd did not start on " + node + ": " + r.summary());
  record_processes(node); // before waiting: teardown must find it even if it never answers
  // Ready when its CLI answers (bounded by the check deadline).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeouts_.check_s);
  while (!gluster(node, {"pool", "list"}).ok()) {
    if (std::chrono::steady_clock::now() > deadline || interrupt_requested())
      throw StepFailure("glusterd on " + node + " does not answer `gluster pool list` after " +
                        std::to_string(static_cast<int>(timeouts_.check_s)) + " s");
    sleep_s(0.25);
  }
  record_processes(node); // its bricks and self-heal daemon, started by now
}

void EmulatedCluster::stop_glusterd(const std::string& node)
{
  // `systemctl stop glusterd` plus its bricks and self-heal daemon: the processes this run started there.
  kill_processes(node,
                 [](const CreatedObject& o) { return o.name == "glusterd" || o.name == "brick" || o.name == "shd"; });
}

void EmulatedCluster::mount(const std::string& node, const std::string& volume)
{
  if (mounted(node, volume)) return;
  // The volfile server: the node itself when it is a server (hyperconverged), else the first brick's node.
  auto self = sc_.find_node(node);
  auto vol  = sc_.find_volume(volume);
  // A pool probed by IP, as the model has it: the first server's volfile and addresses.
  auto from   = self->server ? node : sc_.storage_names.by_ip() ? first_server(sc_) : vol->bricks.front().node;
  auto server = peer_host(from, from);
  auto mp     = layout_.mount_point(node, volume);
  must({"mkdir", "-p", mp}, "mount point");
  auto r = node_run(node, {"mount", "-t", "glusterfs", server + ":/" + volume, mp}, 60);
  if (!r.ok()) throw StepFailure("mount of " + volume + " on " + node + " failed: " + r.summary());
  add(created(CreatedObject::Kind::Mount, mp, "", layout_.mntns(node)));
  record_processes(node);
}

void EmulatedCluster::unmount(const std::string& node, const std::string& volume, bool lazy)
{
  if (!mounted(node, volume)) return;
  auto mp = layout_.mount_point(node, volume);
  auto r  = lazy ? CommandResult{} : node_run(node, {"umount", mp}, 20);
  if (lazy || !r.ok()) node_run(node, {"umount", "-l", mp}, 10);
  state_.remove_if([&](const CreatedObject& o) { return o.kind == CreatedObject::Kind::Mount && o.name == mp; });
  // The FUSE client exits on unmount; a hung one is killed (bounded).
  kill_processes(node, [&](const CreatedObject& o) { return o.name == "client:" + volume; });
}

void EmulatedCluster::power_off(const std::string& node)
{
  for (auto const& v : sc_.volumes)
    unmount(node, v.name, true);
  kill_processes(node, [](const CreatedObject&) { return true; });
  for (auto const& [iface, seen] : observe(node).interfaces)
    if (seen.up) run({"ip", "-n", layout_.netns(node), "link", "set", iface, "down"});
}

void EmulatedCluster::crash(const std::string& node)
{
  for (auto const& [iface, seen] : observe(node).interfaces)
    if (seen.up) run({"ip", "-n", layout_.netns(node), "link", "set", iface, "down"});
  record_processes(node);
  auto ns = layout_.netns(node);
  for (auto const& o : state_.objects())
    if (o.kind == CreatedObject::Kind::Process && o.netns == ns && read_process_start_time(o.pid) == o.start_time)
      run({"kill", "-KILL", std::to_string(o.pid)});
  for (int i = 0; i < 50; ++i) { // the kernel reaps them at once; bounded all the same
    bool alive = false;
    for (auto const& o : state_.objects())
      alive = alive || (o.kind == CreatedObject::Kind::Process && o.netns == ns &&
                        read_process_start_time(o.pid) == o.start_time);
    if (!alive) break;
    sleep_s(0.1);
  }
  state_.remove_if([&](const CreatedObject& o) {
    return o.kind == CreatedObject::Kind::Process && o.netns == ns && read_process_start_time(o.pid) != o.start_time;
  });
  for (auto const& v : sc_.volumes)
    if (mounted(node, v.name)) {
      auto mp = layout_.mount_point(node, v.name);
      node_run(node, {"umount", "-l", mp}, 10);
      state_.remove_if([&](const CreatedObject& o) { return o.kind == CreatedObject::Kind::Mount && o.name == mp; });
    }
}

bool EmulatedCluster::mounted(const std::string& node, const std::string& volume) const
{
  auto mp = layout_.mount_point(node, volume);
  for (auto const& o : state_.objects())
    if (o.kind == CreatedObject::Kind::Mount && o.name == mp) return true;
  return false;
}

void EmulatedCluster::sync_mounts(const std::string& node)
{
  auto r = node_run(node, {"findmnt", "-rn", "-t", "fuse.glusterfs", "-o", "TARGET"}, 10);
  if (!r.ok() && !(r.exit_status == 1 && r.out.empty())) return; // 1: none mounted; else no answer: keep the record
  std::set<std::string> targets;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    targets.insert(line);
  for (auto const& v : sc_.volumes) {
    auto mp = layout_.mount_point(node, v.name);
    if (targets.count(mp) && !mounted(node, v.name))
      add(created(CreatedObject::Kind::Mount, mp, "", layout_.mntns(node)));
    if (!targets.count(mp))
      state_.remove_if([&](const CreatedObject& o) { return o.kind == CreatedObject::Kind::Mount && o.name == mp; });
  }
  record_processes(node);
}

bool EmulatedCluster::glusterd_running(const std::string& node)
{
  record_processes(node);
  for (auto const& o : state_.objects())
    if (o.kind == CreatedObject::Kind::Process && o.netns == layout_.netns(node) && o.name == "glusterd" &&
        read_process_start_time(o.pid) == o.start_time)
      return true;
  return false;
}

ObservedNode EmulatedCluster::observe(const std::string& node)
{
  ObservedNode seen;
  record_processes(node);
  auto ns = layout_.netns(node);
  for (auto const& o : state_.objects())
    if (o.kind == CreatedObject::Kind::Process && o.netns == ns && read_process_start_time(o.pid) == o.start_time) {
      if (o.name == "glusterd") seen.glusterd = true;
      if (o.name.rfind("client:", 0) == 0 && mounted(node, o.name.substr(7))) seen.mounted.insert(o.name.substr(7));
    }
  auto r = run({"ip", "-n", ns, "-j", "link", "show"});
  try {
    auto const* self = sc_.find_node(node);
    for (auto const& l : nlohmann::json::parse(r.ok() ? r.out : "[]")) {
      auto name = l.value("ifname", "");
      if (!self->find_nic(name)) continue;
      bool up = false;
      for (auto const& f : l.value("flags", nlohmann::json::array()))
        up = up || f == "UP";
      seen.interfaces[name] = {up, l.value("mtu", 0)};
    }
  } catch (const nlohmann::json::exception&) {
  }
  std::ifstream hosts(layout_.hosts_file(node));
  std::stringstream text;
  text << hosts.rdbuf();
  seen.names_network = names_network_in_hosts(sc_, text.str());
  if (sc_.storage_names.by_ip()) {
    std::vector<std::string> peers;
    std::error_code ec;
    for (auto const& e : std::filesystem::directory_iterator(layout_.node_dir(node) + "/glusterd/peers", ec)) {
      std::ifstream f(e.path());
      peers.emplace_back((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    }
    seen.state_network = state_network_in_peers(sc_, peers);
  }
  return seen;
}

void EmulatedCluster::run_command(const NodeCommand& c)
{
  using K  = NodeCommand::Kind;
  auto nic = [&] {
    auto const* n = sc_.find_node(c.node)->find_nic(c.target);
    if (!n) throw StepFailure(c.node + " has no NIC " + c.target + " in the scenario");
    return n;
  };
  switch (c.kind) {
  case K::Unmount:
    return unmount(c.node, c.target);
  case K::StopGlusterd:
    return stop_glusterd(c.node);
  case K::InterfaceDown:
    return set_interface(c.node, c.target, false);
  case K::PowerOff:
    return power_off(c.node);
  case K::InstallNic:
    return install_nic(c.node, *nic());
  case K::ConfigureInterface:
    return configure_interface(c.node, *nic(), c.mtu, c.mode);
  case K::InterfaceUp:
    return set_interface(c.node, c.target, true);
  case K::WriteHosts:
    return write_hosts(c.node, c.target);
  case K::RewriteState:
    rewrite_glusterd_state(c.node, c.source, c.target);
    return;
  case K::StartGlusterd:
    return start_glusterd(c.node);
  case K::Mount:
    return mount(c.node, c.target);
  }
}

std::map<std::string, NicCounters> EmulatedCluster::nic_counters(const std::string& node)
{
  std::map<std::string, NicCounters> out;
  // The kernel's per-interface counters (same as /sys/class/net/*/statistics), read in the node's namespace.
  auto r = run({"ip", "-n", layout_.netns(node), "-j", "-s", "link", "show"});
  if (!r.ok()) return out;
  try {
    for (auto const& l : nlohmann::json::parse(r.out)) {
      auto name = l.value("ifname", "");
      if (name == "lo" || !l.contains("stats64")) continue;
      out[name] = {l["stats64"]["tx"].value("bytes", 0.0), l["stats64"]["rx"].value("bytes", 0.0)};
    }
  } catch (const nlohmann::json::exception&) {
  }
  return out;
}

std::string EmulatedCluster::any_running_server()
{
  for (auto const& n : sc_.nodes)
    if (n.server && glusterd_running(n.name)) return n.name;
  return "";
}

std::set<std::string> EmulatedCluster::client_endpoints(const std::string& node, const std::string& volume)
{
  std::set<long> pids;
  for (auto const& o : state_.objects())
    if (o.kind == CreatedObject::Kind::Process && o.netns == layout_.netns(node) && o.name == "client:" + volume)
      pids.insert(o.pid);
  std::set<std::string> eps;
  auto r = node_run(node, {"ss", "-Htnp", "state", "established"});
  for (auto const& c : parse_ss(r.out))
    if (port_of(c.peer) != 24007)
      for (auto p : c.pids)
        if (pids.count(p)) eps.insert(c.local);
  return eps;
}

std::set<std::string> EmulatedCluster::glusterd_peer_addresses(const std::string& node)
{
  std::set<std::string> addrs;
  auto r = node_run(node, {"ss", "-Htn", "state", "established"});
  for (auto const& c : parse_ss(r.out)) {
    auto la        = address_of(c.local);
    auto pa        = address_of(c.peer);
    bool peer_link = (port_of(c.peer) == 24007 || port_of(c.local) == 24007) && la != pa && la != "127.0.0.1";
    if (peer_link) addrs.insert(la);
  }
  return addrs;
}

} // namespace ibmig::emu
