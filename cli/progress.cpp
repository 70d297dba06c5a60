#include "progress.hpp"

#include <unistd.h>

namespace ibmig::cli {

Progress::Progress(std::string what, std::string unit, std::size_t total, std::FILE* out)
    : what_(std::move(what)), unit_(std::move(unit)), total_(total), out_(out),
      shown_(isatty(fileno(out)) == 1 && total > 0), start_(std::chrono::steady_clock::now()), last_draw_(start_)
{
  if (shown_) draw();
}

void Progress::advance(std::size_t n)
{
  done_ += n;
  if (!shown_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  // Ten redraws a second at most: a terminal that scrolls thousands of lines a second slows the sweep down.
  if (done_ < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw();
}

void Progress::draw()
{
  double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate      = elapsed_s > 0 ? static_cast<double>(done_) / elapsed_s : 0;
  char eta[32]     = "-";
  if (rate > 0 && done_ < total_) {
    double s = static_cast<double>(total_ - done_) / rate;
    if (s < 60)
      std::snprintf(eta, sizeof eta, "%.0f s", s);
    else
      std::snprintf(eta, sizeof eta, "%ld min %02ld s", static_cast<long>(s) / 60, static_cast<long>(s) % 60);
  }
  // "\r" and an erase to the end of the line: the line is redrawn in place.
  std::fprintf(out_, "\r%s: %zu/%zu %s (%.0f%%), %.1f %s/s, ETA %s\033[K", what_.c_str(), done_, total_, unit_.c_str(),
               100.0 * static_cast<double>(done_) / static_cast<double>(total_), rate, unit_.c_str(), eta);
  std::fflush(out_);
}

void Progress::finish()
{
  if (finished_) return;
  finished_ = true;
  if (!shown_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
}

} // namespace ibmig::cli
