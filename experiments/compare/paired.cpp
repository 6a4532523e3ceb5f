#include "experiments/compare/paired.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/error.hpp"
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

std::string Difference::family_verdict(bool higher_is_better) const {
  if (!(lo <= hi)) return "";
  if (!discovery || std::max(std::abs(lo), std::abs(hi)) < 1e-9) return "no significant difference";
  return (value > 0) == higher_is_better ? "better" : "worse";
}

namespace {

// R, anomaly R and ubRMSE of one model series against the observations.
struct Scores {
  double r, anomaly_r, ubrmse;
};

// Prefix sums of the ten sums the scores need (o, m, oo, mm, om for the
// values, the same for the anomalies), each series centred on its mean first
// (the scores do not change; the sums lose no digits), so that the sums over
// a resample of blocks cost one subtraction a block: the bootstrap draws a
// thousand resamples of every station, experiment and replicate.
class PrefixSums {
 public:
  PrefixSums(const std::vector<double>& obs, const std::vector<double>& model, const std::vector<double>& obs_anom,
             const std::vector<double>& model_anom)
      : p_(obs.size() + 1, Row{}) {
    const std::array<const std::vector<double>*, 4> in{&obs, &model, &obs_anom, &model_anom};
    std::array<double, 4> mean{};
    for (std::size_t k = 0; k < 4; ++k) {
      for (const double v : *in[k]) mean[k] += v;
      mean[k] /= static_cast<double>(std::max<std::size_t>(1, obs.size()));
    }
    for (std::size_t i = 0; i < obs.size(); ++i) {
      const double o = obs[i] - mean[0], m = model[i] - mean[1], a = obs_anom[i] - mean[2], b = model_anom[i] - mean[3];
      const Row add{o, m, o * o, m * m, o * m, a, b, a * a, b * b, a * b};
      for (std::size_t k = 0; k < add.size(); ++k) p_[i + 1][k] = p_[i][k] + add[k];
    }
  }
  Scores on(const std::vector<metrics::Block>& blocks) const {
    Row s{};
    std::size_t count = 0;
    for (const auto& b : blocks) {
      for (std::size_t k = 0; k < s.size(); ++k) s[k] += p_[b.start + b.length][k] - p_[b.start][k];
      count += b.length;
    }
    const double n = static_cast<double>(count);
    const auto corr = [n](double sx, double sy, double sxx, double syy, double sxy) {
      const double cxy = sxy / n - sx / n * sy / n, vx = sxx / n - sx / n * sx / n, vy = syy / n - sy / n * sy / n;
      return vx > 0 && vy > 0 ? cxy / std::sqrt(vx * vy) : std::nan("");
    };
    // ubRMSE: the RMS of the difference with both means removed.
    const double d = (s[1] - s[0]) / n, dd = (s[3] - 2 * s[4] + s[2]) / n;
    return {corr(s[0], s[1], s[2], s[3], s[4]), corr(s[5], s[6], s[7], s[8], s[9]), std::sqrt(std::max(0.0, dd - d * d))};
  }

