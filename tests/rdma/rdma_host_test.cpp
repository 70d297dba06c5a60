// Soft-RoCE plane tests that run on the host, which has no RDMA device.
#include "command_runner.hpp"
#include "cpio_archive.hpp"
#include "guest_launcher.hpp"
#include "port_query.hpp"
#include "rdma_plane.hpp"
#include "replicated_write.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace fs = std::filesystem;
using namespace ibmig::rdma;
using ibmig::Seconds;
using ibmig::emu::CommandResult;
using ibmig::emu::CommandRunner;
using ibmig::emu::SystemRunner;

namespace {
bool host_has_rdma_device()
{
  std::error_code error;
  return fs::exists("/sys/class/infiniband", error) && !fs::is_empty("/sys/class/infiniband", error);
}

// Records commands instead of running them.
class RecordingRunner : public CommandRunner {
public:
  CommandResult run(const std::vector<std::string>& argv, Seconds) override
  {
    commands.push_back(ibmig::emu::join_command(argv));
    CommandResult ok;
    ok.exit_status = 0;
    return ok;
  }
  std::vector<std::string> commands;
};
} // namespace

// Without a device the tool must say so in one line and exit 3, before any verb fails with a cryptic errno.
TEST(RdmaWriteTool, NoDeviceGivesOneClearMessage)
{
  if (host_has_rdma_device()) GTEST_SKIP() << "this host has an RDMA device; the no-device path cannot be exercised";
  SystemRunner runner;
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{IBMIG_BINARY_DIR "/ibmig-rdma-write", "write", "--servers", "10.77.0.2"},
        std::vector<std::string>{IBMIG_BINARY_DIR "/ibmig-rdma-write", "serve"}}) {
    CommandResult result = runner.run(command, Seconds{30});
    EXPECT_EQ(result.exit_status, 3) << result.output();
    EXPECT_NE(result.output().find("ibmig-rdma-write: no RDMA device found"), std::string::npos) << result.output();
    EXPECT_NE(result.output().find("rdma link add"), std::string::npos) << "the message should say how to get one";
    const std::string all = result.output();
    EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 1) << all;
  }
}

TEST(RdmaWriteTool, BadUsageExitsTwo)
{
  SystemRunner runner;
  CommandResult result = runner.run(
      {IBMIG_BINARY_DIR "/ibmig-rdma-write", "write", "--servers", "10.77.0.2", "--bytes", "12parsecs"}, Seconds{30});
  EXPECT_EQ(result.exit_status, 2) << result.output();
  EXPECT_NE(result.output().find("--bytes: unknown size unit \"parsecs\""), std::string::npos) << result.output();
}

// Sizes are read by the scenario's units parser, as everywhere in ibmig: a bare number is refused (is "512" bytes,
// KiB or MiB?), and so is a fraction of a byte; the message names the option. Wrong if a job script or a user
// passing a bare number gets a silent guess, or if "64MiB" and friends stop being accepted.
TEST(RdmaWriteTool, SizesNeedAUnit)
{
  SystemRunner runner;
  const std::string write = IBMIG_BINARY_DIR "/ibmig-rdma-write";
  const std::string plane = IBMIG_BINARY_DIR "/ibmig-rdma-plane";
  struct Case {
    std::vector<std::string> argv;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{write, "write", "--servers", "10.77.0.2", "--bytes", "512"}, "--bytes: \"512\" has no unit"},
           {{write, "latency", "--servers", "10.77.0.2", "--chunk", "4096"}, "--chunk: \"4096\" has no unit"},
           {{write, "write", "--servers", "10.77.0.2", "--chunk", "1.5B"}, "--chunk: \"1.5B\" is not a whole number"},
           {{write, "write", "--servers", "10.77.0.2", "--chunk", "2GiB"}, "--chunk: expected a size from 1B to 1GiB"},
           {{write, "write", "--servers", ""}, "--servers: empty: expected a comma-separated list"},
           {{write, "serve", "--port", "70000"}, "--port: expected a whole number from 1 to 65535, got \"70000\""},
           {{write, "serve", "--poll", "spin"}, "--poll: expected event or busy, got \"spin\""},
           {{write, "write", "--bytes", "1MiB"}, "--servers is required"},
           {{write, "serve", "--servers", "10.77.0.2"}, "unknown option \"--servers\" for serve"},
           {{write, "frobnicate"}, "unknown command \"frobnicate\""},
           {{plane, "--bytes", "67108864"}, "--bytes: \"67108864\" has no unit"},
           {{plane, "--fault", "mtu-mismatch:n2:big"}, "--fault mtu-mismatch:n2:big: expected a whole number"},
       }) {
    CommandResult result = runner.run(c.argv, Seconds{30});
    EXPECT_EQ(result.exit_status, 2) << ibmig::emu::join_command(c.argv) << "\n" << result.output();
    EXPECT_NE(result.output().find(c.message), std::string::npos) << ibmig::emu::join_command(c.argv) << "\n"
                                                                  << result.output();
  }
  for (const std::string& tool : {write, plane}) {
    CommandResult help = runner.run({tool, "--help"}, Seconds{30});
    EXPECT_EQ(help.exit_status, 0) << help.output();
    EXPECT_NE(help.output().find("usage: "), std::string::npos) << help.output();
  }
  if (host_has_rdma_device()) GTEST_SKIP() << "this host has an RDMA device: accepted sizes would start a real run";
  // Accepted: the tool gets as far as looking for a device (exit 3), past every size.
  CommandResult accepted = runner.run({write, "write", "--servers", "10.77.0.2,10.77.0.3", "--bytes", "64MiB",
                                       "--chunk", "4KiB", "--depth", "8", "--poll", "busy", "--connect-timeout", "30"},
                                      Seconds{30});
  EXPECT_EQ(accepted.exit_status, 3) << accepted.output();
}

