#include "workload.hpp"

#include "interrupt_guard.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ibmig::emu {

namespace {
using Clock                 = std::chrono::steady_clock;
constexpr std::size_t chunk = 1 << 20;

volatile std::sig_atomic_t stop_requested = 0;
void on_stop(int)
{
  stop_requested = 1;
}

std::uint64_t splitmix64(std::uint64_t x)
{
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct WireResult { // what a child sends back through its pipe
  int ok;
  int files;
  std::uint64_t bytes;
  std::uint64_t bad_bytes;
  double seconds;
  char file[200];
  char error[300];
};

void set_error(WireResult& w, const std::string& what)
{
  std::snprintf(w.error, sizeof w.error, "%s: %s", what.c_str(), std::strerror(errno));
}

double since(Clock::time_point t0)
{
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/* Sleeps so that `bytes` written since t0 do not exceed the rate. */
void pace(double rate_Bps, std::uint64_t bytes, Clock::time_point t0)
{
  if (rate_Bps <= 0) return;
  double ahead = bytes / rate_Bps - since(t0);
  if (ahead > 0) std::this_thread::sleep_for(std::chrono::duration<double>(std::min(ahead, 1.0)));
}

bool on_bricks(const std::vector<std::string>& bricks, const std::string& name)
{
  for (auto const& b : bricks) {
    struct stat st;
    if (::stat((b + "/" + name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  }
  return true;
}

/* Creates the file under a name DHT places on the wanted replica set (tries name, name.1, name.2, ...). */
std::string place(const IoJob& job, WireResult& w)
{
  for (int k = 0; k < 64; ++k) {
    std::string name = k == 0 ? job.file : job.file + "." + std::to_string(k);
    std::string path = job.dir + "/" + name;
    int fd           = ::open(path.c_str(), O_CREAT | O_WRONLY | (job.keep_contents ? 0 : O_TRUNC), 0644);
    if (fd < 0) {
      set_error(w, "create " + path);
      return "";
    }
    ::close(fd);
    if (job.placement_bricks.empty() || on_bricks(job.placement_bricks, name)) return name;
    ::unlink(path.c_str());
  }
  std::snprintf(w.error, sizeof w.error, "no name of the form %s.N lands on the pinned replica set", job.file.c_str());
  return "";
}

void write_stream(const IoJob& job, WireResult& w)
{
  std::string name = place(job, w);
  if (name.empty()) return;
  std::snprintf(w.file, sizeof w.file, "%s", name.c_str());
  std::string path = job.dir + "/" + name;
  int fd           = ::open(path.c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) return set_error(w, "open " + path);
  std::vector<char> buf(chunk);
  auto seed = pattern_seed(name);
  auto t0   = Clock::now();
  while (w.bytes < job.max_bytes && !(stop_requested && !job.primary)) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, job.max_bytes - w.bytes));
    fill_pattern(seed, w.bytes, buf.data(), n);
    ssize_t done = ::write(fd, buf.data(), n);
    if (done != static_cast<ssize_t>(n)) {
      set_error(w, "write " + path);
      ::close(fd);
      return;
    }
    w.bytes += n;
    pace(job.rate_Bps, w.bytes, t0);
  }
  if (::fdatasync(fd) != 0) { // like dd conv=fdatasync: the time includes getting the data to the bricks
    set_error(w, "fdatasync " + path);
    ::close(fd);
    return;
  }
  ::close(fd);
  w.seconds = since(t0);
  w.ok      = 1;
}

/* Paces like pace(), but a writer that fell behind (a stall: ping-timeout, no brick) does not catch up in a burst:
 * a VM's guest would not either. */
void pace_no_catch_up(double rate_Bps, std::uint64_t bytes, Clock::time_point& t0)
{
  if (rate_Bps <= 0) return;
  double ahead = bytes / rate_Bps - since(t0);
  if (ahead < -1) t0 -= std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(ahead + 1));
  if (ahead > 0) std::this_thread::sleep_for(std::chrono::duration<double>(std::min(ahead, 1.0)));
}
} // namespace

struct BackgroundWriters::Shared {
  std::atomic<std::uint64_t> acked;
  std::atomic<int> failures;
  std::atomic<double> busy_s;
  char file[200];
  char error[300];
};

namespace {
void acked_write_stream(const IoJob& job, BackgroundWriters::Shared& sh);
} // namespace

namespace {
void read_stream(const IoJob& job, WireResult& w)
{
  std::string path = job.dir + "/" + job.file;
  std::snprintf(w.file, sizeof w.file, "%s", job.file.c_str());
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return set_error(w, "open " + path);
  struct stat st;
  ::fstat(fd, &st);
  std::uint64_t size = static_cast<std::uint64_t>(st.st_size) / chunk * chunk;
  if (size == 0) {
    ::close(fd);
    std::snprintf(w.error, sizeof w.error, "%s is empty", path.c_str());
    return;
  }
  std::vector<char> buf(chunk), want(chunk);
  auto seed         = pattern_seed(job.file);
  auto t0           = Clock::now();
  std::uint64_t off = 0;
  while (w.bytes < job.max_bytes && !stop_requested) {
    if (off >= size) { // wrap around, dropping the client's page cache so the data crosses the network again
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
      off = 0;
    }
    ssize_t n = ::pread(fd, buf.data(), chunk, static_cast<off_t>(off));
    if (n <= 0) {
      set_error(w, "read " + path);
      ::close(fd);
      return;
    }
    fill_pattern(seed, off, want.data(), static_cast<std::size_t>(n));
    if (std::memcmp(buf.data(), want.data(), static_cast<std::size_t>(n)) != 0)
      w.bad_bytes += static_cast<std::uint64_t>(n);
    off += static_cast<std::uint64_t>(n);
    w.bytes += static_cast<std::uint64_t>(n);
    pace(job.rate_Bps, w.bytes, t0);
  }
  ::close(fd);
  w.seconds = since(t0);
  w.ok      = 1;
}

void small_files(const IoJob& job, WireResult& w)
{
  std::string dir = job.dir + "/" + job.file;
  std::snprintf(w.file, sizeof w.file, "%s", job.file.c_str());
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return set_error(w, "mkdir " + dir);
  std::vector<char> buf(job.file_size);
  auto t0 = Clock::now();
  while (w.files < job.max_files && !stop_requested) {
    char name[32];
    std::snprintf(name, sizeof name, "f%05d", w.files);
    std::string rel = job.file + "/" + name;
    fill_pattern(pattern_seed(rel), 0, buf.data(), buf.size());
    int fd = ::open((job.dir + "/" + rel).c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) return set_error(w, "create " + rel);
    bool good = ::write(fd, buf.data(), buf.size()) == static_cast<ssize_t>(buf.size());
    good      = ::close(fd) == 0 && good;
    if (!good) return set_error(w, "write " + rel);
    ++w.files;
    w.bytes += buf.size();
  }
  w.seconds = since(t0);
  w.ok      = 1;
}

/* The replay's writer (BackgroundWriters): write 1 MiB, fdatasync, then count it; retry from the last acknowledged
 * byte when either fails. Runs until max_bytes or SIGUSR1. */
void acked_write_stream(const IoJob& job, BackgroundWriters::Shared& sh)
{
  auto fail = [&](const std::string& what) {
    std::snprintf(sh.error, sizeof sh.error, "%s: %s", what.c_str(), std::strerror(errno));
    sh.failures.fetch_add(1);
  };
  WireResult w{};
  std::string name = place(job, w);
  if (name.empty()) {
    std::snprintf(sh.error, sizeof sh.error, "%s", w.error);
    sh.failures.fetch_add(1);
    return;
  }
  std::snprintf(sh.file, sizeof sh.file, "%s", name.c_str());
  std::string path = job.dir + "/" + name;
  std::vector<char> buf(chunk);
  auto seed           = pattern_seed(name);
  auto t0             = Clock::now();
  auto started        = t0; // t0 moves with the pacing
  std::uint64_t acked = 0;
  int fd              = -1;
  while (acked < job.max_bytes && !stop_requested) {
    if (fd < 0 && (fd = ::open(path.c_str(), O_WRONLY)) < 0) {
      fail("open " + path);
    } else {
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, job.max_bytes - acked));
      fill_pattern(seed, acked, buf.data(), n);
      if (::pwrite(fd, buf.data(), n, static_cast<off_t>(acked)) != static_cast<ssize_t>(n)) {
        fail("write " + path);
      } else if (::fdatasync(fd) != 0) {
        fail("fdatasync " + path);
      } else {
        acked += n;
        sh.acked.store(acked);
        pace_no_catch_up(job.rate_Bps, acked, t0); // before the time is taken: a paced stream's rate is its pace
        sh.busy_s.store(std::chrono::duration<double>(Clock::now() - started).count());
        continue;
      }
      ::close(fd); // the file descriptor may be dead with its bricks: open it again
      fd = -1;
    }
    for (int i = 0; i < 10 && !stop_requested; ++i) // retry in a second, as a VM's disk would
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (fd >= 0) ::close(fd);
}

[[noreturn]] void child_main(const IoJob& job, int out_fd)
{
  WireResult w{};
  int ns = ::open(job.mntns.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0 || ::setns(ns, CLONE_NEWNS) != 0 || ::chdir("/") != 0) {
    set_error(w, "enter the mount namespace " + job.mntns);
  } else {
    switch (job.kind) {
    case StreamKind::SequentialWrite:
      write_stream(job, w);
      break;
    case StreamKind::SequentialRead:
      read_stream(job, w);
      break;
    case StreamKind::SmallFiles:
      small_files(job, w);
      break;
    }
  }
  if (::write(out_fd, &w, sizeof w) != static_cast<ssize_t>(sizeof w)) ::_exit(2);
  ::_exit(0);
}
} // namespace

