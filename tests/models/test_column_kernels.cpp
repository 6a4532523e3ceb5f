#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "core/random.hpp"
#include "models/soil_water/column_kernels.hpp"
#include "models/soil_water/fast_math.hpp"
#include "models/soil_water/hydraulics.hpp"
#include "models/soil_water/richards.hpp"

using namespace landda;
using namespace landda::models::soil;

TEST_CASE("Vectorisable exp and log match the C library", "[models][soil]") {
  double worst_exp = 0, worst_log = 0, worst_expf = 0, worst_logf = 0;
  for (double x = -700; x <= 700; x += 0.0731) {
    worst_exp = std::max(worst_exp, std::abs(fast::exp(x) - std::exp(x)) / std::exp(x));
    if (std::abs(x) < 87) {
      const float xf = static_cast<float>(x);
      worst_expf = std::max(worst_expf, std::abs(fast::expf(xf) - std::exp(static_cast<double>(xf))) / std::exp(static_cast<double>(xf)));
    }
  }
  for (double x = 1e-300; x < 1e300; x *= 1.0137) {
    const double ref = std::log(x);
    worst_log = std::max(worst_log, std::abs(fast::log(x) - ref) / std::max(std::abs(ref), 1e-3));
  }
  for (float x = 1e-37f; x < 1e37f; x *= 1.0137f) {
    const double ref = std::log(static_cast<double>(x));
    worst_logf = std::max(worst_logf, std::abs(fast::logf(x) - ref) / std::max(std::abs(ref), 1e-3));
  }
  // Near 1, where log is small, the absolute error matters.
  for (double x = 0.999; x < 1.001; x += 1.3e-6) worst_log = std::max(worst_log, std::abs(fast::log(x) - std::log(x)) / 1e-3);
  CHECK(worst_exp < 1e-15);
  CHECK(worst_log < 1e-15);
  CHECK(worst_expf < 3e-7);
  CHECK(worst_logf < 3e-7);
  CHECK(fast::exp(0.0) == 1.0);
  CHECK(fast::log(1.0) == 0.0);
}

TEST_CASE("The Clapp-Hornberger kernel equals the scalar hydraulic functions", "[models][soil]") {
  // Columns from air-dry to above saturation, soils from sand to clay.
  const std::size_t n = 301;
  RandomStream r(5, "kernel", 0);
  std::vector<double> th(n), ts(n), tr(n, 0.0), inv(n), ks(n), km(n), b(n), ps(n), se(n), h(n), dh(n), k(n), dk(n);
  std::vector<SoilHydraulics> p(n);
  for (std::size_t c = 0; c < n; ++c) {
    Texture t;
    t.sand = 5 + 90 * r.uniform();
    t.clay = 0.5 * (100 - t.sand) * r.uniform();
    p[c] = cosby1984(t);
    ts[c] = p[c].theta_s;
    inv[c] = 1.0 / (ts[c] - tr[c]);
    ks[c] = p[c].k_s;
    km[c] = 1.0;
    b[c] = p[c].b;
    ps[c] = p[c].psi_s;
    se[c] = std::max(1e-6, theta_at_head(Retention::clapp_hornberger, p[c], -1e4) / ts[c]);
    th[c] = ts[c] * (0.8 * se[c] + (1.05 - 0.8 * se[c]) * static_cast<double>(c) / (n - 1));
  }
  for (const bool single : {false, true}) {
    kernels::clapp_hornberger(n, {th.data(), ts.data(), tr.data(), inv.data(), ks.data(), km.data(), b.data(), ps.data(), se.data(),
                                  h.data(), dh.data(), k.data(), dk.data()},
                              1e-2, single);
    // Double: round-off of the fast exp/log; single: float's precision times the exponent.
    const double tol = single ? 2e-5 : 1e-12;
    double worst = 0;
    for (std::size_t c = 0; c < n; ++c) {
      if (th[c] / ts[c] <= se[c] * 1.01) continue;  // the clamp's kink: compared elsewhere
      const HydraulicState s = evaluate(Retention::clapp_hornberger, p[c], th[c]);
      for (const auto& [got, want] : {std::pair{h[c], s.h}, {dh[c], s.dh}, {k[c], s.k}, {dk[c], s.dk}})
        worst = std::max(worst, std::abs(got - want) / std::max(std::abs(want), 1e-300));
    }
    INFO("single precision: " << single);
    CHECK(worst < tol);
  }
}

