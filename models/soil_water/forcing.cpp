#include "models/soil_water/forcing.hpp"

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

Forcing Forcing::read(const std::string& path, int n_cells) {
  const auto nc = io::NcFile::open(path);
  Forcing f;
  f.path_ = path;
  for (const char* need : {"time", "pr", "tas"})
    if (!nc.has_var(need))
      throw InputError(cat(path, ": forcing variable '", need, "' is missing (a forcing file needs time, pr, tas)"));
  const auto cf = CfTimeUnits::parse(nc.att_text("time", "units"));
  const auto times = nc.get_raw("time");
  if (times.size() < 2) throw InputError(cat(path, ": forcing needs at least two time records"));
  f.start_ = cf.to_time(times[0]);
  f.interval_ = cf.to_time(times[1]) - f.start_;
  if (f.interval_.seconds <= 0) throw InputError(cat(path, ": forcing times are not increasing (records 0 and 1)"));
  if (f.interval_.seconds > 86400)
    throw InputError(cat(path, ": forcing records are ", f.interval_.iso(), " apart; a forcing record spans at most a day "
                               "(is time in the units its attribute says, '", nc.att_text("time", "units"), "'?)"));
  for (std::size_t k = 1; k < times.size(); ++k) {
    const Duration step = cf.to_time(times[k]) - cf.to_time(times[k - 1]);
    if (step != f.interval_)
      throw InputError(cat(path, ": forcing time ", cf.to_time(times[k]).iso(), " (record ", k, ") breaks the regular ",
                           f.interval_.iso(), " interval", step.seconds <= 0 ? "; times are out of order" : ""));
  }
  f.records_ = static_cast<long long>(times.size());
  for (int v = 0; v < static_cast<int>(Met::count); ++v) {
    if (!nc.has_var(kNames[v])) continue;
    const auto dims = nc.var_dims(kNames[v]);
    const auto shape = nc.var_shape(kNames[v]);
    if (dims.empty() || dims[0] != "time" || dims.size() > 2)
      throw InputError(cat(path, ": variable '", kNames[v], "' must have dimensions (time) or (time, cell)"));
    const std::size_t cells = dims.size() == 2 ? shape[1] : 1;
    if (dims.size() == 2 && static_cast<int>(cells) != n_cells)
      throw InputError(cat(path, ": variable '", kNames[v], "' has ", cells, " cells; the model grid has ", n_cells));
    f.broadcast_ = dims.size() == 1;
    if (nc.has_att(kNames[v], "units")) {
      const std::string u = nc.att_text(kNames[v], "units");
      if (u != kUnits[v])
        throw InputError(cat(path, ": variable '", kNames[v], "' has units '", u, "'; expected '", kUnits[v], "'"));
    }
    const auto values = nc.get(kNames[v]);
    Eigen::ArrayXXd a(f.records_, static_cast<Eigen::Index>(cells));
    for (long long k = 0; k < f.records_; ++k)
      for (std::size_t c = 0; c < cells; ++c) {
        const double x = values[static_cast<std::size_t>(k) * cells + c];
        if (!std::isfinite(x))
          throw InputError(cat(path, ": variable '", kNames[v], "' has a gap (missing value) at ", cf.to_time(times[k]).iso(),
                               cells > 1 ? cat(", cell ", c) : std::string(),
                               "; fill it when importing (landda import ... --max-gap)"));
        if (x < kLo[v] || x > kHi[v])
          throw InputError(cat(path, ": variable '", kNames[v], "' = ", x, " ", kUnits[v], " at ", cf.to_time(times[k]).iso(),
                               " is outside the plausible range [", kLo[v], ", ", kHi[v], "]"));
        a(k, static_cast<Eigen::Index>(c)) = x;
      }
    f.data_[v] = std::move(a);
  }
  f.n_cells_ = n_cells;
  return f;
}

Forcing Forcing::from_series(Time start, Duration interval, const std::array<std::vector<double>, 7>& series) {
  Forcing f;
  f.path_ = "<memory>";
  f.start_ = start;
  f.interval_ = interval;
  f.records_ = static_cast<long long>(series[0].size());
  for (int v = 0; v < 7; ++v) {
    if (series[v].empty()) continue;
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
    const Eigen::Index kk = static_cast<Eigen::Index>(std::min<std::int64_t>(k, records_ - 1));
    if (one) acc += w * a(kk, 0);
    else out += w * a.row(kk).segment(first_cell, out.size()).transpose();
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
  const Eigen::Index first = a.cols() == 1 ? 0 : first_cell, count = a.cols() == 1 ? 1 : tmin.size();
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
