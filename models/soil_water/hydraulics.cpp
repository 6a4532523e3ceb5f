#include "models/soil_water/hydraulics.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace landda::models::soil {

SoilHydraulics cosby1984(const Texture& t) {
  SoilHydraulics p;
  p.theta_s = 0.489 - 0.00126 * t.sand;
  p.psi_s = 0.01 * std::pow(10.0, 1.88 - 0.0131 * t.sand);  // 10 x 10^(...) mm, in m
  p.b = 2.91 + 0.159 * t.clay;
  p.k_s = 1e-3 * 0.0070556 * std::pow(10.0, -0.884 + 0.0153 * t.sand);  // mm/s -> m/s
  p.theta_r = 0.0;
  return p;
}

SoilHydraulics wosten1999(const Texture& t) {
  // The regressions take logarithms and reciprocals of silt and organic
  // matter: keep them away from zero.
  const double C = std::max(t.clay, 0.1), S = std::max(t.silt, 0.1);
  const double OM = std::max(1.724 * t.organic_carbon, 0.1), D = t.bulk_density, T = t.topsoil ? 1.0 : 0.0;
  SoilHydraulics p;
  p.theta_s = 0.7919 + 0.001691 * C - 0.29619 * D - 0.000001491 * S * S + 0.0000821 * OM * OM + 0.02427 / C +
              0.01113 / S + 0.01472 * std::log(S) - 0.0000733 * OM * C - 0.000619 * D * C - 0.001183 * D * OM -
              0.0001664 * T * S;
  const double a = -14.96 + 0.03135 * C + 0.0351 * S + 0.646 * OM + 15.29 * D - 0.192 * T - 4.671 * D * D -
                   0.000781 * C * C - 0.00687 * OM * OM + 0.0449 / OM + 0.0663 * std::log(S) + 0.1482 * std::log(OM) -
                   0.04546 * D * S - 0.4852 * D * OM + 0.00673 * T * C;
  const double n = -25.23 - 0.02195 * C + 0.0074 * S - 0.1940 * OM + 45.5 * D - 7.24 * D * D + 0.0003658 * C * C +
                   0.002885 * OM * OM - 12.81 / D - 0.1524 / S - 0.01958 / OM - 0.2876 * std::log(S) -
                   0.0709 * std::log(OM) - 44.6 * std::log(D) - 0.02264 * D * C + 0.0896 * D * OM + 0.00718 * T * C;
  const double ks = 7.755 + 0.0352 * S + 0.93 * T - 0.967 * D * D - 0.000484 * C * C - 0.000322 * S * S + 0.001 / S -
                    0.0748 / OM - 0.643 * std::log(S) - 0.01398 * D * C - 0.1673 * D * OM + 0.02986 * T * C -
                    0.03305 * T * S;
  const double l = 0.0202 + 0.0006193 * C * C - 0.001136 * OM * OM - 0.2316 * std::log(OM) - 0.03544 * D * C +
                   0.00283 * D * S + 0.0488 * D * OM;
  p.alpha = 100.0 * std::exp(a);           // 1/cm -> 1/m
  p.n = 1.0 + std::exp(n);
  p.k_s = std::exp(ks) * 0.01 / 86400.0;   // cm/day -> m/s
  p.l = 10.0 * (std::exp(l) - 1.0) / (1.0 + std::exp(l));
  p.theta_r = 0.01;
  return p;
}

HydraulicState evaluate(Retention r, const SoilHydraulics& p, double theta) {
  HydraulicState s{};
  const double range = p.theta_s - p.theta_r;
  double se = (theta - p.theta_r) / range;
  const double se_min = 1e-6;
  if (r == Retention::clapp_hornberger) {
    // theta_r = 0 for Clapp-Hornberger; se = theta / theta_s.
    const double x = std::clamp(se, se_min, 1.0);
    const double lx = std::log(x);
    s.h = -p.psi_s * std::exp(-p.b * lx);
    s.dh = p.b * p.psi_s * std::exp(-(p.b + 1.0) * lx) / range;
    s.k = p.k_s * std::exp((2.0 * p.b + 3.0) * lx);
    s.dk = (2.0 * p.b + 3.0) * s.k / (x * range);
    if (se > 1.0) {
      s.h = -p.psi_s + (theta - p.theta_s) / kStorage;
      s.dh = 1.0 / kStorage;
      s.k = p.k_s;
      s.dk = 0.0;
    } else if (se < se_min) {
      s.dk = 0.0;
    }
    return s;
  }
  const double m = 1.0 - 1.0 / p.n;
  const auto head = [&](double x, double& h, double& dh) {
    const double xm = std::pow(x, -1.0 / m);
    const double base = xm - 1.0;
    h = -std::pow(base, 1.0 / p.n) / p.alpha;
    // dh/dse = -(1/alpha)(1/n) base^(1/n - 1) * (-1/m) x^(-1/m - 1)
    dh = std::pow(base, 1.0 / p.n - 1.0) * xm / (x * p.alpha * p.n * m) / range;
  };
  const auto cond = [&](double x, double& k, double& dk) {
    const double xm = std::pow(x, 1.0 / m);
    const double inner = 1.0 - std::pow(1.0 - xm, m);
    k = p.k_s * std::pow(x, p.l) * inner * inner;
    // d/dx [x^l inner^2]
    const double dinner = std::pow(1.0 - xm, m - 1.0) * xm / x;
    dk = p.k_s * (p.l * std::pow(x, p.l - 1.0) * inner * inner + std::pow(x, p.l) * 2.0 * inner * dinner) / range;
  };
  const double x = std::clamp(se, se_min, kSeCap);
  head(x, s.h, s.dh);
  cond(x, s.k, s.dk);
  if (se > kSeCap) {
    // Mualem's slope is infinite at saturation for small n: continue K linearly to K_s.
    double kc = 0, dkc = 0;
    cond(kSeCap, kc, dkc);
    const double slope = (p.k_s - kc) / ((1.0 - kSeCap) * range);
    s.k = kc + (theta - (p.theta_r + kSeCap * range)) * slope;
    s.dk = slope;
  }
  if (se >= 1.0) {
    s.k = p.k_s;
    s.dk = 0.0;
  }
  if (se > kSeCap) {
    // Linear continuation from the cap up to h = 0 at saturation, then storage.
    double hc = 0, dhc = 0;
    head(kSeCap, hc, dhc);
    const double slope = -hc / ((1.0 - kSeCap) * range);
    if (se <= 1.0) {
      s.h = hc + (theta - (p.theta_r + kSeCap * range)) * slope;
      s.dh = slope;
    } else {
      s.h = (theta - p.theta_s) / kStorage;
      s.dh = 1.0 / kStorage;
    }
  }
  return s;
}

double theta_at_head(Retention r, const SoilHydraulics& p, double h) {
  const double range = p.theta_s - p.theta_r;
  if (h >= 0.0) return p.theta_s;
  if (r == Retention::clapp_hornberger) {
    if (-h <= p.psi_s) return p.theta_s;
    return p.theta_s * std::pow(-h / p.psi_s, -1.0 / p.b);
  }
  const double m = 1.0 - 1.0 / p.n;
  return p.theta_r + range * std::pow(1.0 + std::pow(-p.alpha * h, p.n), -m);
}

Retention parse_retention(const std::string& name) {
  if (name == "clapp_hornberger") return Retention::clapp_hornberger;
  if (name == "van_genuchten") return Retention::van_genuchten;
  throw ConfigError(cat("unknown retention model '", name, "'; allowed: clapp_hornberger, van_genuchten"));
}

}  // namespace landda::models::soil
