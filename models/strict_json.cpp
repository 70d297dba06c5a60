#include "strict_json.hpp"

#include "utf8.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

using nlohmann::json;

namespace ibmig {
namespace {

/* "line L, column C" of a byte offset, the column in characters (UTF-8 code points) as editors count them. */
std::string line_column(const std::string& text, size_t offset)
{
  offset            = std::min(offset, text.size());
  size_t line       = 1 + std::count(text.begin(), text.begin() + offset, '\n');
  size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start        = line_start == std::string::npos || line_start >= offset ? 0 : line_start + 1;
  size_t column     = 1 + std::count_if(text.begin() + line_start, text.begin() + offset,
                                        [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/* Builds the document as json::parse does and remembers where it is, so that what nlohmann would report as raw
 * library text (a number beyond a double) or do silently (round an integer beyond 64 bits to a double, keep the
 * last of two equal keys) is an error with the JSON path. */
class StrictSax {
public:
  explicit StrictSax(json& root) : dom_(root, /*allow_exceptions=*/false) {}
  const JsonFailure& failure() const { return failure_; }

  bool null()
  {
    value();
    return dom_.null();
  }
  bool boolean(bool v)
  {
    value();
    return dom_.boolean(v);
  }
  bool number_integer(json::number_integer_t v)
  {
    value();
    return dom_.number_integer(v);
  }
  bool number_unsigned(json::number_unsigned_t v)
  {
    value();
    return dom_.number_unsigned(v);
  }
  bool number_float(json::number_float_t v, const std::string& text)
  {
    value();
    if (text.find_first_of(".eE") == std::string::npos) // the lexer's fallback for an integer it cannot hold
      return fail("integer " + text + " does not fit in 64 bits", std::string::npos, true);
    return dom_.number_float(v, text);
  }
  bool string(std::string& v)
  {
    value();
    return dom_.string(v);
  }
  bool binary(json::binary_t& v)
  {
    value();
    return dom_.binary(v);
  }
  bool start_object(size_t n)
  {
    value();
    frames_.push_back({});
    return dom_.start_object(n);
  }
  bool key(std::string& k)
  {
    Frame& f = frames_.back();
    f.key    = k;
    if (!f.keys.insert(k).second)
      return fail("the key \"" + k + "\" appears twice in one object", std::string::npos, false);
    return dom_.key(k);
  }
  bool end_object()
  {
    frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(size_t n)
  {
    value();
    frames_.push_back({});
    frames_.back().array = true;
    return dom_.start_array(n);
  }
  bool end_array()
  {
    frames_.pop_back();
    return dom_.end_array();
  }
  template <class Exception> bool parse_error(size_t position, const std::string& token, const Exception& e)
  {
    if (e.id == 406) { // a finite double cannot hold it: "1e99999"
      value();
      return fail("number " + token + " is out of range", position - std::min(position, token.size()), true);
    }
    failure_.offset = position == 0 ? 0 : position - 1; // the character that did not fit
    return false;
  }

private:
  struct Frame {
    bool array   = false;
    size_t count = 0;           // values seen so far (arrays)
    std::string key;            // the current key (objects)
    std::set<std::string> keys; // keys seen so far (objects)
  };

  void value()
  {
    if (!frames_.empty() && frames_.back().array) frames_.back().count++;
  }
  bool fail(const std::string& reason, size_t offset, bool bad_number)
  {
    failure_.reason     = reason;
    failure_.bad_number = bad_number;
    failure_.offset     = offset;
    for (auto const& f : frames_)
      failure_.path += f.array ? "[" + std::to_string(f.count - 1) + "]" : (failure_.path.empty() ? "" : ".") + f.key;
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::vector<Frame> frames_;
  JsonFailure failure_;
};

} // namespace

std::string JsonFailure::describe(const std::string& text) const
{
  return reason + (offset == std::string::npos ? "" : " at " + line_column(text, offset)) + note;
}

/* json::parse of a whole text, strictly (see StrictSax). */
bool parse_strict_json(const std::string& text, json& out, JsonFailure& why)
{
  if (size_t bad = first_invalid_utf8(text); bad != std::string::npos) {
    char byte[32];
    std::snprintf(byte, sizeof byte, " (byte 0x%02X)", static_cast<unsigned char>(text[bad]));
    why = {"not valid UTF-8", "", bad, byte, false};
    return false;
  }
  StrictSax sax(out);
  try {
    if (json::sax_parse(text, &sax)) return true;
    why = sax.failure();
  } catch (const json::exception&) { // not expected from text input; never shown as library text
    why = {};
  }
  return false;
}

} // namespace ibmig
