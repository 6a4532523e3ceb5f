#include "experiments/core/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include "core/log.hpp"

namespace landda::experiments {

Progress::Progress(std::string what, long long total, long long done, bool enabled)
    : what_(std::move(what)),
      total_(total),
      start_done_(done),
      enabled_(enabled && log::enabled(log::Level::info)),
      tty_(::isatty(STDERR_FILENO) != 0),
      t0_(std::chrono::steady_clock::now()),
      last_draw_(t0_) {}

void Progress::step(long long done, const std::string& note) {
  if (!enabled_ || total_ <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - t0_).count();
  const double rate = (done - start_done_) / std::max(elapsed, 1e-9);
  const double eta = rate > 0 ? (total_ - done) / rate : 0.0;
  const double frac = static_cast<double>(done) / total_;
  if (tty_) {
    if (std::chrono::duration<double>(now - last_draw_).count() < 0.2 && done < total_) return;
    last_draw_ = now;
    const int width = 30, filled = static_cast<int>(frac * width);
    std::fprintf(stderr, "\r%s [%.*s%*s] %3.0f%% %lld/%lld ETA %5.0f s %s\x1b[K", what_.c_str(), filled,
                 "##############################", width - filled, "", 100 * frac, done, total_, eta, note.c_str());
    std::fflush(stderr);
  } else {
    const int decile = static_cast<int>(frac * 10);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    log::info(what_, ": ", done, "/", total_, " (", static_cast<int>(100 * frac), "%), ETA ",
              static_cast<long long>(eta), " s", note.empty() ? "" : ", " + note);
  }
}

void Progress::finish() {
  if (enabled_ && tty_) std::fprintf(stderr, "\n");
}

}  // namespace landda::experiments
