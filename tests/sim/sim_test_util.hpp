/* Helpers for simulator tests: load (and tweak) scenarios, find figures in a report. */
#pragma once

#include "scenario_loader.hpp"
#include "simulation.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace ibmig::test {

/* The plain document (a compact scenario expanded), for tests that edit it by its expanded paths. */
inline nlohmann::json read_json(const std::string& path)
{
  std::ifstream in(std::string(IBMIG_SOURCE_DIR) + "/" + path);
  return expand_scenario(nlohmann::json::parse(in), path).document;
}

inline Report simulate_doc(const nlohmann::json& doc, const std::string& name = "test.json", int runs = 1)
{
  sim::SimOptions opt;
  opt.runs = runs;
  return sim::simulate(parse_scenario(doc, name), opt);
}

inline const PhaseReport& phase(const Report& r, const std::string& name)
{
  for (auto const& p : r.phases)
    if (p.name == name) return p;
  throw std::runtime_error("no phase " + name);
}

inline const ClientFigures& client(const PhaseReport& p, const std::string& vm)
{
  for (auto const& c : p.clients)
    if (c.name == vm) return c;
  throw std::runtime_error("no client " + vm);
}

inline const DowntimeEntry& vm_downtime(const Report& r, const std::string& vm)
{
  for (auto const& d : r.vm_downtime)
    if (d.name == vm) return d;
  throw std::runtime_error("no VM " + vm);
}

} // namespace ibmig::test
