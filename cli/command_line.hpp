/* The one command-line parser of ibmig, ibmig-rdma-write and ibmig-rdma-plane: CLI11 for the structure (commands,
 * options, values), and value checks that word every problem as one line naming the option, e.g.
 * `--runs: expected a whole number from 1 to 1000000, got "zero"`. Sizes and durations need units, read by the
 * scenario's own parser (units.hpp). */
#pragma once

#include "usage_error.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ibmig::cli {

/* Value checks for CLI11 options. Each rewrites the value in one canonical form before CLI11 converts it, so that
 * what was checked is what is stored (CLI11 alone would read "010" as octal). */
CLI::Validator whole_number(long long lo, long long hi);
CLI::Validator number(double lo, double hi);
CLI::Validator positive_number(double hi);                                   // above 0 and at most hi
CLI::Validator positive_duration(double max_s, const std::string& max_text); // "30s" -> seconds
CLI::Validator byte_count(std::uint64_t lo, std::uint64_t hi);               // "64MiB" -> bytes
CLI::Validator one_of(const std::vector<std::string>& words);                // "event" or "busy"
/* File names and the like end up in JSON reports, whose writer throws on bytes that are not UTF-8; an empty item of
 * a comma-separated list is refused (CLI11 drops the empty items of "a,,b"). */
CLI::Validator utf8_text();
CLI::Validator list_item();

/* The conventions of the three binaries, set before any option or command is added: -h/--help, the last of a
 * repeated option wins, at most one command, and words CLI11 does not know are left for parse_command_line. */
void follow_conventions(CLI::App& app);

/* Parses argv into `app`'s options. Returns false when -h/--help was given. Throws UsageError for anything it does
 * not understand: unknown commands and options, missing or bad values, extra arguments. */
bool parse_command_line(CLI::App& app, int argc, char** argv);

} // namespace ibmig::cli
