#pragma once
// The ensemble-space algebra shared by the filters. Every analysis here is
// written as Xa = mean(Xb) + (Xb - mean(Xb)) W with an N x N weight matrix W,
// so each state row is updated independently and in a fixed order: results do
// not depend on how rows are split over MPI ranks.
#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "core/observation.hpp"

namespace landda::filters {

using Index = Eigen::Index;

// Observation-space inputs of one analysis (global, or local to one cell).
struct ObsSpace {
  Eigen::MatrixXd Y;     // p x N forecast anomalies in observation space
  Eigen::VectorXd d;     // p innovations y - mean(HX)
  Eigen::VectorXd rinv;  // p inverse error variances, times the localization weight
};

// Builds Y, d and R^{-1} from H(X) and the observations; Y is multiplied by `inflation`.
ObsSpace make_obs_space(const Eigen::MatrixXd& HX, const ObsBatch& obs, double inflation);

// The same with Y's rows made when a local analysis takes them, from H(X)
// itself: no second p x N array beside H(X) (the LETKF takes few rows at a time).
class LazyObsSpace {
 public:
  LazyObsSpace(const Eigen::MatrixXd& HX, const ObsBatch& obs, double inflation);
  // Row i of Y: (H(X) row i - its mean) x inflation, as make_obs_space computes it.
  auto y_row(Index i) const { return (HX_.row(i).array() - mean_[i]).matrix() * inflation_; }
  const Eigen::VectorXd& mean() const { return mean_; }
  Eigen::VectorXd d, rinv;

 private:
  const Eigen::MatrixXd& HX_;
  Eigen::VectorXd mean_;
  double inflation_;
};

class EtkfSolver {
 public:
  explicit EtkfSolver(int members);
  // ETKF weights (Hunt, Kostelich & Szunyogh 2007, eqs. 21-24) with the prior
  // weight `zeta` on the ensemble (N-1 for the plain ETKF; EnKF-N chooses it):
  //   A = zeta I + Y' R^-1 Y,  w = A^-1 Y' R^-1 d,  W = sqrt(N-1) A^{-1/2} + w 1'.
  // Fewer observations than members (p < N, the common case of a local
  // analysis) take the low-rank form, whose eigenproblem is p x p.
  void weights(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv, Eigen::MatrixXd& W,
               double zeta);
  // The two forms, for tests: the N x N eigen-decomposition of A, and the
  // p x p one of R^-1/2 Y Y' R^-1/2 with A^{-1/2} = zeta^{-1/2} I + U G U'.
  void weights_full(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv,
                    Eigen::MatrixXd& W, double zeta);
  void weights_low_rank(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv,
                        Eigen::MatrixXd& W, double zeta);
  // Finite-size EnKF-N (Bocquet 2011; dual form of Bocquet, Raanes & Hannart
  // 2015): picks zeta by minimising the dual cost, then the ETKF weights with
  // the EnKF-N posterior correction. Returns the implied inflation sqrt((N-1)/zeta).
  // xN scales the hyperprior's weight (1: Bocquet 2011; 2 suits deterministic chaotic models).
  double enkf_n_weights(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv,
                        Eigen::MatrixXd& W, double xN = 1.0);

 private:
  template <int P>
  void low_rank_tail(Eigen::MatrixXd& W, double zeta);
  // U_ = Y' R^-1/2 (N x p) and dt_ = R^-1/2 d.
  void whiten(const Eigen::MatrixXd& Y, const Eigen::VectorXd& d, const Eigen::VectorXd& rinv);
  // The lower triangle of A_ = zeta I + U_ U_'.
  void lower_gram(double zeta);

  int n_;
  Eigen::MatrixXd C_, A_, U_, M_, G_;
  Eigen::VectorXd b_, w_, dt_;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig_, small_;
};

// X <- mean(X) + (X - mean(X)) W, row by row, summing over members in order.
void apply_weights(Eigen::Ref<Eigen::MatrixXd> X, const Eigen::MatrixXd& W);
// Multiplies each row's anomalies by `factor`.
void inflate(Eigen::Ref<Eigen::MatrixXd> X, double factor);
// Relaxation to prior spread (Whitaker & Hamill 2012, eq. 10).
void relax_to_prior_spread(Eigen::Ref<Eigen::MatrixXd> X, const Eigen::VectorXd& prior_spread, double alpha);

// The same on one row of n members held contiguously (a local filter's buffer of a cell's rows; the two
// above go through them a block of rows at a time). Moments as ensemble_mean and ensemble_spread compute
// them (members summed in order, over n - 1 for the spread), so a row's bits do not depend on the pass.
struct RowMoments {
  double mean = 0, spread = 0;
  RowMoments(const double* x, int n);
};
void inflate_row(double* x, int n, double factor);
void relax_row(double* x, int n, double prior_spread, double alpha);

}  // namespace landda::filters
