#pragma once
// Observation localization: the Gaspari & Cohn (1999) taper and a bucket
// index that finds the observations within the cut-off radius of a place in
// O(local) time (built once per analysis).
#include <vector>

#include "core/grid.hpp"
#include "core/observation.hpp"

namespace landda::filters {

// Gaspari & Cohn (1999, eq. 4.10) fifth-order piecewise rational function of
// distance d with half-width c: 1 at d = 0, 0 for d >= 2c.
double gaspari_cohn(double d, double c);

// Distance used for localization on lon/lat grids: equirectangular with the
// mid latitude, d = R sqrt((dlon cos(lat_mid))^2 + dlat^2) (km), cos(lat_mid)
// expanded about the first point; within 0.2 % of the great circle below
// 200 km and 70 degrees of latitude, with no trigonometry per pair.
double local_distance_km(double lon0, double lat0, double lon1, double lat1);

class ObsIndex {
 public:
  // `radius` is the cut-off distance in the grid's distance units.
  ObsIndex(const Grid& grid, const ObsBatch& obs, double radius);
  // Indices of the observations within `radius` of (x, y), with their distances.
  void query(double x, double y, std::vector<int>& idx, std::vector<double>& dist) const;

 private:
  int bucket_x(double x) const;
  int bucket_y(double y) const;

  const Grid& grid_;
  const ObsBatch& obs_;
  double radius_;
  double x0_ = 0, y0_ = 0, bx_ = 1, by_ = 1;
  int nbx_ = 1, nby_ = 1;
  bool wrap_x_ = false;
  bool spherical_ = false;
  std::vector<int> start_, items_;  // CSR: bucket b holds items_[start_[b] .. start_[b+1])
  mutable std::vector<std::pair<int, double>> found_;  // query scratch
  double reach_sx_ = 0, reach_sy_ = 0;  // the radius in coordinate units
};

}  // namespace landda::filters
