#pragma once
// An observation operator H: the model state of one member -> the observed
// quantity at each observation location. Set up once for a set of locations
// (the horizontal footprint is built then, as a sparse matrix), applied to
// every member. Nonlinear operators also give their tangent linear, which the
// conformance suite checks against finite differences.
#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/cell_index.hpp"
#include "interfaces/model.hpp"

namespace landda {

using Footprint = Eigen::SparseMatrix<double, Eigen::RowMajor>;

// What an operator may know about the model: grid, layout, layer depths and
// static fields (porosity, residual water content, ...).
struct ObsGeometry {
  const Grid& grid;
  const StateLayout& layout;
  std::vector<double> layer_bottoms;  // empty for models without layers
  const Model* model = nullptr;
  // The grid's cell index (nearest cell, cells within a radius), built at the
  // first use and shared by every operator set up on this geometry: one index
  // of the grid, not one per operator (a file source has one per slice).
  const CellIndex& cell_index() const {
    if (!index_) index_ = std::make_shared<const CellIndex>(grid);
    return *index_;
  }
  // Dropped once a round of set-ups is done (the run's synthetic sources, a window's file slices): 32 bytes a
  // cell of the whole grid are not held through the forecast and the analysis; the next set-up builds it again.
  void release_index() const { index_.reset(); }
  mutable std::shared_ptr<const CellIndex> index_{};
};

// The IODA variable an operator simulates and its units (what its output
// files are named and labelled with).
struct ObsVariable {
  std::string name = "soilMoistureVolumetric";
  std::string units = "m3 m-3";
};

class ObsOperator {
 public:
  virtual ~ObsOperator() = default;
  // Locations in the grid's coordinates (lon/lat on geographic grids).
  virtual void setup(const ObsGeometry& g, std::span<const double> x, std::span<const double> y) = 0;
  virtual Eigen::Index size() const = 0;
  // True for locations no model cell is near (QC flag out_of_domain); their H is 0.
  virtual const std::vector<char>& outside() const = 0;
  // Observations x cells, rows summing to one (area weights).
  virtual const Footprint& footprint() const = 0;
  virtual void apply(const Eigen::Ref<const Eigen::VectorXd>& state, Eigen::Ref<Eigen::VectorXd> out) const = 0;
  // H at the listed rows only (out[k] is row rows[k]), each equal to apply's value there: a rank that owns a
  // few of the observations need not evaluate the others. The default evaluates them all.
  virtual void apply_rows(const Eigen::Ref<const Eigen::VectorXd>& state, std::span<const Eigen::Index> rows,
                          Eigen::Ref<Eigen::VectorXd> out) const {
    Eigen::VectorXd all(size());
    apply(state, all);
    for (std::size_t k = 0; k < rows.size(); ++k) out[static_cast<Eigen::Index>(k)] = all[rows[k]];
  }
  virtual bool linear() const { return true; }
  virtual ObsVariable variable() const { return {}; }
  // d H(state) / d state applied to dx.
  virtual void tangent(const Eigen::Ref<const Eigen::VectorXd>& state, const Eigen::Ref<const Eigen::VectorXd>& dx,
                       Eigen::Ref<Eigen::VectorXd> out) const {
    (void)state;
    apply(dx, out);
  }
};

}  // namespace landda
