/* ibmig calibrate: measurement files -> a calibration file (models/calibration_fit.hpp), printed with what each
 * value was fitted from; optionally a copy of the scenario that includes it. */
#include "commands.hpp"

#include "calibration_fit.hpp"
#include "strict_json.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace ibmig::cli {
namespace {

namespace fs = std::filesystem;

void write_file(const std::string& option, const std::string& file, const nlohmann::json& doc)
{
  std::ofstream out(file);
  if (!out) throw std::runtime_error(option + ": cannot write \"" + file + "\": " + std::strerror(errno));
  out << doc.dump(2) << "\n";
  if (!out) throw std::runtime_error(option + ": failed writing \"" + file + "\"");
}

/* "NODE=FILE" or, for dd, "BS=FILE"; a value that is an existing file has no prefix. */
std::pair<std::string, std::string> split_prefix(const std::string& option, const std::string& value, bool required)
{
  std::error_code ec;
  if (!required && fs::exists(value, ec)) return {"", value};
  auto eq = value.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) {
    if (required) throw UsageError(option + ": expected NODE=FILE, got \"" + value + "\"");
    return {"", value};
  }
  return {value.substr(0, eq), value.substr(eq + 1)};
}

const Technology& find_technology(const std::map<std::string, Technology>& catalogue, const std::string& name)
{
  auto it = catalogue.find(name);
  if (it != catalogue.end()) return it->second;
  std::string known;
  for (auto const& [k, v] : catalogue)
    known += (known.empty() ? "" : ", ") + k;
  throw UsageError("--technology: unknown technology \"" + name + "\" (known: " + known + ")");
}

LinkDescription describe_link(const Options& opt, const Scenario* sc, std::optional<Technology>& fabric)
{
  LinkDescription l;
  l.origin = "the command line";
  if (!opt.node.empty() || !opt.interface.empty()) {
    if (!sc) throw UsageError("--node and --interface need --scenario");
    if (opt.node.empty() || opt.interface.empty()) throw UsageError("give both --node and --interface");
    const Node* n = sc->find_node(opt.node);
    if (!n) throw UsageError("--node: no node \"" + opt.node + "\" in " + sc->file);
    const Nic* nic = n->find_nic(opt.interface);
    if (!nic)
      throw UsageError("--interface: node " + opt.node + " of " + sc->file + " has no interface \"" + opt.interface +
                       "\"");
    const Technology& tech = sc->technology_of(*sc->find_network(nic->network));
    l.link                 = tech.kind == LinkKind::Ethernet     ? StreamLink::Ethernet
                             : nic->mode == IpoibMode::Connected ? StreamLink::IpoibConnected
                                                                 : StreamLink::IpoibDatagram;
    l.technology           = tech.name;
    l.hca                  = nic->hca;
    l.mtu                  = nic->mtu;
    l.origin               = opt.node + " " + opt.interface + " of " + sc->file;
    fabric                 = tech;
  }
  if (!opt.link.empty()) parse_stream_link(opt.link, l.link);
  if (!opt.technology.empty()) {
    fabric       = find_technology(sc ? sc->technologies : builtin_technologies(), opt.technology);
    l.technology = opt.technology;
  }
  if (!opt.hca.empty()) l.hca = opt.hca;
  if (opt.mtu) l.mtu = opt.mtu;
  if (!l.hca.empty() && l.link == StreamLink::Ethernet) throw UsageError("--hca: an Ethernet link has no HCA");
  if (fabric && (fabric->kind == LinkKind::Ethernet) != (l.link == StreamLink::Ethernet))
    throw UsageError("--link " + std::string(to_string(l.link)) + " does not match technology " + fabric->name);
  if (opt.link.empty() && l.origin == "the command line" && !opt.iperf3.empty())
    throw UsageError("--iperf3 needs the link it measured: --link KIND (with --mtu, --hca, --technology) or "
                     "--scenario FILE --node NODE --interface NAME");
  return l;
}

/* The scenario an emulate report replayed: --scenario when it is that one, else the report's scenario_file (as
 * given to emulate, so relative to where it ran: tried from here and from the report's folder). */
std::optional<Scenario> replayed_scenario(const EmulateReport& rep, const Scenario* given)
{
  if (given && given->name == rep.scenario) return *given;
  if (rep.scenario_file.empty()) return std::nullopt;
  for (fs::path p : {fs::path(rep.scenario_file), fs::path(rep.file).parent_path() / rep.scenario_file}) {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) continue;
    try {
      Scenario sc = load_scenario(p.string());
      if (sc.name == rep.scenario) return sc;
    } catch (const ScenarioError&) {
    }
  }
  return std::nullopt;
}

/* A copy of the scenario whose calibration includes `calibration_file`, without the scenario's own values of the
 * keys the calibration file measured (the scenario's own keys would win over the included ones). */