// The servers' verification is only as good as the checksum: it must change for a flipped bit, swapped words and
// a stale (unwritten) tail.
TEST(ChunkChecksum, DetectsCorruptionReorderingAndLength)
{
  std::vector<uint8_t> data(1 << 16);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i * 131 + 7);
  const uint64_t reference = chunk_checksum(data.data(), data.size());
  EXPECT_EQ(reference, chunk_checksum(data.data(), data.size()));

  auto flipped = data;
  flipped[40000] ^= 0x10;
  EXPECT_NE(reference, chunk_checksum(flipped.data(), flipped.size()));

  auto swapped = data;
  std::swap_ranges(swapped.begin(), swapped.begin() + 8, swapped.begin() + 8);
  EXPECT_NE(reference, chunk_checksum(swapped.data(), swapped.size()));

  EXPECT_NE(reference, chunk_checksum(data.data(), data.size() - 1));
  auto tail_zeroed = data;
  std::fill(tail_zeroed.end() - 4096, tail_zeroed.end(), 0);
  EXPECT_NE(reference, chunk_checksum(tail_zeroed.data(), tail_zeroed.size()));
}

// The per-guest archive must be one the kernel (and GNU cpio) can unpack: checked with cpio itself.
TEST(CpioArchive, GnuCpioListsTheJob)
{
  const std::string archive = make_cpio({{"ibmig", "", true, 0755}, {"ibmig/job.sh", "echo hi\n", false, 0755}});
  ASSERT_EQ(archive.size() % 4, 0u);
  ASSERT_EQ(archive.substr(0, 6), "070701");
  const fs::path path = fs::temp_directory_path() / "ibmig-rdma-host-test.cpio";
  std::ofstream(path, std::ios::binary) << archive;
  SystemRunner runner;
  CommandResult listing = runner.run({"sh", "-c", "cpio -it < " + path.string()}, Seconds{30});
  fs::remove(path);
  if (listing.exit_status == 127) GTEST_SKIP() << "cpio is not installed (setup.sh installs it)";
  EXPECT_EQ(listing.exit_status, 0) << listing.output();
  EXPECT_NE(listing.output().find("ibmig/job.sh"), std::string::npos) << listing.output();
}

TEST(Devinfo, ParsesActivePortAndMissingDevice)
{
  const std::string active = "hca_id:\trxe0\n\ttransport:\t\t\tInfiniBand (0)\n\tphys_port_cnt:\t\t\t1\n"
                             "\t\tport:\t1\n\t\t\tstate:\t\t\tPORT_ACTIVE (4)\n\t\t\tmax_mtu:\t\t4096 (5)\n"
                             "\t\t\tactive_mtu:\t\t1024 (3)\n\t\t\tGID[  0]:\t\tfe80::5054:ff:fe1b:2, RoCE v2\n"
                             "\t\t\tGID[  1]:\t\t::ffff:10.77.0.2, RoCE v2\n";
  nlohmann::json info      = parse_devinfo(active);
  EXPECT_EQ(info["device"], "rxe0");
  EXPECT_EQ(info["port_state"], "PORT_ACTIVE");
  EXPECT_EQ(info["active_mtu_bytes"], 1024);
  EXPECT_EQ(info["gid"], "::ffff:10.77.0.2");
  EXPECT_EQ(parse_devinfo("No IB devices found\n")["port_state"], "NO_DEVICE");
}

