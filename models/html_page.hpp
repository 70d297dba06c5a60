/* What the HTML pages of `ibmig report --html` share: escaping, the page frame with its inline CSS, and an SVG made
 * fit to sit inline in a page beside others. One self-contained file: no script, font or style sheet is fetched. */
#pragma once

#include <string>

namespace ibmig::html {

std::string escape(const std::string& text); // & < > " '
/* "<!DOCTYPE html>..." with the title, the style sheet and `body`. */
std::string page(const std::string& title, const std::string& body);
/* An SVG document from dot or gnuplot without its XML prolog and DOCTYPE, its ids prefixed with `prefix` so that
 * two drawings on one page never share one. */
std::string inline_svg(const std::string& svg, const std::string& prefix);
std::string fixed(double x, int decimals = 1); // "55.0"

} // namespace ibmig::html
