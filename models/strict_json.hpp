/* The strict JSON reader: text -> json as json::parse builds it, except that bytes that are not UTF-8, a number
 * beyond a double (which nlohmann reports as raw library text), an integer beyond 64 bits (which it rounds to a
 * double) and two equal keys in one object (of which it keeps the last) are failures with their position and their
 * JSON path. */
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace ibmig {

struct JsonFailure {
  std::string reason = "not valid JSON";
  std::string path; // JSON path of the value at fault, when known
  std::size_t offset = std::string::npos;
  std::string note;        // after the position
  bool bad_number = false; // a number the document cannot hold, rather than a syntax error

  /* "REASON at line L, column C NOTE", the column in characters as editors count them. */
  std::string describe(const std::string& text) const;
};

/* Parses a whole text strictly; false and why instead of an exception. */
bool parse_strict_json(const std::string& text, nlohmann::json& out, JsonFailure& why);

} // namespace ibmig
