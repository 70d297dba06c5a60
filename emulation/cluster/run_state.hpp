/* The state file of one emulation run: every object the run creates (directories, namespaces, veths, bridges,
 * mounts, processes) is recorded here as it is created, so that teardown (success, error, SIGINT) and
 * `ibmig emulate --cleanup` after a crash remove exactly what the run made, newest first, and nothing else. */
#pragma once

#include "command_runner.hpp"

#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace ibmig::emu {

struct CreatedObject {
  /* MountPoint: an empty directory made on the host for a node's bind mount (a brick at the scenario's path); teardown
   * only rmdirs it, so nothing put there by someone else can go with it. */
  enum class Kind {
    PrivateBind,
    Directory,
    NetNamespace,
    MountNamespace,
    Link,
    Process,
    Mount,
    MemoryFileSystem,
    MountPoint
  };
  Kind kind = Kind::Directory;
  std::string name;  // path (PrivateBind, Directory, MountNamespace file, Mount point, tmpfs), netns, ifname, comm
  std::string netns; // Link, Process: the network namespace it lives in
  std::string mntns; // Mount: the mount-namespace file of the node it is mounted in
  long pid                      = 0; // Process
  unsigned long long start_time = 0; // Process: /proc/PID/stat field 22, so a recycled pid is never killed
};

const char* to_string(CreatedObject::Kind k);

inline CreatedObject created(CreatedObject::Kind kind, std::string name, std::string netns = {}, std::string mntns = {},
                             long pid = 0, unsigned long long start_time = 0)
{
  CreatedObject o;
  o.kind       = kind;
  o.name       = std::move(name);
  o.netns      = std::move(netns);
  o.mntns      = std::move(mntns);
  o.pid        = pid;
  o.start_time = start_time;
  return o;
}

class RunState {
public:
  RunState() = default;
  /* The calling process becomes the run's owner: --cleanup leaves the run alone while the owner lives. */
  RunState(std::string file, std::string run_id);

  const std::string& file() const { return file_; }
  const std::string& run_id() const { return run_id_; }
  const std::vector<CreatedObject>& objects() const { return objects_; }

  /* Records and saves at once: a crash right after creating the object still leaves it findable. */
  void add(const CreatedObject& o);
  /* Forgets objects released by the normal course of the run (a stopped daemon, an unmounted client). */
  void remove_if(const std::function<bool(const CreatedObject&)>& pred);
  void remove_at(size_t index);
  void save() const; // atomic (write + rename); no-op without a file
  /* The process that created the run is still running (same pid and start time), not this one. */
  bool owner_alive() const;
  long owner_pid() const { return owner_pid_; }

  /* A run kept up by `ibmig lab up` says so here (name, scenario, its directory, powered-off nodes); null else. */
  const nlohmann::json& lab() const { return lab_; }
  void set_lab(nlohmann::json lab)
  {
    lab_ = std::move(lab);
    save();
  }

  nlohmann::json to_json() const;
  static RunState from_json(const nlohmann::json& j, const std::string& file);
  static RunState load(const std::string& file); // throws std::runtime_error

private:
  std::string file_;
  std::string run_id_;
  std::vector<CreatedObject> objects_;
  long owner_pid_                      = 0;
  unsigned long long owner_start_time_ = 0;
  nlohmann::json lab_;
};

/* Removes what the state records, newest first, through the runner. Never throws; logs each failure. Safety: only
 * names with the "ibmig-" prefix and paths inside an "ibmig" directory are touched, a process only when its start
 * time still matches. Returns the number of objects it could not remove. */
class Teardown {
public:
  Teardown(CommandRunner& runner, std::ostream* log) : runner_(runner), log_(log) {}
  int undo_all(RunState& state);
  void undo(const CreatedObject& o);
  /* Replaceable in tests: reads /proc/PID/stat; 0 when the process does not exist. */
  std::function<unsigned long long(long)> process_start_time;
  std::function<bool(const std::string&)> path_exists;

private:
  bool run_ok(const std::vector<std::string>& argv, double timeout_s);
  CommandRunner& runner_;
  std::ostream* log_;
  int failures_ = 0;
};

unsigned long long read_process_start_time(long pid);
bool is_safe_path(const std::string& path);    // contains a path component starting with "ibmig"
bool is_mount_target(const std::string& path); // some process's mount namespace has a mount on it

} // namespace ibmig::emu
