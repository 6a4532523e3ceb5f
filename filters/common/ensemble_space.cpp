#include "filters/common/ensemble_space.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/state.hpp"

namespace landda::filters {

ObsSpace make_obs_space(const Eigen::MatrixXd& HX, const ObsBatch& obs, double inflation) {
  const LazyObsSpace lazy(HX, obs, inflation);
  ObsSpace s;
  s.Y = (HX.colwise() - lazy.mean()) * inflation;
  s.d = lazy.d;
  s.rinv = lazy.rinv;
  return s;
}

LazyObsSpace::LazyObsSpace(const Eigen::MatrixXd& HX, const ObsBatch& obs, double inflation)
    : HX_(HX), mean_(ensemble_mean(HX)), inflation_(inflation) {
  d = obs.value - mean_;
  rinv = obs.error.cwiseAbs2().cwiseInverse();
}

EtkfSolver::EtkfSolver(int members) : n_(members), C_(members, 0), A_(members, members), b_(members), eig_(members) {}

void EtkfSolver::whiten(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv) {
  const Index p = Y.rows();
  U_.resize(n_, p);
  dt_.resize(p);
  for (Index i = 0; i < p; ++i) {
    const double r = std::sqrt(rinv[i]);
    U_.col(i) = Y.row(i).transpose() * r;
    dt_[i] = d[i] * r;
  }
}

void EtkfSolver::lower_gram(double zeta) {
  // A symmetric rank-p update fills only the lower triangle, which is all the
  // eigensolver reads: half the work of the full product.
  A_.setZero();
  A_.selfadjointView<Eigen::Lower>().rankUpdate(U_);
  A_.diagonal().array() += zeta;
}

void EtkfSolver::weights(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv,
                         Eigen::MatrixXd& W, double zeta) {
  if (Y.rows() < n_) weights_low_rank(Y, d, rinv, W, zeta);
  else weights_full(Y, d, rinv, W, zeta);
}

void EtkfSolver::weights_low_rank(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv,
                                  Eigen::MatrixXd& W, double zeta) {
  const int N = n_;
  const Index p = Y.rows();
  const double rz = std::sqrt(zeta), scale = std::sqrt(N - 1.0);
  // g(s2) = ((zeta + s2)^{-1/2} - zeta^{-1/2}) / s2, written to stay finite as s2 -> 0.
  const auto g_of = [&](double s2) {
    const double ra = std::sqrt(zeta + s2);
    return -1.0 / (ra * rz * (ra + rz));
  };
  whiten(Y, d, rinv);  // A = zeta I + U U'
  W.resize(N, N);
  if (p == 1) {
    // One local observation, the most common case: everything is scalar.
    const auto u = U_.col(0);
    const double s2 = u.squaredNorm();
    W.noalias() = (scale * g_of(s2)) * u * u.transpose();
    W.diagonal().array() += scale / rz;
    W.colwise() += u * (dt_[0] / (s2 + zeta));
    return;
  }
  if (p == 2) return low_rank_tail<2>(W, zeta);
  if (p == 3) return low_rank_tail<3>(W, zeta);
  low_rank_tail<Eigen::Dynamic>(W, zeta);
}

template <int P>
void EtkfSolver::low_rank_tail(Eigen::MatrixXd& W, double zeta) {
  // Fixed sizes for p = 2, 3 use Eigen's closed-form eigensolver: local
  // analyses with a few observations are the bulk of an LETKF's work.
  using Mat = Eigen::Matrix<double, P, P>;
  using Vec = Eigen::Matrix<double, P, 1>;
  const Index p = U_.cols();
  const int N = n_;
  const double rz = std::sqrt(zeta), scale = std::sqrt(N - 1.0);
  const Mat M = U_.transpose() * U_;  // p x p
  Eigen::SelfAdjointEigenSolver<Mat> es(p);
  if constexpr (P != Eigen::Dynamic) es.computeDirect(M);
  else es.compute(M);
  if (es.info() != Eigen::Success) throw NumericalError("ETKF: eigen-decomposition of the local matrix failed");
  const Vec s2 = es.eigenvalues().cwiseMax(0.0);
  const Mat& E = es.eigenvectors();
  // Mean weights by push-through: (zeta I + U U')^-1 U = U (zeta I + U'U)^-1.
  Vec b = E.transpose() * dt_.head(p);
  Vec gs(p);
  for (Index i = 0; i < p; ++i) {
    b[i] /= s2[i] + zeta;
    const double ra = std::sqrt(zeta + s2[i]);
    gs[i] = -scale / (ra * rz * (ra + rz));  // scale * g(s2_i), finite as s2_i -> 0
  }
  // A^{-1/2} = zeta^{-1/2} I + U E diag(g) E' U'.
  C_.noalias() = U_ * E;  // N x p
  G_ = C_ * gs.asDiagonal();
  W.noalias() = G_ * C_.transpose();
  W.diagonal().array() += scale / rz;
  b_.noalias() = U_ * (E * b);
  W.colwise() += b_;
}

void EtkfSolver::weights_full(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv,
                              Eigen::MatrixXd& W, double zeta) {
  const int N = n_;
  whiten(Y, d, rinv);
  lower_gram(zeta);
  b_.noalias() = U_ * dt_;
  eig_.compute(A_);
  if (eig_.info() != Eigen::Success) throw NumericalError("ETKF: eigen-decomposition of the ensemble-space matrix failed");
  const Eigen::VectorXd& lam = eig_.eigenvalues();
  const Eigen::MatrixXd& V = eig_.eigenvectors();
  const Eigen::VectorXd w = V * (lam.cwiseInverse().asDiagonal() * (V.transpose() * b_));
  W.noalias() = V * (lam.cwiseInverse().cwiseSqrt() * std::sqrt(N - 1.0)).asDiagonal() * V.transpose();
  W.colwise() += w;
}

double EtkfSolver::enkf_n_weights(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv,
                                  Eigen::MatrixXd& W, double xN) {
  const int N = n_;
  // xN > 1 sharpens the hyperprior around its mode (Raanes' DAPPER; Bocquet et al. 2015, sec. 4).
  const double eN = xN * (1.0 + 1.0 / N), cN = xN * N;
  whiten(Y, d, rinv);
  lower_gram(0.0);         // Y' R^-1 Y
  b_.noalias() = U_ * dt_;  // Y' R^-1 d
  eig_.compute(A_);
  if (eig_.info() != Eigen::Success) throw NumericalError("EnKF-N: eigen-decomposition failed");
  const Eigen::VectorXd lam = eig_.eigenvalues().cwiseMax(0.0);
  const Eigen::MatrixXd& V = eig_.eigenvectors();
  const Eigen::VectorXd g = V.transpose() * b_;
  // Dual cost in zeta, the prior weight on the unscaled anomalies (N-1 = no inflation;
  // Bocquet, Raanes & Hannart 2015, eq. 20, rescaled):
  //   D(z) = 1/2 [d'R^-1 d - sum g_i^2/(lam_i + z)] + eN z/2 - cN/2 ln z + const.
  auto dcost = [&](double z) {
    double s = 0.0;
    for (int i = 0; i < N; ++i) s += g[i] * g[i] / ((lam[i] + z) * (lam[i] + z));
    return 0.5 * s + 0.5 * eN - 0.5 * cN / z;
  };
  // D is convex on (0, N/eN]; bisect its derivative.
  double lo = 1e-8, hi = cN / eN;
  if (dcost(hi) <= 0.0) {
    lo = hi;
  } else {
    for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; ++it) {
      const double mid = 0.5 * (lo + hi);
      (dcost(mid) > 0.0 ? hi : lo) = mid;
    }
  }
  const double zeta = 0.5 * (lo + hi);
  // Posterior mean weights w = (A + zeta I)^-1 b; the Hessian of the primal cost at w adds
  // the rank-one correction -2 zeta^2 / cN w w' (Bocquet et al. 2015, eq. 26, rescaled).
  Eigen::VectorXd w = V * (g.array() / (lam.array() + zeta)).matrix();
  Eigen::MatrixXd H = A_;
  H.diagonal().array() += zeta;
  H.noalias() -= (2.0 * zeta * zeta / cN) * w * w.transpose();
  eig_.compute(H);
  if (eig_.info() != Eigen::Success) throw NumericalError("EnKF-N: eigen-decomposition of the Hessian failed");
  const Eigen::VectorXd hl = eig_.eigenvalues().cwiseMax(1e-12);
  const Eigen::MatrixXd& U = eig_.eigenvectors();
  W.noalias() = U * (hl.cwiseInverse().cwiseSqrt() * std::sqrt(N - 1.0)).asDiagonal() * U.transpose();
  W.colwise() += w;
  return std::sqrt((N - 1.0) / zeta);
}

