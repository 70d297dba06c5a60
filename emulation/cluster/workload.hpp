/* The VMs' I/O, run for real on the FUSE mounts: each stream is a forked child that enters the client node's mount
 * namespace (setns) and writes, reads or creates small files there. Data is a deterministic pseudo-random pattern
 * of (file name, offset), so it can be checked later on every replica's brick without keeping a copy. */
#pragma once

#include "scenario.hpp"

#include <cstdint>
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

std::uint64_t pattern_seed(const std::string& name);
/* Pattern bytes [offset, offset+n) of the file seeded by `seed`. */
void fill_pattern(std::uint64_t seed, std::uint64_t offset, char* buf, std::size_t n);
/* Bytes of `path` (from the start) that match the pattern, up to `length`; 0 when missing. */
std::uint64_t matching_bytes(const std::string& path, std::uint64_t seed, std::uint64_t length);

} // namespace ibmig::emu
