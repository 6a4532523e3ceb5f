#include "experiments/compare/paired.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/metrics.hpp"
#include "core/random.hpp"

namespace landda::experiments {

std::string Difference::verdict(bool higher_is_better) const {
  if (!(lo <= hi)) return "";
  // Series equal to rounding (an experiment that had nothing to assimilate at a station): no difference.
  if (std::max(std::abs(lo), std::abs(hi)) < 1e-9) return "no significant difference";
  if (lo > 0) return higher_is_better ? "better" : "worse";
  if (hi < 0) return higher_is_better ? "worse" : "better";
  return "no significant difference";
}

namespace {

// R, anomaly R and ubRMSE of one model series against the observations on
// the pairs `idx`.
struct Scores {
  double r, anomaly_r, ubrmse;
};

Scores scores_on(const std::vector<std::size_t>& idx, const std::vector<double>& obs, const std::vector<double>& model,
                 const std::vector<double>& obs_anom, const std::vector<double>& model_anom) {
  // Sums in one pass (no copies, no ranks: the bootstrap calls this a thousand times per station).
  const double n = static_cast<double>(idx.size());
  double so = 0, sm = 0, soo = 0, smm = 0, som = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (const std::size_t i : idx) {
    const double o = obs[i], m = model[i], a = obs_anom[i], b = model_anom[i];
    so += o, sm += m, soo += o * o, smm += m * m, som += o * m;
    sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b;
  }
  const auto corr = [n](double sx, double sy, double sxx, double syy, double sxy) {
    const double cxy = sxy / n - sx / n * sy / n, vx = sxx / n - sx / n * sx / n, vy = syy / n - sy / n * sy / n;
    return vx > 0 && vy > 0 ? cxy / std::sqrt(vx * vy) : std::nan("");
  };
  // ubRMSE: the RMS of the difference with both means removed.
  const double d = (sm - so) / n, dd = (smm - 2 * som + soo) / n;
  return {corr(so, sm, soo, smm, som), corr(sa, sb, saa, sbb, sab), std::sqrt(std::max(0.0, dd - d * d))};
}

struct StationPair {
  std::vector<std::size_t> all;  // 0 .. n-1
  std::vector<double> obs_anom;
  std::map<std::string, std::vector<double>> anom;
  std::size_t block = 1;
};

Difference interval(double value, std::vector<double> replicates) {
  const auto [lo, hi] = metrics::percentile_interval(std::move(replicates));
  return {value, lo, hi};
}

}  // namespace

std::vector<PairedRow> paired_differences(const std::vector<PairedSeries>& series, const std::string& reference,
                                          const std::vector<std::string>& experiments, std::size_t min_pairs,
                                          int resamples, std::uint64_t seed) {
  std::vector<PairedRow> rows;
  std::map<std::string, std::vector<std::size_t>> by_layer;  // stations with enough pairs
  std::vector<StationPair> prep(series.size());
  for (std::size_t s = 0; s < series.size(); ++s) {
    const PairedSeries& ps = series[s];
    if (ps.obs.size() < min_pairs || !ps.model.count(reference)) continue;
    StationPair& sp = prep[s];
    sp.all.resize(ps.obs.size());
    for (std::size_t k = 0; k < sp.all.size(); ++k) sp.all[k] = k;
    sp.obs_anom = metrics::anomalies(ps.time, ps.obs);
    for (const auto& [e, m] : ps.model) sp.anom[e] = metrics::anomalies(ps.time, m);
    by_layer[ps.layer].push_back(s);
  }
  for (const auto& [layer, stations] : by_layer)
    for (const auto& e : experiments) {
      if (e == reference) continue;
      // replicate b of each station's differences (r, anomaly r, ubrmse), for the mean over stations.
      std::vector<std::vector<double>> mean_rep(3, std::vector<double>(static_cast<std::size_t>(resamples), 0.0));
      std::vector<std::vector<int>> mean_count(3, std::vector<int>(static_cast<std::size_t>(resamples), 0));
      PairedRow mean{e, "all stations (mean)", layer};
      mean.stations = 0;
      mean.mean = true;
      double mean_value[3] = {0, 0, 0};
      for (const std::size_t s : stations) {
        const PairedSeries& ps = series[s];
        const StationPair& sp = prep[s];
        if (!ps.model.count(e)) continue;
        const auto& a = ps.model.at(e);
        const auto& b = ps.model.at(reference);
        std::vector<double> ra(a.size()), rb(b.size());
        for (std::size_t k = 0; k < a.size(); ++k) ra[k] = a[k] - ps.obs[k], rb[k] = b[k] - ps.obs[k];
        const double rho = std::max(metrics::lag1_autocorrelation(ra), metrics::lag1_autocorrelation(rb));
        const std::size_t block = metrics::block_length(ps.obs.size(), rho);
        const auto diff = [&](const std::vector<std::size_t>& idx) {
          const Scores x = scores_on(idx, ps.obs, a, sp.obs_anom, sp.anom.at(e));
          const Scores y = scores_on(idx, ps.obs, b, sp.obs_anom, sp.anom.at(reference));
          return std::array<double, 3>{x.r - y.r, x.anomaly_r - y.anomaly_r, x.ubrmse - y.ubrmse};
        };
        const auto full = diff(sp.all);
        std::vector<std::vector<double>> rep(3);
        RandomStream rng(seed, "paired-bootstrap", s);  // the same resamples for every experiment at a station
        for (int r = 0; r < resamples; ++r) {
          const auto d = diff(metrics::block_resample(ps.obs.size(), block, rng));
          for (std::size_t k = 0; k < 3; ++k) {
            rep[k].push_back(d[k]);
            if (std::isfinite(d[k])) {
              mean_rep[k][static_cast<std::size_t>(r)] += d[k];
              ++mean_count[k][static_cast<std::size_t>(r)];
            }
          }
        }
        PairedRow row{e, ps.station.label(), layer, ps.obs.size(), block, 1, false,
                      interval(full[0], rep[0]), interval(full[1], rep[1]), interval(full[2], rep[2])};
        rows.push_back(row);
        for (std::size_t k = 0; k < 3; ++k) mean_value[k] += full[k];
        mean.n += ps.obs.size();
        ++mean.stations;
      }
      if (mean.stations == 0) continue;
      std::vector<double> reps[3];
      for (std::size_t k = 0; k < 3; ++k)
        for (int r = 0; r < resamples; ++r)
          reps[k].push_back(mean_count[k][static_cast<std::size_t>(r)] == static_cast<int>(mean.stations)
                                ? mean_rep[k][static_cast<std::size_t>(r)] / static_cast<double>(mean.stations)
                                : std::nan(""));
      const double ns = static_cast<double>(mean.stations);
      mean.r = interval(mean_value[0] / ns, reps[0]);
      mean.anomaly_r = interval(mean_value[1] / ns, reps[1]);
      mean.ubrmse = interval(mean_value[2] / ns, reps[2]);
      rows.push_back(mean);
    }
  return rows;
}

}  // namespace landda::experiments
