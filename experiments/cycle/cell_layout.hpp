#pragma once
// parallel.layout: cells. Each rank advances and analyses every member of its
// own block of cells (models of independent columns): it keeps the state,
// model memory and diagnostics of those cells only, and nothing is moved
// between the forecast and the analysis (the analysis rows are the forecast's
// cells). An observation belongs to the rank holding its nearest cell; that
// rank computes its H(X) with the rows of the footprint's other cells fetched
// from their ranks (a halo, per slice of observations). A rank holds only the
// observations it owns and those its analysis is near (ObsOwners).
// Results equal the members layout's: every column and every H is computed
// from the same values.
#include <Eigen/Core>
#include <cstdlib>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "interfaces/model.hpp"
#include "interfaces/obs_operator.hpp"
#include "parallel/distribution.hpp"

namespace landda::experiments {

// The window's observation rows a rank holds and the owner of each (see
// CellLayout): in the cells layout a rank holds the rows it owns and those
// near the cells it analyses, not every row of the window; they are indexed
// here in window order (0 .. held-1), and `row` names each one's row of the
// whole window, by which ranks ask each other for them.
struct ObsOwners {
  std::vector<Index> row;   // the window row of each held row, ascending
  std::vector<int> owner;   // the rank holding each row's H(X)
  std::vector<Index> slot;  // on that rank, its row in the compact H(X); -1 on the others
  Index owned = 0;          // rows this rank owns
  void reset(Index held) {
    row.assign(static_cast<std::size_t>(held), 0);
    owner.assign(static_cast<std::size_t>(held), 0);
    slot.assign(static_cast<std::size_t>(held), -1);
    owned = 0;
  }
  // The held row of window row r (the rank must hold it).
  Index held(Index r) const;
};

// One value per observation row that a rank may need from the row's owner:
// how the owner reads it and how the asking rank stores it.
struct RowField {
  std::function<double(Index)> get;
  std::function<void(Index, double)> set;
  static RowField of(Eigen::VectorXd& v) {
    return {[&v](Index o) { return v[o]; }, [&v](Index o, double x) { v[o] = x; }};
  }
  static RowField of(std::vector<int>& v) {
    return {[&v](Index o) { return static_cast<double>(v[static_cast<std::size_t>(o)]); },
            [&v](Index o, double x) { v[static_cast<std::size_t>(o)] = static_cast<int>(x); }};
  }
};

// Mean and sample spread over the columns of `mine` (this rank's H rows, in their slots) of the window's rows
// [first, first + count) that this rank owns, NaN at the others: nothing is summed over ranks, so no rank
// receives a value of every observation.
std::pair<Eigen::VectorXd, Eigen::VectorXd> own_moments(const Eigen::MatrixXd& mine, const ObsOwners& own, Index first,
                                                        Index count, bool spread);
// The fields of those of `rows` (held rows) that other ranks own, fetched from their owners by window row (rows
// this rank owns are left as they are). Collective: each rank asks for the rows its analysis needs, or none.
void from_owners(const parallel::Distribution& dist, const ObsOwners& own, const std::vector<Index>& rows,
                 const std::vector<RowField>& fields);

class CellLayout {
 public:
  CellLayout(const parallel::Distribution& dist, const StateLayout& layout, const Model& model);

  // The rank's cells, for Model::advance in compact storage.
  const CellBlock& block() const { return block_; }
  Index cells() const { return block_.end - block_.begin; }
  Index rows() const { return cells() * per_cell_; }  // this rank's state rows
  const CellRows& memory_rows() const { return memory_; }

  // A member's rows in analysis order (every row of a cell together) <-> the
  // model's compact order (a layer of every cell of the block together).
  void to_model(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> compact) const;
  void from_model(const Eigen::Ref<const Eigen::VectorXd>& compact, Eigen::Ref<Eigen::VectorXd> x) const;
  // This rank's rows of a whole state vector, in analysis order.
  Eigen::VectorXd rows_of(const Eigen::Ref<const Eigen::VectorXd>& full) const;
  // The position in analysis order of state row i, or -1 when another rank holds it.
  Index position(Index i) const;

  // The rank that owns an observation at (x, y) in the grid's coordinates: the rank of its nearest cell
  // (decided by place, so every rank that holds the row names the same owner, before any footprint is made).
  int owner_at(const CellIndex& cells, double x, double y) const;
  // H of op's observations for every column of X (this rank's rows): the rows
  // this rank owns written into their slots of HX (own.owned x columns).
  // Collective: every rank calls it for the same operators in the same order.
  void apply(const ObsOperator& op, const Eigen::Ref<const Eigen::MatrixXd>& X, Eigen::Ref<Eigen::MatrixXd> HX,
             const ObsOwners& own, Index first);
  // Held rows `wanted` (every column), fetched from the ranks that own them; consumes `mine`
  // (this rank's own rows, released column by column as they are taken). Collective.
  Eigen::MatrixXd fetch_rows(Eigen::MatrixXd& mine, const ObsOwners& own, const std::vector<Index>& wanted) const;

 private:
  const parallel::Distribution& dist_;
  const StateLayout& layout_;
  CellBlock block_;
  Index per_cell_;
  CellRows memory_;
  // A whole state vector to hand an operator, filled only at the cells its
  // footprints read: calloc'd, its untouched pages stay the system's zero page.
  std::unique_ptr<double, decltype(&std::free)> scratch_{nullptr, &std::free};
};

}  // namespace landda::experiments
