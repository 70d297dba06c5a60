#include "run_state.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace ibmig::emu {

namespace fs = std::filesystem;

const char* to_string(CreatedObject::Kind k)
{
  switch (k) {
  case CreatedObject::Kind::PrivateBind:
    return "private-bind";
  case CreatedObject::Kind::Directory:
    return "directory";
  case CreatedObject::Kind::NetNamespace:
    return "netns";
  case CreatedObject::Kind::MountNamespace:
    return "mountns";
  case CreatedObject::Kind::Link:
    return "link";
  case CreatedObject::Kind::Process:
    return "process";
  case CreatedObject::Kind::Mount:
    return "mount";
  case CreatedObject::Kind::MemoryFileSystem:
    return "tmpfs";
  case CreatedObject::Kind::MountPoint:
    return "mount-point";
  }
  return "?";
}

static CreatedObject::Kind kind_from_string(const std::string& s)
{
  for (auto k : {CreatedObject::Kind::PrivateBind, CreatedObject::Kind::Directory, CreatedObject::Kind::NetNamespace,
                 CreatedObject::Kind::MountNamespace, CreatedObject::Kind::Link, CreatedObject::Kind::Process,
                 CreatedObject::Kind::Mount, CreatedObject::Kind::MemoryFileSystem, CreatedObject::Kind::MountPoint})
    if (s == to_string(k)) return k;
  throw std::runtime_error("unknown object kind \"" + s + "\"");
}

RunState::RunState(std::string file, std::string run_id)
    : file_(std::move(file)), run_id_(std::move(run_id)), owner_pid_(::getpid()),
      owner_start_time_(read_process_start_time(::getpid()))
{
}

bool RunState::owner_alive() const
{
  return owner_pid_ > 0 && owner_pid_ != ::getpid() && owner_start_time_ != 0 &&
         read_process_start_time(owner_pid_) == owner_start_time_;
}

void RunState::add(const CreatedObject& o)
{
  objects_.push_back(o);
  save();
}

void RunState::remove_if(const std::function<bool(const CreatedObject&)>& pred)
{
  std::vector<CreatedObject> kept;
  for (auto const& o : objects_)
    if (!pred(o)) kept.push_back(o);
  objects_.swap(kept);
  save();
}

void RunState::remove_at(size_t index)
{
  objects_.erase(objects_.begin() + static_cast<std::ptrdiff_t>(index));
  save();
}

nlohmann::json RunState::to_json() const
{
  nlohmann::json objs = nlohmann::json::array();
  for (auto const& o : objects_) {
    nlohmann::json j = {{"kind", to_string(o.kind)}, {"name", o.name}};
    if (!o.netns.empty()) j["netns"] = o.netns;
    if (!o.mntns.empty()) j["mntns"] = o.mntns;
    if (o.pid) {
      j["pid"]        = o.pid;
      j["start_time"] = o.start_time;
    }
    objs.push_back(j);
  }
  nlohmann::json j = {{"tool", "ibmig emulate"},
                      {"run", run_id_},
                      {"owner", {{"pid", owner_pid_}, {"start_time", owner_start_time_}}},
                      {"objects", objs}};
  if (!lab_.is_null()) j["lab"] = lab_;
  return j;
}

RunState RunState::from_json(const nlohmann::json& j, const std::string& file)
{
  RunState s(file, j.at("run").get<std::string>());
  auto owner          = j.value("owner", nlohmann::json::object());
  s.owner_pid_        = owner.value("pid", 0L);
  s.owner_start_time_ = owner.value("start_time", 0ULL);
  if (j.contains("lab")) s.lab_ = j["lab"];
  for (auto const& o : j.at("objects")) {
    CreatedObject c;
    c.kind       = kind_from_string(o.at("kind").get<std::string>());
    c.name       = o.at("name").get<std::string>();
    c.netns      = o.value("netns", "");
    c.mntns      = o.value("mntns", "");
    c.pid        = o.value("pid", 0L);
    c.start_time = o.value("start_time", 0ULL);
    s.objects_.push_back(c);
  }
  return s;
}

RunState RunState::load(const std::string& file)
{
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file + ": cannot read the state file");
  try {
    return from_json(nlohmann::json::parse(in), file);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(file + ": not an ibmig state file: " + e.what());
  }
}

void RunState::save() const
{
  if (file_.empty()) return;
  std::string tmp = file_ + ".tmp";
  {
    std::ofstream out(tmp);
    out << to_json().dump(1) << "\n";
  }
  std::error_code ec;
  fs::rename(tmp, file_, ec);
}

unsigned long long read_process_start_time(long pid)
{
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!in || !std::getline(in, text)) return 0;
  // comm (field 2) may contain spaces: fields after the last ')' are space-separated; start time is field 22.
  auto rp = text.rfind(')');
  if (rp == std::string::npos) return 0;
  std::istringstream rest(text.substr(rp + 2));
  std::string field;
  char state = rest.peek();
  if (state == 'Z' || state == 'X') return 0; // exited; only its parent (init, for daemons) has not reaped it yet
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return std::stoull(field);
  return 0;
}

bool is_safe_path(const std::string& path)
{
  if (path.empty() || path[0] != '/') return false;
  for (auto const& part : fs::path(path))
    if (part.string().rfind("ibmig", 0) == 0) return true;
  return false;
}

