/* The rows of a sweep (docs/sweep.md, field by field): one per grid point, the axes as given, a status, and the key
 * figures of its report. Written as JSON lines or CSV (RFC 4180), read back to resume a sweep or merge shards.
 * MB = 10^6 bytes. */
#pragma once

#include "report.hpp"

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ibmig::sweep {

enum class Format { Jsonl, Csv };
Format format_of(const std::string& file); // by extension: .jsonl or .csv; throws std::invalid_argument

/* The columns every row of one sweep has: its axes, then its figures (named from the base scenario's VMs), then the
 * bottleneck of the phases before and after the migration. */
struct Columns {
  std::vector<std::string> axes;
  std::vector<std::string> figures;
  static constexpr const char* kPhases[] = {"before", "after"};
  bool operator==(const Columns& o) const { return axes == o.axes && figures == o.figures; }
};
std::vector<std::string> figure_names(const std::vector<std::string>& vm_names);

struct Row {
  std::size_t point = 0;
  std::vector<std::string> axes; // labels, in Columns::axes order
  std::string status;            // "ok", "invalid", "failed"
  std::optional<std::string> error;
  std::vector<std::optional<double>> figures; // in Columns::figures order; null: not known at this point
  std::vector<std::string> bottleneck;        // in Columns::kPhases order; "" when none
  bool operator==(const Row& o) const;
};

/* A point whose report exists: status "ok" when its verdict is, else "failed" with the verdict's summary line. */
Row row_from_report(std::size_t point, std::vector<std::string> axes, const Report& r, const Columns& c);
/* A point without a report: "invalid" (the loader refused it) or "failed" (the simulator failed); figures null. */
Row row_without_report(std::size_t point, std::vector<std::string> axes, const std::string& status,
                       const std::string& error, const Columns& c);

std::string header_line(Format f, const Columns& c);              // CSV only; "" for JSON lines
std::string row_line(Format f, const Row& row, const Columns& c); // one line, with its "\n"
std::string csv_field(const std::string& text);                   // RFC 4180: quoted when it must be

/* A rows file as written. A last line without its newline (a run killed while writing) is dropped and counted in
 * `truncated`. Throws std::invalid_argument naming the file and line for anything else that is not a row of this
 * format. */
struct RowsFile {
  Columns columns;
  std::vector<Row> rows;
  bool truncated = false;
};
RowsFile read_rows(const std::string& file);
/* Rows sorted by point, the header first: the whole file's text. */
std::string rows_text(Format f, const Columns& c, std::vector<Row> rows);

} // namespace ibmig::sweep
