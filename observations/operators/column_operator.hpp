#pragma once
// The shared part of every column operator: the horizontal footprint (the
// model cells whose area lies within a radius of the observation, equally
// weighted on a regular grid; the nearest cell when the radius is 0), built
// once as a sparse matrix, and a per-column value computed from the layers of
// each cell. A concrete operator says how a column becomes a value.
#include <string>
#include <utility>
#include <vector>

#include "config/params.hpp"
#include "core/cell_index.hpp"
#include "interfaces/obs_operator.hpp"

namespace landda::observations {

struct FootprintParams {
  double footprint_km = 0.0;      // radius; 0: the nearest cell
  double max_distance_km = 50.0;  // farther from every cell than this: outside the domain
  void visit(config::Visitor& v);
};

// Weights of each layer in an average over [top, bottom] (m), uniform or
// exponential exp(-z / e_folding) in depth; they sum to one.
Eigen::VectorXd depth_weights(const std::vector<double>& bottoms, double top, double bottom, double e_folding = 0.0);

class ColumnOperator : public ObsOperator {
 public:
  void setup(const ObsGeometry& g, std::span<const double> x, std::span<const double> y) override;
  Eigen::Index size() const override { return static_cast<Eigen::Index>(outside_.size()); }
  const std::vector<char>& outside() const override { return outside_; }
  const Footprint& footprint() const override { return footprint_; }
  void apply(const Eigen::Ref<const Eigen::VectorXd>& state, Eigen::Ref<Eigen::VectorXd> out) const override;
  void apply_rows(const Eigen::Ref<const Eigen::VectorXd>& state, std::span<const Eigen::Index> rows,
                  Eigen::Ref<Eigen::VectorXd> out) const override;
  void tangent(const Eigen::Ref<const Eigen::VectorXd>& state, const Eigen::Ref<const Eigen::VectorXd>& dx,
               Eigen::Ref<Eigen::VectorXd> out) const override;

 protected:
  ColumnOperator(FootprintParams fp, std::string variable) : fp_(fp), variable_(std::move(variable)) {}
  // Called by setup once the geometry is known.
  virtual void prepare(const ObsGeometry& g) = 0;
  // The observed value of one cell's column (its layers of the observed variable).
  virtual double column(int cell, const Eigen::Ref<const Eigen::VectorXd>& layers) const = 0;
  // Its derivative applied to a perturbation of those layers.
  virtual double column_tangent(int cell, const Eigen::Ref<const Eigen::VectorXd>& layers,
                                const Eigen::Ref<const Eigen::VectorXd>& dlayers) const = 0;

  int n_layers_ = 1, n_cells_ = 0, var_ = 0;
  const StateLayout* layout_ = nullptr;

 private:
  void gather(const Eigen::Ref<const Eigen::VectorXd>& state, int cell, Eigen::VectorXd& layers) const;
  double row_value(const Eigen::Ref<const Eigen::VectorXd>& state, Eigen::Index o, Eigen::VectorXd& layers) const;

  // The cells of one location's footprint (empty: outside the domain), through the geometry's cell index.
  std::vector<int> located(const ObsGeometry& g, double x, double y) const;
  FootprintParams fp_;
  std::string variable_;
  Footprint footprint_;
  std::vector<char> outside_;
};

// A column value that is a fixed weighting of the layers (linear operators):
// H is built once per setup as one sparse matrix over the state, and applying
// it is one sparse product instead of a gather per footprint cell.
class LinearColumn : public ColumnOperator {
 public:
  void setup(const ObsGeometry& g, std::span<const double> x, std::span<const double> y) override;
  void apply(const Eigen::Ref<const Eigen::VectorXd>& state, Eigen::Ref<Eigen::VectorXd> out) const override {
    out.noalias() = h_ * state;
  }
  void apply_rows(const Eigen::Ref<const Eigen::VectorXd>& state, std::span<const Eigen::Index> rows,
                  Eigen::Ref<Eigen::VectorXd> out) const override;
  void tangent(const Eigen::Ref<const Eigen::VectorXd>&, const Eigen::Ref<const Eigen::VectorXd>& dx,
               Eigen::Ref<Eigen::VectorXd> out) const override {
    out.noalias() = h_ * dx;
  }

 protected:
  using ColumnOperator::ColumnOperator;
  double column(int, const Eigen::Ref<const Eigen::VectorXd>& layers) const override { return weights_.dot(layers); }
  double column_tangent(int, const Eigen::Ref<const Eigen::VectorXd>&,
                        const Eigen::Ref<const Eigen::VectorXd>& d) const override {
    return weights_.dot(d);
  }
  Eigen::VectorXd weights_;

 private:
  Footprint h_;  // observations x state rows
};

}  // namespace landda::observations