std::uint64_t pattern_seed(const std::string& name)
{
  std::uint64_t h = 1469598103934665603ULL; // FNV-1a
  for (unsigned char c : name)
    h = (h ^ c) * 1099511628211ULL;
  return h;
}

void fill_pattern(std::uint64_t seed, std::uint64_t offset, char* buf, std::size_t n)
{
  std::size_t i = 0;
  while (i < n) {
    std::uint64_t word_index = (offset + i) / 8;
    std::uint64_t v          = splitmix64(seed ^ (word_index * 0xd6e8feb86659fd93ULL));
    std::size_t in_word      = static_cast<std::size_t>((offset + i) % 8);
    std::size_t take         = std::min<std::size_t>(8 - in_word, n - i);
    std::memcpy(buf + i, reinterpret_cast<const char*>(&v) + in_word, take);
    i += take;
  }
}

std::uint64_t matching_bytes(const std::string& path, std::uint64_t seed, std::uint64_t length)
{
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return 0;
  std::vector<char> buf(chunk), want(chunk);
  std::uint64_t good = 0;
  while (good < length) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, length - good));
    ssize_t got   = ::pread(fd, buf.data(), n, static_cast<off_t>(good));
    if (got <= 0) break;
    fill_pattern(seed, good, want.data(), static_cast<std::size_t>(got));
    std::size_t same = 0;
    while (same < static_cast<std::size_t>(got) && buf[same] == want[same])
      ++same;
    good += same;
    if (same < static_cast<std::size_t>(got)) break;
  }
  ::close(fd);
  return good;
}

