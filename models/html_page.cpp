#include "html_page.hpp"

#include <cstdio>

namespace ibmig::html {

std::string escape(const std::string& text)
{
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string fixed(double x, int decimals)
{
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, x);
  return text;
}

namespace {

const char* kStyle = R"(
body { font-family: sans-serif; margin: 1.5em 2em; color: #1d2330; max-width: 1400px; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #c8cfdb; padding-bottom: 0.2em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.86em; }
th, td { border: 1px solid #d3d9e3; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #17692f; } .bad { color: #a61b1b; font-weight: bold; } .warn { color: #8a5a00; }
.verdict { padding: 0.5em 0.8em; border-radius: 4px; display: inline-block; margin: 0.4em 0; }
.verdict.ok { background: #e3f4e7; } .verdict.bad { background: #fbe4e4; }
.figure { overflow-x: auto; margin: 0.5em 0; }
.figure svg { max-width: 100%; height: auto; }
.note { color: #56607a; font-size: 0.9em; }
.timeline { display: grid; grid-template-columns: 20em 1fr 9em; gap: 2px 0.6em; font-size: 0.82em; align-items: center; }
.timeline .label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.timeline .track { position: relative; height: 1.15em; background: #f3f5f9; }
.timeline .bar { position: absolute; top: 0; bottom: 0; min-width: 2px; }
.timeline .step { background: #5b7fb8; } .timeline .step.failed { background: #c62828; }
.timeline .down { background: #e0803a; }
.timeline .axis { position: relative; height: 1.2em; border-bottom: 1px solid #8c96a8; }
.timeline .tick { position: absolute; bottom: 0; transform: translateX(-50%); white-space: nowrap; font-size: 0.85em; color: #56607a; }
.timeline .tick.last { transform: translateX(-100%); }
.timeline .section { grid-column: 1 / span 3; font-weight: bold; margin-top: 0.5em; }
)";

} // namespace

std::string page(const std::string& title, const std::string& body)
{
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title) +
         "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
}

std::string inline_svg(const std::string& svg, const std::string& prefix)
{
  size_t start = svg.find("<svg");
  if (start == std::string::npos) return "";
  std::string in = svg.substr(start), out;
  out.reserve(in.size() + in.size() / 20);
  // The places an id is declared or referred to in the SVG that dot and gnuplot write.
  static const char* const marks[] = {"id=\"", "id='", "href=\"#", "href='#", "url(#"};
  for (size_t i = 0; i < in.size();) {
    bool hit = false;
    for (const char* m : marks) {
      size_t n = std::char_traits<char>::length(m);
      if (in.compare(i, n, m) == 0 && (i == 0 || in[i - 1] == ' ' || in[i - 1] == ':' || in[i - 1] == '\t' ||
                                       in[i - 1] == '\n' || in[i - 1] == '(' || m[0] == 'u')) {
        out.append(m, n).append(prefix);
        i += n;
        hit = true;
        break;
      }
    }
    if (!hit) out += in[i++];
  }
  return out;
}

} // namespace ibmig::html
