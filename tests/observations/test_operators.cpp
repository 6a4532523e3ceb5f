#include <catch2/catch.hpp>
#include <cmath>

#include "config/node.hpp"
#include "core/random.hpp"
#include "models/register.hpp"
#include "observations/operators/crns/crns.hpp"
#include "observations/register.hpp"

using namespace landda;

namespace {

const std::string kForcing = std::string(LANDDA_SOURCE_DIR) + "/data/bondville/bondville_1998.nc";

std::unique_ptr<Model> soil_model() {
  config::PluginConfig pc;
  pc.type = "soil_water";
  pc.node = config::load_string("type: soil_water\nforcing: " + kForcing +
                                    "\ngrid: {kind: lonlat, lon_min: -88.6, lon_max: -88.1, lat_min: 39.8, lat_max: "
                                    "40.3, nx: 6, ny: 6}\n",
                                "operator-test");
  return models::registry().create(pc);
}

std::unique_ptr<Model> l96_model() {
  config::PluginConfig pc;
  pc.type = "lorenz96";
  pc.node = config::load_string("type: lorenz96\n", "operator-test");
  return models::registry().create(pc);
}

std::unique_ptr<ObsOperator> make_operator(const std::string& yaml) {
  config::PluginConfig pc;
  pc.node = config::load_string(yaml, "operator-test");
  pc.type = pc.node.yaml()["type"].as<std::string>();
  return observations::operators().create(pc);
}

// The conformance case of each registered operator. A new operator needs a line here.
struct Case {
  std::string yaml;
  bool soil = true;
};
Case conformance_case(const std::string& type) {
  if (type == "state_element") return {"type: state_element\n", false};
  if (type == "surface_soil_moisture") return {"type: surface_soil_moisture\nsensor: smap\nfootprint_km: 25\n"};
  if (type == "degree_of_saturation") return {"type: degree_of_saturation\nfootprint_km: 12.5\n"};
  if (type == "insitu") return {"type: insitu\ndepth_m: 0.0508\n"};
  if (type == "layer_average") return {"type: layer_average\ntop_m: 0\nbottom_m: 0.07\n"};
  if (type == "crns") return {"type: crns\nbulk_density: 1.4\n"};
  FAIL("operator '" << type << "' has no conformance case in tests/observations/test_operators.cpp");
  return {};
}

}  // namespace

TEST_CASE("Conformance: every registered observation operator", "[observations][operators]") {
  const auto soil = soil_model();
  const auto l96 = l96_model();
  for (const auto& type : observations::operators().names()) {
    DYNAMIC_SECTION("operator " << type) {
      const Case cs = conformance_case(type);
      const Model& m = cs.soil ? *soil : *l96;
      const ObsGeometry g{m.grid(), m.layout(), m.layer_bottoms(), &m};
      auto op = make_operator(cs.yaml);
      // Locations: cell centres, points between cells, and one far outside the domain.
      std::vector<double> x, y;
      if (cs.soil) {
        x = {m.grid().x(0), m.grid().x(14), -88.33, -88.47, -78.0};
        y = {m.grid().y(0), m.grid().y(14), 40.07, 39.93, 40.0};
      } else {
        x = {0.0, 13.0, 21.4, 39.0, 500.0};
        y = {0, 0, 0, 0, 0};
      }
      op->setup(g, x, y);
      REQUIRE(op->size() == 5);
      // (A ring has no outside: the last location wraps round on Lorenz-96.)
      const int last_outside = cs.soil ? 1 : 0;
      CHECK(op->outside() == std::vector<char>{0, 0, 0, 0, static_cast<char>(last_outside)});
      const Footprint& F = op->footprint();
      REQUIRE(F.rows() == 5);
      REQUIRE(F.cols() == m.layout().n_cells());
      for (Eigen::Index o = 0; o < 5; ++o) {
        double sum = 0;
        for (Footprint::InnerIterator it(F, o); it; ++it) {
          CHECK(it.value() > 0.0);
          sum += it.value();
        }
        CHECK(sum == Approx(o < 4 || !last_outside ? 1.0 : 0.0).margin(1e-14));
      }
      // Finite values on the model's own initial state.
      Eigen::VectorXd state(m.layout().size()), out(5);
      m.initial_state(state, Time::parse("1998-03-01T06:30:00Z"));
      op->apply(state, out);
      CHECK(out.allFinite());
      // H of a uniform profile.
      const double a = cs.soil ? 0.27 : 3.5;
      Eigen::VectorXd uniform = Eigen::VectorXd::Constant(m.layout().size(), a);
      op->apply(uniform, out);
      for (Eigen::Index o = 0; o < 4; ++o) {
        if (type == "degree_of_saturation") {
          Eigen::VectorXd por, res;
          REQUIRE(m.static_field("porosity", por));
          REQUIRE(m.static_field("residual", res));
          CHECK(out[o] == Approx(100.0 * (a - res[0]) / (por[0] - res[0])).epsilon(1e-12));
        } else {
          CHECK(out[o] == Approx(a).epsilon(1e-12));
        }
      }
      // Tangent linear against centred finite differences, about a layered profile.
      RandomStream r(7, "operator-fd", 0);
      Eigen::VectorXd x0(m.layout().size()), dx(m.layout().size()), hp(5), hm(5), tl(5);
      for (Index i = 0; i < x0.size(); ++i) {
        x0[i] = cs.soil ? 0.15 + 0.25 * r.uniform() : 8.0 * r.normal();
        dx[i] = r.normal();
      }
      const double eps = 1e-6;
      op->apply(x0 + eps * dx, hp);
      op->apply(x0 - eps * dx, hm);
      op->tangent(x0, dx, tl);
      for (Eigen::Index o = 0; o < 4; ++o) CHECK(tl[o] == Approx((hp[o] - hm[o]) / (2 * eps)).epsilon(1e-6).margin(1e-9));
      // Some rows only, in any order: apply's values there, bit for bit (the cells layout evaluates a rank's own).
      Eigen::VectorXd all(5), some(3);
      op->apply(x0, all);
      const std::vector<Eigen::Index> rows{3, 0, 2};
      op->apply_rows(x0, rows, some);
      for (std::size_t k = 0; k < rows.size(); ++k) CHECK(some[static_cast<Eigen::Index>(k)] == all[rows[k]]);
      op->apply_rows(x0, {}, some.head(0));
    }
  }
}