BackgroundWriters::BackgroundWriters(const std::vector<IoJob>& jobs) : jobs_(jobs), killed_(jobs.size(), false)
{
  pids_.assign(jobs.size(), -1);
  if (jobs.empty()) return;
  void* mem = ::mmap(nullptr, sizeof(Shared) * jobs.size(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw std::runtime_error(std::string("mmap: ") + std::strerror(errno));
  shared_ = static_cast<Shared*>(mem);
  for (std::size_t i = 0; i < jobs.size(); ++i)
    new (&shared_[i]) Shared{{0}, {0}, {0.0}, {}, {}};
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ::sigprocmask(SIG_BLOCK, &usr1, &old);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL); // not in the state file: it must not outlive a killed ibmig
      if (::getppid() == 1) ::_exit(1);
      struct sigaction sa {};
      sa.sa_handler = on_stop;
      ::sigaction(SIGUSR1, &sa, nullptr);
      ::signal(SIGINT, SIG_IGN);
      ::signal(SIGTERM, SIG_DFL);
      ::sigprocmask(SIG_SETMASK, &old, nullptr);
      ::sigprocmask(SIG_UNBLOCK, &usr1, nullptr);
      int ns = ::open(jobs[i].mntns.c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNS) != 0 || ::chdir("/") != 0) {
        std::snprintf(shared_[i].error, sizeof shared_[i].error, "enter the mount namespace %s: %s",
                      jobs[i].mntns.c_str(), std::strerror(errno));
        shared_[i].failures.fetch_add(1);
      } else {
        acked_write_stream(jobs[i], shared_[i]);
      }
      ::_exit(0);
    }
    if (pid > 0) ::setpgid(pid, pid);
    pids_[i] = pid;
  }
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
}

BackgroundWriters::~BackgroundWriters()
{
  for (auto& pid : pids_)
    if (pid > 0) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      pid = -1;
    }
  if (shared_) ::munmap(shared_, sizeof(Shared) * jobs_.size());
}

void BackgroundWriters::kill_vm(const std::string& vm)
{
  for (std::size_t i = 0; i < jobs_.size(); ++i)
    if (jobs_[i].vm == vm && pids_[i] > 0) {
      ::kill(-pids_[i], SIGKILL);
      ::waitpid(pids_[i], nullptr, 0);
      pids_[i]   = -1;
      killed_[i] = true;
    }
}

