/* ibmig runbook: the plan as the commands an admin types (models/runbook.hpp), written as markdown, a bash script
 * or an Ansible playbook with its inventory. */
#include "commands.hpp"
#include "runbook.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace ibmig::cli {
namespace {

void write_text(const std::string& file, const std::string& text)
{
  std::ofstream out(file);
  // Not a UsageError: the command line was fine.
  if (!out) throw std::runtime_error("-o: cannot write \"" + file + "\": " + std::strerror(errno));
  out << text;
  if (!out) throw std::runtime_error("-o: failed writing \"" + file + "\"");
}

} // namespace

int run_runbook(const Scenario& sc, const Options& opt)
{
  const Runbook rb = make_runbook(sc);
  std::string text;
  std::string inventory;
  if (opt.format == "shell") {
    text = write_shell(rb);
  } else if (opt.format == "ansible") {
    AnsibleFiles f = write_ansible(rb);
    text           = f.playbook;
    inventory      = f.inventory;
  } else {
    text = write_markdown(rb);
  }
  if (opt.output.empty()) {
    std::cout << text;
    // Without -o the playbook's inventory follows it, as YAML comments, so stdout stays one valid playbook.
    if (!inventory.empty()) {
      std::cout << "\n# inventory.ini (-o FILE writes it next to FILE):\n";
      std::istringstream lines(inventory);
      for (std::string line; std::getline(lines, line);)
        std::cout << "#   " << line << "\n";
    }
    return 0;
  }
  write_text(opt.output, text);
  if (!inventory.empty()) {
    const std::filesystem::path inv = std::filesystem::path(opt.output).parent_path() / "inventory.ini";
    write_text(inv.string(), inventory);
    std::cerr << "ibmig runbook: wrote " << opt.output << " and " << inv.string() << "\n";
  } else {
    std::cerr << "ibmig runbook: wrote " << opt.output << "\n";
  }
  return 0;
}

} // namespace ibmig::cli
