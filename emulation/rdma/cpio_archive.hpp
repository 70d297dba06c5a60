// Writes a cpio archive in the "newc" format the kernel unpacks as an initramfs. The launcher appends one per guest
// to the shared image (the kernel unpacks concatenated archives in order), which adds /ibmig/job.sh without
// rebuilding the image.
#pragma once

#include <string>
#include <vector>

namespace ibmig::rdma {

struct CpioEntry {
  std::string path;    // without leading slash, e.g. "ibmig/job.sh"
  std::string content; // file content; ignored for directories
  bool directory = false;
  unsigned mode  = 0644;
};

/// The archive's bytes, trailer included.
std::string make_cpio(const std::vector<CpioEntry>& entries);

} // namespace ibmig::rdma
