/* Finding labs (their state files) and talking to their supervisors (lab.hpp). */
#include "lab.hpp"

#include "run_state.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace ibmig::lab {

namespace fs = std::filesystem;

bool LabInfo::has_node(const std::string& n) const
{
  return std::find(nodes.begin(), nodes.end(), n) != nodes.end();
}

bool LabInfo::is_off(const std::string& n) const
{
  return std::find(powered_off.begin(), powered_off.end(), n) != powered_off.end();
}

std::vector<LabInfo> find_labs(const std::string& state_dir)
{
  std::vector<LabInfo> labs;
  std::error_code ec;
  for (auto const& e : fs::directory_iterator(state_dir, ec)) {
    auto name = e.path().filename().string();
    if (name.rfind("ibmig-", 0) != 0 || e.path().extension() != ".json") continue;
    emu::RunState st;
    try {
      st = emu::RunState::load(e.path().string());
    } catch (const std::exception&) {
      continue; // being written, or not ours
    }
    auto const& j = st.lab();
    if (!j.is_object()) continue; // an `ibmig emulate` run
    LabInfo l;
    l.name          = j.value("name", "");
    l.scenario      = j.value("scenario", "");
    l.scenario_path = j.value("scenario_path", l.scenario);
    l.dir           = j.value("dir", "");
    l.socket        = j.value("socket", "");
    l.start         = j.value("start", 0.0);
    l.nodes         = j.value("nodes", std::vector<std::string>{});
    l.powered_off   = j.value("powered_off", std::vector<std::string>{});
    l.sets          = j.value("sets", std::vector<std::string>{});
    l.state_file    = e.path().string();
    l.state_dir     = state_dir;
    l.run_id        = st.run_id();
    l.pid           = st.owner_pid();
    l.alive         = st.owner_alive() || st.owner_pid() == ::getpid();
    labs.push_back(l);
  }
  std::sort(labs.begin(), labs.end(), [](const LabInfo& a, const LabInfo& b) { return a.name < b.name; });
  return labs;
}

std::optional<LabInfo> find_lab(const std::string& state_dir, const std::string& name)
{
  for (auto& l : find_labs(state_dir))
    if (l.name == name) return l;
  return std::nullopt;
}

Reply request(const std::string& socket_path, const nlohmann::json& req, double timeout_s)
{
  Reply r;
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    r.out = "the lab's supervisor does not answer at " + socket_path + " (is the lab up? `ibmig lab list`)\n";
    return r;
  }
  auto text = req.dump() + "\n";
  (void)!::write(fd, text.data(), text.size());
  ::shutdown(fd, SHUT_WR);
  std::string in;
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, static_cast<int>(timeout_s * 1000)) > 0) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  try {
    auto j   = nlohmann::json::parse(in);
    r.status = j.value("status", 1);
    r.out    = j.value("out", "");
  } catch (const std::exception&) {
    r.out = "no answer from the lab's supervisor (it stopped, or the node went down under this command)\n";
  }
  return r;
}

} // namespace ibmig::lab
