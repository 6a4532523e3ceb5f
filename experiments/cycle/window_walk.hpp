#pragma once
// The walk through one window every 4D step shares (the cycle, the rescaling
// pass's control run, `bench model`): advance to each model step where
// something is observed, look there, then advance to the window's end.
#include <set>

#include "core/time.hpp"

namespace landda::experiments {

// `steps`: model steps after t0 (of length dt), in increasing order.
// advance(from, to) is called only for from < to; visit(step) at every step.
template <class Advance, class Visit>
void walk_window(Time t0, Time t1, Duration dt, const std::set<int>& steps, Advance&& advance, Visit&& visit) {
  Time t = t0;
  for (const int step : steps) {
    const Time at = t0 + Duration{dt.seconds * step};
    if (at > t) {
      advance(t, at);
      t = at;
    }
    visit(step);
  }
  if (t1 > t) advance(t, t1);
}

}  // namespace landda::experiments