 private:
  using Row = std::array<double, 10>;
  std::vector<Row> p_;
};

using Triple = std::array<double, 3>;  // r, anomaly r, ubrmse

Triple minus(const Scores& x, const Scores& y) { return {x.r - y.r, x.anomaly_r - y.anomaly_r, x.ubrmse - y.ubrmse}; }

Difference interval(double value, std::vector<double> draws) {
  // The p-value from the draws' sides of zero, (2 min + 1) / (B + 1) so that it is never 0.
  double below = 0, above = 0, finite = 0;
  for (const double d : draws)
    if (std::isfinite(d)) finite += 1, below += d <= 0, above += d >= 0;
  const auto [lo, hi] = metrics::percentile_interval(std::move(draws));
  Difference out{value, lo, hi};
  if (finite > 0) out.p = std::min(1.0, (2 * std::min(below, above) + 1) / (finite + 1));
  return out;
}

// One station's series prepared for the bootstrap: the observations'
// anomalies, and each experiment's prefix sums per replicate.
struct Prepared {
  std::vector<double> obs_anom;
  std::map<std::string, std::vector<PrefixSums>> sums;
};

Prepared prepare(const PairedSeries& ps, const std::string& experiment, const std::string& reference) {
  Prepared p;
  p.obs_anom = metrics::anomalies(ps.time, ps.obs);
  for (const auto& e : {reference, experiment})
    if (!p.sums.count(e))
      for (const auto& m : ps.model.at(e)) p.sums[e].emplace_back(ps.obs, m, p.obs_anom, metrics::anomalies(ps.time, m));
  return p;
}

// The moving-block length of a station: from the larger lag-1 autocorrelation
// of the two experiments' residuals over every replicate.
std::size_t station_block(const PairedSeries& ps, const std::string& e, const std::string& reference) {
  double rho = -1;
  for (const auto& name : {e, reference})
    for (const auto& m : ps.model.at(name)) {
      std::vector<double> res(m.size());
      for (std::size_t k = 0; k < m.size(); ++k) res[k] = m[k] - ps.obs[k];
      rho = std::max(rho, metrics::lag1_autocorrelation(res));
    }
  return metrics::block_length(ps.obs.size(), rho);
}

// Each bootstrap draw of one station's differences: blocks of time, then
// (with K > 1 replicates) K replicates drawn with replacement. The bootstrap
// of a mean of K values has K - 1 over K of its variance; the replicates'
// part of each draw is widened by sqrt(K / (K - 1)) to restore it (the
// adjusted residuals of Davison & Hinkley 1997, eq. 3.13).
std::vector<Triple> station_draws(const Prepared& p, const std::string& e, const std::string& reference, std::size_t n,
                                  std::size_t block, int resamples, RandomStream& rng) {
  const auto& xs = p.sums.at(e);
  const auto& ys = p.sums.at(reference);
  const std::size_t reps = xs.size();
  const double widen = reps > 1 ? std::sqrt(static_cast<double>(reps) / static_cast<double>(reps - 1)) : 1.0;
  std::vector<Triple> out;
  out.reserve(static_cast<std::size_t>(resamples));
  std::vector<Triple> d(reps);
  for (int r = 0; r < resamples; ++r) {
    const auto blocks = metrics::block_resample(n, block, rng);
    Triple all{0, 0, 0}, picked{0, 0, 0};
    for (std::size_t k = 0; k < reps; ++k) {
      d[k] = minus(xs[k].on(blocks), ys[k].on(blocks));
      for (std::size_t j = 0; j < 3; ++j) all[j] += d[k][j] / static_cast<double>(reps);
    }
    for (std::size_t k = 0; k < reps && reps > 1; ++k) {
      const auto pick = std::min(reps - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(reps)));
      for (std::size_t j = 0; j < 3; ++j) picked[j] += d[pick][j] / static_cast<double>(reps);
    }
    Triple draw = all;
    for (std::size_t j = 0; j < 3 && reps > 1; ++j) draw[j] = all[j] + widen * (picked[j] - all[j]);
    out.push_back(draw);
  }
  return out;
}

// The number of distinct days (UTC) with pairs.
std::size_t days_with_pairs(const std::vector<Time>& t) {
  std::size_t days = 0;
  long long last = std::numeric_limits<long long>::min();
  for (const Time& x : t) {
    const long long day = x.seconds >= 0 ? x.seconds / 86400 : (x.seconds - 86399) / 86400;
    if (day != last) ++days, last = day;
  }
  return days;
}

}  // namespace