void write_scenario_copy(const Options& opt, const nlohmann::json& calibration)
{
  std::ifstream in(opt.scenario);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json doc;
  JsonFailure why;
  if (!parse_strict_json(ss.str(), doc, why)) throw ScenarioError(opt.scenario, why.path, why.describe(ss.str()));
  nlohmann::json& cal = doc["calibration"];
  if (cal.is_null()) cal = nlohmann::json::object();
  std::vector<std::string> dropped;
  for (auto it = calibration.begin(); it != calibration.end(); ++it) {
    const std::string& key = it.key();
    if (key == "description" || key == "include" || key == "stream_limits") continue;
    if (key == "disks") {
      for (auto d = it->begin(); d != it->end(); ++d)
        if (cal.contains("disks") && cal["disks"].erase(d.key())) dropped.push_back("disks." + d.key());
      continue;
    }
    if (cal.erase(key)) dropped.push_back(key);
  }
  const fs::path out_dir = fs::absolute(opt.write_scenario).parent_path();
  cal["include"]         = fs::absolute(opt.output).lexically_relative(out_dir).string();
  write_file("--write-scenario", opt.write_scenario, doc);
  Scenario check = load_scenario(opt.write_scenario); // what we wrote must load
  std::cout << "wrote " << opt.write_scenario << ": " << check.name << " with calibration.include \""
            << cal["include"].get<std::string>() << "\"";
  if (!dropped.empty()) {
    std::cout << "; dropped its own calibration";
    for (auto const& k : dropped)
      std::cout << " " << k;
    std::cout << " (measured now; a scenario's own key would win over the included one)";
  }
  std::cout << "\n";
}

} // namespace

int run_calibrate(const Options& opt)
{
  if (!opt.write_scenario.empty() && (opt.scenario.empty() || opt.output.empty()))
    throw UsageError("--write-scenario needs --scenario (the scenario to copy) and -o (the calibration file)");
  std::optional<Scenario> sc;
  if (!opt.scenario.empty()) sc = load_scenario(opt.scenario);
  CalibrationInputs in;
  in.defaults = sc ? sc->calibration : default_calibration();
  in.include  = opt.include;
  if (!opt.iperf3.empty() || !opt.node.empty() || !opt.link.empty() || !opt.technology.empty() || opt.mtu ||
      !opt.hca.empty())
    in.link = describe_link(opt, sc ? &*sc : nullptr, in.fabric);
  for (auto const& f : opt.iperf3)
    in.iperf3.push_back(read_iperf3(f));
  for (auto const& v : opt.fio) {
    auto [node, file] = split_prefix("--fio", v, true);
    if (sc && !sc->find_node(node)) throw UsageError("--fio: no node \"" + node + "\" in " + sc->file);
    in.fio.push_back({node, read_fio(file)});
  }
  for (auto const& f : opt.ib_write_bw)
    in.ib_write_bw.push_back(read_ib_write_bw(f));
  for (auto const& v : opt.dd) {
    auto [bs_text, file] = split_prefix("--dd", v, false);
    std::optional<Bytes> bs;
    if (!bs_text.empty() && !(bs = parse_dd_size(bs_text)))
      throw UsageError("--dd: \"" + bs_text + "\" is not a block size (4k, 16k, 1M, 64KiB)");
    for (DdRun r : read_dd(file)) {
      if (bs) r.block_size = bs;
      if (!r.block_size)
        throw ScenarioError(file, "line " + std::to_string(r.line),
                            "no block size: give --dd BS=" + file + ", or put the dd command line in the file");
      in.dd.push_back(r);
    }
  }
  std::optional<Scenario> replayed;
  if (!opt.emulate_report.empty()) {
    in.emulate  = read_emulate_report(opt.emulate_report);
    replayed    = replayed_scenario(*in.emulate, sc ? &*sc : nullptr);
    in.replayed = replayed ? &*replayed : nullptr;
  }
  CalibrationFit fit;
  try {
    fit = fit_calibration(in);
  } catch (const CalibrationError& e) {
    std::cerr << "ibmig calibrate: " << e.what() << "\n";
    return 2;
  }
  std::ostream& summary = opt.output.empty() ? std::cerr : std::cout;
  summary << "ibmig calibrate: " << fit.fitted.size() << " value(s) fitted\n";
  for (auto const& line : fit.fitted)
    summary << "  " << line << "\n";
  for (auto const& note : fit.notes)
    summary << "note: " << note << "\n";
  if (opt.output.empty()) {
    std::cout << fit.doc.dump(2) << "\n";
    return 0;
  }
  write_file("-o", opt.output, fit.doc);
  summary << "wrote " << opt.output << " (a scenario takes it with \"calibration\": {\"include\": \"" << opt.output
          << "\"}, the path relative to the scenario)\n";
  if (!opt.write_scenario.empty()) write_scenario_copy(opt, fit.doc);
  return 0;
}

} // namespace ibmig::cli