// A port query builds the model's port in the guest: the stack loaded is the rxe device, a cable is eth0 up, and the
// IB MTU comes from an Ethernet MTU 512 bytes above it (rxe keeps 80 bytes for its headers). If this fails, a
// verify_port step in emulate --rdma asks a port in another state than the model's.
TEST(PortQueryScripts, TheModelsPortIsBuiltInTheGuest)
{
  const std::string active = port_job_script({"n1", true, true, 2048});
  EXPECT_NE(active.find("/usr/sbin/ip link set eth0 mtu 2560\n"), std::string::npos) << active;
  EXPECT_NE(active.find("/usr/sbin/ip link set eth0 up\n"), std::string::npos);
  EXPECT_NE(active.find("rdma link add rxe0 type rxe netdev eth0\n"), std::string::npos);
  EXPECT_NE(active.find("ibv_devinfo -d rxe0 -i 1"), std::string::npos);
  const std::string uncabled = port_job_script({"n2", true, false, 4096});
  EXPECT_NE(uncabled.find("mtu 4608"), std::string::npos);
  EXPECT_NE(uncabled.find("eth0 down"), std::string::npos);
  EXPECT_EQ(uncabled.find("eth0 up"), std::string::npos);
  const std::string no_stack = port_job_script({"n3", false, true, 2048});
  EXPECT_EQ(no_stack.find("rdma link add"), std::string::npos);
  EXPECT_EQ(no_stack.find("-d rxe0"), std::string::npos) << "no stack: no device to name";
  EXPECT_NE(no_stack.find("; ibv_devinfo 2>&1;"), std::string::npos) << no_stack;
  EXPECT_THROW(port_job_script({"n4", true, true, 65520}), std::invalid_argument);
  EXPECT_THROW(query_ports(PortQueryOptions{}), std::invalid_argument);
}

// Fault injection lives in the job scripts: "port never active" must not add the rxe link, "MTU mismatch" must set
// the node's own MTU, and only the client runs the write.
TEST(RdmaPlaneScripts, FaultsShapeTheJobScripts)
{
  PlaneOptions options;
  options.image_dir = "/nonexistent";
  options.nodes     = {{"n1", 65520, true}, {"n2", 1500, true}, {"n3", 65520, false}};
  RdmaPlane plane(options);
  EXPECT_NE(plane.job_script(0).find("rdma link add rxe0 type rxe netdev eth0"), std::string::npos);
  EXPECT_NE(plane.job_script(0).find("ibmig-rdma-write write --servers 10.77.0.2,10.77.0.3"), std::string::npos);
  EXPECT_NE(plane.job_script(1).find("MTU=1500"), std::string::npos);
  EXPECT_NE(plane.job_script(1).find("ibmig-rdma-write serve"), std::string::npos);
  EXPECT_EQ(plane.job_script(2).find("rdma link add"), std::string::npos);
  EXPECT_EQ(plane.job_script(1).find("ibmig-rdma-write write"), std::string::npos);
  EXPECT_THROW(RdmaPlane(PlaneOptions{}), std::invalid_argument);
}

TEST(GuestLauncher, MissingImageIsReportedAndCreatesNothing)
{
  RecordingRunner runner;
  LauncherOptions options;
  options.image_dir = "/nonexistent/guest";
  EXPECT_THROW(GuestLauncher(options, runner), std::runtime_error);
  EXPECT_TRUE(runner.commands.empty()) << "no namespace may be created without an image";
  EXPECT_NE(guest_unavailable_reason("/nonexistent/guest").size(), 0u);
}

// With a fake runner the fabric is created and removed with run-prefixed names, and nothing else is touched.
TEST(GuestLauncher, FabricNamesCarryTheRunPrefixAndAreRemoved)
{
  const fs::path image = fs::temp_directory_path() / "ibmig-rdma-host-test-image";
  fs::create_directories(image);
  std::ofstream(image / "vmlinuz") << "x";
  std::ofstream(image / "initramfs.cpio") << "x";
  RecordingRunner runner;
  {
    LauncherOptions options;
    options.image_dir   = image.string();
    options.run_id      = "t3st";
    options.accelerator = "tcg";
    GuestLauncher launcher(options, runner);
    EXPECT_EQ(launcher.namespace_name(), "ibmig-t3st-rdma");
    EXPECT_TRUE(fs::is_directory(launcher.work_dir()));
  }
  fs::remove_all(image);
  ASSERT_FALSE(runner.commands.empty());
  EXPECT_EQ(runner.commands.front(), "ip netns add ibmig-t3st-rdma");
  EXPECT_EQ(runner.commands.back(), "ip netns del ibmig-t3st-rdma");
  for (const auto& command : runner.commands)
    EXPECT_NE(command.find("ibmig-t3st-"), std::string::npos) << command;
}
