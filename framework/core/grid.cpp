#include "core/grid.hpp"

#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace landda {

Grid Grid::periodic_1d(int n) {
  Grid g;
  g.kind_ = Kind::periodic_1d;
  g.nx_ = n;
  g.ny_ = 1;
  g.period_ = n;
  g.axes_ = true;
  for (int i = 0; i < n; ++i) g.x_.push_back(i);
  g.y_.push_back(0.0);
  return g;
}

Grid Grid::cartesian(int nx, int ny, double dx, double dy) {
  Grid g;
  g.kind_ = Kind::cartesian;
  g.nx_ = nx;
  g.ny_ = ny;
  g.axes_ = true;
  for (int i = 0; i < nx; ++i) g.x_.push_back(i * dx);
  for (int j = 0; j < ny; ++j) g.y_.push_back(j * dy);
  return g;
}

Grid Grid::lonlat(std::vector<double> lon, std::vector<double> lat) {
  Grid g;
  g.kind_ = Kind::lonlat;
  g.nx_ = static_cast<int>(lon.size());
  g.ny_ = static_cast<int>(lat.size());
  g.axes_ = true;
  g.x_ = std::move(lon);
  g.y_ = std::move(lat);
  return g;
}

Grid Grid::points(std::vector<double> lon, std::vector<double> lat, std::vector<std::string> names) {
  if (lon.size() != lat.size() || (!names.empty() && names.size() != lon.size()))
    throw InputError("Grid::points: lon, lat and names must have the same length");
  Grid g;
  g.kind_ = Kind::points;
  g.nx_ = static_cast<int>(lon.size());
  g.ny_ = 1;
  g.x_ = std::move(lon);
  g.y_ = std::move(lat);
  g.names_ = std::move(names);
  return g;
}

Grid Grid::projected(int nx, int ny, double x0, double y0, double dx, double dy,
                     const LambertAzimuthalEqualArea& proj) {
  Grid g = cartesian(nx, ny, dx, dy);
  g.proj_ = proj;
  for (double& x : g.x_) x += x0;
  for (double& y : g.y_) y += y0;
  g.lon_.resize(static_cast<std::size_t>(g.size()));
  g.lat_.resize(g.lon_.size());
  for (int c = 0; c < g.size(); ++c) proj.inverse(g.x(c), g.y(c), g.lon_[static_cast<std::size_t>(c)], g.lat_[static_cast<std::size_t>(c)]);
  return g;
}

void Grid::to_grid(double lon, double lat, double& x, double& y) const {
  if (projected()) return proj_.forward(lon, lat, x, y);
  x = lon;
  y = lat;
}

void Grid::to_geographic(double x, double y, double& lon, double& lat) const {
  if (projected()) return proj_.inverse(x, y, lon, lat);
  lon = x;
  lat = y;
}

namespace {
constexpr double kR = 6371.0, kD = std::numbers::pi / 180.0;
}

void LambertAzimuthalEqualArea::forward(double lon, double lat, double& x, double& y) const {
  const double p = lat * kD, p1 = lat0 * kD, dl = (lon - lon0) * kD;
  const double k = std::sqrt(2.0 / (1.0 + std::sin(p1) * std::sin(p) + std::cos(p1) * std::cos(p) * std::cos(dl)));
  x = kR * k * std::cos(p) * std::sin(dl);
  y = kR * k * (std::cos(p1) * std::sin(p) - std::sin(p1) * std::cos(p) * std::cos(dl));
}

void LambertAzimuthalEqualArea::inverse(double x, double y, double& lon, double& lat) const {
  const double rho = std::hypot(x, y), p1 = lat0 * kD;
  if (rho < 1e-12) {
    lon = lon0;
    lat = lat0;
    return;
  }
  const double c = 2.0 * std::asin(std::min(1.0, rho / (2.0 * kR)));
  lat = std::asin(std::cos(c) * std::sin(p1) + y * std::sin(c) * std::cos(p1) / rho) / kD;
  lon = lon0 + std::atan2(x * std::sin(c), rho * std::cos(p1) * std::cos(c) - y * std::sin(p1) * std::sin(c)) / kD;
}

double haversine_km(double lon0, double lat0, double lon1, double lat1) {
  constexpr double kRad = std::numbers::pi / 180.0;
  const double dlat = (lat1 - lat0) * kRad, dlon = (lon1 - lon0) * kRad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat0 * kRad) * std::cos(lat1 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2.0 * 6371.0 * std::asin(std::min(1.0, std::sqrt(a)));
}

double Grid::distance(double x0, double y0, double x1, double y1) const {
  switch (kind_) {
    case Kind::periodic_1d: {
      const double d = std::fabs(x1 - x0);
      return std::min(d, period_ - d);
    }
    case Kind::cartesian:
      return std::hypot(x1 - x0, y1 - y0);
    case Kind::lonlat:
    case Kind::points:
      return haversine_km(x0, y0, x1, y1);
  }
  return 0.0;
}

}  // namespace landda
