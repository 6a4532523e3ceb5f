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

// An index of places given by longitude and latitude (a file's locations, a
// product's pixels, stations): the same tree over a points grid of them, with
// distances in km on the sphere.
class PlaceIndex {
 public:
  PlaceIndex(std::vector<double> lon, std::vector<double> lat);
  PlaceIndex(const PlaceIndex&) = delete;  // the index refers to the grid it owns
  PlaceIndex& operator=(const PlaceIndex&) = delete;
  int size() const { return grid_.size(); }
  // The nearest place and its distance (ties: the lowest index); (-1, inf) when empty.
  std::pair<int, double> nearest(double lon, double lat) const { return index_.nearest(lon, lat); }
  // The nearest within max_km (inclusive), ties going to the highest index (a
  // scan keeping the last of equals); -1 when none.
  int nearest_last(double lon, double lat, double max_km) const;
  // The places within `km` (inclusive), in increasing index.
  std::vector<int> within(double lon, double lat, double km) const { return index_.within(lon, lat, km); }

 private:
  Grid grid_;
  CellIndex index_;
};

}  // namespace landda
