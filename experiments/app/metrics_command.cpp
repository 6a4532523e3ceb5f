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

}  // namespace

int metrics(const Args& args) {
  po::options_description opts("options");
  std::string a_path, b_path, output;
  double max_km = 25, window_h = 12, anomaly_days = 35;
  std::size_t min_n = 10;
  opts.add_options()("help,h", "explain this command")("reference", po::value(&a_path), "file A (IODA)")(
      "other", po::value(&b_path), "file B (IODA)")("max-distance-km", po::value(&max_km),
                                                  "B's nearest location must lie within this of A's (default 25)")(
      "window-hours", po::value(&window_h), "temporal matching: nearest A value within this of each B time (default 12)")(
      "min-n", po::value(&min_n), "fewer matched pairs than this give no metrics (default 10)")(
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
                 "anomaly R (pytesmo's definitions).\n\n"
              << opts;
    return b_path.empty() && !vm.count("help") ? 2 : 0;
  }
  if (!(max_km > 0) || !(window_h > 0) || !(anomaly_days > 0))
    throw ConfigError("landda metrics: --max-distance-km, --window-hours and --anomaly-window-days must be positive");
  const auto fa = observations::read_ioda(a_path), fb = observations::read_ioda(b_path);
  if (fa.units != fb.units)
    log::warn("landda metrics: ", a_path, " is in '", fa.units, "' and ", b_path, " in '", fb.units,
              "': bias, RMSD and ubRMSD mix units; the correlations do not depend on them");
  const auto a = by_location(fa);
  const auto b = by_location(fb);
  JsonObject table;
  std::printf("%-16s %6s %9s %8s %8s %7s %15s %7s %7s\n", "location", "n", "bias", "rmsd", "ubrmsd", "R",
              "R 95%", "rho", "anom R");
  for (const auto& s : a) {
    const Series* best = nullptr;
    double dbest = max_km;
    for (const auto& o : b) {
      const double d = haversine_km(s.lon, s.lat, o.lon, o.lat);
      // A series of B named for A's station (an import --near it) wins over another at the same distance.
      if (d < dbest || (d == dbest && best && o.name == s.name) || (!best && d <= dbest)) {
        dbest = d;
        best = &o;
      }
    }
    JsonObject row;
    row.add("longitude", s.lon).add("latitude", s.lat);
    if (!best) {
      std::printf("%-16s no location of B within %g km\n", s.name.c_str(), max_km);
      table.add(s.name, row.add("n", 0));
      continue;
    }
    // B's times are the reference (usually the sparser retrieval), each
    // matched to A's nearest value; bias is mean(B) - mean(A).
    const auto m = metrics::match(best->t, best->v, s.t, s.v, Duration{static_cast<long long>(window_h * 3600)});
    const auto p = metrics::compare(m.ref, m.other, min_n);
    const double anom_r =
        metrics::anomaly_r(m.time, m.ref, m.other, min_n, Duration{static_cast<long long>(anomaly_days * 86400)});
    std::printf("%-16s %6zu %9.4f %8.4f %8.4f %7.3f [%6.3f,%6.3f] %7.3f %7.3f\n", s.name.c_str(), p.n, p.bias, p.rmsd,
                p.ubrmsd, p.r, p.r_lo, p.r_hi, p.rho, anom_r);
    row.add("distance_km", dbest)
        .add("n", static_cast<long long>(p.n))
        .add("bias", p.bias)
        .add("rmsd", p.rmsd)
        .add("ubrmsd", p.ubrmsd)
        .add("r", p.r)
        .add("r_lo", p.r_lo)
        .add("r_hi", p.r_hi)
        .add("spearman", p.rho)
        .add("anomaly_r", anom_r);
    table.add(s.name, row);
  }
  if (!output.empty()) io::write_text_file(output, table.str() + "\n");
  return 0;
}

}  // namespace landda::app
