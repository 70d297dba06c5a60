#include "verification.hpp"

#include "workload.hpp"

#include <sys/stat.h>

namespace ibmig::emu {

Verification verify_written_files(const Scenario& sc, const RunLayout& layout, const std::vector<WrittenFile>& written)
{
  Verification v;
  v.method = "each written file read back from every data brick of its replica set (brick directories read "
             "directly) and compared with its deterministic pattern";
  for (auto const& f : written) {
    auto vol  = sc.find_volume(f.volume);
    auto seed = pattern_seed(f.path);
    int home  = -1;
    for (int set = 0; set < vol->replica_sets() && home < 0; ++set)
      for (auto b : data_bricks(*vol, set)) {
        struct stat st;
        auto p = layout.brick_dir(*b) + "/" + f.path;
        // A DHT link file (sticky bit, empty) only points elsewhere; the data lives where a real copy is.
        if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && !((st.st_mode & S_ISVTX) && st.st_size == 0))
          home = set;
      }
    ++v.files;
    auto bricks = home >= 0 ? data_bricks(*vol, home) : data_bricks(*vol, 0);
    for (auto b : bricks) {
      auto good = home >= 0 ? matching_bytes(layout.brick_dir(*b) + "/" + f.path, seed, f.length) : 0;
      v.bytes_verified += good;
      v.bytes_lost += f.length - good;
      if (good < f.length && v.problems.size() < 10)
        v.problems.push_back(f.volume + ":" + f.path + " on " + b->node + ": " + std::to_string(f.length - good) +
                             " bytes missing or different");
    }
  }
  return v;
}

Verification verify_replicas(EmulatedCluster& cluster, const std::vector<WrittenFile>& written, PlanReplayer& replay,
                             bool replay_ok, double heal_deadline_s, std::vector<Event>& events)
{
  auto const& sc = cluster.scenario();
  auto ver       = verify_written_files(sc, cluster.layout(), written);
  if (ver.bytes_lost == 0 || !replay_ok) return ver;
  events.push_back({replay.clock(), "heal", "replicas differ after the run; waiting for self-heal"});
  for (auto const& v : sc.volumes) {
    Step heal;
    heal.action  = Action::WaitHeal;
    heal.volume  = v.name;
    heal.timeout = Seconds{heal_deadline_s};
    try {
      replay.run_step(heal, "");
    } catch (const StepFailure& f) {
      events.push_back({replay.clock(), "heal", f.what()});
    }
  }
  return verify_written_files(sc, cluster.layout(), written);
}

} // namespace ibmig::emu
