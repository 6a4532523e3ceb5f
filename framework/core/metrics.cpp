#include "core/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/random.hpp"

namespace landda::metrics {

namespace {

const double kNaN = std::nan("");

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }

double cov(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = mean(a), mb = mean(b);
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - ma) * (b[i] - mb);
  return s / static_cast<double>(a.size());
}

std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    const double avg = 0.5 * static_cast<double>(i + j) + 1.0;  // ties share their mean rank
    for (std::size_t k = i; k <= j; ++k) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

void check_lengths(std::size_t a, std::size_t b, const char* what) {
  if (a != b) throw Error(cat(what, ": series of different lengths (", a, " and ", b, ")"));
}

}  // namespace

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  check_lengths(x.size(), y.size(), "pearson");
  const double vx = cov(x, x), vy = cov(y, y);
  return vx > 0 && vy > 0 ? cov(x, y) / std::sqrt(vx * vy) : kNaN;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) { return pearson(ranks(x), ranks(y)); }

Pairwise compare(const std::vector<double>& x, const std::vector<double>& y, std::size_t min_n) {
  check_lengths(x.size(), y.size(), "compare");
  Pairwise m;
  m.n = x.size();
  if (m.n < std::max<std::size_t>(min_n, 4)) {
    m.bias = m.rmsd = m.ubrmsd = m.r = m.r_lo = m.r_hi = m.rho = kNaN;
    return m;
  }
  const double mx = mean(x), my = mean(y);
  double s2 = 0, u2 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    s2 += (x[i] - y[i]) * (x[i] - y[i]);
    const double d = (x[i] - mx) - (y[i] - my);
    u2 += d * d;
  }
  m.bias = mx - my;
  m.rmsd = std::sqrt(s2 / static_cast<double>(m.n));
  m.ubrmsd = std::sqrt(u2 / static_cast<double>(m.n));
  m.r = pearson(x, y);
  const double z = std::atanh(m.r), se = 1.0 / std::sqrt(static_cast<double>(m.n) - 3.0);
  m.r_lo = std::tanh(z - 1.959963984540054 * se);
  m.r_hi = std::tanh(z + 1.959963984540054 * se);
  m.rho = spearman(x, y);
  return m;
}

std::vector<double> anomalies(const std::vector<Time>& t, const std::vector<double>& v, Duration window) {
  check_lengths(t.size(), v.size(), "anomalies");
  std::vector<double> out(v.size());
  const long long half = window.seconds / 2;
  std::size_t lo = 0, hi = 0;
  double sum = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0 && t[i] < t[i - 1]) throw Error("anomalies: times out of order");
    while (hi < v.size() && t[hi].seconds <= t[i].seconds + half) sum += v[hi++];
    while (t[lo].seconds < t[i].seconds - half) sum -= v[lo++];
    out[i] = v[i] - sum / static_cast<double>(hi - lo);
  }
  return out;
}

Matched match(const std::vector<Time>& tr, const std::vector<double>& ref, const std::vector<Time>& to,
              const std::vector<double>& other, Duration window) {
  check_lengths(tr.size(), ref.size(), "match");
  check_lengths(to.size(), other.size(), "match");
  Matched m;
  std::size_t j = 0;
  for (std::size_t i = 0; i < tr.size(); ++i) {
    while (j + 1 < to.size() && to[j + 1].seconds <= tr[i].seconds) ++j;
    // The nearest of to[j] (at or before) and to[j + 1] (after).
    std::size_t best = j;
    if (j + 1 < to.size() && std::llabs(to[j + 1].seconds - tr[i].seconds) < std::llabs(to[j].seconds - tr[i].seconds))
      best = j + 1;
    if (to.empty() || std::llabs(to[best].seconds - tr[i].seconds) > window.seconds) continue;
    m.time.push_back(tr[i]);
    m.ref.push_back(ref[i]);
    m.other.push_back(other[best]);
  }
  return m;
}

namespace {

void tc_point(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& z,
              TripleCollocation& out) {
  // Covariances with n - 1, as pytesmo's (numpy.cov).
  const double unbias = static_cast<double>(x.size()) / static_cast<double>(x.size() - 1);
  const double qxx = cov(x, x) * unbias, qyy = cov(y, y) * unbias, qzz = cov(z, z) * unbias;
  const double qxy = cov(x, y) * unbias, qxz = cov(x, z) * unbias, qyz = cov(y, z) * unbias;
  // McColl et al. (2014), eq. 4 and the SNR/beta of their section 2.
  out.err_var[0] = qxx - qxy * qxz / qyz;
  out.err_var[1] = qyy - qxy * qyz / qxz;
  out.err_var[2] = qzz - qxz * qyz / qxy;
  const double signal[3] = {qxy * qxz / qyz, qxy * qyz / qxz, qxz * qyz / qxy};
  for (int k = 0; k < 3; ++k) out.snr_db[k] = 10.0 * std::log10(signal[k] / out.err_var[k]);
  out.beta[0] = 1.0;
  out.beta[1] = qxz / qyz;
  out.beta[2] = qxy / qyz;
}

}  // namespace

