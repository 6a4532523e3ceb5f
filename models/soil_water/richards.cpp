#include "models/soil_water/richards.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "models/soil_water/column_kernels.hpp"

namespace landda::models::soil {

using Eigen::ArrayXd;
using Eigen::ArrayXXd;
using Eigen::Index;

namespace {
constexpr double kSeMin = 1e-6;
}  // namespace

LayerGrid LayerGrid::from_bottoms(const std::vector<double>& bottoms) {
  LayerGrid g;
  double top = 0.0;
  for (double b : bottoms) {
    if (!(b > top)) throw ConfigError("layer bottoms must be positive and increasing (m)");
    g.dz.push_back(b - top);
    g.depth.push_back(0.5 * (top + b));
    top = b;
  }
  return g;
}

// Only the arrays the retention uses hold values: the others stay empty
// (a continental grid would otherwise carry five unused arrays a layer).
void SoilArrays::resize(int layers, Index columns, bool limits) {
  const bool ch = retention == Retention::clapp_hornberger;
  for (auto* v : arrays()) {
    const bool ch_only = v == &b || v == &psi_s;
    const bool vg_only = v == &alpha || v == &n || v == &l || v == &vg_h_cap || v == &vg_kr_cap;
    const bool limit = v == &se_min || v == &inv_range || v == &theta_dry || v == &vg_h_cap || v == &vg_kr_cap;
    const bool used = ch ? !vg_only : !ch_only;
    v->assign(static_cast<std::size_t>(layers), used && (limits || !limit) ? ArrayXd::Zero(columns) : ArrayXd());
  }
}

void keep_columns(std::vector<ArrayXd>& arrays, Index begin, Index count) {
  for (ArrayXd& a : arrays)
    if (a.size() > 0) a = a.segment(begin, count).eval();
}

std::array<std::vector<ArrayXd>*, 13> SoilArrays::arrays() {
  return {&theta_s, &theta_r, &k_s, &b, &psi_s, &alpha, &n, &l, &se_min, &inv_range, &theta_dry, &vg_h_cap, &vg_kr_cap};
}

void SoilArrays::keep(Index begin, Index count) {
  for (auto* v : arrays()) keep_columns(*v, begin, count);
}

std::vector<std::size_t> SoilArrays::drop_repeated_layers() {
  const auto all = arrays();
  const auto same = [&](std::size_t a, std::size_t b) {
    for (const auto* v : all)
      if ((*v)[a].size() != (*v)[b].size() || !((*v)[a] == (*v)[b]).all()) return false;
    return true;
  };
  std::vector<std::size_t> held(theta_s.size()), kept;  // kept: the layers whose arrays stay
  for (std::size_t li = 0; li < held.size(); ++li) {
    const auto it = std::find_if(kept.begin(), kept.end(), [&](std::size_t k) { return same(k, li); });
    held[li] = it == kept.end() ? kept.size() : static_cast<std::size_t>(it - kept.begin());
    if (it == kept.end()) kept.push_back(li);
  }
  for (auto* v : all) {
    std::vector<ArrayXd> out;
    for (const std::size_t k : kept) out.push_back(std::move((*v)[k]));
    *v = std::move(out);
  }
  return held;
}

// Column c of array a of layer L, or nothing when the retention does not use a.
static double* element(std::vector<ArrayXd>& a, std::size_t L, Index c) {
  return a[L].size() > 0 ? &a[L][c] : nullptr;
}

void SoilArrays::set(int layer, Index c, const SoilHydraulics& p) {
  const auto L = static_cast<std::size_t>(layer);
  theta_s[L][c] = p.theta_s;
  theta_r[L][c] = p.theta_r;
  k_s[L][c] = p.k_s;
  for (auto [a, v] : {std::pair{&b, p.b}, {&psi_s, p.psi_s}, {&alpha, p.alpha}, {&n, p.n}, {&l, p.l}})
    if (double* e = element(*a, L, c)) *e = v;
  if (double* e = element(inv_range, L, c)) *e = 1.0 / (p.theta_s - p.theta_r);
  if (double* e = element(theta_dry, L, c)) *e = p.theta_r + se_min[L][c] * (p.theta_s - p.theta_r);
}

SoilArrays SoilArrays::uniform(Retention r, int layers, const SoilHydraulics& p) {
  SoilArrays s;
  s.retention = r;
  s.resize(layers, 1);
  for (int i = 0; i < layers; ++i) s.set(i, 0, p);
  s.update_limits();
  return s;
}

void SoilArrays::update_limits() {
  for (std::size_t li = 0; li < theta_s.size(); ++li) inv_range[li] = 1.0 / (theta_s[li] - theta_r[li]);
  if (retention == Retention::clapp_hornberger) {
    for (std::size_t li = 0; li < theta_s.size(); ++li)
      kernels::clapp_hornberger_saturation(static_cast<std::size_t>(theta_s[li].size()), kDriestHead, kSeMin,
                                           theta_s[li].data(), theta_r[li].data(), psi_s[li].data(), b[li].data(),
                                           se_min[li].data());
  } else {
    for (std::size_t li = 0; li < theta_s.size(); ++li)
      for (Index c = 0; c < theta_s[li].size(); ++c) {
        const SoilHydraulics p = at(static_cast<int>(li), c);
        se_min[li][c] = std::max(kSeMin, (theta_at_head(retention, p, kDriestHead) - p.theta_r) / (p.theta_s - p.theta_r));
      }
    for (std::size_t li = 0; li < theta_s.size(); ++li)
      kernels::van_genuchten_cap(static_cast<std::size_t>(theta_s[li].size()), kSeCap, n[li].data(), alpha[li].data(),
                                 l[li].data(), vg_h_cap[li].data(), vg_kr_cap[li].data());
  }
  for (std::size_t li = 0; li < theta_s.size(); ++li) theta_dry[li] = theta_r[li] + se_min[li] * (theta_s[li] - theta_r[li]);
}

void SoilArrays::gather(const SoilArrays& from, const std::vector<Index>& columns) {
  retention = from.retention;
  const auto n_cols = static_cast<Index>(columns.size());
  for (auto [to, src] : {std::pair{&theta_s, &from.theta_s}, {&theta_r, &from.theta_r}, {&k_s, &from.k_s}, {&b, &from.b},
                         {&psi_s, &from.psi_s}, {&alpha, &from.alpha}, {&n, &from.n}, {&l, &from.l}, {&se_min, &from.se_min},
                         {&inv_range, &from.inv_range}, {&theta_dry, &from.theta_dry}, {&vg_h_cap, &from.vg_h_cap},
                         {&vg_kr_cap, &from.vg_kr_cap}}) {
    to->resize(src->size());
    for (std::size_t li = 0; li < src->size(); ++li) {
      (*to)[li].resize(n_cols);
      if ((*src)[li].size() == 0) continue;  // an array the retention does not use
      for (Index k = 0; k < n_cols; ++k) (*to)[li][k] = (*src)[li][columns[static_cast<std::size_t>(k)]];
    }
  }
}

SoilHydraulics SoilArrays::at(int layer, Index c) const {
  const auto L = static_cast<std::size_t>(layer);
  SoilHydraulics p;
  p.theta_s = theta_s[L][c];
  p.theta_r = theta_r[L][c];
  p.k_s = k_s[L][c];
  for (auto [a, v] : {std::pair{&b, &p.b}, {&psi_s, &p.psi_s}, {&alpha, &p.alpha}, {&n, &p.n}, {&l, &p.l}})
    if ((*a)[L].size() > 0) *v = (*a)[L][c];
  return p;
}

RichardsSolver::RichardsSolver(const LayerGrid& grid, Index columns, double tolerance_m, int max_iterations,
                               bool linearized)
    : grid_(grid), cols_(columns), tol_(tolerance_m), max_it_(max_iterations), linearized_(linearized) {
  const int L = grid.size();
  for (int i = 0; i + 1 < L; ++i) dzi_.push_back(grid.depth[i + 1] - grid.depth[i]);
  for (ArrayXXd* a : {&h_, &dh_, &k_, &dk_, &r_, &cp_, &old_}) a->resize(columns, L);
  for (ArrayXXd* a : {&q_, &dq_up_, &dq_dn_}) a->resize(columns, L + 1);
  for (ArrayXd* a : {&w1_, &w2_, &w3_, &ks_top_}) a->resize(columns);
  for (ArrayXd* a : {&half_.infiltration, &half_.runoff, &half_.drainage, &half_.balance_error}) a->resize(columns);
}

void RichardsSolver::evaluate(const Eigen::Ref<const ArrayXXd>& theta, const SoilArrays& s, const ArrayXd& km) {
  const int L = grid_.size();
  for (int l = 0; l < L; ++l) {
    const auto li = static_cast<std::size_t>(l);
    const ArrayXd& ts = s.theta_s[li];
    const ArrayXd& tr = s.theta_r[li];
    if (l == 0) ks_top_ = s.k_s[li] * km;
    if (s.retention == Retention::clapp_hornberger) {
      kernels::clapp_hornberger(static_cast<std::size_t>(cols_),
                                {theta.col(l).data(), ts.data(), tr.data(), s.inv_range[li].data(), s.k_s[li].data(),
                                 km.data(), s.b[li].data(),
                                 s.psi_s[li].data(), s.se_min[li].data(), &h_(0, l), &dh_(0, l), &k_(0, l), &dk_(0, l)},
                                kStorage, linearized_);
    } else {
      // van Genuchten-Mualem; continued linearly above Se = 0.999 (see hydraulics.cpp).
      kernels::van_genuchten(static_cast<std::size_t>(cols_),
                             {theta.col(l).data(), ts.data(), tr.data(), s.inv_range[li].data(), s.k_s[li].data(),
                              km.data(), s.n[li].data(), s.alpha[li].data(), s.l[li].data(), s.se_min[li].data(),
                              s.vg_h_cap[li].data(), s.vg_kr_cap[li].data(), &h_(0, l), &dh_(0, l), &k_(0, l), &dk_(0, l)},
                             kStorage, kSeCap);
    }
  }
}

void RichardsSolver::fluxes(const ArrayXd& rain) {
  kernels::interface_fluxes(static_cast<std::size_t>(cols_), grid_.size(), grid_.dz.data(), dzi_.data(), rain.data(),
                            ks_top_.data(), h_.data(), dh_.data(), k_.data(), dk_.data(), q_.data(), dq_up_.data(),
                            dq_dn_.data());
}

void RichardsSolver::assemble_and_solve(double dt) {
  kernels::solve_tridiagonal(static_cast<std::size_t>(cols_), grid_.size(), grid_.dz.data(), dt, dq_up_.data(),
                             dq_dn_.data(), r_.data(), cp_.data());
}

void RichardsSolver::linear_step(Eigen::Ref<ArrayXXd> theta, const SoilArrays& s, const ArrayXd& km, const ArrayXd& rain,
                                 ArrayXXd& sink, double dt, StepFluxes& out) {
  // One Newton step from theta^n: residual there is just the fluxes (theta = theta^n).
  const int L = grid_.size();
  old_ = theta;
  evaluate(theta, s, km);
  fluxes(rain);
  kernels::flux_divergence(static_cast<std::size_t>(cols_), L, q_.data(), sink.data(), r_.data());
  assemble_and_solve(dt);  // r_ now holds the change of theta
  ArrayXd& storage = w1_;
  ArrayXd& extracted = w2_;
  ArrayXd& excess = w3_;
  storage.setZero();
  extracted.setZero();
  excess.setZero();
  for (int l = 0; l < L; ++l) {
    const auto li = static_cast<std::size_t>(l);
    kernels::update_layer(static_cast<std::size_t>(cols_),
                          {grid_.dz[li], dt, s.theta_s[li].data(), s.theta_dry[li].data(),
                           old_.col(l).data(), r_.col(l).data(), sink.col(l).data(), theta.col(l).data(),
                           storage.data(), extracted.data(), excess.data()});
  }
  for (Eigen::ArrayXd* v : {&out.infiltration, &out.runoff, &out.drainage, &out.balance_error}) v->resize(cols_);
  kernels::step_totals(static_cast<std::size_t>(cols_),
                       {L, dt, rain.data(), q_.data(), dq_up_.data(), dq_dn_.data(), r_.data(), storage.data(),
                        extracted.data(), excess.data(), out.infiltration.data(), out.runoff.data(), out.drainage.data(),
                        out.balance_error.data()});
}

bool RichardsSolver::newton(Eigen::Ref<ArrayXXd> theta, const ArrayXXd& theta_old, const SoilArrays& s,
                            const ArrayXd& km, const ArrayXd& rain, const ArrayXXd& sink, double dt, int& iterations) {
  const int L = grid_.size();
  for (int it = 0; it <= max_it_; ++it) {
    evaluate(theta, s, km);
    fluxes(rain);
    for (int l = 0; l < L; ++l)
      r_.col(l) = (grid_.dz[l] / dt) * (theta.col(l) - theta_old.col(l)) - q_.col(l) + q_.col(l + 1) + sink.col(l);
    // One vectorised pass: the largest residual, NaN if any is NaN (allFinite is a scalar loop).
    const double worst = r_.abs().maxCoeff<Eigen::PropagateNaN>() * dt;
    if (!std::isfinite(worst)) return false;
    if (worst < tol_) return true;
    if (it == max_it_) break;
    ++iterations;
    // A column that has converged stays as it is while the others iterate:
    // each column's result is its own, whatever its neighbours in the batch need.
    w3_ = r_.abs().rowwise().maxCoeff() * dt;
    for (int l = 0; l < L; ++l) r_.col(l) = (w3_ < tol_).select(0.0, r_.col(l));
    assemble_and_solve(dt);
    // Damped update: no layer moves by more than a fifth of its range in one
    // iteration, and none leaves [theta_r + 0.1 %, theta_s + 0.05].
    for (int l = 0; l < L; ++l) {
      const auto li = static_cast<std::size_t>(l);
      w1_ = 0.2 * (s.theta_s[li] - s.theta_r[li]);  // largest step
      theta.col(l) = (theta.col(l) + r_.col(l).max(-w1_).min(w1_)).max(s.theta_r[li] + 5e-3 * w1_).min(s.theta_s[li] + 0.05);
    }
  }
  return false;
}

int RichardsSolver::substeps(Eigen::Ref<ArrayXXd> theta, const SoilArrays& s, const ArrayXd& km, const ArrayXd& rain,
                             ArrayXXd& sink, double dt, StepFluxes& out, int depth) {
  const int L = grid_.size();
  if (linearized_) {
    linear_step(theta, s, km, rain, sink, dt, out);
    return 1;
  }
  // The step's starting state in a member array, not a fresh one per step:
  // a halved step below needs it only to restore theta before its halves run.
  old_ = theta;
  const ArrayXXd& theta_old = old_;
  int iterations = 0;
  const bool converged = newton(theta, theta_old, s, km, rain, sink, dt, iterations);
  // Columns whose last residual is above the tolerance (or not finite) take
  // the step again in halves; the others keep this step's solution, so no
  // column's result depends on the other columns of its batch.
  std::vector<Index> failed;
  if (!converged) {
    w3_ = r_.abs().rowwise().maxCoeff() * dt;
    for (Index c = 0; c < cols_; ++c)
      if (!(w3_[c] < tol_)) failed.push_back(c);
    if (depth >= 12) {
      const Index worst = failed.front();
      std::string profile;
      for (int l = 0; l < L; ++l) profile += cat(l ? ", " : "", theta_old(worst, l), "/", s.theta_s[static_cast<std::size_t>(l)][worst]);
      throw NumericalError(cat("Richards solver: Newton did not converge even with dt = ", dt, " s (column ", worst,
                               ": theta/theta_s = ", profile, "; water input ", rain[worst], " m/s)"));
    }
    for (const Index c : failed) theta.row(c) = theta_old.row(c);  // finite values for the flux sums below
  }
  // Fluxes of the converged state; storage change against them is the balance error.
  ArrayXd& storage = w1_;
  ArrayXd& extracted = w2_;
  storage.setZero();
  extracted.setZero();
  for (int l = 0; l < L; ++l) {
    storage += grid_.dz[l] * (theta.col(l) - theta_old.col(l));
    extracted += sink.col(l) * dt;
  }
  out.infiltration = q_.col(0) * dt;
  out.drainage = q_.col(L) * dt;
  out.runoff = (rain - q_.col(0)) * dt;
  out.balance_error = storage - (out.infiltration - out.drainage - extracted);
  remove_excess(theta, s, grid_, out);
  if (!failed.empty()) iterations += halve(failed, theta, s, km, rain, sink, dt, out, depth);
  return iterations;
}

int RichardsSolver::halve(const std::vector<Index>& failed, Eigen::Ref<ArrayXXd> theta, const SoilArrays& s,
                          const ArrayXd& km, const ArrayXd& rain, ArrayXXd& sink, double dt, StepFluxes& out, int depth) {
  const auto nf = static_cast<Index>(failed.size());
  auto& sub = sub_[nf];
  if (!sub) sub = std::make_unique<RichardsSolver>(grid_, nf, tol_, max_it_, false);
  SoilArrays soil;
  soil.gather(s, failed);
  ArrayXXd th(nf, grid_.size()), sk(nf, grid_.size());
  ArrayXd k(nf), p(nf);
  for (Index j = 0; j < nf; ++j) {
    const Index c = failed[static_cast<std::size_t>(j)];
    th.row(j) = old_.row(c);
    sk.row(j) = sink.row(c);
    k[j] = km[c];
    p[j] = rain[c];
  }
  StepFluxes a, b;
  for (auto* f : {&a, &b})
    for (ArrayXd* v : {&f->infiltration, &f->runoff, &f->drainage, &f->balance_error}) v->setZero(nf);
  int iterations = sub->substeps(th, soil, k, p, sk, dt / 2, a, depth + 1);
  iterations += sub->substeps(th, soil, k, p, sk, dt / 2, b, depth + 1);
  for (Index j = 0; j < nf; ++j) {
    const Index c = failed[static_cast<std::size_t>(j)];
    theta.row(c) = th.row(j);
    sink.row(c) = sk.row(j);
    out.infiltration[c] = a.infiltration[j] + b.infiltration[j];
    out.runoff[c] = a.runoff[j] + b.runoff[j];
    out.drainage[c] = a.drainage[j] + b.drainage[j];
    out.balance_error[c] = std::max(std::abs(a.balance_error[j]), std::abs(b.balance_error[j]));
  }
  return iterations;
}

void remove_excess(Eigen::Ref<ArrayXXd> theta, const SoilArrays& s, const LayerGrid& grid, StepFluxes& out) {
  for (int l = 0; l < grid.size(); ++l) {
    const auto li = static_cast<std::size_t>(l);
    for (Index c = 0; c < theta.rows(); ++c) {  // no temporary array: this runs every step
      const double excess = std::max(theta(c, l) - s.theta_s[li][c], 0.0);
      out.runoff[c] += excess * grid.dz[li];
      out.infiltration[c] -= excess * grid.dz[li];
      theta(c, l) -= excess;
    }
  }
}

void RichardsSolver::flux_terms(const Eigen::Ref<const ArrayXXd>& theta, const SoilArrays& s, const ArrayXd& km,
                                const ArrayXd& rain) {
  evaluate(theta, s, km);
  fluxes(rain);
}

int RichardsSolver::step(Eigen::Ref<ArrayXXd> theta, const SoilArrays& s, const ArrayXd& km, const ArrayXd& rain,
                         ArrayXXd& sink, double dt, StepFluxes& out) {
  if (theta.rows() != cols_ || theta.cols() != grid_.size())
    throw NumericalError("Richards solver: the state batch has the wrong shape");
  return substeps(theta, s, km, rain, sink, dt, out, 0);
}

}  // namespace landda::models::soil
