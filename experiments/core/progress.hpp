#pragma once
// Progress of a long loop: a bar with ETA redrawn in place on a terminal,
// plain log lines every 10 % otherwise (logs, CI).
#include <chrono>
#include <string>

namespace landda::experiments {

class Progress {
 public:
  Progress(std::string what, long long total, long long done, bool enabled);
  void step(long long done, const std::string& note = "");
  void finish();

 private:
  std::string what_;
  long long total_, start_done_;
  bool enabled_, tty_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point t0_, last_draw_;
};

}  // namespace landda::experiments