TripleCollocation triple_collocation(const std::vector<double>& x, const std::vector<double>& y,
                                     const std::vector<double>& z, std::size_t min_n, int bootstrap,
                                     std::uint64_t seed) {
  check_lengths(x.size(), y.size(), "triple_collocation");
  check_lengths(x.size(), z.size(), "triple_collocation");
  TripleCollocation tc;
  tc.n = x.size();
  if (tc.n < std::max<std::size_t>(min_n, 3)) {
    for (int k = 0; k < 3; ++k)
      tc.err_var[k] = tc.snr_db[k] = tc.beta[k] = tc.err_var_lo[k] = tc.err_var_hi[k] = kNaN;
    return tc;
  }
  tc_point(x, y, z, tc);
  for (int k = 0; k < 3; ++k) tc.err_var_lo[k] = tc.err_var_hi[k] = kNaN;
  if (bootstrap <= 0) return tc;
  RandomStream rng(seed, "triple_collocation_bootstrap", 0);
  std::vector<std::vector<double>> draws(3);
  std::vector<double> bx(tc.n), by(tc.n), bz(tc.n);
  for (int b = 0; b < bootstrap; ++b) {
    for (std::size_t i = 0; i < tc.n; ++i) {
      const auto j = std::min(tc.n - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(tc.n)));
      bx[i] = x[j];
      by[i] = y[j];
      bz[i] = z[j];
    }
    TripleCollocation s;
    tc_point(bx, by, bz, s);
    for (int k = 0; k < 3; ++k) draws[static_cast<std::size_t>(k)].push_back(s.err_var[k]);
  }
  for (int k = 0; k < 3; ++k) {
    auto& d = draws[static_cast<std::size_t>(k)];
    std::sort(d.begin(), d.end());
    tc.err_var_lo[k] = d[static_cast<std::size_t>(0.025 * static_cast<double>(d.size() - 1))];
    tc.err_var_hi[k] = d[static_cast<std::size_t>(0.975 * static_cast<double>(d.size() - 1))];
  }
  return tc;
}

double anomaly_r(const std::vector<Time>& t, const std::vector<double>& x, const std::vector<double>& y,
                 std::size_t min_n, Duration window) {
  check_lengths(x.size(), y.size(), "anomaly_r");
  if (x.size() < min_n) return std::nan("");
  return pearson(anomalies(t, x, window), anomalies(t, y, window));
}

double lag1_autocorrelation(const std::vector<double>& x) {
  if (x.size() < 3) return kNaN;
  const std::vector<double> a(x.begin(), x.end() - 1), b(x.begin() + 1, x.end());
  return pearson(a, b);
}

std::size_t block_length(std::size_t n, double rho) {
  if (n < 2) return 1;
  const double r = std::isfinite(rho) ? std::clamp(rho, 0.0, 0.999) : 0.0;
  const double nn = static_cast<double>(n), n_eff = nn * (1 - r) / (1 + r);
  const double power = 2.0 / 3.0 * (1 - n_eff / nn);
  double L = 1;
  for (int k = 0; k < 100; ++k) {
    const double next = std::pow(std::max(1.0, nn - L + 1), power);
    if (std::abs(next - L) < 1e-9) break;
    L = next;
  }
  return std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(L)), 1, n);
}

std::vector<Block> block_resample(std::size_t n, std::size_t block, RandomStream& rng) {
  std::vector<Block> blocks;
  block = std::clamp<std::size_t>(block, 1, std::max<std::size_t>(n, 1));
  blocks.reserve(n / block + 1);
  const std::size_t starts = n - block + 1;
  for (std::size_t filled = 0; filled < n;) {
    const auto s = std::min(starts - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(starts)));
    const std::size_t len = std::min(block, n - filled);
    blocks.push_back({s, len});
    filled += len;
  }
  return blocks;
}

std::pair<double, double> percentile_interval(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return {kNaN, kNaN};
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) {  // linear interpolation between order statistics (numpy's default)
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
  };
  return {at(0.025), at(0.975)};
}

}  // namespace landda::metrics
