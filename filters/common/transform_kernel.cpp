#include "filters/common/transform_kernel.hpp"

#include "core/simd.hpp"

namespace landda::filters {
namespace {

LANDDA_CLONES void transform_loop(std::size_t count, std::size_t N, const double* __restrict wt, double* __restrict rows,
                                  double* __restrict anom) {
  for (std::size_t r = 0; r < count; ++r) {
    double* __restrict x = rows + r * N;
    double m = 0.0;
    for (std::size_t j = 0; j < N; ++j) m += x[j];
    m /= static_cast<double>(N);
    for (std::size_t j = 0; j < N; ++j) anom[j] = x[j] - m;
    for (std::size_t j = 0; j < N; ++j) x[j] = 0.0;
    for (std::size_t q = 0; q < N; ++q) {
      const double a = anom[q];
      const double* __restrict w = wt + q * N;
      for (std::size_t j = 0; j < N; ++j) x[j] += a * w[j];
    }
    for (std::size_t j = 0; j < N; ++j) x[j] = m + x[j];
  }
}

}  // namespace

void transform_rows(std::size_t count, std::size_t members, const double* wt, double* rows, double* anom) {
  transform_loop(count, members, wt, rows, anom);
}

}  // namespace landda::filters
