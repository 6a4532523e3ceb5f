#include "filters/common/localization.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace landda::filters {

double gaspari_cohn(double d, double c) {
  const double r = std::fabs(d) / c;
  if (r >= 2.0) return 0.0;
  if (r <= 1.0) return (((-0.25 * r + 0.5) * r + 0.625) * r - 5.0 / 3.0) * r * r + 1.0;
  // Round-off near r = 2 can dip below zero; the taper never does.
  return std::max(0.0, ((((r / 12.0 - 0.5) * r + 0.625) * r + 5.0 / 3.0) * r - 5.0) * r + 4.0 - 2.0 / (3.0 * r));
}

namespace {
constexpr int kMaxBuckets = 1 << 22;
constexpr double kRad = M_PI / 180.0, kEarth = 6371.0;
}  // namespace

double local_distance_km(double lon0, double lat0, double lon1, double lat1) {
  // cos of the mid latitude by a first-order expansion about lat0: no trigonometry per pair.
  const double dy = lat1 - lat0;
  const double c = std::cos(lat0 * kRad) - std::sin(lat0 * kRad) * 0.5 * dy * kRad;
  const double dx = (lon1 - lon0) * c;
  return kEarth * kRad * std::sqrt(dx * dx + dy * dy);
}

ObsIndex::ObsIndex(const Grid& grid, const ObsBatch& obs, double radius) : grid_(grid), obs_(obs), radius_(radius) {
  const auto n = static_cast<std::size_t>(obs.size());
  if (n == 0) {
    start_.assign(2, 0);
    return;
  }
  double xmin = *std::min_element(obs.x.begin(), obs.x.end()), xmax = *std::max_element(obs.x.begin(), obs.x.end());
  double ymin = *std::min_element(obs.y.begin(), obs.y.end()), ymax = *std::max_element(obs.y.begin(), obs.y.end());
  // Bucket sides in coordinate units so that a radius spans at most one bucket each way.
  double sx = radius, sy = radius;
  spherical_ = grid.kind() == Grid::Kind::lonlat || grid.kind() == Grid::Kind::points;
  if (spherical_) {
    const double maxlat = std::min(89.0, std::max(std::fabs(ymin), std::fabs(ymax)) + radius / 111.0);
    sy = radius / 111.0;
    sx = radius / (111.0 * std::cos(maxlat * M_PI / 180.0));
  }
  if (grid.kind() == Grid::Kind::periodic_1d) {
    wrap_x_ = true;
    xmin = 0.0;
    xmax = grid.nx();
  }
  x0_ = xmin;
  y0_ = ymin;
  reach_sx_ = sx;
  reach_sy_ = sy;
  nbx_ = std::max(1, static_cast<int>(std::min<double>(kMaxBuckets, std::floor((xmax - xmin) / sx) + 1)));
  nby_ = std::max(1, static_cast<int>(std::min<double>(kMaxBuckets / nbx_, std::floor((ymax - ymin) / sy) + 1)));
  bx_ = std::max(sx, (xmax - xmin) / nbx_ + 1e-12);
  by_ = std::max(sy, (ymax - ymin) / nby_ + 1e-12);
  if (wrap_x_) {
    nbx_ = std::max(1, static_cast<int>(std::floor(grid.nx() / sx)));
    bx_ = static_cast<double>(grid.nx()) / nbx_;
  }
  std::vector<int> count(static_cast<std::size_t>(nbx_) * nby_ + 1, 0);
  std::vector<int> bucket(n);
  for (std::size_t i = 0; i < n; ++i) {
    bucket[i] = bucket_y(obs.y[i]) * nbx_ + bucket_x(obs.x[i]);
    ++count[bucket[i] + 1];
  }
  start_.assign(count.size(), 0);
  for (std::size_t b = 1; b < count.size(); ++b) start_[b] = start_[b - 1] + count[b];
  items_.resize(n);
  std::vector<int> fill(start_.begin(), start_.end() - 1);
  for (std::size_t i = 0; i < n; ++i) items_[fill[bucket[i]]++] = static_cast<int>(i);
}

int ObsIndex::bucket_x(double x) const {
  int b = static_cast<int>(std::floor((x - x0_) / bx_));
  if (wrap_x_) return ((b % nbx_) + nbx_) % nbx_;
  return std::clamp(b, 0, nbx_ - 1);
}

int ObsIndex::bucket_y(double y) const { return std::clamp(static_cast<int>(std::floor((y - y0_) / by_)), 0, nby_ - 1); }

void ObsIndex::query(double x, double y, std::vector<int>& idx, std::vector<double>& dist) const {
  idx.clear();
  dist.clear();
  if (items_.empty()) return;
  const int cx = static_cast<int>(std::floor((x - x0_) / bx_)), cy = static_cast<int>(std::floor((y - y0_) / by_));
  // The radius in coordinate units (degrees on the sphere, at the widest latitude) over the bucket sides.
  const int reach_x = static_cast<int>(std::ceil(reach_sx_ / bx_ - 1e-12)), reach_y = static_cast<int>(std::ceil(reach_sy_ / by_ - 1e-12));
  const int spread_x = std::min(reach_x, nbx_), spread_y = reach_y;
  // On the sphere: squared distances with the query's latitude scale, no trigonometry per candidate.
  const double coslat = spherical_ ? std::cos(y * kRad) : 1.0, half_sin = spherical_ ? 0.5 * kRad * std::sin(y * kRad) : 0.0;
  const double scale = kEarth * kRad;
  const double r2 = spherical_ ? (radius_ / scale) * (radius_ / scale) : 0.0;
  const int bx_lo = cx - spread_x, bx_hi = cx + spread_x;
  int visited_x = 0;
  for (int bxi = bx_lo; bxi <= bx_hi; ++bxi) {
    int b_x = bxi;
    if (wrap_x_) {
      if (visited_x++ >= nbx_) break;  // a radius larger than the ring visits each bucket once
      b_x = ((bxi % nbx_) + nbx_) % nbx_;
    } else if (b_x < 0 || b_x >= nbx_) {
      continue;
    }
    for (int byi = std::max(0, cy - spread_y); byi <= std::min(nby_ - 1, cy + spread_y); ++byi) {
      const int b = byi * nbx_ + b_x;
      for (int k = start_[b]; k < start_[b + 1]; ++k) {
        const int i = items_[k];
        if (spherical_) {
          const double dy = obs_.y[i] - y, dx = (obs_.x[i] - x) * (coslat - half_sin * dy), d2 = dx * dx + dy * dy;
          if (d2 < r2) {
            idx.push_back(i);
            dist.push_back(scale * std::sqrt(d2));
          }
          continue;
        }
        const double d = grid_.distance(x, y, obs_.x[i], obs_.y[i]);
        if (d < radius_) {
          idx.push_back(i);
          dist.push_back(d);
        }
      }
    }
  }
  // A fixed order keeps the local analysis independent of bucket layout details.
  if (idx.size() > 1) {
    found_.resize(idx.size());
    for (std::size_t k = 0; k < idx.size(); ++k) found_[k] = {idx[k], dist[k]};
    std::sort(found_.begin(), found_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t k = 0; k < idx.size(); ++k) {
      idx[k] = found_[k].first;
      dist[k] = found_[k].second;
    }
  }
}

}  // namespace landda::filters
