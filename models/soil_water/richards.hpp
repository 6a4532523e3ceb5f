#pragma once
// One implicit time step of the Richards equation for a batch of soil
// columns advanced in lockstep (every array holds one value per column).
//
// Finite volumes in the mixed form: water content is conserved in each layer,
//   dz_l (theta_l - theta_l^n) / dt = q_{l-1/2} - q_{l+1/2} - s_l,
// with Darcy fluxes q = K_{l+1/2} (1 - (h_{l+1} - h_l) / dz_{l+1/2}) (depth
// positive down), free drainage q = K at the bottom, and at the top the
// rainfall up to the infiltration capacity of a ponded surface (the rest runs
// off). Backward Euler, solved by Newton's method on theta with the exact
// tridiagonal Jacobian (Celia, Bouloutas & Zarba 1990 argue for the
// conservative mixed form); converged to a residual below `tolerance_m` per
// layer, so storage change equals P - ET - runoff - drainage to round-off.
#include <Eigen/Core>
#include <map>
#include <memory>
#include <array>
#include <vector>

#include "models/soil_water/hydraulics.hpp"

namespace landda::models::soil {

struct LayerGrid {
  std::vector<double> dz;     // thickness (m)
  std::vector<double> depth;  // depth of the node (layer centre, m)
  static LayerGrid from_bottoms(const std::vector<double>& bottoms);
  int size() const { return static_cast<int>(dz.size()); }
};

// Only columns [begin, begin + count) of each array kept (column begin becomes 0); empty arrays stay empty.
void keep_columns(std::vector<Eigen::ArrayXd>& arrays, Eigen::Index begin, Eigen::Index count);

// Hydraulic parameters of every layer of every column: [layer] -> per column.
struct SoilArrays {
  Retention retention = Retention::clapp_hornberger;
  std::vector<Eigen::ArrayXd> theta_s, theta_r, k_s, b, psi_s, alpha, n, l;
  // Effective saturation at the driest head the model represents (-10^4 m,
  // air-dry soil): heads never go below it, so fluxes stay finite.
  std::vector<Eigen::ArrayXd> se_min;
  std::vector<Eigen::ArrayXd> inv_range;  // 1 / (theta_s - theta_r): kernels multiply instead of dividing
  // Air-dry water content, theta_r + se_min (theta_s - theta_r): no sink takes a layer below it.
  std::vector<Eigen::ArrayXd> theta_dry;
  // van Genuchten only: head (m) and Mualem relative conductivity at Se = 0.999,
  // where both are continued linearly to saturation (they depend on n, alpha, l).
  std::vector<Eigen::ArrayXd> vg_h_cap, vg_kr_cap;
  static constexpr double kDriestHead = -1e4;
  // `limits`: false leaves se_min, inv_range, theta_dry and the van Genuchten
  // caps empty (a grid's parameters, from which each batch computes its own).
  void resize(int layers, Eigen::Index columns, bool limits = true);
  void update_limits();  // after the parameters change
  // Every array of the given columns of `from`, in that order.
  void gather(const SoilArrays& from, const std::vector<Eigen::Index>& columns);
  // Only columns [begin, begin + count) kept (column begin becomes 0).
  void keep(Eigen::Index begin, Eigen::Index count);
  // Each layer equal to an earlier one in every array and column is dropped (most soil maps give a column one
  // or two textures, not one per layer); returns, per layer, the index of the array that now holds it.
  std::vector<std::size_t> drop_repeated_layers();
  SoilHydraulics at(int layer, Eigen::Index column) const;
  void set(int layer, Eigen::Index column, const SoilHydraulics& p);
  // One column of `layers` identical layers (tests, reference solves); limits updated.
  static SoilArrays uniform(Retention r, int layers, const SoilHydraulics& p);

 private:
  std::array<std::vector<Eigen::ArrayXd>*, 13> arrays();
};

struct StepFluxes {
  Eigen::ArrayXd infiltration, runoff, drainage, balance_error;  // m over the step
};

// A solver of one model time step for a batch of columns.
class ColumnSolver {
 public:
  virtual ~ColumnSolver() = default;
  // Returns the number of nonlinear iterations (or time steps) it took.
  // `sink` (m/s per layer) may come back smaller where a layer could not give
  // that much water: it then holds what was extracted.
  virtual int step(Eigen::Ref<Eigen::ArrayXXd> theta, const SoilArrays& soil, const Eigen::ArrayXd& k_mult,
                   const Eigen::ArrayXd& rain, Eigen::ArrayXXd& sink, double dt, StepFluxes& out) = 0;
};

class RichardsSolver final : public ColumnSolver {
 public:
  // `linearized`: one Newton step per time step (linearly implicit, as CLM
  // and Noah solve it), with the fluxes reported as their linearization so
  // that the water balance still closes; otherwise Newton to `tolerance_m`.
  RichardsSolver(const LayerGrid& grid, Eigen::Index columns, double tolerance_m = 1e-11, int max_iterations = 30,
                 bool linearized = false);

