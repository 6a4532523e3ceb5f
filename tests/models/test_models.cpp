#include <catch2/catch.hpp>
#include <cmath>

#include "config/node.hpp"
#include "models/lorenz96/lorenz96.hpp"
#include "models/register.hpp"

using namespace landda;

namespace {

// The conformance case of each registered model: its config and a start time
// its inputs cover. A new model needs a line here.
struct Case {
  std::string yaml;
  Time start;
};

Case conformance_case(const std::string& type) {
  if (type == "lorenz96") return {"type: lorenz96\n", Time::parse("2017-01-01")};
  if (type == "soil_water")
    return {std::string("type: soil_water\ngrid: {kind: lonlat, lon_min: -88.6, lon_max: -88.2, lat_min: 39.8, "
                        "lat_max: 40.2, nx: 20, ny: 15}\nforcing: ") + LANDDA_SOURCE_DIR + "/data/bondville/bondville_1998.nc\n",
            Time::parse("1998-03-01T06:30:00Z")};
  FAIL("model '" << type << "' has no conformance case in tests/models/test_models.cpp");
  return {};
}

std::unique_ptr<Model> make_model(const std::string& yaml) {
  config::PluginConfig pc;
  pc.node = config::load_string(yaml, "test-model");
  pc.type = pc.node.yaml()["type"].as<std::string>();
  return models::registry().create(pc);
}

}  // namespace

TEST_CASE("Conformance: every registered model", "[models]") {
  for (const auto& type : models::registry().names()) {
    DYNAMIC_SECTION("model " << type) {
      const Case cs = conformance_case(type);
      auto m = make_model(cs.yaml);
      const StateLayout& L = m->layout();
      CHECK(L.n_cells() == m->grid().size());
      CHECK(L.size() > 0);
      CHECK(m->time_step().seconds > 0);
      const Time t0 = cs.start;
      Eigen::VectorXd x(L.size());
      m->initial_state(x, t0);
      CHECK(x.allFinite());
      // Three members advanced together equal three advanced alone.
      Eigen::MatrixXd X(L.size(), 3);
      for (int j = 0; j < 3; ++j) X.col(j) = x + Eigen::VectorXd::Constant(L.size(), 0.01 * j);
      Eigen::MatrixXd Y = X;
      std::vector<RandomStream> rng{RandomStream(1, "model", 0), RandomStream(1, "model", 1), RandomStream(1, "model", 2)};
      Eigen::MatrixXd mem(m->memory_size(), 3), diag(static_cast<Index>(m->diagnostic_names().size()) * L.n_cells(), 3);
      diag.setZero();
      for (int j = 0; j < 3; ++j) m->initial_memory(mem.col(j), j, &rng[static_cast<std::size_t>(j)]);
      const Eigen::MatrixXd mem0 = mem;
      const auto rng0 = rng;
      const int ids[] = {0, 1, 2};
      const Time t1 = t0 + Duration{m->time_step().seconds * 10};
      m->advance(X, ids, rng, t0, t1, {&mem, &diag});
      CHECK(X.allFinite());
      CHECK(diag.allFinite());
      for (int j = 0; j < 3; ++j) {
        std::vector<RandomStream> one{rng0[static_cast<std::size_t>(j)]};
        const int id[] = {j};
        Eigen::MatrixXd col = Y.col(j), mcol = mem0.col(j), dcol = Eigen::MatrixXd::Zero(diag.rows(), 1);
        m->advance(col, id, one, t0, t1, {&mcol, &dcol});
        CHECK(col.col(0) == X.col(j));
        CHECK(mcol.col(0) == mem.col(j));
      }
      // A model of independent columns gives the same members when its cells are advanced in two blocks
      // (the ranks of a model task each take one): cell rows from their block, per-member memory from either.
      if (m->independent_cells()) {
        const Index nc = L.n_cells(), g = m->cell_granule(), split = (nc / 2 + g - 1) / g * g;
        const Index per_cell = m->memory_per_cell() * nc;
        REQUIRE(split > 0);
        REQUIRE(split < nc);
        REQUIRE(per_cell <= m->memory_size());
        Eigen::MatrixXd Xa = Y, Xb = Y, Ma = mem0, Mb = mem0, Da = Eigen::MatrixXd::Zero(diag.rows(), 3), Db = Da;
        auto ra = rng0, rb = rng0;
        m->advance(Xa, ids, ra, t0, t1, {&Ma, &Da, {0, split}});
        m->advance(Xb, ids, rb, t0, t1, {&Mb, &Db, {split, nc}});
        for (Index i = 0; i < L.size(); ++i) CHECK(((L.cell_of(i) < split ? Xa : Xb).row(i) == X.row(i)));
        for (Index i = 0; i < m->memory_size(); ++i)
          CHECK(((i < per_cell && i % nc >= split ? Mb : Ma).row(i) == mem.row(i)));
        for (Index i = 0; i < per_cell; ++i) CHECK(((i % nc < split ? Mb : Ma).row(i) == mem0.row(i)));  // the other block untouched
        for (Index i = 0; i < diag.rows(); ++i) CHECK(((i % nc < split ? Da : Db).row(i) == diag.row(i)));
      }
      // Clamping keeps an analysed state inside the model's bounds and is idempotent.
      Eigen::MatrixXd Z = X;
      m->clamp(Z, index_range(0, Z.rows()));
      Eigen::MatrixXd Z2 = Z;
      m->clamp(Z2, index_range(0, Z.rows()));
      CHECK(Z2 == Z);
    }
  }
}

TEST_CASE("Lorenz-96 keeps its fixed point and integrates at fourth order", "[models]") {
  models::Lorenz96::Params p;
  p.initial_perturbation = 0.0;
  models::Lorenz96 rest(p);
  Eigen::VectorXd x(40);
  rest.initial_state(x, Time{});
  rest.step(x);
  CHECK((x.array() - 8.0).abs().maxCoeff() < 1e-14);

  // Errors against a fine reference fall 16-fold when dt halves.
  Eigen::VectorXd x0(40);
  for (int i = 0; i < 40; ++i) x0[i] = 8.0 + std::sin(0.3 * i);
  const auto integrate = [&](double dt) {
    models::Lorenz96::Params q;
    q.dt = dt;
    models::Lorenz96 m(q);
    Eigen::VectorXd y = x0;
    const int steps = static_cast<int>(std::lround(0.4 / dt));
    for (int s = 0; s < steps; ++s) m.step(y);
    return y;
  };
  const Eigen::VectorXd ref = integrate(0.4 / 1024);
  const double e1 = (integrate(0.02) - ref).norm(), e2 = (integrate(0.01) - ref).norm();
  CHECK(e1 / e2 == Approx(16.0).epsilon(0.1));
}
