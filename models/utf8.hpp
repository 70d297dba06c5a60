/* UTF-8 checks for text that may end up in a report: nlohmann's dump() throws on bytes that are not UTF-8. */
#pragma once

#include <cstddef>
#include <string>

namespace ibmig {

/* Offset of the first byte of `text` that is not part of well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or std::string::npos. nlohmann's dump() throws on such bytes, so nothing
 * that may end up in a report may contain them. */
std::size_t first_invalid_utf8(const std::string& text);

/* Text for a message, bytes that are not UTF-8 written as \xHH (the message itself must stay printable). */
std::string escape_invalid_utf8(const std::string& text);

} // namespace ibmig
