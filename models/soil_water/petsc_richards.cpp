// The PETSc TS reference solver of the soil column: the finite-volume
// residual of richards.cpp, F(t, theta, theta') = dz theta' - q_in + q_out + s,
// integrated by an adaptive implicit TS (BDF by default; -ts_type changes it)
// with the analytic tridiagonal Jacobian. PETSc appears only in this file.
#include <petscts.h>

#include <memory>

#include "core/error.hpp"
#include "models/soil_water/richards.hpp"

namespace landda::models::soil {
namespace {

void check(PetscErrorCode code, const char* what) {
  if (code != 0) throw NumericalError(cat("PETSc TS reference solver: ", what, " failed (PETSc error ", code, ")"));
}

// RAII for PETSc objects.
struct VecDel {
  void operator()(Vec v) const { VecDestroy(&v); }
};
struct MatDel {
  void operator()(Mat m) const { MatDestroy(&m); }
};
struct TsDel {
  void operator()(TS t) const { TSDestroy(&t); }
};
using VecPtr = std::unique_ptr<std::remove_pointer_t<Vec>, VecDel>;
using MatPtr = std::unique_ptr<std::remove_pointer_t<Mat>, MatDel>;
using TsPtr = std::unique_ptr<std::remove_pointer_t<TS>, TsDel>;

struct Column {
  RichardsSolver* flux = nullptr;
  const SoilArrays* soil = nullptr;
  Eigen::ArrayXd km, rain;
  Eigen::ArrayXXd sink, theta;
  int L = 0;
};

PetscErrorCode ifunction(TS, PetscReal, Vec U, Vec Udot, Vec F, void* ctx) {
  auto* c = static_cast<Column*>(ctx);
  const PetscScalar *u = nullptr, *ud = nullptr;
  PetscScalar* f = nullptr;
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(VecGetArrayRead(Udot, &ud));
  PetscCall(VecGetArray(F, &f));
  for (int l = 0; l < c->L; ++l) c->theta(0, l) = u[l];
  c->flux->flux_terms(c->theta, *c->soil, c->km, c->rain);
  const auto& q = c->flux->q();
  const auto& dz = c->flux->grid().dz;
  for (int l = 0; l < c->L; ++l) f[l] = dz[static_cast<std::size_t>(l)] * ud[l] - q(0, l) + q(0, l + 1) + c->sink(0, l);
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(VecRestoreArrayRead(Udot, &ud));
  PetscCall(VecRestoreArray(F, &f));
  return 0;
}

PetscErrorCode ijacobian(TS, PetscReal, Vec U, Vec, PetscReal shift, Mat A, Mat P, void* ctx) {
  auto* c = static_cast<Column*>(ctx);
  const PetscScalar* u = nullptr;
  PetscCall(VecGetArrayRead(U, &u));
  for (int l = 0; l < c->L; ++l) c->theta(0, l) = u[l];
  PetscCall(VecRestoreArrayRead(U, &u));
  c->flux->flux_terms(c->theta, *c->soil, c->km, c->rain);
  const auto& up = c->flux->dq_up();
  const auto& dn = c->flux->dq_dn();
  const auto& dz = c->flux->grid().dz;
  for (PetscInt l = 0; l < c->L; ++l) {
    const PetscScalar diag = shift * dz[static_cast<std::size_t>(l)] - dn(0, l) + up(0, l + 1);
    PetscCall(MatSetValue(P, l, l, diag, INSERT_VALUES));
    if (l > 0) PetscCall(MatSetValue(P, l, l - 1, -up(0, l), INSERT_VALUES));
    if (l + 1 < c->L) PetscCall(MatSetValue(P, l, l + 1, dn(0, l + 1), INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
  if (A != P) {
    PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  }
  return 0;
}

class PetscRichards final : public ColumnSolver {
 public:
  PetscRichards(const LayerGrid& grid, double rtol, double atol) : grid_(grid), rtol_(rtol), atol_(atol), flux_(grid, 1) {}

  int step(Eigen::Ref<Eigen::ArrayXXd> theta, const SoilArrays& soil, const Eigen::ArrayXd& km, const Eigen::ArrayXd& rain,
           Eigen::ArrayXXd& sink, double dt, StepFluxes& out) override {
    const int L = grid_.size();
    const Eigen::Index cols = theta.rows();
    for (Eigen::ArrayXd* a : {&out.infiltration, &out.runoff, &out.drainage, &out.balance_error}) a->setZero(cols);
    int steps_total = 0;
    for (Eigen::Index c = 0; c < cols; ++c) {
      SoilArrays one;
      one.retention = soil.retention;
      one.resize(L, 1);
      for (int l = 0; l < L; ++l) one.set(l, 0, soil.at(l, c));
      one.update_limits();  // the column's own (perhaps perturbed) parameters: the same limits as the batch's
      Column col;
      col.flux = &flux_;
      col.soil = &one;
      col.L = L;
      col.km = Eigen::ArrayXd::Constant(1, km[c]);
      col.rain = Eigen::ArrayXd::Constant(1, rain[c]);
      col.sink = sink.row(c);
      col.theta = theta.row(c);
      const Eigen::ArrayXXd before = col.theta;

      Vec u = nullptr;
      check(VecCreateSeq(PETSC_COMM_SELF, L, &u), "VecCreateSeq");
      VecPtr uh(u);
      PetscScalar* a = nullptr;
      check(VecGetArray(u, &a), "VecGetArray");
      for (int l = 0; l < L; ++l) a[l] = theta(c, l);
      check(VecRestoreArray(u, &a), "VecRestoreArray");
      Mat J = nullptr;
      check(MatCreateSeqAIJ(PETSC_COMM_SELF, L, L, 3, nullptr, &J), "MatCreateSeqAIJ");
      MatPtr jh(J);
      TS ts = nullptr;
      check(TSCreate(PETSC_COMM_SELF, &ts), "TSCreate");
      TsPtr th(ts);
      check(TSSetProblemType(ts, TS_NONLINEAR), "TSSetProblemType");
      check(TSSetType(ts, TSBDF), "TSSetType");
      check(TSSetIFunction(ts, nullptr, ifunction, &col), "TSSetIFunction");
      check(TSSetIJacobian(ts, J, J, ijacobian, &col), "TSSetIJacobian");
      check(TSSetTime(ts, 0.0), "TSSetTime");
      check(TSSetMaxTime(ts, dt), "TSSetMaxTime");
      check(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP), "TSSetExactFinalTime");
      check(TSSetTimeStep(ts, std::min(dt, 1.0)), "TSSetTimeStep");
      check(TSSetTolerances(ts, atol_, nullptr, rtol_, nullptr), "TSSetTolerances");
      check(TSSetMaxSNESFailures(ts, -1), "TSSetMaxSNESFailures");
      check(TSSetFromOptions(ts), "TSSetFromOptions");
      check(TSSolve(ts, u), "TSSolve");
      PetscInt steps = 0;
      check(TSGetStepNumber(ts, &steps), "TSGetStepNumber");
      steps_total += static_cast<int>(steps);
      const PetscScalar* r = nullptr;
      check(VecGetArrayRead(u, &r), "VecGetArrayRead");
      for (int l = 0; l < L; ++l) theta(c, l) = r[l];
      check(VecRestoreArrayRead(u, &r), "VecRestoreArrayRead");
      // Fluxes: drainage by the trapezoid rule over the step (it varies
      // slowly); infiltration is what the storage change, drainage and
      // extraction imply, and runoff the rest of the rain. The reference
      // closes its balance through them, so it reports no balance error.
      col.theta = theta.row(c);
      flux_.flux_terms(before, one, col.km, col.rain);
      const double qLa = flux_.q()(0, L);
      flux_.flux_terms(col.theta, one, col.km, col.rain);
      const double qLb = flux_.q()(0, L);
      double storage = 0.0, extracted = 0.0;
      for (int l = 0; l < L; ++l) {
        storage += grid_.dz[static_cast<std::size_t>(l)] * (theta(c, l) - before(0, l));
        extracted += sink(c, l) * dt;
      }
      out.drainage[c] = 0.5 * (qLa + qLb) * dt;
      out.infiltration[c] = storage + out.drainage[c] + extracted;
      out.runoff[c] = rain[c] * dt - out.infiltration[c];
      out.balance_error[c] = 0.0;
    }
    remove_excess(theta, soil, grid_, out);
    return steps_total;
  }

 private:
  LayerGrid grid_;
  double rtol_, atol_;
  RichardsSolver flux_;
};

}  // namespace

std::unique_ptr<ColumnSolver> make_petsc_solver(const LayerGrid& grid, double rtol, double atol) {
  return std::make_unique<PetscRichards>(grid, rtol, atol);
}

}  // namespace landda::models::soil
