#include "observations/transforms/exponential_filter.hpp"

#include <cmath>

#include "core/error.hpp"

namespace landda::observations {

std::vector<double> exponential_filter(const std::vector<Time>& t, const std::vector<double>& ms, Duration T) {
  if (t.size() != ms.size()) throw InputError("exponential filter: times and values differ in length");
  if (T.seconds <= 0) throw ConfigError("exponential filter: the characteristic time T must be positive");
  std::vector<double> swi(ms.size(), std::nan(""));
  double gain = 1.0, last = 0.0;
  bool started = false;
  Time prev{};
  for (std::size_t n = 0; n < ms.size(); ++n) {
    if (n > 0 && t[n] < t[n - 1])
      throw InputError(cat("exponential filter: time ", t[n].iso(), " is before ", t[n - 1].iso(), " (not in order)"));
    if (!std::isfinite(ms[n])) continue;
    if (!started) {
      last = ms[n];
      gain = 1.0;
      started = true;
    } else {
      const double decay = std::exp(-static_cast<double>((t[n] - prev).seconds) / static_cast<double>(T.seconds));
      gain = gain / (gain + decay);
      last += gain * (ms[n] - last);
    }
    prev = t[n];
    swi[n] = last;
  }
  return swi;
}

}  // namespace landda::observations