bool is_mount_target(const std::string& path)
{
  // One process per mount namespace is enough; /proc/PID/mountinfo's fifth field is the mount point (octal escapes
  // for spaces, which a path of ours never has).
  std::set<std::string> seen;
  std::error_code ec;
  for (auto const& e : fs::directory_iterator("/proc", ec)) {
    auto pid = e.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    auto ns = fs::read_symlink(e.path() / "ns" / "mnt", ec);
    if (ec || !seen.insert(ns.string()).second) continue;
    std::ifstream in(e.path() / "mountinfo");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string id, parent, dev, root, target;
      if (fields >> id >> parent >> dev >> root >> target && target == path) return true;
    }
  }
  return false;
}

static bool is_run_name(const std::string& name)
{
  return name.rfind("ibmig-", 0) == 0;
}

bool Teardown::run_ok(const std::vector<std::string>& argv, double timeout_s)
{
  auto r = runner_.run(argv, Seconds{timeout_s});
  if (!r.ok()) {
    ++failures_;
    if (log_) *log_ << "teardown: " << join_command(argv) << ": " << r.summary() << "\n";
  }
  return r.ok();
}

void Teardown::undo(const CreatedObject& o)
{
  auto exists = [this](const std::string& p) { return path_exists ? path_exists(p) : fs::exists(p); };
  switch (o.kind) {
  case CreatedObject::Kind::Mount:
    if (is_safe_path(o.name) && is_safe_path(o.mntns) && exists(o.mntns)) {
      auto r = runner_.run({"nsenter", "--mount=" + o.mntns, "umount", "-l", o.name}, Seconds{10});
      (void)r; // already unmounted (client died) is fine: the namespace goes away below anyway
    }
    break;
  case CreatedObject::Kind::Process: {
    auto now = process_start_time ? process_start_time(o.pid) : read_process_start_time(o.pid);
    if (o.pid <= 1 || now == 0 || now != o.start_time) break; // gone, or the pid now belongs to someone else
    runner_.run({"kill", "-TERM", std::to_string(o.pid)}, Seconds{5});
    for (int i = 0; i < 30; ++i) { // bounded: 3 s for a clean exit, then SIGKILL
      auto t = process_start_time ? process_start_time(o.pid) : read_process_start_time(o.pid);
      if (t != o.start_time) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    run_ok({"kill", "-KILL", std::to_string(o.pid)}, 5);
    break;
  }
  case CreatedObject::Kind::Link:
    if (is_run_name(o.netns) && exists("/run/netns/" + o.netns)) {
      auto r = runner_.run({"ip", "-n", o.netns, "link", "del", o.name}, Seconds{10});
      (void)r; // the peer's deletion already removed it
    }
    break;
  case CreatedObject::Kind::NetNamespace: {
    if (!is_run_name(o.name) || !exists("/run/netns/" + o.name)) break;
    // Anything still inside a namespace this run created was started by this run (daemons forked by glusterd).
    auto pids = runner_.run({"ip", "netns", "pids", o.name}, Seconds{10});
    std::istringstream in(pids.out);
    std::string pid;
    bool any = false;
    while (in >> pid) {
      runner_.run({"kill", "-KILL", pid}, Seconds{5});
      any = true;
    }
    if (any) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    run_ok({"ip", "netns", "del", o.name}, 10);
    break;
  }
  case CreatedObject::Kind::MountNamespace:
    if (is_safe_path(o.name) && exists(o.name)) {
      run_ok({"umount", o.name}, 10);
      run_ok({"rm", "-f", o.name}, 10);
    }
    break;
  case CreatedObject::Kind::Directory:
    if (is_safe_path(o.name) && exists(o.name)) run_ok({"rm", "-rf", "--one-file-system", o.name}, 120);
    break;
  case CreatedObject::Kind::PrivateBind:
    if (is_safe_path(o.name) && exists(o.name)) run_ok({"umount", "-l", o.name}, 10);
    break;
  case CreatedObject::Kind::MemoryFileSystem:
    // Recorded before the mount: a crash in between leaves a plain directory, which is not an error.
    if (is_safe_path(o.name) && exists(o.name) && runner_.run({"mountpoint", "-q", o.name}, Seconds{10}).ok())
      run_ok({"umount", "-l", o.name}, 10);
    break;
  case CreatedObject::Kind::MountPoint: {
    // Removing a directory that another run's node still mounts would detach that mount there (Linux >= 3.18),
    // and one with something in it is no longer only ours: either is left (an empty directory) and said.
    if (o.name.empty() || o.name[0] != '/' || !exists(o.name)) break;
    std::error_code ec;
    const char* why = !fs::is_directory(o.name, ec) || !fs::is_empty(o.name, ec) ? "not empty"
                      : is_mount_target(o.name)                                  ? "a mount point in another namespace"
                                                                                 : nullptr;
    if (why) {
      if (log_) *log_ << "teardown: left " << o.name << " (" << why << ")\n";
      break;
    }
    run_ok({"rmdir", o.name}, 10);
    break;
  }
  }
}

int Teardown::undo_all(RunState& state)
{
  failures_ = 0;
  // Newest first; an object leaves the state file only once it is gone, so the file always lists what is left
  // (for --cleanup), even if teardown itself dies half-way.
  for (size_t i = state.objects().size(); i-- > 0;) {
    CreatedObject o = state.objects()[i];
    int before      = failures_;
    try {
      undo(o);
    } catch (const std::exception& e) {
      ++failures_;
      if (log_) *log_ << "teardown: " << to_string(o.kind) << " " << o.name << ": " << e.what() << "\n";
    }
    if (failures_ == before) state.remove_at(i);
  }
  return failures_;
}

} // namespace ibmig::emu
