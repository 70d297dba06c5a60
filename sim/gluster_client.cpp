#include "gluster_client.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "host_limits.hpp"

XBT_LOG_NEW_DEFAULT_CATEGORY(ibmig_client, "Gluster client streams");

namespace sg4 = simgrid::s4u;

namespace ibmig::sim {

namespace {
// Sequential streams are one long task re-planned at each change: its size only has to outlast the run.
constexpr double kStreamPayload = 1e15;

std::string link_label(const std::string& side, const NicResources& r, const Scenario& sc, bool send)
{
  const Technology& t = sc.technology_of(*sc.find_network(r.nic->network));
  return side + " NIC " + Topology::nic_name(r.node, r.nic->name) + (send ? " send" : " receive") + " (" + t.name + ")";
}
/* Where a NIC's capacity comes from: its technology's data rate (a documented figure) and the MTU's header cost. */
std::string technology_source(const NicResources& r, const Scenario& sc)
{
  return sc.technology_of(*sc.find_network(r.nic->network)).source;
}
/* A connection through a bond that spreads connections rides one slave: a slave's share of the bond. */
StreamLimit bond_slave_limit(const NicResources& r)
{
  StreamLimit out;
  if (!r.nic->bond || r.nic->bond->carrying() < 2) return out;
  out.limited = true;
  out.rate    = BytesPerSecond{r.capacity_Bps / r.nic->bond->carrying()};
  out.label   = "bond slave of " + Topology::nic_name(r.node, r.nic->name) + " (" +
              std::string(to_string(r.nic->bond->mode)) + ": one connection per slave)";
  out.source = "Linux bonding (Documentation/networking/bonding.rst): a single connection will not span multiple "
               "slaves; a slave's rate is its technology's";
  return out;
}
} // namespace

std::string GlusterClient::signature(const IoPath& p) const
{
  const Stream& st = vm_.streams[stream_index_];
  bool can         = st.kind == StreamKind::SequentialRead ? p.can_read : p.can_write;
  if (!can) return "";
  std::string s = p.node + "|" + p.network + "|";
  if (st.kind == StreamKind::SequentialRead) return s + std::to_string(p.read_brick);
  for (int b : p.write_bricks)
    s += std::to_string(b) + ",";
  // The NICs' capacities (MTU changes) are part of the plan too.
  for (int b : p.write_bricks) {
    const Volume& vol = *world_.sc.find_volume(vm_.volume);
    if (auto* r = world_.platform.nic_on(vol.bricks[b].node, p.network)) s += std::to_string(r->capacity_Bps) + ",";
  }
  return s;
}

bool GlusterClient::start_flow(const IoPath& path, double payload, double pace_Bps)
{
  const Scenario& sc = world_.sc;
  const Stream& st   = vm_.streams[stream_index_];
  const Volume& vol  = *sc.find_volume(vm_.volume);
  const bool read    = st.kind == StreamKind::SequentialRead;
  std::vector<sg4::Host*> hosts;
  std::vector<double> flops;
  std::vector<std::pair<size_t, size_t>> transfers; // (from, to) host indices carrying `payload` each
  auto flow = std::make_shared<Flow>();
  std::map<sg4::Host*, size_t> index_of; // a host enters the task once; a second use adds to its flops
  auto add_host = [&](sg4::Host* h, double f, const std::string& label, const std::string& source) {
    auto [it, fresh] = index_of.emplace(h, hosts.size());
    if (fresh) {
      hosts.push_back(h);
      flops.push_back(0);
    }
    flops[it->second] += f;
    if (f > 0) flow->uses.push_back({h->get_name(), label, h->get_speed(), f / payload, source});
    return it->second;
  };
  // A cost host charges kCostUnit / rate per byte: its share of the unit speed is the rate.
  auto add_cost = [&](sg4::Host* h, double rate_Bps, const std::string& label, const std::string& source) {
    add_host(h, payload * Platform::kCostUnit / rate_Bps, label, source);
  };
  if (pace_Bps > 0)
    add_cost(world_.platform.small_files(vm_.name, stream_index_), pace_Bps, "small-file pace (" + vm_.name + ")",
             "the stream's last batch: its files per second at the current contention");
  if (sg4::Host* lim = world_.platform.stream_limit(vm_.name, stream_index_))
    add_host(lim, payload, "stream rate limit (" + vm_.name + ")", "the scenario's workload: the stream's rate");
  AccessPathCost access = access_path_cost(sc.calibration, vm_.access, st.block_size);
  add_cost(vm_.access == Access::Gfapi ? world_.platform.vm_io(vm_.name) : world_.platform.fuse(path.node),
           access.rate().value,
           access.label + (vm_.access == Access::Gfapi ? " (" + vm_.name + ")" : " on " + path.node), access.source);

  // One TCP connection per (client, brick node). Each end has a stream ceiling at its interface's mode and MTU: one
  // that holds per connection is charged on the connection (the lower end's), one that holds per interface on
  // that interface's stream processing, shared by all its connections.
  auto add_stream_limits = [&](const NicResources& cn, const NicResources& bn, const std::string& brick_node,
                               const std::string& network, bool send) {
    StreamLimit at_client   = tcp_stream_limit(sc, *cn.nic, cn.mode, cn.mtu);
    StreamLimit at_brick    = tcp_stream_limit(sc, *bn.nic, bn.mode, bn.mtu);
    StreamLimit slave[2]    = {bond_slave_limit(cn), bond_slave_limit(bn)};
    const StreamLimit* conn = nullptr;
    for (auto [lim, end, end_sends] : {std::tuple{&at_client, &cn, send}, std::tuple{&at_brick, &bn, !send},
                                       std::tuple{&slave[0], &cn, send}, std::tuple{&slave[1], &bn, !send}}) {
      if (!lim->limited) continue;
      if (lim->scope == StreamScope::Interface)
        add_cost(world_.platform.interface_cpu(end->node, end->nic->name, end_sends), lim->rate.value,
                 lim->label + " per interface", lim->source);
      else if (!conn || lim->rate.value < conn->rate.value)
        conn = lim;
    }
    if (conn)
      add_cost(world_.platform.connection(Platform::connection_client(vm_, path.node), brick_node, network, send),
               conn->rate.value, conn->label, conn->source);
  };

  NicResources* client_nic = world_.platform.nic_on(path.node, path.network);
  size_t client_idx        = SIZE_MAX;
  std::vector<int> bricks  = read ? std::vector<int>{path.read_brick} : path.write_bricks;
  remote_copies_           = 0;
  std::vector<std::pair<NicResources*, bool>> nic_counts; // (brick nic, true) for the receive side
  for (int b : bricks) {
    const Node& bn   = *sc.find_node(vol.bricks[b].node);
    double disk_cost = read ? bn.disk.write.value / bn.disk.read.value : 1.0;
    add_host(world_.platform.disk(bn.name), payload * disk_cost, "brick disk (" + bn.name + ")", bn.disk.source);
    if (bn.name == path.node) continue;
    NicResources* brick_nic = world_.platform.nic_on(bn.name, path.network);
    if (!client_nic || !brick_nic)
      return false; // cannot happen when io_path said reachable; refuse rather than invent a route
    if (client_idx == SIZE_MAX) client_idx = add_host(client_nic->host, 0, "", "");
    size_t bi = add_host(brick_nic->host, 0, "", "");
    transfers.push_back(read ? std::make_pair(bi, client_idx) : std::make_pair(client_idx, bi));
    add_stream_limits(*client_nic, *brick_nic, bn.name, path.network, !read);
    flow->uses.push_back({brick_nic->link->get_name() + (read ? "_UP" : "_DOWN"),
                          link_label("brick", *brick_nic, sc, read), brick_nic->capacity_Bps, 1.0,
                          technology_source(*brick_nic, sc)});
    const Network& net = *sc.find_network(path.network);
    sg4::Link* sw      = world_.platform.switch_link(net.name);
    flow->uses.push_back({sw->get_name(), "switch " + net.sw.name, sw->get_bandwidth(), 1.0,
                          "the scenario's switch " + net.sw.name + " (backplane)"});
    remote_copies_++;
  }
  if (remote_copies_ > 0)
    flow->uses.push_back({client_nic->link->get_name() + (read ? "_DOWN" : "_UP"),
                          link_label("client", *client_nic, sc, !read), client_nic->capacity_Bps,
                          static_cast<double>(remote_copies_), technology_source(*client_nic, sc)});
  // Merge repeated resources (the switch appears once per remote brick).
  std::sort(flow->uses.begin(), flow->uses.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::vector<ResourceUse> merged;
  for (auto const& u : flow->uses)
    if (!merged.empty() && merged.back().name == u.name)
      merged.back().weight += u.weight;
    else
      merged.push_back(u);
  flow->uses = merged;

  std::vector<double> bytes(hosts.size() * hosts.size(), 0.0);
  for (auto [from, to] : transfers)
    bytes[from * hosts.size() + to] = payload;
  flow->payload_bytes = payload;

  // Charge progress to the phase, the NICs and (for writes that miss a brick) the heal backlog.
  std::vector<std::pair<std::string, std::string>> nic_pairs; // (sender key, receiver key)
  for (int b : bricks) {
    const std::string& bn = vol.bricks[b].node;
    if (bn == path.node) continue;
    NicResources* brick_nic = world_.platform.nic_on(bn, path.network);
    std::string ck          = Topology::nic_name(client_nic->node, client_nic->nic->name);
    std::string bk          = Topology::nic_name(brick_nic->node, brick_nic->nic->name);
    nic_pairs.push_back(read ? std::make_pair(bk, ck) : std::make_pair(ck, bk));
  }
  std::vector<int> missed = path.missed_bricks;
  StreamKind kind         = st.kind;
  int copies              = remote_copies_;
  double file_bytes       = st.file_size.value;
  // Callbacks capture what outlives the flow (the world, the scenario's VM), never this actor.
  World* world      = &world_;
  const Vm* vm      = &vm_;
  flow->on_progress = [world, vm, nic_pairs, missed, kind, copies, file_bytes](double delta) {
    PhaseAcc& ph    = world->recorder.phase();
    ClientPhase& cp = ph.clients[vm->name];
    if (kind == StreamKind::SequentialRead)
      cp.read_bytes += delta;
    else if (kind == StreamKind::SequentialWrite) {
      cp.write_bytes += delta;
      cp.nic_sent_bytes += delta * copies;
    } else // small files: counted as their data lands, so each phase gets the files done within it
      cp.files += delta / file_bytes;
    for (auto const& [from, to] : nic_pairs) {
      ph.nics[from].tx_bytes += delta;
      ph.nics[to].rx_bytes += delta;
    }
    if (kind != StreamKind::SequentialRead)
      for (int b : missed)
        world->pending_heal[vm->volume][b] += delta;
  };
  flow->on_bottleneck = [world, vm](const ResourceUse& limit, double seconds) {
    ClientPhase& cp = world->recorder.phase().clients[vm->name];
    cp.limit_seconds[limit.label] += seconds;
    cp.limit_source[limit.label] = limit.source;
  };
  flow->start(hosts, flops, bytes);
  world_.add_flow(flow);
  flow_ = flow;
  return true;
}

void GlusterClient::stop_flow()
{
  if (!flow_) return;
  FlowPtr flow = std::move(flow_);
  flow->account();
  world_.remove_flow(flow);
  flow->cancel(); // a no-op when it finished
}

void GlusterClient::run_sequential()
{
  std::string current = "";
  while (!world_.finished) {
    uint64_t seen   = world_.generation(); // before looking: a change while we re-plan is not missed
    IoPath p        = world_.model.io_path(vm_, World::now());
    std::string sig = signature(p);
    // A flow cancelled by someone else (its interface was re-rated) is re-planned even if the path is the same.
    if (sig != current || (flow_ && !flow_->running())) {
      stop_flow();
      if (!sig.empty() && !start_flow(p, kStreamPayload)) sig.clear();
      current = sig;
    }
    world_.wait_change(seen);
  }
  stop_flow();
}

void GlusterClient::run_small_files()
{
  const Scenario& sc              = world_.sc;
  const Stream& st                = vm_.streams[stream_index_];
  const Volume& vol               = *sc.find_volume(vm_.volume);
  const Calibrated trips          = small_file_round_trips(sc.calibration, vol);
  const double rtrips             = trips.value;
  const AccessPathCost access     = access_path_cost(sc.calibration, vm_.access, st.file_size);
  const double op_s               = sc.calibration.server_op_s.value;
  const std::string limit_latency = "round-trip latency (" + std::to_string(static_cast<int>(rtrips)) +
                                    " round trips and " + std::to_string(kFileRequests) + " " +
                                    (vm_.access == Access::Fuse ? "FUSE" : "libgfapi") + " requests per file)";
  const std::string source_latency = "round trips per file: " + trips.source +
                                     "; brick time per operation: " + sc.calibration.server_op_s.source +
                                     "; requests per file: LOOKUP, CREATE, WRITE, FLUSH, RELEASE; " + access.source;
  const std::string limit_data = "data transfer";
  while (!world_.finished) {
    uint64_t seen = world_.generation();
    IoPath p      = world_.model.io_path(vm_, World::now());
    if (!p.can_write) {
      world_.wait_change(seen);
      continue;
    }
    // Round-trip time to the farthest brick of the set (AFR waits for all); local bricks cost only the server op.
    double rtt       = 0;
    NicResources* cn = world_.platform.nic_on(p.node, p.network);
    for (int b : p.write_bricks) {
      const std::string& bn = vol.bricks[b].node;
      if (bn == p.node || !cn) continue;
      std::vector<sg4::Link*> links;
      double lat = 0;
      cn->host->route_to(world_.platform.nic_on(bn, p.network)->host, links, &lat);
      rtt = std::max(rtt, 2 * lat);
    }
    // Each file is also kFileRequests requests through the access path, one after the other.
    double per_file_latency = rtrips * (rtt + op_s) + kFileRequests * access.per_request.value;
    double est_data_s       = st.file_size.value / (cn ? cn->capacity_Bps : 1e9);
    // One batch of about a second of simulated time prices a file at the current contention: its round trips,
    // then its data.
    double files = std::clamp(std::floor(1.0 / (per_file_latency + est_data_s)), 1.0, 1e6);
    double t0    = World::now();
    sg4::this_actor::sleep_for(files * per_file_latency);
    if (world_.finished) break;
    double latency_s = World::now() - t0;
    p                = world_.model.io_path(vm_, World::now());
    if (!p.can_write || !start_flow(p, files * st.file_size.value)) continue;
    flow_->on_bottleneck = nullptr; // attributed per batch below
    double t1            = World::now();
    bool whole           = true;
    try {
      flow_->exec->wait();
    } catch (const simgrid::CancelException&) {
      whole = false; // its interface is being re-configured: the rest of the batch goes into the next one
    }
    double data_s = World::now() - t1;
    stop_flow(); // counts the batch's files
    const bool latency_bound = latency_s >= data_s;
    const std::string& limit = latency_bound ? limit_latency : limit_data;
    ClientPhase& cp          = world_.recorder.phase().clients[vm_.name];
    cp.limit_seconds[limit] += latency_s + data_s;
    if (latency_bound) cp.limit_source[limit] = source_latency;
    if (!whole || world_.generation() != seen || world_.finished) continue; // the batch saw a change: price again
    // Until the next change the cluster stays as the batch found it: one flow at the batch's pace carries the
    // files, so the cost follows the plan's events, not its length.
    p = world_.model.io_path(vm_, World::now());
    if (!p.can_write || !start_flow(p, kStreamPayload, files * st.file_size.value / (latency_s + data_s))) continue;
    World* world         = &world_;
    const Vm* vm         = &vm_;
    std::string source   = latency_bound ? source_latency : "";
    double started       = World::now(); // a first sample's interval began before the flow: the batch has that part
    flow_->on_bottleneck = [world, vm, limit, source, started](const ResourceUse&, double seconds) {
      ClientPhase& c = world->recorder.phase().clients[vm->name];
      c.limit_seconds[limit] += std::min(seconds, World::now() - started);
      if (!source.empty()) c.limit_source[limit] = source;
    };
    world_.wait_change(seen);
    stop_flow();
  }
  stop_flow();
}

void GlusterClient::operator()()
{
  if (vm_.streams[stream_index_].kind == StreamKind::SmallFiles)
    run_small_files();
  else
    run_sequential();
}

} // namespace ibmig::sim
