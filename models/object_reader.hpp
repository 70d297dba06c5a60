/* The loader's reader of one JSON object (scenario_loader.cpp, plan_loader.cpp): typed fields with their ranges and
 * units, errors that name the file and the JSON path, and unknown keys reported. */
#pragma once

#include "scenario.hpp"
#include "scenario_error.hpp"
#include "units.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <utility>

namespace ibmig::loader {

using json = nlohmann::json;

/* A JSON object being read: remembers its path and which keys were used, so unknown keys are reported. */
class ObjectReader {
public:
  ObjectReader(const json& j, std::string path, const std::string& file) : j_(j), path_(std::move(path)), file_(file)
  {
    if (!j_.is_object()) fail("", "expected an object, got " + std::string(j_.type_name()));
  }

  [[noreturn]] void fail(const std::string& key, const std::string& msg) const
  {
    throw ScenarioError(file_, at(key), msg);
  }
  std::string at(const std::string& key) const
  {
    if (key.empty()) return path_;
    return path_.empty() ? key : path_ + "." + key;
  }
  const std::string& file() const { return file_; }
  bool has(const std::string& key) const { return j_.contains(key); }

  const json& raw(const std::string& key)
  {
    used_.insert(key);
    if (!j_.contains(key)) fail(key, "missing required field");
    return j_.at(key);
  }
  const json* opt_raw(const std::string& key)
  {
    used_.insert(key);
    return j_.contains(key) ? &j_.at(key) : nullptr;
  }

  std::string str(const std::string& key) { return as_string(raw(key), key); }
  std::string str(const std::string& key, const std::string& def)
  {
    auto* v = opt_raw(key);
    return v ? as_string(*v, key) : def;
  }
  double num(const std::string& key, double lo, double hi) { return as_number(raw(key), key, lo, hi); }
  double num(const std::string& key, double def, double lo, double hi)
  {
    auto* v = opt_raw(key);
    return v ? as_number(*v, key, lo, hi) : def;
  }
  int integer(const std::string& key, int def, int lo, int hi)
  {
    auto* v = opt_raw(key);
    if (!v) return def;
    if (!v->is_number_integer()) fail(key, "expected an integer, got " + v->dump());
    // Above INT64_MAX nlohmann stores the number unsigned, and get<long long>() would wrap it (2^64-1 to -1).
    bool fits   = !v->is_number_unsigned() || v->get<std::uint64_t>() <= static_cast<std::uint64_t>(hi);
    long long x = fits ? v->get<long long>() : 0;
    if (!fits || x < lo || x > hi)
      fail(key, "value " + v->dump() + " out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(x);
  }
  bool boolean(const std::string& key, bool def)
  {
    auto* v = opt_raw(key);
    if (!v) return def;
    if (!v->is_boolean()) fail(key, "expected true or false, got " + v->dump());
    return v->get<bool>();
  }
  static std::string shown(Bytes b) { return format_bytes(b); }
  static std::string shown(Seconds t) { return format_duration(t); }
  static std::string shown(BitsPerSecond r)
  {
    char text[32];
    std::snprintf(text, sizeof text, "%gGbps", r.value / 1e9);
    return text;
  }
  template <class T, class Parse> T unit(const std::string& key, Parse parse, double lo, double hi, const char* u)
  {
    return unit_value<T>(raw(key), key, parse, lo, hi, u);
  }
  template <class T, class Parse>
  T unit_value(const json& v, const std::string& key, Parse parse, double lo, double hi, const char* u)
  {
    if (!v.is_string()) fail(key, "expected a string with a unit (e.g. \"" + std::string(u) + "\"), got " + v.dump());
    T out;
    try {
      out = parse(v.get<std::string>());
    } catch (const UnitError& e) {
      fail(key, e.what());
    }
    if (!(out.value >= lo && out.value <= hi))
      fail(key, "value \"" + v.get<std::string>() + "\" is out of the plausible range " + shown(T{lo}) + " to " +
                    shown(T{hi}));
    return out;
  }
  BitsPerSecond bandwidth(const std::string& key, double lo = 1e3, double hi = 1e13)
  {
    return unit<BitsPerSecond>(key, parse_bandwidth, lo, hi, "1Gbps");
  }
  Seconds duration(const std::string& key, double lo = 0, double hi = 30 * 86400.0)
  {
    return unit<Seconds>(key, parse_duration, lo, hi, "30s");
  }
  Bytes bytes(const std::string& key, double lo = 1, double hi = 1e15)
  {
    return unit<Bytes>(key, parse_bytes, lo, hi, "1GiB");
  }

  const json& array(const std::string& key)
  {
    const json& v = raw(key);
    if (!v.is_array()) fail(key, "expected a list, got " + std::string(v.type_name()));
    return v;
  }
  const json* opt_array(const std::string& key)
  {
    const json* v = opt_raw(key);
    if (v && !v->is_array()) fail(key, "expected a list, got " + std::string(v->type_name()));
    return v;
  }
  ObjectReader child(const std::string& key) { return ObjectReader(raw(key), at(key), file_); }
  std::string index(const std::string& key, size_t i) const { return at(key) + "[" + std::to_string(i) + "]"; }

  /* Every key present must have been read: a misspelt field is an error, not silently ignored. */
  void finish() const
  {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!used_.count(it.key())) fail(it.key(), "unknown field");
  }

private:
  std::string as_string(const json& v, const std::string& key) const
  {
    if (!v.is_string()) fail(key, "expected a string, got " + v.dump());
    return v.get<std::string>();
  }
  double as_number(const json& v, const std::string& key, double lo, double hi) const
  {
    if (!v.is_number()) fail(key, "expected a number, got " + v.dump());
    double x = v.get<double>();
    if (!(x >= lo && x <= hi))
      fail(key, "value " + v.dump() + " out of range [" + json(lo).dump() + ", " + json(hi).dump() + "]");
    return x;
  }

  const json& j_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> used_;
};

/* An IPoIB mode as the scenario writes it: "datagram" or "connected". */
inline IpoibMode parse_ipoib_mode(ObjectReader& o, const std::string& key, const std::string& v)
{
  if (v == "datagram") return IpoibMode::Datagram;
  if (v == "connected") return IpoibMode::Connected;
  o.fail(key, "expected \"datagram\" or \"connected\", got \"" + v + "\"");
}

} // namespace ibmig::loader
