#pragma once
// The ensemble transform of rows, x_j <- mean(x) + sum_q (x_q - mean(x)) W(q, j)
// (Hunt et al. 2007, eq. 25), as a vectorised loop (core/simd.hpp). Each
// row's sums run over members in order, so a row's result does not depend on
// which rows are transformed with it.
#include <cstddef>

namespace landda::filters {

// rows: `count` rows of `members` values, row-major (row r at rows + r * members),
// updated in place; wt: W transposed, column-major (W(q, j) at wt[q * members + j]);
// anom: `members` values of scratch.
void transform_rows(std::size_t count, std::size_t members, const double* wt, double* rows, double* anom);

}  // namespace landda::filters
