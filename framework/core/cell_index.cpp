#include "core/cell_index.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace landda {
namespace {
constexpr double kEarthKm = 6371.0;  // haversine_km's radius
constexpr double kPi = 3.14159265358979323846;
// Slack on chord distances so that rounding never drops a candidate the grid's distance would keep.
double widen(double c) { return c * (1.0 + 1e-9) + 1e-9; }
double squared(const std::array<double, 3>& a, const std::array<double, 3>& b, int dims) {
  double d2 = 0;
  for (int k = 0; k < dims; ++k) d2 += (a[k] - b[k]) * (a[k] - b[k]);
  return d2;
}
}  // namespace

CellIndex::CellIndex(const Grid& grid) : grid_(grid) {
  switch (grid.kind()) {
    case Grid::Kind::lonlat:
    case Grid::Kind::points:
      dims_ = 3, radius_ = kEarthKm;
      break;
    case Grid::Kind::periodic_1d: {
      // The ring of circumference n as a circle of radius n / (2 pi).
      dims_ = 2, radius_ = grid.size() / (2.0 * kPi);
      break;
    }
    case Grid::Kind::cartesian:
      dims_ = 2, radius_ = 0;
      break;
  }
  const int n = grid.size();
  pos_.resize(static_cast<std::size_t>(n));
  for (int c = 0; c < n; ++c) pos_[static_cast<std::size_t>(c)] = embed(grid.x(c), grid.y(c));
  tree_.resize(static_cast<std::size_t>(n));
  for (int c = 0; c < n; ++c) tree_[static_cast<std::size_t>(c)] = {c, 0};
  build(0, n, 0);
}

std::array<double, 3> CellIndex::embed(double x, double y) const {
  if (grid_.kind() == Grid::Kind::lonlat || grid_.kind() == Grid::Kind::points) {
    const double lon = x * kPi / 180.0, lat = y * kPi / 180.0;
    return {kEarthKm * std::cos(lat) * std::cos(lon), kEarthKm * std::cos(lat) * std::sin(lon), kEarthKm * std::sin(lat)};
  }
  if (grid_.kind() == Grid::Kind::periodic_1d) {
    const double a = x / radius_;
    return {radius_ * std::cos(a), radius_ * std::sin(a), 0.0};
  }
  return {x, y, 0.0};
}

double CellIndex::chord(double distance) const {
  if (radius_ == 0) return distance;
  const double half_turn = kPi * radius_;  // the largest distance on a sphere or ring
  return 2.0 * radius_ * std::sin(std::min(distance, half_turn) / (2.0 * radius_));
}

void CellIndex::build(int lo, int hi, int depth) {
  if (hi - lo <= 1) {
    if (hi > lo) tree_[static_cast<std::size_t>(lo)].axis = depth % dims_;
    return;
  }
  const int axis = depth % dims_, mid = (lo + hi) / 2;
  std::nth_element(tree_.begin() + lo, tree_.begin() + mid, tree_.begin() + hi, [&](const Node& a, const Node& b) {
    return pos_[static_cast<std::size_t>(a.cell)][axis] < pos_[static_cast<std::size_t>(b.cell)][axis];
  });
  tree_[static_cast<std::size_t>(mid)].axis = axis;
  build(lo, mid, depth + 1);
  build(mid + 1, hi, depth + 1);
}

void CellIndex::nearest_in(int lo, int hi, const std::array<double, 3>& q, int& best, double& best2) const {
  if (lo >= hi) return;
  const int mid = (lo + hi) / 2;
  const Node& node = tree_[static_cast<std::size_t>(mid)];
  const auto& p = pos_[static_cast<std::size_t>(node.cell)];
  const double d2 = squared(p, q, dims_);
  if (d2 < best2) best2 = d2, best = node.cell;
  const double diff = q[node.axis] - p[node.axis];
  const bool left_first = diff < 0;
  if (left_first) nearest_in(lo, mid, q, best, best2);
  else nearest_in(mid + 1, hi, q, best, best2);
  if (diff * diff <= widen(std::sqrt(best2)) * widen(std::sqrt(best2))) {
    if (left_first) nearest_in(mid + 1, hi, q, best, best2);
    else nearest_in(lo, mid, q, best, best2);
  }
}

void CellIndex::within_in(int lo, int hi, const std::array<double, 3>& q, double r2, std::vector<int>& out) const {
  if (lo >= hi) return;
  const int mid = (lo + hi) / 2;
  const Node& node = tree_[static_cast<std::size_t>(mid)];
  const auto& p = pos_[static_cast<std::size_t>(node.cell)];
  const double d2 = squared(p, q, dims_);
  if (d2 <= r2) out.push_back(node.cell);
  const double diff = q[node.axis] - p[node.axis];
  if (diff <= 0 || diff * diff <= r2) within_in(lo, mid, q, r2, out);
  if (diff >= 0 || diff * diff <= r2) within_in(mid + 1, hi, q, r2, out);
}

std::pair<int, double> CellIndex::nearest(double x, double y) const {
  const int n = grid_.size();
  if (n == 0) return {-1, std::numeric_limits<double>::infinity()};
  const auto q = embed(x, y);
  int best = -1;
  double best2 = std::numeric_limits<double>::infinity();
  nearest_in(0, n, q, best, best2);
  // Every cell as near by the grid's own distance (ties, rounding): the lowest index of the nearest.
  const double reach = widen(std::sqrt(best2));
  std::vector<int> candidates;
  within_in(0, n, q, reach * reach, candidates);
  std::pair<int, double> out{-1, std::numeric_limits<double>::infinity()};
  for (int c : candidates) {
    const double d = grid_.distance(c, x, y);
    if (d < out.second || (d == out.second && c < out.first)) out = {c, d};
  }
  return out;
}

std::vector<int> CellIndex::within(double x, double y, double radius) const {
  std::vector<int> candidates, out;
  if (!(radius >= 0) || grid_.size() == 0) return out;
  const double reach = widen(chord(radius));
  within_in(0, grid_.size(), embed(x, y), reach * reach, candidates);
  for (int c : candidates)
    if (grid_.distance(c, x, y) <= radius) out.push_back(c);
  std::sort(out.begin(), out.end());
  return out;
}

PlaceIndex::PlaceIndex(std::vector<double> lon, std::vector<double> lat)
    : grid_(Grid::points(std::move(lon), std::move(lat), {})), index_(grid_) {}

int PlaceIndex::nearest_last(double lon, double lat, double max_km) const {
  const auto [best, d] = index_.nearest(lon, lat);
  if (best < 0 || !(d <= max_km)) return -1;
  const auto ties = index_.within(lon, lat, d);  // every place at the nearest distance (and none nearer)
  return ties.empty() ? best : ties.back();
}

}  // namespace landda
