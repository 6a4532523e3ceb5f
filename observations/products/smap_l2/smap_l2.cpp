#include "observations/products/smap_l2/smap_l2.hpp"

#include <cmath>

#include "core/error.hpp"
#include "io/hdf5_file.hpp"
#include "observations/products/cf_flags.hpp"

namespace landda::observations::products {
namespace {
const std::string kGroup = "Soil_Moisture_Retrieval_Data/";
// tb_time_seconds counts from noon of 2000-01-01 UTC (checked against tb_time_utc).
constexpr std::int64_t kEpoch = 946728000;
}  // namespace

void SmapL2::Params::visit(config::Visitor& v) {
  v("retrieval", retrieval,
    config::doc("which retrieval: soil_moisture (the baseline algorithm) or an alternative (option1: SCA-H, "
                "option2: SCA-V, option3: DCA)")
        .one_of({"soil_moisture", "soil_moisture_option1", "soil_moisture_option2", "soil_moisture_option3"}));
  v("quality", quality,
    config::doc("recommended: retrieval_qual_flag bit 0 clear (recommended quality); successful: bits 1 and 2 "
                "clear (attempted and succeeded, which mountains and coasts need)")
        .one_of({"recommended", "successful"}));
  v("surface_flags", surface_flags,
    config::doc("surface_flag meanings that reject a value (as the file's flag_meanings spell them)"));
  v("error", error,
    config::doc("error standard deviation where soil_moisture_error is fill (SMAP's accuracy target)").above(0).at_most(0.5).in("m3 m-3"));
}

ProductKind SmapL2::kind() const {
  ProductKind k;
  k.platform = "SMAP";
  k.sensor = "SMAP L-band radiometer (SPL2SMP)";
  k.default_error = p_.error;
  return k;
}

std::vector<std::string> SmapL2::quality_bits() const {
  if (p_.quality == "recommended") return {"Soil_moisture_retrieval_recommended"};
  return {"Soil_moisture_retrieval_attempted", "Soil_moisture_retrieval_success"};
}

std::vector<std::string> SmapL2::tests() const {
  auto t = test_names("retrieval_qual_flag", quality_bits());
  for (const auto& s : test_names("surface_flag", p_.surface_flags)) t.push_back(s);
  t.push_back(p_.retrieval + ": outside valid_min/valid_max");
  return t;
}

std::vector<std::pair<std::string, std::string>> SmapL2::attributes() const {
  return {{"product", "SMAP L2 SM P (SPL2SMP)"}, {"retrieval", p_.retrieval}, {"quality", p_.quality}};
}

Granule SmapL2::read(const std::string& path) const {
  const auto nc = io::H5File::open(path);  // HDF5 read directly (see io/hdf5_file.hpp)
  const std::string qual = p_.retrieval == "soil_moisture" ? "retrieval_qual_flag"
                                                            : "retrieval_qual_flag" + p_.retrieval.substr(13);
  require(nc,
          {kGroup + p_.retrieval, kGroup + "latitude", kGroup + "longitude", kGroup + "tb_time_seconds", kGroup + qual,
           kGroup + "surface_flag"},
          "SMAP L2 (SPL2SMP)");
  Granule g;
  const auto n_tests = static_cast<int>(tests().size());
  read_values(nc, kGroup + p_.retrieval, n_tests - 1, g.value, g.failed);
  g.resize(g.value.size());
  g.lat = nc.get(kGroup + "latitude");
  g.lon = nc.get(kGroup + "longitude");
  if (nc.has_var(kGroup + "soil_moisture_error") && p_.retrieval == "soil_moisture") g.error = nc.get(kGroup + "soil_moisture_error");
  const auto seconds = nc.get(kGroup + "tb_time_seconds");
  for (std::size_t i = 0; i < g.size(); ++i)
    if (std::isfinite(seconds[i]) && seconds[i] > 0) g.time[i] = kEpoch + std::llround(seconds[i]);
  const auto quality = quality_bits();
  mark(read_flags(nc, kGroup + qual), quality, raw_flags(nc, kGroup + qual), path, 0, g.failed);
  mark(read_flags(nc, kGroup + "surface_flag"), p_.surface_flags, raw_flags(nc, kGroup + "surface_flag"), path,
       static_cast<int>(quality.size()), g.failed);
  if (g.lat.size() != g.size() || g.lon.size() != g.size() || seconds.size() != g.size() || g.error.size() != g.size())
    throw InputError(cat(path, ": the variables of ", kGroup, " differ in length"));
  return g;
}

}  // namespace landda::observations::products
