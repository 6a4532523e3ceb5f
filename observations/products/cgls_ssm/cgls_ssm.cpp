#include "observations/products/cgls_ssm/cgls_ssm.hpp"

#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "observations/products/cf_flags.hpp"
#include "observations/products/cgls_image.hpp"

// GCC 12 reports a false -Wrestrict on assigning string literals here (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

namespace landda::observations::products {

void CglsSsm::Params::visit(config::Visitor& v) {
  v("flags", flags, config::doc("the ssm flag values (by meaning) counted as reasons a pixel has no value"));
  v("error", error, config::doc("error standard deviation where ssm_noise has none").above(0).at_most(100).in("%"));
}

ProductKind CglsSsm::kind() const {
  ProductKind k;
  k.variable = "soilMoistureSaturation";
  k.units = "%";
  k.platform = "Sentinel-1";
  k.sensor = "Sentinel-1 C-SAR (CGLS SSM 1 km)";
  k.default_error = p_.error;
  return k;
}

std::vector<std::string> CglsSsm::tests() const { return test_names("ssm", p_.flags); }

std::vector<std::pair<std::string, std::string>> CglsSsm::attributes() const {
  return {{"product", "Copernicus Global Land SSM 1 km"}};
}

Granule CglsSsm::read(const std::string& path) const {
  const auto nc = io::NcFile::open(path);
  require(nc, {"ssm", "ssm_noise"}, "CGLS SSM 1 km");
  Granule g;
  read_cgls_image(nc, "ssm", p_.flags, 0, g);
  g.error = nc.get("ssm_noise");
  if (g.error.size() != g.size()) throw InputError(cat(path, ": ssm and ssm_noise differ in size"));
  return g;
}

}  // namespace landda::observations::products
