#pragma once
// A sum whose rounding does not depend on how its terms are grouped: a
// double-double accumulator (Knuth's TwoSum, cascaded as in Sum2 of Ogita,
// Rump & Oishi 2005, "Accurate sum and dot product"). Sums of one ensemble's
// members split over 1, 2 or 3 ranks then round to the same double (their
// difference is of order eps^2 of the terms), where plain partial sums differ
// in the last bit and a learned observation error amplifies that difference.
namespace landda {

struct ExactSum {
  double hi = 0.0, lo = 0.0;

  void add(double x) {
    const double s = hi + x, b = s - hi;
    lo += (hi - (s - b)) + (x - b);
    hi = s;
  }
  void add(const ExactSum& o) {
    add(o.hi);
    lo += o.lo;
  }
  double value() const { return hi + lo; }
};

}  // namespace landda
