#pragma once
// A spatial index of a grid's cells: the nearest cell to a place and the cells
// within a distance, in the grid's own distance (km on the sphere for lon/lat
// grids and points, grid units on Cartesian grids, around the ring of a
// periodic one), at the cost of log(cells) a query instead of cells. A k-d
// tree (Bentley 1975) over each cell's position in an embedding where the
// straight-line (chord) distance grows with the grid's distance; the tree
// proposes candidates, the grid's distance decides, so the answers are those
// of a scan of every cell, ties going to the lower cell index.
#include <array>
#include <utility>
#include <vector>

#include "core/grid.hpp"

namespace landda {

class CellIndex {
 public:
  explicit CellIndex(const Grid& grid);
  // The nearest cell to (x, y) in the grid's coordinates and its distance; (-1, inf) for an empty grid.
  std::pair<int, double> nearest(double x, double y) const;
  // The cells within `radius` of (x, y) (distance <= radius), in increasing index.
  std::vector<int> within(double x, double y, double radius) const;

 private:
  struct Node {
    int cell;
    int axis;
  };
  std::array<double, 3> embed(double x, double y) const;
  double chord(double distance) const;  // the embedding's distance for a grid distance
  void build(int lo, int hi, int depth);
  void nearest_in(int lo, int hi, const std::array<double, 3>& q, int& best, double& best2) const;
  void within_in(int lo, int hi, const std::array<double, 3>& q, double r2, std::vector<int>& out) const;

  const Grid& grid_;
  int dims_ = 2;
  double radius_ = 0;  // sphere or ring radius of the embedding (0: plane)
  std::vector<std::array<double, 3>> pos_;
  std::vector<Node> tree_;  // implicit: the median of [lo, hi) at (lo + hi) / 2
};

}  // namespace landda
