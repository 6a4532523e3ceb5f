#pragma once
// Meteorological forcing read from a landda forcing file (CF NetCDF, CMIP
// variable names): pr (kg m-2 s-1), tas (K), and when present rsds, rlds
// (W m-2), hurs (%), sfcWind (m s-1), ps (Pa). Dimensions (time) for one
// point applied to every cell, or (time, cell). Each record is the mean over
// [t, t + interval). A gap (NaN, fill value) is an error: fill it when
// importing (`landda import`), where the rule is stated and reported.
#include <Eigen/Core>
#include <array>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace landda::models::soil {

enum class Met { pr = 0, tas, rsds, rlds, hurs, sfcWind, ps, count };
const char* met_name(Met v);
// The values a variable can plausibly take (landda's units): outside is a unit or file error.
struct MetRange {
  double lo, hi;
};
MetRange plausible_range(Met v);
const char* plausible_units(Met v);  // landda's units of v

class Forcing {
 public:
  // Reads the file; `n_cells` must equal its cell dimension unless it has none.
  static Forcing read(const std::string& path, int n_cells);
  // For tests and benchmarks: a forcing held in memory (one point, broadcast).
  static Forcing from_series(Time start, Duration interval, const std::array<std::vector<double>, 7>& series);

  bool has(Met v) const { return data_[static_cast<int>(v)].size() > 0; }
  Time begin() const { return start_; }
  Time end() const { return start_ + Duration{interval_.seconds * records_}; }
  Duration interval() const { return interval_; }
  const std::string& path() const { return path_; }
  // True when every variable is one series applied to every cell.
  bool uniform() const;
  // Mean of variable v over [t, t + dt) for the cells first_cell, first_cell + 1, ... (out.size() of them).
  void mean(Met v, Time t, Duration dt, Eigen::Ref<Eigen::ArrayXd> out, Eigen::Index first_cell = 0) const;
  // Daily minimum and maximum of tas over the UTC day containing t (Hargreaves), same cells.
  void daily_range(Time t, Eigen::Ref<Eigen::ArrayXd> tmin, Eigen::Ref<Eigen::ArrayXd> tmax,
                   Eigen::Index first_cell = 0) const;
  // Throws InputError unless [t0, t1) lies inside the file.
  void check_covers(Time t0, Time t1) const;
  // Bytes of the records held (every record of every cell of the file).
  double bytes() const {
    double b = 0;
    for (const auto& d : data_) b += 8.0 * static_cast<double>(d.size());
    return b;
  }

 private:
  std::string path_;
  Time start_;
  Duration interval_{3600};
  long long records_ = 0;
  int n_cells_ = 1;
  bool broadcast_ = true;
  std::array<Eigen::ArrayXXd, 7> data_;  // records x file cells, per variable
};

}  // namespace landda::models::soil
