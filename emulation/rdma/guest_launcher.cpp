#include "guest_launcher.hpp"

#include "cpio_archive.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace ibmig::rdma {

namespace {

using Clock = std::chrono::steady_clock;

const Seconds command_timeout{30}; // ip and qemu --version answer in well under a second

/* In a forked child: execvp(argv), or _exit(127) when that fails. Never returns. */
[[noreturn]] void exec_or_exit(const std::vector<std::string>& argv)
{
  std::vector<char*> args;
  for (const auto& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

const std::string interrupted_consequence = "guests stopped and removed";

std::string read_file(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string random_run_id()
{
  std::random_device device;
  std::ostringstream id;
  id << std::hex << (device() & 0xffff);
  std::string text = id.str();
  return std::string(4 - text.size(), '0') + text;
}

// One QEMU process, started in its own process group inside the fabric namespace. Killed on destruction; the
// kernel also kills it if the launcher dies (PR_SET_PDEATHSIG), so no guest outlives a crashed run.
class QemuProcess {
public:
  QemuProcess(const std::vector<std::string>& argv, const std::string& netns_path, const std::string& log_path)
  {
    int netns_fd = netns_path.empty() ? -1 : open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (!netns_path.empty() && netns_fd < 0) throw std::runtime_error("cannot open " + netns_path);
    pid_ = fork();
    if (pid_ < 0) {
      if (netns_fd >= 0) close(netns_fd);
      throw std::runtime_error("fork failed for " + argv[0]);
    }
    if (pid_ == 0) {
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) _exit(126);
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, STDIN_FILENO);
      // QEMU's own messages (e.g. the KVM probe's abort) go to a log, not the caller's terminal.
      int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
      }
      exec_or_exit(argv);
    }
    if (netns_fd >= 0) close(netns_fd);
    started_ = Clock::now();
  }
  ~QemuProcess() { kill_now(); }
  QemuProcess(const QemuProcess&)            = delete;
  QemuProcess& operator=(const QemuProcess&) = delete;

  bool finished()
  {
    if (pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_      = -1;
      finished_ = Clock::now();
    }
    return pid_ < 0;
  }
  void kill_now()
  {
    if (pid_ <= 0) return;
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_      = -1;
    finished_ = Clock::now();
  }
  double seconds() const { return std::chrono::duration<double>(finished_ - started_).count(); }
  Clock::time_point started() const { return started_; }

private:
  pid_t pid_ = -1;
  Clock::time_point started_{}, finished_{};
};

std::vector<std::string> qemu_command(const GuestImage& image, const std::string& accelerator, uint32_t memory_mib,
                                      const std::string& initrd, const std::string& console_log,
                                      const std::string& job_log, const std::string& tap, unsigned index)
{
  std::vector<std::string> argv = {"qemu-system-x86_64",
                                   "-accel",
                                   accelerator,
                                   "-cpu",
                                   accelerator == "kvm" ? "host" : "max",
                                   "-smp",
                                   "1",
                                   "-m",
                                   std::to_string(memory_mib) + "M",
                                   "-nodefaults",
                                   "-display",
                                   "none",
                                   "-no-reboot",
                                   "-kernel",
                                   image.kernel_path,
                                   "-initrd",
                                   initrd,
                                   "-append",
                                   "console=ttyS0 quiet panic=-1",
                                   "-serial",
                                   "file:" + console_log,
                                   "-serial",
                                   "file:" + job_log};
  if (!tap.empty()) {
    char mac[18];
    std::snprintf(mac, sizeof mac, "52:54:00:1b:%02x:%02x", (index >> 8) & 0xff, index & 0xff);
    argv.insert(argv.end(), {"-netdev", "tap,id=net0,ifname=" + tap + ",script=no,downscript=no", "-device",
                             std::string("virtio-net-pci,netdev=net0,mac=") + mac});
  }
  return argv;
}

// Job output between the begin marker and the exit marker; the exit status or -1 without a marker.
void parse_job_log(const std::string& raw, GuestResult& result)
{
  std::string text;
  for (char c : raw)
    if (c != '\r') text.push_back(c);
  const std::string begin = "@@ibmig-begin\n", exit_marker = "@@ibmig-exit ";
  size_t start = text.find(begin);
  start        = start == std::string::npos ? 0 : start + begin.size();
  size_t end   = text.rfind(exit_marker);
  if (end != std::string::npos && end >= start) {
    result.exit_status = std::atoi(text.c_str() + end + exit_marker.size());
    result.output      = text.substr(start, end - start);
  } else {
    result.output = text.substr(start);
  }
}

std::string write_initrd(const GuestImage& image, const std::string& path, const std::string& job_script)
{
  std::ofstream out(path, std::ios::binary);
  std::ifstream base(image.initramfs_path, std::ios::binary);
  out << base.rdbuf();
  out << make_cpio({{"ibmig", "", true, 0755}, {"ibmig/job.sh", job_script, false, 0755}});
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

} // namespace

// The fabric: a private namespace with a bridge. Removing the namespace removes its taps and bridge too.
class GuestLauncher::Namespace {
public:
  Namespace(emu::CommandRunner& runner, std::string name, std::string bridge) : runner_(runner), name_(std::move(name))
  {
    emu::run_checked(runner_, {"ip", "netns", "add", name_}, command_timeout);
    created_ = true;
    try {
      emu::run_checked(runner_, {"ip", "-n", name_, "link", "add", bridge, "type", "bridge"}, command_timeout);
      emu::run_checked(runner_, {"ip", "-n", name_, "link", "set", bridge, "up"}, command_timeout);
    } catch (...) { // no destructor runs for a half-built object: remove the namespace here
      remove();
      throw;
    }
  }
  ~Namespace() { remove(); }
  Namespace(const Namespace&)            = delete;
  Namespace& operator=(const Namespace&) = delete;

private:
  void remove()
  {
    if (!created_) return;
    created_                  = false;
    emu::CommandResult result = runner_.run({"ip", "netns", "del", name_}, command_timeout);
    if (!result.ok())
      std::cerr << "ibmig-rdma: could not remove namespace " << name_ << ": " << result.summary() << "\n";
  }