void apply_weights(Eigen::Ref<Eigen::MatrixXd> X, const Eigen::MatrixXd& W) {
  // Blocks of rows small enough to stay in cache: X is read once and written
  // once. Within a row the sums run over members in order, so a row's result
  // does not depend on the block it falls in.
  const Index N = X.cols(), n = X.rows();
  constexpr Index kBlock = 256;
  Eigen::MatrixXd A(kBlock, N);
  Eigen::VectorXd mean(kBlock), acc(kBlock);
  for (Index r0 = 0; r0 < n; r0 += kBlock) {
    const Index b = std::min(kBlock, n - r0);
    auto Xb = X.middleRows(r0, b);
    auto m = mean.head(b);
    m.setZero();
    for (Index k = 0; k < N; ++k) m += Xb.col(k);
    m /= static_cast<double>(N);
    for (Index k = 0; k < N; ++k) A.col(k).head(b) = Xb.col(k) - m;
    for (Index j = 0; j < N; ++j) {
      auto a = acc.head(b);
      a.setZero();
      for (Index k = 0; k < N; ++k) a += A.col(k).head(b) * W(k, j);
      Xb.col(j) = m + a;
    }
  }
}

RowMoments::RowMoments(const double* x, int n) {
  for (int j = 0; j < n; ++j) mean += x[j];
  mean /= static_cast<double>(n);
  double v = 0;
  for (int j = 0; j < n; ++j) v += (x[j] - mean) * (x[j] - mean);
  spread = std::sqrt(v / static_cast<double>(std::max(1, n - 1)));
}