  // Interface fluxes q (columns x layers+1, downward, q(:,0) the infiltration)
  // of a state and their derivatives with respect to the water content above
  // (dq_up) and below (dq_dn) each interface: the spatial discretisation, for
  // other time integrators (the PETSc TS reference).
  void flux_terms(const Eigen::Ref<const Eigen::ArrayXXd>& theta, const SoilArrays& soil, const Eigen::ArrayXd& k_mult,
                  const Eigen::ArrayXd& rain);
  const Eigen::ArrayXXd& q() const { return q_; }
  const Eigen::ArrayXXd& dq_up() const { return dq_up_; }
  const Eigen::ArrayXXd& dq_dn() const { return dq_dn_; }
  const LayerGrid& grid() const { return grid_; }

  // Advances theta (layers x columns, column-major: one layer is contiguous)
  // by dt seconds. `k_mult` scales K_s per column (ensemble perturbation),
  // `rain` is the liquid water reaching the surface (m/s), `sink` the
  // extraction per layer (m/s, layers x columns). Sub-steps by halving when
  // Newton does not converge. Returns the number of Newton iterations.
  int step(Eigen::Ref<Eigen::ArrayXXd> theta, const SoilArrays& soil, const Eigen::ArrayXd& k_mult,
           const Eigen::ArrayXd& rain, Eigen::ArrayXXd& sink, double dt, StepFluxes& out) override;

 private:
  bool newton(Eigen::Ref<Eigen::ArrayXXd> theta, const Eigen::ArrayXXd& theta_old, const SoilArrays& soil,
              const Eigen::ArrayXd& k_mult, const Eigen::ArrayXd& rain, const Eigen::ArrayXXd& sink, double dt,
              int& iterations);
  void evaluate(const Eigen::Ref<const Eigen::ArrayXXd>& theta, const SoilArrays& soil, const Eigen::ArrayXd& k_mult);
  void fluxes(const Eigen::ArrayXd& rain);
  void linear_step(Eigen::Ref<Eigen::ArrayXXd> theta, const SoilArrays& soil, const Eigen::ArrayXd& k_mult,
                   const Eigen::ArrayXd& rain, Eigen::ArrayXXd& sink, double dt, StepFluxes& out);
  void assemble_and_solve(double dt);  // J delta = -r_, the result left in r_
  int substeps(Eigen::Ref<Eigen::ArrayXXd> theta, const SoilArrays& soil, const Eigen::ArrayXd& k_mult,
               const Eigen::ArrayXd& rain, Eigen::ArrayXXd& sink, double dt, StepFluxes& out, int depth);
  // The columns whose Newton did not converge, in two half steps by a solver of their own.
  int halve(const std::vector<Eigen::Index>& failed, Eigen::Ref<Eigen::ArrayXXd> theta, const SoilArrays& soil,
            const Eigen::ArrayXd& k_mult, const Eigen::ArrayXd& rain, Eigen::ArrayXXd& sink, double dt, StepFluxes& out,
            int depth);

  LayerGrid grid_;
  Eigen::Index cols_;
  double tol_;
  int max_it_;
  bool linearized_;
  std::vector<double> dzi_;  // node spacing
  // Work arrays: layers x columns.
  Eigen::ArrayXXd h_, dh_, k_, dk_, q_, dq_up_, dq_dn_, r_, cp_, old_;
  Eigen::ArrayXd ks_top_, w1_, w2_, w3_;
  StepFluxes half_;
  std::map<Eigen::Index, std::unique_ptr<RichardsSolver>> sub_;  // solvers of the columns that halve, by count
};

// Water beyond saturation leaves as saturation-excess runoff (taken off the
// infiltration): shared by the solvers so that they account alike.
void remove_excess(Eigen::Ref<Eigen::ArrayXXd> theta, const SoilArrays& soil, const LayerGrid& grid, StepFluxes& out);

// The PETSc TS reference solver (petsc_richards.cpp): the same residual,
// integrated column by column by an adaptive implicit method to tight
// tolerances. Slow; for tests and checks of the native solver.
std::unique_ptr<ColumnSolver> make_petsc_solver(const LayerGrid& grid, double rtol = 1e-9, double atol = 1e-12);

}  // namespace landda::models::soil
