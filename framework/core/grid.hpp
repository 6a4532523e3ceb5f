#pragma once
// The horizontal grid: where each cell is, and how far apart two places are
// (what localization and footprints need). Kilometres on the sphere for
// lon/lat grids; grid units on Cartesian and periodic grids.
#include <string>
#include <vector>

namespace landda {

// Lambert azimuthal equal-area projection on the sphere (Snyder 1987, eqs.
// 24-2 and 20-14 to 20-18), as used by the EASE-2 polar grids; km.
struct LambertAzimuthalEqualArea {
  double lon0 = 0, lat0 = 0;
  void forward(double lon, double lat, double& x, double& y) const;
  void inverse(double x, double y, double& lon, double& lat) const;
};

class Grid {
 public:
  enum class Kind { periodic_1d, cartesian, lonlat, points };

  static Grid periodic_1d(int n);                       // x = 0..n-1 on a ring of length n
  static Grid cartesian(int nx, int ny, double dx = 1.0, double dy = 1.0);
  static Grid lonlat(std::vector<double> lon, std::vector<double> lat);  // regular axes; cells row-major (lat, lon)
  static Grid points(std::vector<double> lon, std::vector<double> lat, std::vector<std::string> names);
  // A regular grid in a map projection: x, y in km (distances are Euclidean
  // there), with each cell's longitude and latitude kept for the physics.
  static Grid projected(int nx, int ny, double x0, double y0, double dx, double dy,
                        const LambertAzimuthalEqualArea& proj);

  Kind kind() const { return kind_; }
  int size() const { return axes_ ? nx_ * ny_ : static_cast<int>(x_.size()); }
  int nx() const { return nx_; }
  int ny() const { return ny_; }
  double x(int cell) const { return axes_ ? x_[cell % nx_] : x_[cell]; }  // lon for lonlat/points
  double y(int cell) const { return axes_ ? y_[cell / nx_] : y_[cell]; }  // lat for lonlat/points
  // Geographic position of a cell, whatever the grid's own coordinates.
  double lon(int cell) const { return lon_.empty() ? x(cell) : lon_[cell]; }
  double lat(int cell) const { return lat_.empty() ? y(cell) : lat_[cell]; }
  bool projected() const { return !lon_.empty(); }
  // Geographic place to this grid's coordinates and back (the identity
  // except on projected grids): observation files hold longitude and latitude.
  void to_grid(double lon, double lat, double& x, double& y) const;
  void to_geographic(double x, double y, double& lon, double& lat) const;
  const std::vector<std::string>& names() const { return names_; }
  // Distance between two places given in this grid's coordinates.
  double distance(double x0, double y0, double x1, double y1) const;
  double distance(int cell, double x1, double y1) const { return distance(x(cell), y(cell), x1, y1); }
  const char* distance_units() const { return kind_ == Kind::lonlat || kind_ == Kind::points ? "km" : "grid units"; }

 private:
  Kind kind_ = Kind::cartesian;
  int nx_ = 0, ny_ = 0;
  double period_ = 0.0;
  // A regular grid keeps its axes (x_ of a row, y_ of a column; cell j nx + i at x_[i], y_[j]), not a place per
  // cell: every rank holds the grid, so 16 bytes a cell of the whole grid would grow with it on every rank.
  bool axes_ = false;
  std::vector<double> x_, y_;      // the axes, or (points) each cell's place
  std::vector<double> lon_, lat_;  // projected grids only
  LambertAzimuthalEqualArea proj_;
  std::vector<std::string> names_;
};

// Great-circle distance in km (haversine, mean Earth radius 6371 km).
double haversine_km(double lon0, double lat0, double lon1, double lat1);

}  // namespace landda
