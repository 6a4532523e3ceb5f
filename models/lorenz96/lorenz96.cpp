#include "models/lorenz96/lorenz96.hpp"

#include <cmath>

#include "core/error.hpp"

namespace landda::models {

void Lorenz96::Params::visit(config::Visitor& v) {
  v("n", n, config::doc("number of variables on the ring").range(4, 100000000));
  v("forcing", forcing, config::doc("constant forcing F (chaotic for F > about 5)").range(-100, 100));
  v("dt", dt, config::doc("RK4 time step in model time units (0.05 ~ 6 hours)").range(1e-5, 0.5));
  v("initial_perturbation", initial_perturbation,
    config::doc("added to x[n/2] of the rest state x = F so that the nature run leaves the fixed point").range(-10, 10));
}

Lorenz96::Lorenz96(const Params& p)
    : p_(p),
      grid_(Grid::periodic_1d(p.n)),
      layout_(p.n, {"x"}, {1}),
      step_{static_cast<std::int64_t>(std::llround(p.dt / 0.05 * 6 * 3600))} {
  if (step_.seconds <= 0) throw ConfigError("model.dt is too small to map onto whole seconds of calendar time");
  k1_.resize(p.n);
  k2_.resize(p.n);
  k3_.resize(p.n);
  k4_.resize(p.n);
  tmp_.resize(p.n);
}

void Lorenz96::initial_state(Eigen::Ref<Eigen::VectorXd> x, Time) const {
  x.setConstant(p_.forcing);
  x[p_.n / 2] += p_.initial_perturbation;
}

void Lorenz96::tendency(const Eigen::VectorXd& x, Eigen::VectorXd& dx) const {
  const int n = p_.n;
  // Interior points without modular arithmetic; the ring closes at the ends.
  dx[0] = (x[1] - x[n - 2]) * x[n - 1] - x[0] + p_.forcing;
  dx[1] = (x[2] - x[n - 1]) * x[0] - x[1] + p_.forcing;
  for (int i = 2; i < n - 1; ++i) dx[i] = (x[i + 1] - x[i - 2]) * x[i - 1] - x[i] + p_.forcing;
  dx[n - 1] = (x[0] - x[n - 3]) * x[n - 2] - x[n - 1] + p_.forcing;
}

void Lorenz96::step(Eigen::Ref<Eigen::VectorXd> x) const {
  const double h = p_.dt;
  tmp_ = x;
  tendency(tmp_, k1_);
  tmp_ = x + 0.5 * h * k1_;
  tendency(tmp_, k2_);
  tmp_ = x + 0.5 * h * k2_;
  tendency(tmp_, k3_);
  tmp_ = x + h * k3_;
  tendency(tmp_, k4_);
  x += (h / 6.0) * (k1_ + 2.0 * k2_ + 2.0 * k3_ + k4_);
}

void Lorenz96::advance(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int>, std::span<RandomStream>, Time t0,
                       Time t1, MemberData extra) {
  if (extra.cells.begin != 0 || (extra.cells.end >= 0 && extra.cells.end != X.rows()))
    throw NumericalError("lorenz96: every variable depends on its neighbours; a block of cells cannot be advanced alone");
  const auto span = (t1 - t0).seconds;
  if (span < 0 || span % step_.seconds != 0)
    throw NumericalError(cat("lorenz96: window ", span, " s is not a whole number of model steps (", step_.seconds, " s)"));
  const auto steps = span / step_.seconds;
  for (Index j = 0; j < X.cols(); ++j)
    for (std::int64_t s = 0; s < steps; ++s) step(X.col(j));
  if (!X.allFinite()) throw NumericalError("lorenz96: the state became non-finite (time step too large?)");
}

}  // namespace landda::models
