#include <catch2/catch.hpp>
#include <algorithm>

#include "core/random.hpp"
#include "filters/common/localization.hpp"

using namespace landda;
using filters::gaspari_cohn;

TEST_CASE("Gaspari-Cohn weights", "[filters][localization]") {
  const double c = 5.0;
  CHECK(gaspari_cohn(0.0, c) == 1.0);
  CHECK(gaspari_cohn(c, c) == Approx(5.0 / 24.0));  // value where the two pieces meet
  CHECK(gaspari_cohn(c * (1 - 1e-9), c) == Approx(gaspari_cohn(c * (1 + 1e-9), c)).epsilon(1e-6));
  CHECK(gaspari_cohn(2 * c, c) == 0.0);
  CHECK(gaspari_cohn(3 * c, c) == 0.0);
  CHECK(gaspari_cohn(-2.0, c) == gaspari_cohn(2.0, c));
  double prev = 1.0;
  for (double d = 0.01; d < 2 * c; d += 0.01) {
    const double w = gaspari_cohn(d, c);
    CHECK(w <= prev);
    CHECK(w >= 0.0);
    prev = w;
  }
}

namespace {
void check_index(const Grid& grid, double radius, double xlo, double xhi, double ylo, double yhi) {
  RandomStream r(5, "obs-index", 0);
  ObsBatch obs;
  obs.resize(500);
  for (int i = 0; i < 500; ++i) {
    obs.x[i] = xlo + (xhi - xlo) * r.uniform();
    obs.y[i] = ylo + (yhi - ylo) * r.uniform();
  }
  const filters::ObsIndex index(grid, obs, radius);
  std::vector<int> idx;
  std::vector<double> dist;
  for (int q = 0; q < 200; ++q) {
    const double x = xlo + (xhi - xlo) * r.uniform(), y = ylo + (yhi - ylo) * r.uniform();
    index.query(x, y, idx, dist);
    std::vector<int> brute;
    const bool sphere = grid.kind() == Grid::Kind::points || grid.kind() == Grid::Kind::lonlat;
    for (int i = 0; i < 500; ++i) {
      const double d = sphere ? filters::local_distance_km(x, y, obs.x[i], obs.y[i]) : grid.distance(x, y, obs.x[i], obs.y[i]);
      if (d < radius) brute.push_back(i);
    }
    REQUIRE(idx == brute);
  }
}
}  // namespace

TEST_CASE("The local distance on the sphere is within 0.1 % of the great circle", "[filters][localization]") {
  RandomStream r(3, "local-distance", 0);
  for (int k = 0; k < 1000; ++k) {
    const double lon = -180 + 360 * r.uniform(), lat = -70 + 140 * r.uniform();
    const double lon1 = lon + 2 * (r.uniform() - 0.5), lat1 = lat + 1.5 * (r.uniform() - 0.5);
    const double exact = haversine_km(lon, lat, lon1, lat1);
    if (exact > 200) continue;
    CHECK(filters::local_distance_km(lon, lat, lon1, lat1) == Approx(exact).epsilon(2e-3));
  }
}

TEST_CASE("The observation index finds exactly the observations within the radius", "[filters][localization]") {
  check_index(Grid::periodic_1d(40), 7.0, 0, 40, 0, 0);
  check_index(Grid::periodic_1d(40), 1e9, 0, 40, 0, 0);
  check_index(Grid::cartesian(100, 50), 6.5, 0, 100, 0, 50);
  check_index(Grid::cartesian(100, 50), 1e9, 0, 100, 0, 50);
  check_index(Grid::points({}, {}, {}), 40.0, -156.0, -154.8, 18.9, 20.3);  // km on the sphere
}
