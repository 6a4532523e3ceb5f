#include "observations/products/cgls_swi/cgls_swi.hpp"

#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "observations/products/cf_flags.hpp"
#include "observations/products/cgls_image.hpp"

// GCC 12 reports a false -Wrestrict on assigning string literals here (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

namespace landda::observations::products {

void CglsSwi::Params::visit(config::Visitor& v) {
  v("t", t, config::doc("characteristic time T of the index (SWI_<T>: 2, 5, 10, 15, 20, 40, 60 or 100 as the file has them)")
                .range(1, 999)
                .in("days"));
  v("min_qflag", min_qflag, config::doc("smallest QFLAG_<T> kept (share of the filter's weight from recent data)").range(0, 100).in("%"));
  v("flags", flags, config::doc("SWI flag values (by meaning) counted as reasons a pixel has no value"));
  v("ssf", ssf, config::doc("surface state flag meanings that reject a value"));
  v("error", error, config::doc("error standard deviation given to every value (the file has none)").above(0).at_most(100).in("%"));
}

std::string CglsSwi::suffix() const {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03d", p_.t);
  return buf;
}

ProductKind CglsSwi::kind() const {
  ProductKind k;
  k.variable = "soilMoistureSaturation";
  k.units = "%";
  k.platform = "Metop ASCAT and Sentinel-1";
  k.sensor = "CGLS SWI 1 km, T = " + std::to_string(p_.t) + " days";
  k.default_error = p_.error;
  return k;
}

std::vector<std::string> CglsSwi::tests() const {
  auto t = test_names("SWI_" + suffix(), p_.flags);
  t.push_back(cat("QFLAG_", suffix(), " below ", p_.min_qflag, " %"));
  for (const auto& s : test_names("SSF", p_.ssf)) t.push_back(s);
  return t;
}

std::vector<std::pair<std::string, std::string>> CglsSwi::attributes() const {
  return {{"product", "Copernicus Global Land SWI 1 km"}, {"characteristic_time_days", std::to_string(p_.t)}};
}

Granule CglsSwi::read(const std::string& path) const {
  const auto nc = io::NcFile::open(path);
  const std::string swi = "SWI_" + suffix(), qflag = "QFLAG_" + suffix();
  if (!nc.has_var(swi)) {
    std::string have;
    for (const auto& v : nc.var_names())
      if (v.rfind("SWI_", 0) == 0) have += (have.empty() ? "" : ", ") + v;
    throw InputError(cat(path, ": no ", swi, " (t: ", p_.t, "); the file has ", have.empty() ? "no SWI variable" : have));
  }
  require(nc, {qflag, "SSF"}, "CGLS SWI 1 km");
  Granule g;
  read_cgls_image(nc, swi, p_.flags, 0, g);
  const auto q = nc.get(qflag);
  if (q.size() != g.size()) throw InputError(cat(path, ": ", swi, " and ", qflag, " differ in size"));
  const int bit = static_cast<int>(p_.flags.size());
  for (std::size_t i = 0; i < g.size(); ++i)
    if (std::isfinite(g.value[i]) && !(q[i] >= p_.min_qflag)) g.failed[i] |= std::uint64_t{1} << bit;
  mark(read_flags(nc, "SSF"), p_.ssf, raw_flags(nc, "SSF"), path, bit + 1, g.failed);
  return g;
}

}  // namespace landda::observations::products
