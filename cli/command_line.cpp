#include "command_line.hpp"

#include "units.hpp"
#include "utf8.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>

namespace ibmig::cli {
namespace {

std::string shown(double x)
{
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

/* The largest binary unit that divides `bytes`: 1073741824 -> "1GiB", 1500 -> "1500B". */
std::string size_text(std::uint64_t bytes)
{
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t unit                      = 0;
  while (unit + 1 < std::size(units) && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    unit++;
  }
  return std::to_string(bytes) + units[unit];
}

} // namespace

CLI::Validator whole_number(long long lo, long long hi)
{
  const std::string range = "from " + std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [lo, hi, range](std::string& v) -> std::string {
        char* end   = nullptr;
        errno       = 0;
        long long x = std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || errno == ERANGE || x < lo || x > hi)
          return "expected a whole number " + range + ", got \"" + v + "\"";
        v = std::to_string(x);
        return "";
      },
      "whole number " + range);
}

namespace {
/* A real number that `ok` accepts, described as "a number RANGE"; written back in a canonical form. */
CLI::Validator real_number(const std::string& range, std::function<bool(double)> ok)
{
  return CLI::Validator(
      [range, ok](std::string& v) -> std::string {
        char* end = nullptr;
        double x  = std::strtod(v.c_str(), &end);
        if (v.empty() || *end != '\0' || !ok(x)) return "expected a number " + range + ", got \"" + v + "\"";
        char canonical[32];
        std::snprintf(canonical, sizeof canonical, "%.17g", x);
        v = canonical;
        return "";
      },
      "number " + range);
}
} // namespace

CLI::Validator number(double lo, double hi)
{
  return real_number("from " + shown(lo) + " to " + shown(hi), [lo, hi](double x) { return x >= lo && x <= hi; });
}

CLI::Validator positive_number(double hi)
{
  return real_number("above 0 and at most " + shown(hi), [hi](double x) { return x > 0 && x <= hi; });
}

CLI::Validator positive_duration(double max_s, const std::string& max_text)
{
  return CLI::Validator(
      [max_s, max_text](std::string& v) -> std::string {
        double s = 0;
        try {
          s = parse_duration(v).value;
        } catch (const UnitError& e) {
          return e.what();
        }
        if (!(s > 0 && s <= max_s)) return "must be positive and at most " + max_text + ", got \"" + v + "\"";
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.17g", s);
        v = seconds;
        return "";
      },
      "duration (30s, 10min, 2h)");
}

CLI::Validator byte_count(std::uint64_t lo, std::uint64_t hi)
{
  const std::string range = "from " + size_text(lo) + " to " + size_text(hi);
  return CLI::Validator(
      [lo, hi, range](std::string& v) -> std::string {
        double bytes = 0;
        try {
          bytes = parse_bytes(v).value;
        } catch (const UnitError& e) {
          return e.what();
        }
        if (bytes != std::floor(bytes)) return "\"" + v + "\" is not a whole number of bytes";
        if (!(bytes >= static_cast<double>(lo) && bytes <= static_cast<double>(hi)))
          return "expected a size " + range + ", got \"" + v + "\"";
        v = std::to_string(static_cast<std::uint64_t>(bytes));
        return "";
      },
      "size (64MiB, 4KiB, 1MB)");
}

CLI::Validator one_of(const std::vector<std::string>& words)
{
  std::string listed;
  for (size_t i = 0; i < words.size(); i++)
    listed += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
  return CLI::Validator(
      [words, listed](std::string& v) -> std::string {
        return std::find(words.begin(), words.end(), v) != words.end() ? ""
                                                                       : "expected " + listed + ", got \"" + v + "\"";
      },
      listed);
}

CLI::Validator list_item()
{
  return CLI::Validator(
      [](std::string& v) -> std::string {
        if (v.empty()) return "empty: expected a comma-separated list";
        return first_invalid_utf8(v) == std::string::npos ? "" : "the value is not valid UTF-8";
      },
      "item");
}

CLI::Validator utf8_text()
{
  return CLI::Validator(
      [](std::string& v) -> std::string {
        return first_invalid_utf8(v) == std::string::npos ? "" : "the value is not valid UTF-8";
      },
      "UTF-8 text");
}

void follow_conventions(CLI::App& app)
{
  app.set_help_flag("-h,--help");
  app.allow_extras();
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.require_subcommand(0, 1);
}

bool parse_command_line(CLI::App& app, int argc, char** argv)
{
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return false;
  } catch (const CLI::CallForAllHelp&) {
    return false;
  } catch (const CLI::ArgumentMismatch& e) {
    // CLI11 says "--json: 1 required TEXT missing"; the option's name is what matters.
    const std::string what = e.what();
    const size_t colon     = what.find(": ");
    const bool missing =
        colon != std::string::npos && what.size() > 8 && what.compare(what.size() - 8, 8, " missing") == 0;
    throw UsageError(missing ? what.substr(0, colon) + " needs a value" : what);
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
  // The words CLI11 did not take (the apps allow extras so that these messages are the project's own).
  const std::vector<std::string> extras = app.remaining(true);
  if (extras.empty()) return true;
  const std::string& word            = extras.front();
  const std::vector<CLI::App*> given = app.get_subcommands();
  const bool has_commands            = !app.get_subcommands([](CLI::App*) { return true; }).empty();
  if (has_commands && given.empty()) throw UsageError("unknown command \"" + word + "\"");
  const std::string where = given.empty() ? "" : " for " + given.front()->get_name();
  if (word.size() > 1 && word[0] == '-') throw UsageError("unknown option \"" + word + "\"" + where);
  throw UsageError("unexpected argument \"" + word + "\"" + where);
}

} // namespace ibmig::cli
