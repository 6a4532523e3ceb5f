#include <catch2/catch.hpp>

#include "core/grid.hpp"
#include "core/state.hpp"

using namespace landda;

TEST_CASE("Distances on each kind of grid", "[framework][grid]") {
  const Grid ring = Grid::periodic_1d(40);
  CHECK(ring.distance(0, 0, 39, 0) == 1.0);
  CHECK(ring.distance(5, 0, 25, 0) == 20.0);
  CHECK(ring.distance(2, 0, 38, 0) == 4.0);
  const Grid cart = Grid::cartesian(4, 3, 2.0, 1.0);
  CHECK(cart.size() == 12);
  CHECK(cart.x(5) == 2.0);
  CHECK(cart.y(5) == 1.0);
  CHECK(cart.distance(0, 0, 3, 4) == 5.0);
  // One degree of latitude is about 111.19 km on a 6371 km sphere.
  CHECK(haversine_km(0, 0, 0, 1) == Approx(111.195).epsilon(1e-4));
  CHECK(haversine_km(-155.5, 19.7, -155.5, 19.7) == 0.0);
  const Grid pts = Grid::points({-155.3, -155.4}, {19.8, 19.7}, {"A", "B"});
  CHECK(pts.distance(0, pts.x(1), pts.y(1)) == Approx(haversine_km(-155.3, 19.8, -155.4, 19.7)));
  CHECK(pts.names()[1] == "B");
}

TEST_CASE("The state layout maps indices to variable, layer and cell", "[framework][state]") {
  const StateLayout L(5, {"theta", "temp"}, {3, 1});
  CHECK(L.size() == 20);
  for (int v = 0; v < 2; ++v)
    for (int l = 0; l < L.n_layers(v); ++l)
      for (int c = 0; c < 5; ++c) {
        const Index i = L.index(v, l, c);
        CHECK(L.var_of(i) == v);
        CHECK(L.layer_of(i) == l);
        CHECK(L.cell_of(i) == c);
      }
  CHECK(L.variable_index("temp") == 1);
  CHECK_THROWS(L.variable_index("snow"));
}

TEST_CASE("Ensemble mean and spread", "[framework][state]") {
  Eigen::MatrixXd X(2, 4);
  X << 1, 2, 3, 4, 5, 5, 5, 5;
  CHECK(ensemble_mean(X)[0] == 2.5);
  CHECK(ensemble_spread(X)[0] == Approx(std::sqrt(5.0 / 3.0)));
  CHECK(ensemble_spread(X)[1] == 0.0);
}

TEST_CASE("Lambert azimuthal equal-area projection", "[framework][grid]") {
  const LambertAzimuthalEqualArea p{-88.37, 40.01};
  double x = 0, y = 0, lon = 0, lat = 0;
  p.forward(-88.37, 40.01, x, y);
  CHECK(std::abs(x) < 1e-9);
  CHECK(std::abs(y) < 1e-9);
  for (double px : {-300.0, -3.0, 0.5, 150.0})
    for (double py : {-200.0, 0.0, 7.0, 290.0}) {
      p.inverse(px, py, lon, lat);
      p.forward(lon, lat, x, y);
      CHECK(x == Approx(px).margin(1e-7));
      CHECK(y == Approx(py).margin(1e-7));
    }
  // Near the centre map distances are true distances.
  double lon1 = 0, lat1 = 0, lon2 = 0, lat2 = 0;
  p.inverse(0, 0, lon1, lat1);
  p.inverse(3, 0, lon2, lat2);
  CHECK(haversine_km(lon1, lat1, lon2, lat2) == Approx(3.0).epsilon(1e-4));
  const Grid g = Grid::projected(2, 1, 0, 0, 3, 1, p);
  CHECK(g.projected());
  CHECK(g.distance(0, g.x(1), g.y(1)) == 3.0);
  CHECK(g.lat(1) == Approx(lat2).margin(1e-12));
  CHECK(g.lon(1) == Approx(lon2).margin(1e-12));
  // Observation files hold longitude and latitude: they map to grid km and back.
  double gx = 0, gy = 0, lo = 0, la = 0;
  g.to_grid(lon2, lat2, gx, gy);
  CHECK(gx == Approx(3.0).margin(1e-9));
  CHECK(gy == Approx(0.0).margin(1e-9));
  g.to_geographic(gx, gy, lo, la);
  CHECK(lo == Approx(lon2).margin(1e-12));
  const Grid ll = Grid::points({10.0}, {50.0}, {"a"});
  ll.to_grid(11.0, 51.0, gx, gy);
  CHECK((gx == 11.0 && gy == 51.0));
}

TEST_CASE("A regular grid keeps its axes: every cell's place row-major from them", "[framework][grid]") {
  // Cell j nx + i at (x_i, y_j) on every regular kind; a projected grid's cells also carry their lon/lat.
  const Grid ll = Grid::lonlat({-93.0, -92.5, -92.0}, {35.0, 35.25});
  REQUIRE(ll.size() == 6);
  for (int c = 0; c < 6; ++c) {
    CHECK(ll.x(c) == -93.0 + 0.5 * (c % 3));
    CHECK(ll.y(c) == 35.0 + 0.25 * (c / 3));
    CHECK(ll.lon(c) == ll.x(c));
    CHECK(ll.lat(c) == ll.y(c));
  }
  const Grid ring = Grid::periodic_1d(7);
  CHECK(ring.size() == 7);
  CHECK(ring.x(6) == 6.0);
  CHECK(ring.y(6) == 0.0);
  const LambertAzimuthalEqualArea p{-88.37, 40.01};
  const Grid proj = Grid::projected(4, 2, -10.0, 5.0, 3.0, 2.0, p);
  REQUIRE(proj.size() == 8);
  for (int c = 0; c < 8; ++c) {
    CHECK(proj.x(c) == (c % 4) * 3.0 - 10.0);
    CHECK(proj.y(c) == (c / 4) * 2.0 + 5.0);
    double lon = 0, lat = 0;
    p.inverse(proj.x(c), proj.y(c), lon, lat);
    CHECK(proj.lon(c) == lon);
    CHECK(proj.lat(c) == lat);
  }
}
