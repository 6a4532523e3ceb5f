#include "observations/merging/tc/tc.hpp"

#include <cmath>

#include "core/metrics.hpp"
#include "observations/merging/mean/mean.hpp"

namespace landda::observations::merging {

void TcMerger::Params::visit(config::Visitor& v) {
  v("min_samples", min_samples,
    config::doc("fewest bins where all three products of a triple have a value for a TC estimate").range(10, 1e9));
  v("stratify", stratify,
    config::doc("none: one estimate per location; season: per location and season (DJF, MAM, JJA, SON), the "
                "location's all-year estimate where a season has too few samples")
        .one_of({"none", "season"}));
  v("pool", pool,
    config::doc("estimate each product's error variance also from all locations' triplets pooled: a location "
                "without an estimate takes it (before the fallback), and each location's estimate is shrunk towards "
                "it, weighted n : min_samples by its number of triplets n"));
  v("fallback", fallback,
    config::doc("a product without a TC estimate at a location (fewer than three products there, too few "
                "samples, a non-positive estimate): file_errors weighs it by its rescaled file error; mean merges "
                "that location's bins as the arithmetic mean")
        .one_of({"file_errors", "mean"}));
  v("bootstrap", bootstrap,
    config::doc("bootstrap resamples for 95 % intervals of the all-year error variances in summary.json (0: none)")
        .range(0, 100000));
}

int season_of(Time t) {
  const int d = t.day_of_year();
  if (d >= 60 && d < 152) return 1;
  if (d >= 152 && d < 244) return 2;
  if (d >= 244 && d < 335) return 3;
  return 0;
}

namespace {

constexpr int kAll = 4;  // index of the all-year estimate beside the four seasons

struct Estimate {
  double var = std::nan(""), lo = std::nan(""), hi = std::nan("");
  std::size_t n = 0;  // largest triple sample that entered it
};

// Error variance of each product from every triple of products, over the
// locations `ls` and the bins `use` admits.
template <class Use>
std::vector<Estimate> tc_at(const MergeInput& in, const std::vector<Eigen::Index>& ls, const TcMerger::Params& p,
                            Use use, std::uint64_t seed, bool intervals) {
  const std::size_t np = in.value.size();
  std::vector<double> sum(np, 0), lo(np, 0), hi(np, 0);
  std::vector<int> count(np, 0);
  std::vector<Estimate> out(np);
  for (std::size_t a = 0; a < np; ++a)
    for (std::size_t b = a + 1; b < np; ++b)
      for (std::size_t c = b + 1; c < np; ++c) {
        std::vector<double> x, y, z;
        for (Eigen::Index l : ls)
          for (Eigen::Index t = 0; t < in.value[a].rows(); ++t) {
            if (!use(t)) continue;
            const double va = in.value[a](t, l), vb = in.value[b](t, l), vc = in.value[c](t, l);
            if (std::isfinite(va) && std::isfinite(vb) && std::isfinite(vc)) {
              x.push_back(va);
              y.push_back(vb);
              z.push_back(vc);
            }
          }
        if (x.size() < static_cast<std::size_t>(p.min_samples)) continue;
        const auto tc = metrics::triple_collocation(x, y, z, static_cast<std::size_t>(p.min_samples),
                                                    intervals ? p.bootstrap : 0, seed);
        const std::size_t idx[3] = {a, b, c};
        for (int k = 0; k < 3; ++k) {
          if (!(tc.err_var[k] > 0)) continue;  // sampling noise can make a small variance negative
          sum[idx[k]] += tc.err_var[k];
          lo[idx[k]] += tc.err_var_lo[k];
          hi[idx[k]] += tc.err_var_hi[k];
          ++count[idx[k]];
          out[idx[k]].n = std::max(out[idx[k]].n, x.size());
        }
      }
  for (std::size_t q = 0; q < np; ++q)
    if (count[q] > 0) {
      out[q].var = sum[q] / count[q];
      if (intervals && p.bootstrap > 0) {
        out[q].lo = lo[q] / count[q];
        out[q].hi = hi[q] / count[q];
      }
    }
  return out;
}

}  // namespace

MergeResult TcMerger::merge(const MergeInput& in) {
  const Eigen::Index nt = static_cast<Eigen::Index>(in.time.size()), nl = static_cast<Eigen::Index>(in.locations.size());
  const std::size_t np = in.value.size();
  MergeResult r;
  Eigen::ArrayXXd mean_value, mean_error;  // only for fallback: mean
  if (p_.fallback == "mean") mean_of_products(in, mean_value, mean_error);
  r.value = Eigen::ArrayXXd::Constant(nt, nl, std::nan(""));
  r.error = r.value;
  std::vector<int> season(static_cast<std::size_t>(nt));
  for (Eigen::Index t = 0; t < nt; ++t) season[static_cast<std::size_t>(t)] = season_of(in.time[static_cast<std::size_t>(t)]);
  long long by_tc = 0, by_fallback = 0, by_pooled = 0;
  JsonObject per_location;
  std::vector<Estimate> pooled(np);
  if (p_.pool) {
    std::vector<Eigen::Index> all(static_cast<std::size_t>(nl));
    for (Eigen::Index l = 0; l < nl; ++l) all[static_cast<std::size_t>(l)] = l;
    pooled = tc_at(in, all, p_, [](Eigen::Index) { return true; }, in.seed, false);
  }
  for (Eigen::Index l = 0; l < nl; ++l) {
    std::vector<std::vector<Estimate>> est(5);
    est[kAll] = tc_at(in, {l}, p_, [](Eigen::Index) { return true; }, in.seed + static_cast<std::uint64_t>(l), true);
    if (p_.stratify == "season")
      for (int s = 0; s < 4; ++s)
        est[static_cast<std::size_t>(s)] =
            tc_at(in, {l}, p_, [&](Eigen::Index t) { return season[static_cast<std::size_t>(t)] == s; }, in.seed, false);
    const std::vector<Estimate> raw = est[kAll];  // the location's own TC, reported in summary.json
    // Shrinkage towards the pooled estimate, by sample size: a variance from
    // n triplets counts n, the pooled one min_samples (TC from a few dozen
    // triplets is noisy, and a too small variance would claim a too small
    // merged error).
    if (p_.pool)
      for (auto& group : est)
        for (std::size_t q = 0; q < group.size(); ++q)
          if (std::isfinite(group[q].var) && std::isfinite(pooled[q].var)) {
            const double n = static_cast<double>(group[q].n), m = p_.min_samples;
            group[q].var = (n * group[q].var + m * pooled[q].var) / (n + m);
          }
    for (Eigen::Index t = 0; t < nt; ++t) {
      double wsum = 0, wx = 0;
      bool missing_estimate = false, used_pool = false;
      for (std::size_t q = 0; q < np; ++q) {
        const double v = in.value[q](t, l);
        if (!std::isfinite(v)) continue;
        double var = std::nan("");
        if (p_.stratify == "season") var = est[static_cast<std::size_t>(season[static_cast<std::size_t>(t)])][q].var;
        if (!std::isfinite(var)) var = est[kAll][q].var;
        if (!std::isfinite(var) && std::isfinite(pooled[q].var)) {
          var = pooled[q].var;
          used_pool = true;
        }
        if (!std::isfinite(var)) {
          missing_estimate = true;
          var = in.error[q](t, l) * in.error[q](t, l);
        }
        wsum += 1 / var;
        wx += v / var;
      }
      if (wsum == 0) continue;
      if (missing_estimate && p_.fallback == "mean") {
        r.value(t, l) = mean_value(t, l);
        r.error(t, l) = mean_error(t, l);
      } else {
        r.value(t, l) = wx / wsum;
        r.error(t, l) = std::sqrt(1 / wsum);
      }
      (missing_estimate ? by_fallback : used_pool ? by_pooled : by_tc) += 1;
    }
    JsonObject s;
    for (std::size_t q = 0; q < np; ++q) {
      const Estimate& e = raw[q];
      JsonObject pe;
      pe.add("error_std", std::sqrt(e.var)).add("error_variance", e.var).add("n", static_cast<long long>(e.n));
      pe.add("weighting_error_std", std::sqrt(est[kAll][q].var));
      if (p_.bootstrap > 0) pe.add("error_variance_lo", e.lo).add("error_variance_hi", e.hi);
      s.add(in.products[q], pe);
    }
    per_location.add(in.locations[static_cast<std::size_t>(l)].name, s);
  }
  r.summary.add("bins_weighted_by_tc", by_tc).add("bins_by_pooled_tc", by_pooled).add("bins_by_fallback", by_fallback);
  r.summary.add("fallback", p_.fallback);
  JsonObject pe;
  for (std::size_t q = 0; q < np; ++q)
    pe.add(in.products[q], JsonObject().add("error_std", std::sqrt(pooled[q].var)).add("n", static_cast<long long>(pooled[q].n)));
  r.summary.add("pooled_estimates", pe);
  r.summary.add("stratify", p_.stratify).add("min_samples", p_.min_samples);
  r.summary.add("error_estimates", per_location);
  return r;
}

}  // namespace landda::observations::merging