std::vector<PairedRow> paired_differences(const std::vector<PairedSeries>& series, const std::string& reference,
                                          const std::vector<std::string>& experiments, std::size_t min_pairs,
                                          std::size_t min_days, int resamples, std::uint64_t seed) {
  std::vector<PairedRow> rows;
  std::map<std::string, std::vector<std::size_t>> by_layer;  // stations with enough pairs
  for (std::size_t s = 0; s < series.size(); ++s)
    if (series[s].obs.size() >= min_pairs && series[s].model.count(reference)) by_layer[series[s].layer].push_back(s);
  for (const auto& [layer, stations] : by_layer)
    for (const auto& e : experiments) {
      if (e == reference) continue;
      // Each station's draws (r, anomaly r, ubrmse), summed into the mean over stations draw by draw.
      std::vector<Triple> mean_draws(static_cast<std::size_t>(resamples), Triple{0, 0, 0});
      PairedRow mean;
      mean.experiment = e, mean.station = "all stations (mean)", mean.layer = layer;
      mean.stations = 0;
      mean.mean = true;
      Triple mean_value{0, 0, 0};
      for (const std::size_t s : stations) {
        const PairedSeries& ps = series[s];
        if (!ps.model.count(e)) continue;
        if (const std::size_t days = days_with_pairs(ps.time); days < min_days) {
          PairedRow row;
          row.experiment = e, row.station = ps.station.label(), row.layer = layer, row.n = ps.obs.size();
          row.note = cat("too short to judge: pairs on ", days, " days (at least ", min_days, ")");
          rows.push_back(row);
          continue;
        }
        const Prepared p = prepare(ps, e, reference);
        const std::size_t reps = p.sums.at(e).size();
        if (p.sums.at(reference).size() != reps)
          throw Error(cat("paired differences: ", e, " has ", reps, " replicates at ", ps.station.label(), ", ",
                          reference, " ", p.sums.at(reference).size()));
        const metrics::Block all{0, ps.obs.size()};
        Triple full{0, 0, 0};
        for (std::size_t k = 0; k < reps; ++k) {
          const Triple d = minus(p.sums.at(e)[k].on({all}), p.sums.at(reference)[k].on({all}));
          for (std::size_t j = 0; j < 3; ++j) full[j] += d[j] / static_cast<double>(reps);
        }
        const std::size_t block = station_block(ps, e, reference);
        RandomStream rng(seed, "paired-bootstrap", s);  // the same resamples for every experiment at a station
        const auto draws = station_draws(p, e, reference, ps.obs.size(), block, resamples, rng);
        std::vector<double> rep[3];
        for (std::size_t r = 0; r < draws.size(); ++r)
          for (std::size_t j = 0; j < 3; ++j) {
            rep[j].push_back(draws[r][j]);
            mean_draws[r][j] += draws[r][j];  // a NaN spoils the draw of the mean, as it should
          }
        PairedRow row{e, ps.station.label(), layer, ps.obs.size(), block, 1, reps, false,
                      interval(full[0], rep[0]), interval(full[1], rep[1]), interval(full[2], rep[2]), ""};
        rows.push_back(row);
        for (std::size_t j = 0; j < 3; ++j) mean_value[j] += full[j];
        mean.n += ps.obs.size();
        mean.replicates = reps;
        ++mean.stations;
      }
      if (mean.stations == 0) continue;
      const double ns = static_cast<double>(mean.stations);
      std::vector<double> reps[3];
      for (const auto& d : mean_draws)
        for (std::size_t j = 0; j < 3; ++j) reps[j].push_back(d[j] / ns);
      mean.r = interval(mean_value[0] / ns, reps[0]);
      mean.anomaly_r = interval(mean_value[1] / ns, reps[1]);
      mean.ubrmse = interval(mean_value[2] / ns, reps[2]);
      rows.push_back(mean);
    }
  return rows;
}

std::size_t control_fdr(std::vector<PairedRow>& rows, double q) {
  std::vector<Difference*> tests;
  for (auto& r : rows)
    if (!r.mean && r.note.empty())
      for (Difference* d : {&r.r, &r.anomaly_r, &r.ubrmse})
        if (std::isfinite(d->p)) tests.push_back(d);
  std::sort(tests.begin(), tests.end(), [](const Difference* a, const Difference* b) { return a->p < b->p; });
  // The largest k with p_(k) <= k q / m; the k smallest are the discoveries.
  const double m = static_cast<double>(tests.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < tests.size(); ++i)
    if (tests[i]->p <= static_cast<double>(i + 1) * q / m) k = i + 1;
  for (std::size_t i = 0; i < tests.size(); ++i) tests[i]->discovery = i < k;
  return tests.size();
}

}  // namespace landda::experiments
