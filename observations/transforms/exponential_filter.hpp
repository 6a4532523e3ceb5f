#pragma once
// The exponential filter that turns surface soil moisture into a soil water
// index (SWI) for deeper layers (Wagner, Lemoine & Rott 1999), in the
// recursive form of Albergel et al. (2008) that handles irregular sampling:
//   K_1 = 1, SWI_1 = ms_1,
//   K_n = K_{n-1} / (K_{n-1} + exp(-(t_n - t_{n-1}) / T)),
//   SWI_n = SWI_{n-1} + K_n (ms_n - SWI_{n-1}).
// Non-finite values are skipped (their SWI is NaN) and do not reset the filter.
#include <vector>

#include "core/time.hpp"

namespace landda::observations {

// `t` must not decrease; T is the characteristic time length.
std::vector<double> exponential_filter(const std::vector<Time>& t, const std::vector<double>& ms, Duration T);

}  // namespace landda::observations