void inflate_row(double* x, int n, double factor) {
  if (factor == 1.0) return;
  const double m = RowMoments(x, n).mean;
  for (int j = 0; j < n; ++j) x[j] = m + factor * (x[j] - m);
}

void relax_row(double* x, int n, double prior_spread, double alpha) {
  if (alpha == 0.0) return;
  const RowMoments post(x, n);
  if (!(post.spread > 0.0)) return;
  const double f = alpha * prior_spread / post.spread + (1.0 - alpha);
  if (f == 1.0) return;  // a row the analysis left alone stays bit for bit (mean + (x - mean) rounds)
  for (int j = 0; j < n; ++j) x[j] = post.mean + f * (x[j] - post.mean);
}

namespace {

// f(row, its index) on every row of X, a block of rows at a time copied into a row-major buffer (members
// contiguous) and back: no vector of every row's moments is made.
template <class F>
void each_row(Eigen::Ref<Eigen::MatrixXd> X, F&& f) {
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> buf;
  for (Index r0 = 0; r0 < X.rows(); r0 += kEnsembleRowBlock) {
    auto B = X.middleRows(r0, std::min(kEnsembleRowBlock, X.rows() - r0));
    buf = B;
    for (Index i = 0; i < buf.rows(); ++i) f(&buf(i, 0), r0 + i);
    B = buf;
  }
}

}  // namespace

void inflate(Eigen::Ref<Eigen::MatrixXd> X, double factor) {
  if (factor == 1.0) return;
  const int n = static_cast<int>(X.cols());
  each_row(X, [&](double* x, Index) { inflate_row(x, n, factor); });
}

void relax_to_prior_spread(Eigen::Ref<Eigen::MatrixXd> X, const Eigen::VectorXd& prior_spread, double alpha) {
  if (alpha == 0.0) return;
  const int n = static_cast<int>(X.cols());
  each_row(X, [&](double* x, Index i) { relax_row(x, n, prior_spread[i], alpha); });
}

}  // namespace landda::filters
