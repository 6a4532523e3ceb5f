#include "filters/common/ensemble_space.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/state.hpp"

namespace landda::filters {

ObsSpace make_obs_space(const Eigen::MatrixXd& HX, const ObsBatch& obs, double inflation) {
  ObsSpace s;
  const Eigen::VectorXd mean = ensemble_mean(HX);
  s.Y = (HX.colwise() - mean) * inflation;
  s.d = obs.value - mean;
  s.rinv = obs.error.cwiseAbs2().cwiseInverse();
  return s;
}

EtkfSolver::EtkfSolver(int members) : n_(members), C_(members, 0), A_(members, members), b_(members), eig_(members) {}

void EtkfSolver::weights(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv,
                         Eigen::MatrixXd& W, double zeta) {
  if (Y.rows() < n_) weights_low_rank(Y, d, rinv, W, zeta);
  else weights_full(Y, d, rinv, W, zeta);
}

void EtkfSolver::weights_low_rank(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv,
                                  Eigen::MatrixXd& W, double zeta) {
  const int N = n_;
  const Eigen::VectorXd rs = rinv.cwiseSqrt();
  U_.noalias() = Y.transpose() * rs.asDiagonal();  // N x p, A = zeta I + U U'
  M_.noalias() = U_.transpose() * U_;              // p x p
  small_.compute(M_);
  if (small_.info() != Eigen::Success) throw NumericalError("ETKF: eigen-decomposition of the local matrix failed");
  const Eigen::VectorXd s2 = small_.eigenvalues().cwiseMax(0.0);
  const Eigen::MatrixXd& E = small_.eigenvectors();
  // Mean weights by push-through: (zeta I + U U')^-1 U = U (zeta I + U'U)^-1.
  const Eigen::VectorXd dt = rs.cwiseProduct(d);
  const Eigen::VectorXd w = U_ * (E * ((E.transpose() * dt).array() / (s2.array() + zeta)).matrix());
  // A^{-1/2} = zeta^{-1/2} I + U E diag(g) E' U' with g_i = ((zeta + s_i^2)^{-1/2} - zeta^{-1/2}) / s_i^2,
  // written so that it stays finite as s_i^2 -> 0.
  const double rz = std::sqrt(zeta);
  Eigen::VectorXd g(s2.size());
  for (Eigen::Index i = 0; i < s2.size(); ++i) {
    const double ra = std::sqrt(zeta + s2[i]);
    g[i] = -1.0 / (ra * rz * (ra + rz));
  }
  G_.noalias() = E * g.asDiagonal() * E.transpose();
  const double scale = std::sqrt(N - 1.0);
  W.noalias() = scale * (U_ * G_ * U_.transpose());
  W.diagonal().array() += scale / rz;
  W.colwise() += w;
}

void EtkfSolver::weights_full(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv,
                              Eigen::MatrixXd& W, double zeta) {
  const int N = n_;
  C_.noalias() = Y.transpose() * rinv.asDiagonal();  // N x p
  A_.noalias() = C_ * Y;
  A_.diagonal().array() += zeta;
  b_.noalias() = C_ * d;
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
  C_.noalias() = Y.transpose() * rinv.asDiagonal();
  A_.noalias() = C_ * Y;  // Y' R^-1 Y
  b_.noalias() = C_ * d;  // Y' R^-1 d
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
  const Index N = X.cols();
  const Eigen::VectorXd mean = ensemble_mean(X);
  const Eigen::MatrixXd A = X.colwise() - mean;
  for (Index j = 0; j < N; ++j) {
    auto xj = X.col(j);
    xj = mean;
    Eigen::VectorXd acc = Eigen::VectorXd::Zero(X.rows());
    for (Index k = 0; k < N; ++k) acc += A.col(k) * W(k, j);
    xj += acc;
  }
}

void inflate(Eigen::Ref<Eigen::MatrixXd> X, double factor) {
  if (factor == 1.0) return;
  const Eigen::VectorXd mean = ensemble_mean(X);
  for (Index j = 0; j < X.cols(); ++j) X.col(j) = mean + factor * (X.col(j) - mean);
}

void relax_to_prior_spread(Eigen::Ref<Eigen::MatrixXd> X, const Eigen::VectorXd& prior_spread, double alpha) {
  if (alpha == 0.0) return;
  const Eigen::VectorXd mean = ensemble_mean(X);
  const Eigen::VectorXd post = ensemble_spread(X);
  for (Index i = 0; i < X.rows(); ++i) {
    if (!(post[i] > 0.0)) continue;
    const double f = alpha * prior_spread[i] / post[i] + (1.0 - alpha);
    for (Index j = 0; j < X.cols(); ++j) X(i, j) = mean[i] + f * (X(i, j) - mean[i]);
  }
}

}  // namespace landda::filters
