#include "observations/transforms/rescale_file.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "io/netcdf.hpp"

namespace landda::observations {

namespace {
constexpr double kFill = -9999.0;
}

void write_rescaling(const std::string& path, const std::string& method, const std::vector<double>& lon,
                     const std::vector<double>& lat, const std::vector<RescaleFit>& fits) {
  const std::size_t n = fits.size();
  std::size_t nk = 1, nd = 0;
  for (const auto& f : fits) nk = std::max(nk, f.obs_knots.size()), nd = std::max(nd, f.clim_obs.size());
  auto nc = io::NcFile::create(path);
  nc.def_dim("location", n);
  nc.def_dim("knot", nk);
  nc.put_att("", "Conventions", "CF-1.8");
  nc.put_att("", "title", "landda rescaling of observations to the model climatology");
  nc.put_att("", "method", method);
  nc.def_var({"longitude", io::NcType::f64, {"location"}});
  nc.def_var({"latitude", io::NcType::f64, {"location"}});
  nc.def_var({"pairs", io::NcType::i32, {"location"}});
  nc.def_var({"error_ratio", io::NcType::f64, {"location"}});
  nc.def_var({"obs_knots", io::NcType::f64, {"location", "knot"}, {}, 0, kFill});
  nc.def_var({"ref_knots", io::NcType::f64, {"location", "knot"}, {}, 0, kFill});
  nc.put_att("longitude", "units", "degrees_east");
  nc.put_att("latitude", "units", "degrees_north");
  nc.put_att("pairs", "long_name", "observation-model pairs the fit used (fewer than 10: not applied)");
  nc.put_att("obs_knots", "long_name", "knots of the observations' distribution (increasing)");
  nc.put_att("ref_knots", "long_name", "matching knots of the model's distribution");
  if (nd > 0) {  // anomaly: each location's daily moving means
    nc.def_dim("day", nd);
    nc.def_var({"climatology_start", io::NcType::f64, {"location"}});
    nc.put_att("climatology_start", "units", "days since 1970-01-01");
    nc.def_var({"obs_climatology", io::NcType::f64, {"location", "day"}, {}, 1, kFill});
    nc.def_var({"ref_climatology", io::NcType::f64, {"location", "day"}, {}, 1, kFill});
    nc.put_att("obs_climatology", "long_name", "35-day moving mean of the observations on each day from climatology_start");
    nc.put_att("ref_climatology", "long_name", "the same of the model at the observations");
  }
  nc.end_def();
  if (n == 0) return nc.commit();
  std::vector<int> pairs(n);
  std::vector<double> ratio(n), ko(n * nk, kFill), kr(n * nk, kFill);
  for (std::size_t i = 0; i < n; ++i) {
    pairs[i] = static_cast<int>(fits[i].pairs);
    ratio[i] = fits[i].error_ratio;
    for (std::size_t k = 0; k < fits[i].obs_knots.size(); ++k) {
      ko[i * nk + k] = fits[i].obs_knots[k];
      kr[i * nk + k] = fits[i].ref_knots[k];
    }
  }
  nc.put("longitude", lon.data());
  nc.put("latitude", lat.data());
  nc.put("pairs", pairs.data());
  nc.put("error_ratio", ratio.data());
  nc.put("obs_knots", ko.data());
  nc.put("ref_knots", kr.data());
  if (nd > 0) {
    std::vector<double> d0(n), co(n * nd, kFill), cr(n * nd, kFill);
    for (std::size_t i = 0; i < n; ++i) {
      d0[i] = static_cast<double>(fits[i].clim_day0);
      for (std::size_t k = 0; k < fits[i].clim_obs.size(); ++k)
        if (std::isfinite(fits[i].clim_obs[k])) co[i * nd + k] = fits[i].clim_obs[k], cr[i * nd + k] = fits[i].clim_ref[k];
    }
    nc.put("climatology_start", d0.data());
    nc.put("obs_climatology", co.data());
    nc.put("ref_climatology", cr.data());
  }
  nc.commit();
}

std::vector<RescaleFit> read_rescaling(const std::string& path, const std::string& method,
                                       const std::vector<double>& lon, const std::vector<double>& lat) {
  const auto nc = io::NcFile::open(path);
  for (const char* v : {"longitude", "latitude", "pairs", "error_ratio", "obs_knots", "ref_knots"})
    if (!nc.has_var(v)) throw InputError(cat(path, ": variable '", v, "' is missing (not a landda rescaling file)"));
  const std::string m = nc.has_att("", "method") ? nc.att_text("", "method") : "";
  if (m != method) throw InputError(cat(path, ": holds '", m, "' rescaling; the source asks for '", method, "'"));
  const auto flon = nc.get("longitude"), flat = nc.get("latitude"), pairs = nc.get("pairs"),
             ratio = nc.get("error_ratio"), ko = nc.get("obs_knots"), kr = nc.get("ref_knots");
  const std::size_t n = flon.size(), nk = n ? ko.size() / n : 0;
  const bool anomaly = method == "anomaly";
  if (anomaly)
    for (const char* v : {"climatology_start", "obs_climatology", "ref_climatology"})
      if (!nc.has_var(v)) throw InputError(cat(path, ": variable '", v, "' is missing (an anomaly rescaling needs it)"));
  const auto d0 = anomaly ? nc.get("climatology_start") : std::vector<double>{};
  const auto co = anomaly ? nc.get("obs_climatology") : std::vector<double>{};
  const auto cr = anomaly ? nc.get("ref_climatology") : std::vector<double>{};
  const std::size_t nd = n && anomaly ? co.size() / n : 0;
  std::vector<RescaleFit> out;
  for (std::size_t j = 0; j < lon.size(); ++j) {
    std::size_t i = 0;
    while (i < n && (std::abs(flon[i] - lon[j]) > 1e-6 || std::abs(flat[i] - lat[j]) > 1e-6)) ++i;
    if (i == n)
      throw InputError(cat(path, ": no rescaling for the observations at longitude ", lon[j], ", latitude ", lat[j],
                           " (estimate it again with these observations)"));
    RescaleFit f;
    f.pairs = static_cast<std::size_t>(pairs[i]);
    f.error_ratio = ratio[i];
    for (std::size_t k = 0; k < nk; ++k)
      if (std::isfinite(ko[i * nk + k]) && std::isfinite(kr[i * nk + k])) {
        if (!f.obs_knots.empty() && ko[i * nk + k] <= f.obs_knots.back())
          throw InputError(cat(path, ": obs_knots of location ", i, " do not increase"));
        f.obs_knots.push_back(ko[i * nk + k]);
        f.ref_knots.push_back(kr[i * nk + k]);
      }
    if (anomaly) {
      f.clim_day0 = static_cast<std::int64_t>(std::llround(d0[i]));
      for (std::size_t k = 0; k < nd; ++k) {
        const bool ok = std::isfinite(co[i * nd + k]) && std::isfinite(cr[i * nd + k]);
        f.clim_obs.push_back(ok ? co[i * nd + k] : std::nan(""));
        f.clim_ref.push_back(ok ? cr[i * nd + k] : std::nan(""));
      }
      if (f.pairs >= kMinRescalePairs && std::none_of(f.clim_obs.begin(), f.clim_obs.end(), [](double x) { return std::isfinite(x); }))
        throw InputError(cat(path, ": location ", i, " has no climatology although its fit is applied"));
    }
    f.applied = f.pairs >= kMinRescalePairs && (anomaly ? !f.clim_obs.empty() : !f.obs_knots.empty());
    if (!(f.error_ratio > 0) || !std::isfinite(f.error_ratio))
      throw InputError(cat(path, ": error_ratio of location ", i, " is ", f.error_ratio, "; expected a positive number"));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace landda::observations
