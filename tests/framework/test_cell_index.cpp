#include <catch2/catch.hpp>
#include <limits>
#include <random>

#include "core/cell_index.hpp"
#include "core/random.hpp"

using namespace landda;

namespace {

// What a scan of every cell answers (the first cell of the smallest distance; cells within, in order).
std::pair<int, double> scan_nearest(const Grid& g, double x, double y) {
  std::pair<int, double> best{-1, std::numeric_limits<double>::infinity()};
  for (int c = 0; c < g.size(); ++c)
    if (g.distance(c, x, y) < best.second) best = {c, g.distance(c, x, y)};
  return best;
}

std::vector<int> scan_within(const Grid& g, double x, double y, double r) {
  std::vector<int> out;
  for (int c = 0; c < g.size(); ++c)
    if (g.distance(c, x, y) <= r) out.push_back(c);
  return out;
}

void agree(const Grid& g, double x, double y, double r) {
  const CellIndex index(g);
  const auto a = index.nearest(x, y), b = scan_nearest(g, x, y);
  CHECK(a.first == b.first);
  CHECK(a.second == b.second);
  CHECK(index.within(x, y, r) == scan_within(g, x, y, r));
}

}  // namespace

TEST_CASE("the cell index answers as a scan of every cell, on every kind of grid", "[framework][cell_index]") {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> lon, lat;
  for (int i = 0; i < 150; ++i) lon.push_back(-180 + 360 * u(rng)), lat.push_back(-89 + 178 * u(rng));
  const Grid points = Grid::points(lon, lat, std::vector<std::string>(150, "p"));
  std::vector<double> axis_lon, axis_lat;
  for (int i = 0; i < 30; ++i) axis_lon.push_back(170.0 + 0.5 * i);  // across the antimeridian (to 184.5)
  for (int j = 0; j < 20; ++j) axis_lat.push_back(60.0 + 0.5 * j);
  const Grid lonlat = Grid::lonlat(axis_lon, axis_lat);
  const Grid cartesian = Grid::cartesian(25, 17, 1.0, 2.0);
  const Grid ring = Grid::periodic_1d(40);
  const Grid projected = Grid::projected(12, 9, -50, -40, 10, 10, LambertAzimuthalEqualArea{-88.4, 40.0});
  for (int k = 0; k < 200; ++k) {
    agree(points, -180 + 360 * u(rng), -90 + 180 * u(rng), 3000 * u(rng));
    agree(lonlat, 165 + 25 * u(rng), 55 + 20 * u(rng), 200 * u(rng));
    agree(lonlat, -179.9 + 6 * u(rng), 62 + 5 * u(rng), 100 * u(rng));  // the same places, as negative longitudes
    agree(cartesian, -3 + 30 * u(rng), -3 + 40 * u(rng), 6 * u(rng));
    agree(ring, 40 * u(rng), 0, 8 * u(rng));
    agree(projected, -70 + 150 * u(rng), -60 + 120 * u(rng), 40 * u(rng));
  }
  // Ties (cells at one place, places exactly between cells) go to the lower index, as a scan.
  const Grid twins = Grid::points({10, 10, 11, 11}, {45, 45, 45, 45}, {"a", "b", "c", "d"});
  agree(twins, 10.5, 45, 50);
  agree(twins, 10, 45, 0);
  agree(cartesian, 0.5, 0, 0.5);
  agree(ring, 39.5, 0, 0.5);
  // Radius 0 finds the cell at the place itself; an empty answer otherwise.
  const CellIndex ci(cartesian);
  CHECK(ci.within(3, 4, 0) == std::vector<int>{2 * 25 + 3});
  CHECK(ci.within(3.5, 4, 0.1).empty());
}

TEST_CASE("a place index answers as a scan of every place, ties included", "[framework][cell_index]") {
  RandomStream r(12, "places", 0);
  std::vector<double> lon, lat;
  for (int k = 0; k < 800; ++k) {
    lon.push_back(-100 + 10 * r.uniform());
    lat.push_back(30 + 10 * r.uniform());
  }
  // Places that share a position (a product's pixel named twice): ties to be broken as a scan would.
  for (int k = 0; k < 50; ++k) lon.push_back(lon[static_cast<std::size_t>(k)]), lat.push_back(lat[static_cast<std::size_t>(k)]);
  const PlaceIndex index(lon, lat);
  REQUIRE(index.size() == 850);
  int ties = 0;
  for (int q = 0; q < 400; ++q) {
    // Every fourth query sits on a duplicated place.
    const bool on = q % 4 == 0;
    const double x = on ? lon[static_cast<std::size_t>(q % 50)] : -101 + 12 * r.uniform(),
                 y = on ? lat[static_cast<std::size_t>(q % 50)] : 29 + 12 * r.uniform();
    int first = -1, last = -1;
    double best = std::numeric_limits<double>::infinity();
    std::vector<int> near;
    for (std::size_t k = 0; k < lon.size(); ++k) {
      const double d = haversine_km(x, y, lon[k], lat[k]);
      if (d < best) best = d, first = static_cast<int>(k);
      if (d <= 25) near.push_back(static_cast<int>(k));
    }
    for (std::size_t k = 0; k < lon.size(); ++k)
      if (haversine_km(x, y, lon[k], lat[k]) == best) last = static_cast<int>(k);
    ties += first != last;
    const auto [n, d] = index.nearest(x, y);
    CHECK(n == first);
    CHECK(d == best);
    CHECK(index.nearest_last(x, y, 1e9) == last);
    CHECK(index.nearest_last(x, y, best * 0.5) == (best == 0 ? last : -1));
    CHECK(index.within(x, y, 25) == near);
  }
  CHECK(ties >= 100);  // every query on a duplicated place (and any nearest to one) has two nearest places
}
