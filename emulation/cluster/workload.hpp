/* The VMs' I/O, run for real on the FUSE mounts: each stream is a forked child that enters the client node's mount
 * namespace (setns) and writes, reads or creates small files there. Data is a deterministic pseudo-random pattern
 * of (file name, offset), so it can be checked later on every replica's brick without keeping a copy. */
#pragma once

#include "scenario.hpp"

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace ibmig::emu {

struct IoJob {
  std::string vm;
  std::string mntns; // mount-namespace file of the client's node
  std::string dir;   // the FUSE mount point (as seen in that namespace)
  std::string file;  // name on the volume; SmallFiles: a directory
  StreamKind kind         = StreamKind::SequentialWrite;
  double rate_Bps         = 0; // 0: as fast as possible
  std::uint64_t max_bytes = 0;
  int max_files           = 0;     // SmallFiles
  std::uint64_t file_size = 65536; // SmallFiles
  /* Brick directories of the replica set the file must land on (pinned image): names are tried until DHT puts the
   * file there. Empty: any placement. */
  std::vector<std::string> placement_bricks;
  /* Paced companions end when every unpaced job has finished (the phase lasts as long as the bounded streams). */
  bool primary = false;
  /* Rewrite the file in place (same bytes: the pattern is the file's) instead of truncating it: what an earlier
   * run acknowledged stays there to be verified (a lab's writers, period after period). */
  bool keep_contents = false;
};

struct IoResult {
  std::string vm;
  bool ok = false;
  std::string error;
  std::string file; // name actually used (placement may have picked another)
  std::uint64_t bytes     = 0;
  int files               = 0;
  double seconds          = 0;
  std::uint64_t bad_bytes = 0; // reads: bytes that did not match the pattern
};

/* Runs the jobs concurrently; kills what is still running after deadline_s (a hung mount) and reports it. */
std::vector<IoResult> run_io_jobs(const std::vector<IoJob>& jobs, double deadline_s);

/* What a writer of the replay got acknowledged: bytes from the start of `file` that an fdatasync confirmed. A write
 * in flight when its VM was killed, or one that failed, is not in it. */
struct AckedWrite {
  std::string vm;
  std::string file;
  std::uint64_t acked = 0;
  int failures        = 0; // writes or fdatasyncs that failed (retried from the last acknowledged byte)
  std::string last_error;
  bool killed   = false; // its VM died with its node
  double busy_s = 0;     // from its start to its last acknowledged write: acked / busy_s is the rate it wrote at
};

/* Sequential writers that run in the background while the plan is replayed (scenario faults: a crash must find
 * writes in flight). Each is a forked child like run_io_jobs' that writes 1 MiB, fdatasyncs, and only then counts
 * the bytes as acknowledged, in memory shared with this process, so a child killed with SIGKILL (a crash of its
 * node) leaves its last acknowledged figure behind. A failed write or fdatasync (a brick gone, no quorum) is retried
 * from the last acknowledged byte every second, as a VM's disk retries; a writer whose VM died is not restarted. */
class BackgroundWriters {
public:
  explicit BackgroundWriters(const std::vector<IoJob>& jobs); // starts them
  ~BackgroundWriters();                                       // kills whatever still runs
  BackgroundWriters(const BackgroundWriters&)            = delete;
  BackgroundWriters& operator=(const BackgroundWriters&) = delete;

  /* SIGKILL to the writers of `vm`: no clean stop, as when its node crashes. */
  void kill_vm(const std::string& vm);
  /* Asks every writer to stop after its current write, kills those that did not within deadline_s (a hung
   * mount), and returns what each got acknowledged. */
  std::vector<AckedWrite> stop(double deadline_s);

  struct Shared; // one per writer, in memory shared with the children (workload.cpp)

private:
  std::vector<IoJob> jobs_;
  std::vector<pid_t> pids_;
  std::vector<bool> killed_;
  Shared* shared_ = nullptr;
};

std::uint64_t pattern_seed(const std::string& name);
/* Pattern bytes [offset, offset+n) of the file seeded by `seed`. */
void fill_pattern(std::uint64_t seed, std::uint64_t offset, char* buf, std::size_t n);
/* Bytes of `path` (from the start) that match the pattern, up to `length`; 0 when missing. */
std::uint64_t matching_bytes(const std::string& path, std::uint64_t seed, std::uint64_t length);

} // namespace ibmig::emu
