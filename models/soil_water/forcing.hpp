#pragma once
// Meteorological forcing read from a landda forcing file (CF NetCDF, CMIP
// variable names): pr (kg m-2 s-1), tas (K), and when present rsds, rlds
// (W m-2), hurs (%), sfcWind (m s-1), ps (Pa). Dimensions (time) for one
// point applied to every cell, or (time, cell). Each record is the mean over
// [t, t + interval). A gap (NaN, fill value) is an error: fill it when
// importing (`landda import`), where the rule is stated and reported.
//
// A file whose values fit in `in_memory_bytes` is read whole at start and
// checked there. A larger one (a continent's hourly forcing for a year) is
// read a window at a time: load() takes the records of the whole UTC days
// around a window, only of the cells the caller advances, and checks them as
// they come (an error then stops the run in that window, before its outputs
// are complete).
#include <Eigen/Core>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace landda::io {
class NcFile;
}

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
  // Reads the file (whole, or its times only when larger than in_memory_bytes);
  // `n_cells` must equal its cell dimension unless it has none.
  static constexpr double kInMemoryBytes = 256e6;
  static Forcing read(const std::string& path, int n_cells, double in_memory_bytes = kInMemoryBytes);
  // For tests and benchmarks: a forcing held in memory (one point, broadcast).
  static Forcing from_series(Time start, Duration interval, const std::array<std::vector<double>, 7>& series);

  bool has(Met v) const { return present_[static_cast<std::size_t>(v)]; }
  // The records of the UTC days around [t0, t1) for cells [c0, c1) made available
  // (nothing to do for a file read whole); mean() and daily_range() then answer there.
  void load(Time t0, Time t1, Eigen::Index c0, Eigen::Index c1);
  bool windowed() const { return file_ != nullptr; }
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
  // Bytes of the records held: every record of every cell of a file read whole;
  // two days of every cell for one read a window at a time.
  double bytes() const;

 private:
  // Values of variable v (records x cells) checked for gaps and plausibility; `k0` and `c0` name them in messages.
  void check(int v, const Eigen::ArrayXXd& a, long long k0, Eigen::Index c0) const;
  // Records [k0, k0 + nk) of cells [c0, c0 + nc) of every variable, read and checked.
  void read_block(long long k0, long long nk, Eigen::Index c0, Eigen::Index nc);

  std::string path_;
  Time start_;
  Duration interval_{3600};
  long long records_ = 0;
  int n_cells_ = 1;
  bool broadcast_ = true;
  std::array<bool, 7> present_{};
  std::array<Eigen::ArrayXXd, 7> data_;  // records x cells held, per variable
  long long rec0_ = 0;                   // the first record held
  Eigen::Index cell0_ = 0;               // the first cell held
  std::shared_ptr<const io::NcFile> file_;  // open while the forcing is read a window at a time
};

}  // namespace landda::models::soil
