#include "models/soil_water/forcing.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "io/netcdf.hpp"

namespace landda::models::soil {
namespace {
constexpr const char* kNames[] = {"pr", "tas", "rsds", "rlds", "hurs", "sfcWind", "ps"};
constexpr const char* kUnits[] = {"kg m-2 s-1", "K", "W m-2", "W m-2", "%", "m s-1", "Pa"};
// Plausible physical ranges: a value outside is a unit or file error.
constexpr double kLo[] = {0.0, 180.0, 0.0, 0.0, 0.0, 0.0, 30000.0};
constexpr double kHi[] = {0.1, 340.0, 1500.0, 800.0, 120.0, 100.0, 110000.0};
}  // namespace

const char* met_name(Met v) { return kNames[static_cast<int>(v)]; }
MetRange plausible_range(Met v) { return {kLo[static_cast<int>(v)], kHi[static_cast<int>(v)]}; }
const char* plausible_units(Met v) { return kUnits[static_cast<int>(v)]; }

void Forcing::check(int v, const Eigen::ArrayXXd& a, long long k0, Eigen::Index c0) const {
  const auto when = [&](Eigen::Index k) { return (start_ + Duration{interval_.seconds * (k0 + k)}).iso(); };
  for (Eigen::Index k = 0; k < a.rows(); ++k)
    for (Eigen::Index c = 0; c < a.cols(); ++c) {
      const double x = a(k, c);
      if (!std::isfinite(x))
        throw InputError(cat(path_, ": variable '", kNames[v], "' has a gap (missing value) at ", when(k),
                             a.cols() > 1 || c0 > 0 ? cat(", cell ", c0 + c) : std::string(),
                             "; fill it when importing (landda import ... --max-gap)"));
      if (x < kLo[v] || x > kHi[v])
        throw InputError(cat(path_, ": variable '", kNames[v], "' = ", x, " ", kUnits[v], " at ", when(k),
                             " is outside the plausible range [", kLo[v], ", ", kHi[v], "]"));
    }
}

Forcing Forcing::read(const std::string& path, int n_cells, double in_memory_bytes) {
  auto nc = std::make_shared<io::NcFile>(io::NcFile::open(path));
  Forcing f;
  f.path_ = path;
  for (const char* need : {"time", "pr", "tas"})
    if (!nc->has_var(need))
      throw InputError(cat(path, ": forcing variable '", need, "' is missing (a forcing file needs time, pr, tas)"));
  const std::string time_units = nc->att_text("time", "units");
  const auto cf = CfTimeUnits::parse(time_units);
  const auto times = nc->get_raw("time");
  if (times.size() < 2) throw InputError(cat(path, ": forcing needs at least two time records"));
  f.start_ = cf.to_time(times[0]);
  f.interval_ = cf.to_time(times[1]) - f.start_;
  if (f.interval_.seconds <= 0) throw InputError(cat(path, ": forcing times are not increasing (records 0 and 1)"));
  if (f.interval_.seconds > 86400)
    throw InputError(cat(path, ": forcing records are ", f.interval_.iso(), " apart; a forcing record spans at most a day "
                               "(is time in the units its attribute says, '", time_units, "'?)"));
  for (std::size_t k = 1; k < times.size(); ++k) {
    const Duration step = cf.to_time(times[k]) - cf.to_time(times[k - 1]);
    if (step != f.interval_)
      throw InputError(cat(path, ": forcing time ", cf.to_time(times[k]).iso(), " (record ", k, ") breaks the regular ",
                           f.interval_.iso(), " interval", step.seconds <= 0 ? "; times are out of order" : ""));
  }
  f.records_ = static_cast<long long>(times.size());
  f.n_cells_ = n_cells;
  double values = 0;
  for (int v = 0; v < static_cast<int>(Met::count); ++v) {
    if (!nc->has_var(kNames[v])) continue;
    const auto dims = nc->var_dims(kNames[v]);
    const auto shape = nc->var_shape(kNames[v]);
    if (dims.empty() || dims[0] != "time" || dims.size() > 2)
      throw InputError(cat(path, ": variable '", kNames[v], "' must have dimensions (time) or (time, cell)"));
    const std::size_t cells = dims.size() == 2 ? shape[1] : 1;
    if (dims.size() == 2 && static_cast<int>(cells) != n_cells)
      throw InputError(cat(path, ": variable '", kNames[v], "' has ", cells, " cells; the model grid has ", n_cells));
    f.broadcast_ = dims.size() == 1;
    if (nc->has_att(kNames[v], "units")) {
      const std::string u = nc->att_text(kNames[v], "units");
      if (u != kUnits[v])
        throw InputError(cat(path, ": variable '", kNames[v], "' has units '", u, "'; expected '", kUnits[v], "'"));
    }
    f.present_[static_cast<std::size_t>(v)] = true;
    values += static_cast<double>(f.records_) * static_cast<double>(cells);
  }
  f.file_ = std::move(nc);
  if (8.0 * values > in_memory_bytes) return f;  // read a window at a time (load)
  f.read_block(0, f.records_, 0, n_cells);
  f.file_.reset();
  return f;
}

void Forcing::read_block(long long k0, long long nk, Eigen::Index c0, Eigen::Index nc) {
  for (int v = 0; v < static_cast<int>(Met::count); ++v) {
    if (!present_[static_cast<std::size_t>(v)]) continue;
    const auto k = static_cast<std::size_t>(k0), n = static_cast<std::size_t>(nk);
    const Eigen::Index cells = broadcast_ ? 1 : nc;
    const auto values = broadcast_ ? file_->get(kNames[v], {k}, {n})
                                   : file_->get(kNames[v], {k, static_cast<std::size_t>(c0)}, {n, static_cast<std::size_t>(nc)});
    Eigen::ArrayXXd a(nk, cells);
    for (long long r = 0; r < nk; ++r)
      for (Eigen::Index c = 0; c < cells; ++c) a(r, c) = values[static_cast<std::size_t>(r * cells + c)];
    check(v, a, k0, broadcast_ ? 0 : c0);
    data_[static_cast<std::size_t>(v)] = std::move(a);
  }
  rec0_ = k0;
  cell0_ = broadcast_ ? 0 : c0;
}

void Forcing::load(Time t0, Time t1, Eigen::Index c0, Eigen::Index c1) {
  if (!file_) return;
  // Whole UTC days (daily_range looks at the day of each step), one record more for a step that ends on the last.
  const auto floor_day = [](std::int64_t s) { return s - ((s % 86400) + 86400) % 86400; };
  const std::int64_t iv = interval_.seconds;
  const std::int64_t d0 = floor_day(t0.seconds) - start_.seconds, d1 = floor_day(t1.seconds - 1) + 86400 - start_.seconds;
  const long long k0 = std::max<long long>(0, d0 / iv), k1 = std::min<long long>(records_, (d1 + iv - 1) / iv + 1);
  const Eigen::Index held_rows = data_[0].rows(), held_cols = broadcast_ ? n_cells_ : data_[0].cols();
  if (k0 >= rec0_ && k1 <= rec0_ + held_rows && (broadcast_ || (c0 >= cell0_ && c1 <= cell0_ + held_cols))) return;
  read_block(k0, k1 - k0, c0, c1 - c0);
}

double Forcing::bytes() const {
  if (!file_) {
    double b = 0;
    for (const auto& d : data_) b += 8.0 * static_cast<double>(d.size());
    return b;
  }
  double vars = 0;
  for (const bool p : present_) vars += p ? 1 : 0;
  return 8.0 * vars * (2.0 * 86400.0 / static_cast<double>(interval_.seconds) + 1) * (broadcast_ ? 1 : n_cells_);
}

Forcing Forcing::from_series(Time start, Duration interval, const std::array<std::vector<double>, 7>& series) {
  Forcing f;
  f.path_ = "<memory>";
  f.start_ = start;
  f.interval_ = interval;
  f.records_ = static_cast<long long>(series[0].size());
  for (int v = 0; v < 7; ++v) {
    if (series[v].empty()) continue;
    f.present_[static_cast<std::size_t>(v)] = true;
    f.data_[v] = Eigen::Map<const Eigen::ArrayXd>(series[v].data(), static_cast<Eigen::Index>(series[v].size()));
  }
  return f;
}

void Forcing::check_covers(Time t0, Time t1) const {
  if (t0 < begin() || t1 > end())
    throw InputError(cat(path_, ": the forcing covers ", begin().iso(), " to ", end().iso(), "; the run needs ", t0.iso(),
                         " to ", t1.iso()));
}

bool Forcing::uniform() const {
  for (const auto& a : data_)
    if (a.cols() > 1) return false;
  return true;
}

void Forcing::mean(Met v, Time t, Duration dt, Eigen::Ref<Eigen::ArrayXd> out, Eigen::Index first_cell) const {
  const Eigen::ArrayXXd& a = data_[static_cast<int>(v)];
  const std::int64_t iv = interval_.seconds;
  const std::int64_t s0 = t.seconds - start_.seconds, s1 = s0 + dt.seconds;
  std::int64_t k = s0 / iv;
  const bool one = broadcast_ || a.cols() == 1;
  if (one) out.setConstant(0.0);
  else out.setZero();
  double acc = 0.0;
  for (std::int64_t s = s0; s < s1; ++k) {
    const std::int64_t rec_end = (k + 1) * iv;
    const std::int64_t seg = std::min(rec_end, s1) - s;
    const double w = static_cast<double>(seg) / static_cast<double>(dt.seconds);
    const Eigen::Index kk = static_cast<Eigen::Index>(std::min<std::int64_t>(k, records_ - 1) - rec0_);  // in the records held
    if (one) acc += w * a(kk, 0);
    else out += w * a.row(kk).segment(first_cell - cell0_, out.size()).transpose();
    s += seg;
  }
  if (one) out.setConstant(acc);
}

void Forcing::daily_range(Time t, Eigen::Ref<Eigen::ArrayXd> tmin, Eigen::Ref<Eigen::ArrayXd> tmax,
                          Eigen::Index first_cell) const {
  const Eigen::ArrayXXd& a = data_[static_cast<int>(Met::tas)];
  const std::int64_t day0 = (t.seconds - ((t.seconds % 86400) + 86400) % 86400) - start_.seconds;
  const std::int64_t iv = interval_.seconds;
  std::int64_t k0 = std::max<std::int64_t>(0, day0 / iv), k1 = std::min<std::int64_t>(records_, (day0 + 86400) / iv);
  if (k1 <= k0) k1 = std::min<std::int64_t>(records_, k0 + 1);
  const Eigen::Index first = broadcast_ || a.cols() == 1 ? 0 : first_cell - cell0_, count = a.cols() == 1 ? 1 : tmin.size();
  k0 -= rec0_;  // in the records held
  k1 -= rec0_;
  Eigen::ArrayXd lo = a.row(k0).segment(first, count).transpose(), hi = lo;
  for (std::int64_t k = k0 + 1; k < k1; ++k) {
    lo = lo.min(a.row(k).segment(first, count).transpose());
    hi = hi.max(a.row(k).segment(first, count).transpose());
  }
  if (lo.size() == 1) {
    tmin.setConstant(lo[0]);
    tmax.setConstant(hi[0]);
  } else {
    tmin = lo;
    tmax = hi;
  }
}

}  // namespace landda::models::soil
