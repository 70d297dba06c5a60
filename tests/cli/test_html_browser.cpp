/* The HTML report of the reference scenario in headless Chromium (label "browser"): it opens, a screenshot is
 * taken, and the DOM Chromium built holds the topology's nodes, NICs and switches, every plan step and every VM.
 * Skips, with the reason, where Chromium is not installed. */
#include "run_ibmig.hpp"

#include "html_page.hpp"
#include "scenario_loader.hpp"
#include "topology.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace {

const char* kChromium = "/usr/bin/chromium";

/* Chromium's flags: no sandbox (root in CI), nothing fetched or updated in the background, a fresh profile. */
std::string chromium(const std::string& profile, const std::string& what)
{
  return std::string("timeout 60 ") + kChromium +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync --user-data-dir=" +
         profile + " " + what;
}

std::string output_of(const std::string& command, int* status, const std::string& log = "/dev/null")
{
  std::string out;
  FILE* p = popen((command + " 2>" + log).c_str(), "r");
  if (!p) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  int st  = pclose(p);
  *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

} // namespace

TEST(HtmlBrowser, ReferenceReportOpensInChromium)
{
  if (access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " not installed (Debian package chromium)";
  namespace fs       = std::filesystem;
  const fs::path dir = fs::path(testing::TempDir()) / "ibmig-browser";
  fs::remove_all(dir);
  fs::create_directories(dir / "profile");
  const std::string html = (dir / "reference.html").string(), png = (dir / "reference.png").string();
  auto r = ibmig::test::run("simulate scenarios/reference.json --html " + html);
  ASSERT_EQ(r.status, 0) << r.out;

  int status            = -1;
  const std::string log = (dir / "chromium.log").string();
  std::string dom       = output_of(
            chromium((dir / "profile").string(), "--enable-logging=stderr --v=0 --dump-dom file://" + html), &status, log);
  ASSERT_EQ(status, 0) << "chromium --dump-dom failed";
  {
    // The page's own errors (a console message, a resource it could not load); not Chromium's D-Bus noise.
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);)
      EXPECT_TRUE(line.find("CONSOLE") == std::string::npos && line.find("net::ERR") == std::string::npos) << line;
  }
  ASSERT_NE(dom.find("</html>"), std::string::npos) << dom.substr(0, 500);
  auto has           = [&](const std::string& text) { return dom.find(text) != std::string::npos; };
  auto esc           = [](const std::string& text) { return ibmig::html::escape(text); };
  ibmig::Scenario sc = ibmig::load_scenario("scenarios/reference.json");
  // The diagram (dot's SVG, inline): every node, NIC and switch as a text of the page.
  const std::string diagram = dom.substr(dom.find("id=\"topology-diagram\""));
  for (auto const& node : sc.nodes) {
    EXPECT_NE(diagram.find(">" + node.name + "</text>"), std::string::npos) << node.name;
    for (auto const& nic : node.nics)
      EXPECT_NE(diagram.find(">" + ibmig::Topology::nic_name(node.name, nic.name) + "</text>"), std::string::npos)
          << nic.name;
  }
  for (auto const& net : sc.networks)
    EXPECT_NE(diagram.find(">" + net.sw.name + "</text>"), std::string::npos) << net.sw.name;
  // The timeline: every step of the plan and every VM.
  for (auto const& step : sc.plan.steps)
    EXPECT_TRUE(has("step-name\" title=\"" + esc(step.name) + "\"")) << step.name;
  for (auto const& vm : sc.workload.vms)
    EXPECT_TRUE(has("vm-name\">" + esc(vm.name) + "</div>")) << vm.name;
  EXPECT_EQ(std::count(dom.begin(), dom.end(), '<') > 1000, true) << "a page of a few sections at least";

  output_of(chromium((dir / "profile2").string(), "--screenshot=" + png + " --window-size=1400,3000 file://" + html),
            &status);
  ASSERT_EQ(status, 0) << "chromium --screenshot failed";
  std::ifstream in(png, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  EXPECT_GT(fs::file_size(png), 50000u) << "a blank 1400x3000 page compresses to a few KiB";
  fs::remove_all(dir);
}
