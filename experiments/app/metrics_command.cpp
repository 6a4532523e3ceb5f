// `landda metrics A B`: validation of one observation file against another
// (e.g. a retrieval or an analysis against stations), per location, with
// pytesmo's metrics.
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <tuple>

#include "core/error.hpp"
#include "core/grid.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "experiments/app/commands.hpp"
#include "experiments/app/options.hpp"
#include "io/atomic_file.hpp"
#include "observations/ioda/ioda_file.hpp"

namespace po = boost::program_options;

namespace landda::app {
namespace {

// The good, finite values of one file grouped by location, in time order.
struct Series {
  double lon = 0, lat = 0;
  std::string name;
  std::vector<Time> t;
  std::vector<double> v;
};

std::vector<Series> by_location(const observations::ObsFile& f) {
  std::map<std::tuple<double, double, std::string>, std::size_t> at;
  std::vector<Series> out;
  const auto& b = f.obs;
  for (std::size_t i = 0; i < b.x.size(); ++i) {
    const double v = b.value[static_cast<Eigen::Index>(i)];
    if (b.qc[i] != 0 || !std::isfinite(v)) continue;
    const std::string name = f.station.empty() ? cat(b.x[i], ",", b.y[i]) : f.station[i];
    auto [it, added] = at.try_emplace({b.x[i], b.y[i], name}, out.size());
    if (added) {
      Series s;
      s.lon = b.x[i];
      s.lat = b.y[i];
      s.name = name;
      out.push_back(std::move(s));
    }
    out[it->second].t.push_back(b.time[i]);
    out[it->second].v.push_back(v);
  }
  return out;
}

// Daily means by UTC date (QA4SM's matching: the series' daily means paired by date).
std::map<std::int64_t, double> daily_means(const Series& s) {
  std::map<std::int64_t, std::pair<double, int>> acc;
  for (std::size_t i = 0; i < s.t.size(); ++i) {
    auto& a = acc[s.t[i].seconds >= 0 ? s.t[i].seconds / 86400 : (s.t[i].seconds - 86399) / 86400];
    a.first += s.v[i];
    ++a.second;
  }
  std::map<std::int64_t, double> out;
  for (const auto& [day, a] : acc) out[day] = a.first / a.second;
  return out;
}

// The nearest series of `files` to (lon, lat) within max_km; a series named
// for the station wins over another at the same distance.
const Series* nearest(const std::vector<Series>& files, const Series& s, double max_km, double& distance) {
  const Series* best = nullptr;
  distance = max_km;
  for (const auto& o : files) {
    const double d = haversine_km(s.lon, s.lat, o.lon, o.lat);
    if (d < distance || (d == distance && best && o.name == s.name) || (!best && d <= distance)) {
      distance = d;
      best = &o;
    }
  }
  return best;
}

// Pairs (or triples) of one location: the times and each series' values.
struct Matched3 {
  std::vector<Time> time;
  std::vector<double> a, b, c;
};

Matched3 match_daily(const Series& a, const Series& b, const Series* c) {
  Matched3 m;
  const auto da = daily_means(a), db = daily_means(b);
  const auto dc = c ? daily_means(*c) : std::map<std::int64_t, double>{};
  for (const auto& [day, va] : da) {
    const auto ib = db.find(day);
    if (ib == db.end()) continue;
    if (c) {
      const auto ic = dc.find(day);
      if (ic == dc.end()) continue;
      m.c.push_back(ic->second);
    }
    m.time.push_back(Time{day * 86400});
    m.a.push_back(va);
    m.b.push_back(ib->second);
  }
  return m;
}

}  // namespace

int metrics(const Args& args) {
  po::options_description opts("options");
  std::string a_path, b_path, c_path, output, matching = "nearest";
  double max_km = 25, window_h = 12, anomaly_days = 35;
  std::size_t min_n = 0;
  opts.add_options()("help,h", "explain this command")("reference", po::value(&a_path), "file A (IODA)")(
      "other", po::value(&b_path), "file B (IODA)")("max-distance-km", po::value(&max_km),
                                                  "B's nearest location must lie within this of A's (default 25)")(
      "window-hours", po::value(&window_h), "temporal matching: nearest A value within this of each B time (default 12)")(
      "min-n", po::value(&min_n), "fewer matched pairs than this give no metrics (default 10; daily: 50, pytesmo's)")(
      "matching", po::value(&matching),
      "nearest: each B value with A's nearest in time (default); daily: daily means (UTC dates) paired by date, as QA4SM")(
      "tc", po::value(&c_path), "a third file C: triple collocation of A, B and C on daily means (A the reference)")(
      "anomaly-window-days", po::value(&anomaly_days), "moving-average climatology for anomaly R (default 35)")(
      "output,o", po::value(&output), "also write the table as JSON");
  po::positional_options_description pos;
  pos.add("reference", 1).add("other", 1);
  const po::variables_map vm = parse_command(args, opts, pos, "landda metrics");
  if (vm.count("help") || b_path.empty()) {
    std::cout << "usage: landda metrics A.nc B.nc [-o metrics.json]\n\n"
                 "Validates B against A (observation files in the IODA layout, e.g. stations and a retrieval or a\n"
                 "run's feedback): per location of A, B's nearest location, each B value matched to A's nearest in\n"
                 "time, then bias (B - A), RMSD, ubRMSD, Pearson R with its 95 % interval, Spearman rho and\n"
                 "anomaly R (pytesmo's definitions). Bias is B - A (pytesmo's bias is reference minus product:\n"
                 "the other sign when A is the reference). --matching daily pairs daily means by date (QA4SM);\n"
                 "--tc C adds triple collocation of A, B and C (n - 1 covariances; error standard deviations in\n"
                 "A's units, i.e. each series' own times its beta; SNR in dB; beta), as pytesmo's tcol_metrics.\n\n"
              << opts;
    return b_path.empty() && !vm.count("help") ? 2 : 0;
  }
  if (!(max_km > 0) || !(window_h > 0) || !(anomaly_days > 0))
    throw ConfigError("landda metrics: --max-distance-km, --window-hours and --anomaly-window-days must be positive");
  const auto fa = observations::read_ioda(a_path), fb = observations::read_ioda(b_path);
  if (fa.units != fb.units)
    log::warn("landda metrics: ", a_path, " is in '", fa.units, "' and ", b_path, " in '", fb.units,
              "': bias, RMSD and ubRMSD mix units; the correlations do not depend on them");
  if (matching != "nearest" && matching != "daily")
    throw ConfigError(cat("landda metrics: --matching is nearest or daily, not '", matching, "'"));
  const bool daily = matching == "daily" || !c_path.empty();
  if (min_n == 0) min_n = daily ? 50 : 10;
  const auto a = by_location(fa);
  const auto b = by_location(fb);
  const auto c = c_path.empty() ? std::vector<Series>{} : by_location(observations::read_ioda(c_path));
  JsonObject table;
  std::printf("%-16s %6s %9s %8s %8s %7s %15s %7s %7s\n", "location", "n", "bias", "rmsd", "ubrmsd", "R",
              "R 95%", "rho", "anom R");
  for (const auto& s : a) {
    double dist = 0, dist_c = 0;
    const Series* best = nearest(b, s, max_km, dist);
    const Series* third = c_path.empty() ? nullptr : nearest(c, s, max_km, dist_c);
    JsonObject row;
    row.add("longitude", s.lon).add("latitude", s.lat);
    if (!best || (!c_path.empty() && !third)) {
      std::printf("%-16s no location of B%s within %g km\n", s.name.c_str(), c_path.empty() ? "" : " or C", max_km);
      table.add(s.name, row.add("n", 0));
      continue;
    }
    // Pairs: B's times matched to A's nearest value, or daily means by date;
    // bias is mean(B) - mean(A).
    Matched3 m;
    if (daily) {
      m = match_daily(s, *best, third);
    } else {
      const auto n = metrics::match(best->t, best->v, s.t, s.v, Duration{static_cast<long long>(window_h * 3600)});
      m.time = n.time, m.a = n.other, m.b = n.ref;
    }
    const auto p = metrics::compare(m.b, m.a, min_n);
    const double anom_r =
        metrics::anomaly_r(m.time, m.b, m.a, min_n, Duration{static_cast<long long>(anomaly_days * 86400)});
    std::printf("%-16s %6zu %9.4f %8.4f %8.4f %7.3f [%6.3f,%6.3f] %7.3f %7.3f\n", s.name.c_str(), p.n, p.bias, p.rmsd,
                p.ubrmsd, p.r, p.r_lo, p.r_hi, p.rho, anom_r);
    row.add("distance_km", dist)
        .add("matching", daily ? "daily" : "nearest")
        .add("n", static_cast<long long>(p.n))
        .add("bias", p.bias)
        .add("rmsd", p.rmsd)
        .add("ubrmsd", p.ubrmsd)
        .add("r", p.r)
        .add("r_lo", p.r_lo)
        .add("r_hi", p.r_hi)
        .add("spearman", p.rho)
        .add("anomaly_r", anom_r);
    if (third) {
      const auto tc = metrics::triple_collocation(m.a, m.b, m.c, min_n);
      JsonObject t;
      t.add("n", static_cast<long long>(tc.n)).add("distance_km_c", dist_c);
      const char* who[3] = {"a", "b", "c"};
      for (int k = 0; k < 3; ++k)
        t.add(cat("err_std_", who[k]), std::sqrt(tc.err_var[k]) * tc.beta[k])
            .add(cat("snr_db_", who[k]), tc.snr_db[k])
            .add(cat("beta_", who[k]), tc.beta[k]);
      row.add("tc", t);
      std::printf("%-16s TC (%zu days): error std in A's units %.4f %.4f %.4f, SNR %.2f %.2f %.2f dB\n", "",
                  tc.n, std::sqrt(tc.err_var[0]) * tc.beta[0], std::sqrt(tc.err_var[1]) * tc.beta[1],
                  std::sqrt(tc.err_var[2]) * tc.beta[2], tc.snr_db[0], tc.snr_db[1], tc.snr_db[2]);
    }
    table.add(s.name, row);
  }
  if (!output.empty()) io::write_text_file(output, table.str() + "\n");
  return 0;
}

}  // namespace landda::app
