#include "cpio_archive.hpp"

#include <cstdio>

namespace ibmig::rdma {

namespace {
void pad4(std::string& out)
{
  while (out.size() % 4 != 0)
    out.push_back('\0');
}

void append_entry(std::string& out, unsigned inode, unsigned mode, const std::string& name, const std::string& data)
{
  char header[111];
  // Fields: magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize,
  // check. All hexadecimal, eight digits.
  std::snprintf(header, sizeof header, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", inode, mode, 0u,
                0u, 1u, 0u, static_cast<unsigned>(data.size()), 0u, 0u, 0u, 0u, static_cast<unsigned>(name.size() + 1),
                0u);
  out.append(header, 110);
  out.append(name);
  out.push_back('\0');
  pad4(out);
  out.append(data);
  pad4(out);
}
} // namespace

std::string make_cpio(const std::vector<CpioEntry>& entries)
{
  std::string out;
  unsigned inode = 1;
  for (const auto& entry : entries)
    append_entry(out, inode++, (entry.directory ? 0040000u : 0100000u) | entry.mode, entry.path,
                 entry.directory ? std::string() : entry.content);
  append_entry(out, 0, 0, "TRAILER!!!", "");
  return out;
}

} // namespace ibmig::rdma