TEST_CASE("The van Genuchten kernel equals the scalar hydraulic functions", "[models][soil]") {
  // Columns from air-dry through the linear continuation above Se = 0.999 to
  // above saturation, Woesten soils from sand to clay.
  const std::size_t n = 401;
  RandomStream r(6, "kernel", 0);
  std::vector<double> th(n), ts(n), tr(n), inv(n), ks(n), km(n, 1.0), nn(n), al(n), ll(n), se(n), h(n), dh(n), k(n), dk(n);
  std::vector<SoilHydraulics> p(n);
  for (std::size_t c = 0; c < n; ++c) {
    Texture t;
    t.sand = 5 + 90 * r.uniform();
    t.clay = 0.5 * (100 - t.sand) * r.uniform();
    t.silt = 100 - t.sand - t.clay;
    p[c] = wosten1999(t);
    ts[c] = p[c].theta_s;
    tr[c] = p[c].theta_r;
    inv[c] = 1.0 / (ts[c] - tr[c]);
    ks[c] = p[c].k_s;
    nn[c] = p[c].n;
    al[c] = p[c].alpha;
    ll[c] = p[c].l;
    se[c] = std::max(1e-6, (theta_at_head(Retention::van_genuchten, p[c], -1e4) - tr[c]) * inv[c]);
    // Half the columns spread over the whole range, half packed about saturation.
    const double f = static_cast<double>(c) / (n - 1);
    const double s_target = c % 2 ? se[c] + (1.02 - se[c]) * f : 0.997 + 0.005 * f;
    th[c] = tr[c] + s_target / inv[c];
  }
  std::vector<double> h_cap(n), kr_cap(n);
  kernels::van_genuchten_cap(n, 0.999, nn.data(), al.data(), ll.data(), h_cap.data(), kr_cap.data());
  kernels::van_genuchten(n, {th.data(), ts.data(), tr.data(), inv.data(), ks.data(), km.data(), nn.data(), al.data(), ll.data(),
                             se.data(), h_cap.data(), kr_cap.data(), h.data(), dh.data(), k.data(), dk.data()},
                         1e-2, 0.999);
  double worst = 0;
  int above_cap = 0, above_saturation = 0;
  for (std::size_t c = 0; c < n; ++c) {
    const double s_c = (th[c] - tr[c]) * inv[c];
    // The kinks (the clamp at air-dry, which the scalar functions put at 1e-6,
    // the cap and saturation) are where a last-bit difference in Se picks the other side.
    if (s_c <= se[c] * 1.01 || std::abs(s_c - 0.999) < 1e-9 || std::abs(s_c - 1.0) < 1e-9) continue;
    above_cap += s_c > 0.999 && s_c <= 1.0;
    above_saturation += s_c > 1.0;
    const HydraulicState s = evaluate(Retention::van_genuchten, p[c], th[c]);
    for (const auto& [got, want] : {std::pair{h[c], s.h}, {dh[c], s.dh}, {k[c], s.k}, {dk[c], s.dk}})
      worst = std::max(worst, std::abs(got - want) / std::max(std::abs(want), 1e-300));
  }
  CHECK(above_cap > 20);
  CHECK(above_saturation > 20);
  // Round-off of the fast exp/log against pow, amplified where x^(-1/m) is
  // large (dry soils with small m) or close to 1 (near the cap).
  CHECK(worst < 1e-9);
}

TEST_CASE("A linearized step from a layer below air-dry extracts less and closes the balance", "[models][soil]") {
  // An analysis can leave a member's top layer below its air-dry content; the
  // step must not create the water back (it did: 3e-4 m in a year's run).
  const LayerGrid grid = LayerGrid::from_bottoms({0.05, 0.15, 0.30});
  SoilArrays soil = SoilArrays::uniform(Retention::clapp_hornberger, 3, cosby1984(Texture{}));
  const double lo = soil.theta_r[0][0] + soil.se_min[0][0] * (soil.theta_s[0][0] - soil.theta_r[0][0]);
  Eigen::ArrayXXd theta(1, 3);
  theta << lo - 0.005, lo + 0.05, lo + 0.10;
  Eigen::ArrayXXd sink(1, 3);
  sink << 1e-7, 1e-8, 1e-8;  // m/s: 0.36 mm from the top layer in the hour
  RichardsSolver solver(grid, 1, 1e-11, 30, true);
  StepFluxes fx;
  const Eigen::ArrayXd k_mult = Eigen::ArrayXd::Ones(1), rain = Eigen::ArrayXd::Zero(1);
  solver.step(theta, soil, k_mult, rain, sink, 3600.0, fx);
  CHECK(std::abs(fx.balance_error[0]) < 1e-15);
  CHECK(sink(0, 0) < 1e-7);   // the top layer gave less than asked
  CHECK(sink(0, 1) == 1e-8);  // the others all of it
  CHECK(theta(0, 0) >= lo - 0.005);
}