std::vector<AckedWrite> BackgroundWriters::stop(double deadline_s)
{
  for (auto pid : pids_)
    if (pid > 0) ::kill(pid, SIGUSR1);
  auto t0 = Clock::now();
  for (;;) {
    bool running = false;
    for (auto& pid : pids_)
      if (pid > 0) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid)
          pid = -1;
        else
          running = true;
      }
    if (!running) break;
    if (since(t0) > deadline_s) {
      for (std::size_t i = 0; i < pids_.size(); ++i)
        if (pids_[i] > 0) {
          ::kill(-pids_[i], SIGKILL);
          ::waitpid(pids_[i], nullptr, 0);
          pids_[i] = -1;
          std::snprintf(shared_[i].error, sizeof shared_[i].error,
                        "still writing %d s after it was asked to stop "
                        "(the mount hangs?): killed",
                        static_cast<int>(deadline_s));
          shared_[i].failures.fetch_add(1);
        }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::vector<AckedWrite> out;
  for (std::size_t i = 0; i < jobs_.size(); ++i)
    out.push_back({jobs_[i].vm, shared_[i].file, shared_[i].acked.load(), shared_[i].failures.load(), shared_[i].error,
                   killed_[i], shared_[i].busy_s.load()});
  return out;
}

std::vector<IoResult> run_io_jobs(const std::vector<IoJob>& jobs, double deadline_s)
{
  struct Child {
    pid_t pid  = -1;
    int fd     = -1;
    bool done  = false;
    int status = 0;
  };
  std::vector<Child> children(jobs.size());
  // SIGUSR1 ends paced companions; blocked around fork so no child dies of it before its handler is in place.
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ::sigprocmask(SIG_BLOCK, &usr1, &old);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) continue;
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL); // not in the state file: it must not outlive a killed ibmig
      if (::getppid() == 1) ::_exit(1);
      ::close(p[0]);
      struct sigaction sa {};
      sa.sa_handler = on_stop;
      ::sigaction(SIGUSR1, &sa, nullptr);
      ::signal(SIGINT, SIG_IGN); // the parent decides: it kills us on interrupt
      ::signal(SIGTERM, SIG_DFL);
      ::sigprocmask(SIG_SETMASK, &old, nullptr);
      ::sigprocmask(SIG_UNBLOCK, &usr1, nullptr);
      child_main(jobs[i], p[1]);
    }
    if (pid > 0) ::setpgid(pid, pid); // also from the parent: kill(-pid) works from the first loop pass
    ::close(p[1]);
    children[i].pid = pid;
    children[i].fd  = p[0];
  }
  ::sigprocmask(SIG_SETMASK, &old, nullptr);

  std::vector<IoResult> results(jobs.size());
  auto t0          = Clock::now();
  bool any_primary = false;
  for (auto const& j : jobs)
    any_primary = any_primary || j.primary;
  bool companions_stopped = false;
  for (;;) {
    bool all_done = true, primaries_done = true;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      auto& c = children[i];
      if (c.pid > 0 && !c.done && ::waitpid(c.pid, &c.status, WNOHANG) == c.pid) c.done = true;
      if (c.pid > 0 && !c.done) {
        all_done = false;
        if (jobs[i].primary) primaries_done = false;
      }
    }
    if (all_done) break;
    if (any_primary && primaries_done && !companions_stopped) {
      for (auto& c : children)
        if (c.pid > 0 && !c.done) ::kill(c.pid, SIGUSR1);
      companions_stopped = true;
    }
    if (since(t0) > deadline_s || interrupt_requested()) {
      for (std::size_t i = 0; i < jobs.size(); ++i)
        if (children[i].pid > 0 && !children[i].done) {
          ::kill(-children[i].pid, SIGKILL);
          ::waitpid(children[i].pid, &children[i].status, 0);
          children[i].done = true;
          results[i].error =
              "still running after " + std::to_string(static_cast<int>(deadline_s)) + " s (the mount hangs?): killed";
        }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    auto& r = results[i];
    r.vm    = jobs[i].vm;
    if (children[i].fd < 0) {
      r.error = "could not start";
      continue;
    }
    WireResult w{};
    if (r.error.empty() && ::read(children[i].fd, &w, sizeof w) == static_cast<ssize_t>(sizeof w)) {
      r.ok        = w.ok != 0;
      r.bytes     = w.bytes;
      r.files     = w.files;
      r.seconds   = w.seconds;
      r.bad_bytes = w.bad_bytes;
      r.file      = w.file;
      r.error     = w.error;
    } else if (r.error.empty()) {
      r.error = "the I/O process died";
    }
    ::close(children[i].fd);
  }
  return results;
}

} // namespace ibmig::emu
