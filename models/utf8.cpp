#include "utf8.hpp"

#include <cstdio>

namespace ibmig {

std::size_t first_invalid_utf8(const std::string& text)
{
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0, n = text.size(); i < n;) {
    unsigned char c = s[i];
    size_t len      = 1;
    unsigned lo = 0x80, hi = 0xBF; // allowed range of the second byte (Unicode 15, table 3-7)
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      lo  = c == 0xE0 ? 0xA0 : lo; // no overlong forms
      hi  = c == 0xED ? 0x9F : hi; // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      lo  = c == 0xF0 ? 0x90 : lo; // no overlong forms
      hi  = c == 0xF4 ? 0x8F : hi; // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k < len; k++)
      if ((s[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string::npos;
}

std::string escape_invalid_utf8(const std::string& text)
{
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t bad = first_invalid_utf8(text.substr(i));
    if (bad == std::string::npos) bad = text.size() - i;
    out += text.substr(i, bad);
    i += bad;
    if (i < text.size()) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(text[i++]));
      out += hex;
    }
  }
  return out;
}

} // namespace ibmig
