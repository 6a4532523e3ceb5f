#pragma once
// SMAP L2 radiometer soil moisture, one half-orbit per HDF5 granule (SPL2SMP;
// O'Neill et al. 2021, SMAP L2/L3 Radiometer Soil Moisture Product Specification):
// group Soil_Moisture_Retrieval_Data, values on the EASE-2 36 km grid with
// their cell centres, tb_time_seconds (seconds since 2000-01-01T12:00:00Z, the
// instant tb_time_utc spells), retrieval_qual_flag (a bit set: that condition
// failed) and surface_flag (a bit set: that condition is present).
#include "config/params.hpp"
#include "observations/products/product_reader.hpp"

namespace landda::observations::products {

class SmapL2 final : public ProductReader {
 public:
  static constexpr const char* doc =
      "SMAP L2 radiometer half-orbit (SPL2SMP HDF5, EASE-2 36 km): retrieval_qual_flag and surface_flag tests, "
      "per-value acquisition time";
  struct Params {
    std::string retrieval = "soil_moisture";
    std::string quality = "recommended";
    std::vector<std::string> surface_flags{"36_km_snow_or_ice", "36_km_permanent_snow_or_ice",
                                           "36_km_radiometer_frozen_ground", "36_km_model_frozen_ground"};
    double error = 0.04;
    void visit(config::Visitor& v);
  };
  explicit SmapL2(const Params& p) : p_(p) {}
  ProductKind kind() const override;
  std::vector<std::string> tests() const override;
  Granule read(const std::string& path) const override;
  std::string file_pattern() const override { return "SMAP_L2_SM_P_*.h5"; }
  std::vector<std::pair<std::string, std::string>> attributes() const override;

 private:
  std::vector<std::string> quality_bits() const;
  Params p_;
};

}  // namespace landda::observations::products