TEST_CASE("Sensing depths and footprints behave as their sensors do", "[observations][operators]") {
  const auto m = soil_model();
  const ObsGeometry g{m->grid(), m->layout(), m->layer_bottoms(), m.get()};
  // Soil moisture rising with depth: a shallower sensor sees drier soil.
  Eigen::VectorXd state(m->layout().size());
  for (int l = 0; l < m->layout().n_layers(0); ++l)
    for (int c = 0; c < m->layout().n_cells(); ++c) state[m->layout().index(0, l, c)] = 0.1 + 0.05 * l + 0.001 * c;
  const std::vector<double> x{m->grid().x(7)}, y{m->grid().y(7)};
  Eigen::VectorXd smap(1), ascat(1), expo(1), wide(1);
  auto s = make_operator("type: surface_soil_moisture\nsensor: smap\n");
  auto a = make_operator("type: surface_soil_moisture\nsensor: ascat\n");
  auto e = make_operator("type: surface_soil_moisture\nsensor: custom\ndepth_m: 0.3\ne_folding_m: 0.05\n");
  auto w = make_operator("type: surface_soil_moisture\nsensor: smap\nfootprint_km: 40\n");
  for (auto* op : {s.get(), a.get(), e.get(), w.get()}) op->setup(g, x, y);
  s->apply(state, smap);
  a->apply(state, ascat);
  e->apply(state, expo);
  w->apply(state, wide);
  CHECK(ascat[0] == Approx(0.1 + 0.007));  // 0-2 cm lies inside the 0-5 cm top layer
  CHECK(smap[0] == Approx(0.1 + 0.007));
  CHECK(expo[0] > smap[0]);                 // deeper, wetter layers count
  CHECK(expo[0] < 0.1 + 0.05 * 2 + 0.007);  // but are down-weighted
  CHECK(w->footprint().row(0).nonZeros() > 4);  // a 40-km footprint spans several cells
  CHECK(s->footprint().row(0).nonZeros() == 1);
  CHECK_THROWS_WITH(make_operator("type: surface_soil_moisture\nsensor: custom\n")->setup(g, x, y),
                    Catch::Contains("sensor custom needs depth_m"));
  CHECK_THROWS_WITH(make_operator("type: layer_average\ntop_m: 0.5\nbottom_m: 0.2\n")->setup(g, x, y),
                    Catch::Contains("must be below top_m"));
}

TEST_CASE("CRNS: penetration depth shrinks as the soil wets (Schrön et al. 2017)", "[observations][operators]") {
  observations::Crns::Params p;
  observations::Crns crns(p);
  CHECK(crns.d86(0.05) > crns.d86(0.2));
  CHECK(crns.d86(0.2) > crns.d86(0.4));
  CHECK(crns.d86(0.2) == Approx((8.321 + 0.14249 * 1.96655 * 20.2 / 0.2429) / 1.4));
  const auto m = soil_model();
  const ObsGeometry g{m->grid(), m->layout(), m->layer_bottoms(), m.get()};
  auto op = make_operator("type: crns\n");
  op->setup(g, std::vector<double>{m->grid().x(3)}, std::vector<double>{m->grid().y(3)});
  Eigen::VectorXd dry_top(m->layout().size()), wet_top(m->layout().size()), out(1);
  for (int l = 0; l < m->layout().n_layers(0); ++l)
    for (int c = 0; c < m->layout().n_cells(); ++c) {
      dry_top[m->layout().index(0, l, c)] = l == 0 ? 0.05 : 0.35;
      wet_top[m->layout().index(0, l, c)] = l == 0 ? 0.45 : 0.35;
    }
  op->apply(dry_top, out);
  const double dry = out[0];
  op->apply(wet_top, out);
  CHECK(dry > 0.05);
  CHECK(dry < 0.35);
  CHECK(out[0] > 0.35);
  CHECK(out[0] < 0.45);
}