  emu::CommandRunner& runner_;
  std::string name_;
  bool created_ = false;
};

GuestImage GuestImage::in(const std::string& directory)
{
  return {directory, directory + "/vmlinuz", directory + "/initramfs.cpio"};
}

bool GuestImage::complete() const
{
  return fs::is_regular_file(kernel_path) && fs::is_regular_file(initramfs_path);
}

std::string guest_unavailable_reason(const std::string& image_dir)
{
  if (geteuid() != 0) return "not root: guests need a network namespace and tap devices";
  emu::SystemRunner runner;
  if (!runner.run({"qemu-system-x86_64", "--version"}, command_timeout).ok())
    return "qemu-system-x86_64 not found (package qemu-system-x86)";
  if (!GuestImage::in(image_dir).complete())
    return "guest image missing in " + image_dir + " (run emulation/rdma/build-guest-image.sh " + image_dir + ")";
  return "";
}

GuestLauncher::GuestLauncher(LauncherOptions options, emu::CommandRunner& runner)
    : options_(std::move(options)), runner_(runner), image_(GuestImage::in(options_.image_dir))
{
  if (!image_.complete()) throw std::runtime_error("guest image missing in " + options_.image_dir);
  run_id_                  = options_.run_id.empty() ? random_run_id() : options_.run_id;
  namespace_name_          = "ibmig-" + run_id_ + "-rdma";
  std::string dir_template = (fs::temp_directory_path() / ("ibmig-" + run_id_ + "-rdma.XXXXXX")).string();
  if (mkdtemp(dir_template.data()) == nullptr)
    throw std::runtime_error("cannot create a work directory in " + fs::temp_directory_path().string());
  work_dir_ = dir_template;
  try {
    accelerator_ = choose_accelerator();
    namespace_   = std::make_unique<Namespace>(runner_, namespace_name_, "ibmig-" + run_id_ + "-br");
  } catch (...) {
    fs::remove_all(work_dir_);
    throw;
  }
}

GuestLauncher::~GuestLauncher()
{
  namespace_.reset();
  if (options_.keep_work_dir) {
    std::cerr << "ibmig-rdma: kept guest logs in " << work_dir_ << "\n";
    return;
  }
  std::error_code error;
  fs::remove_all(work_dir_, error);
}

// KVM hangs on some hosts (PVM-only) although /dev/kvm exists: boot the image once with KVM under a short timeout
// and remember the answer for this host boot in the image directory.
std::string GuestLauncher::choose_accelerator()
{
  if (options_.accelerator != "auto") return options_.accelerator;
  if (access("/dev/kvm", R_OK | W_OK) != 0) return "tcg";
  const std::string boot_id = read_file("/proc/sys/kernel/random/boot_id");
  const std::string cache   = options_.image_dir + "/accelerator-probe";
  std::istringstream cached(read_file(cache));
  std::string cached_boot, cached_answer;
  if (cached >> cached_boot >> cached_answer && cached_boot + "\n" == boot_id) return cached_answer;

  const std::string initrd = write_initrd(image_, work_dir_ + "/probe.cpio", "echo kvm-ok\n");
  const std::string log    = work_dir_ + "/probe.log";
  std::string answer       = "tcg";
  {
    QemuProcess probe(
        qemu_command(image_, "kvm", options_.memory_mib, initrd, work_dir_ + "/probe-console.log", log, "", 0), "",
        work_dir_ + "/probe-qemu.log");
    const auto deadline = probe.started() + std::chrono::seconds(8);
    while (!probe.finished() && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    GuestResult result;
    parse_job_log(read_file(log), result);
    if (result.exit_status == 0 && result.output.find("kvm-ok") != std::string::npos) answer = "kvm";
  }
  std::ofstream(cache) << boot_id.substr(0, boot_id.find('\n')) << " " << answer << "\n";
  return answer;
}

std::vector<GuestResult> GuestLauncher::run(const std::vector<GuestSpec>& guests)
{
  if (ran_) throw std::logic_error("GuestLauncher::run called twice: create a launcher per run");
  ran_ = true;
  emu::InterruptGuard signals; // SIGINT/SIGTERM: the wait loop throws, destructors stop the guests
  const std::string bridge = "ibmig-" + run_id_ + "-br";
  std::vector<std::string> job_logs;
  std::vector<std::unique_ptr<QemuProcess>> processes;
  for (unsigned i = 0; i < guests.size(); ++i) {
    const std::string tap = "ibmig-" + run_id_ + "-t" + std::to_string(i);
    emu::run_checked(runner_, {"ip", "-n", namespace_name_, "tuntap", "add", "dev", tap, "mode", "tap"},
                     command_timeout);
    // The taps carry the largest IPoIB MTU so each guest's own MTU decides, as on a real fabric.
    emu::run_checked(runner_,
                     {"ip", "-n", namespace_name_, "link", "set", "dev", tap, "mtu", "65520", "master", bridge, "up"},
                     command_timeout);
    const std::string prefix = work_dir_ + "/" + guests[i].name;
    const std::string initrd = write_initrd(image_, prefix + ".cpio", guests[i].job_script);
    job_logs.push_back(prefix + "-job.log");
    processes.push_back(
        std::make_unique<QemuProcess>(qemu_command(image_, accelerator_, options_.memory_mib, initrd,
                                                   prefix + "-console.log", job_logs.back(), tap, i + 1),
                                      "/run/netns/" + namespace_name_, prefix + "-qemu.log"));
  }

  std::vector<GuestResult> results(guests.size());
  for (size_t i = 0; i < guests.size(); ++i)
    results[i].name = guests[i].name;
  for (bool running = true; running;) {
    emu::throw_if_interrupted(interrupted_consequence);
    running = false;
    for (size_t i = 0; i < processes.size(); ++i) {
      if (processes[i]->finished()) continue;
      if (Clock::now() - processes[i]->started() > options_.timeout) {
        processes[i]->kill_now();
        results[i].timed_out = true;
        continue;
      }
      running = true;
    }
    if (running) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (size_t i = 0; i < guests.size(); ++i) {
    results[i].seconds = processes[i]->seconds();
    parse_job_log(read_file(job_logs[i]), results[i]);
  }
  return results;
}

} // namespace ibmig::rdma
