#pragma once
// Lorenz (1996) "Predictability: a problem partly solved": n variables on a
// ring, dx_i/dt = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + F, integrated with RK4.
// The standard test model of every DA system (Sakov & Oke 2008 settings:
// n = 40, F = 8, dt = 0.05).
#include "config/params.hpp"
#include "interfaces/model.hpp"

namespace landda::models {

class Lorenz96 final : public Model {
 public:
  static constexpr const char* doc =
      "Lorenz (1996) 40-variable chaotic model on a ring, RK4 in time; the standard test of DA systems.";

  struct Params {
    int n = 40;
    double forcing = 8.0;
    double dt = 0.05;
    double initial_perturbation = 0.01;
    void visit(config::Visitor& v);
  };

  Lorenz96(const Params& p);

  const Grid& grid() const override { return grid_; }
  const StateLayout& layout() const override { return layout_; }
  Duration time_step() const override { return step_; }
  void initial_state(Eigen::Ref<Eigen::VectorXd> x, Time t0) const override;
  void advance(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> members, std::span<RandomStream> rng, Time t0,
               Time t1, MemberData extra) override;

  // One RK4 step of length dt, in place.
  void step(Eigen::Ref<Eigen::VectorXd> x) const;

 private:
  void tendency(const Eigen::VectorXd& x, Eigen::VectorXd& dx) const;

  Params p_;
  Grid grid_;
  StateLayout layout_;
  // One model time unit is mapped to 6 hours of calendar time (Lorenz 1996: 0.05 ~ 6 h).
  Duration step_;
  mutable Eigen::VectorXd k1_, k2_, k3_, k4_, tmp_;
};

}  // namespace landda::models
