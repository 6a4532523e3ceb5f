#pragma once
// SMOS L2 soil moisture user data product (SMUDP2, NetCDF; ESA SO-TN-ARR-L2PP-0037
// and the L2 SM product specification), one half-orbit on the ISEA 4H9 discrete
// global grid: Soil_Moisture with Soil_Moisture_DQX as its error, Science_Flags,
// Confidence_Flags and Processing_Flags, Chi_2, RFI_Prob, and the acquisition
// time as Days since 2000-01-01 plus Seconds. The NetCDF carries only
// Grid_Point_ID: the places come from the DGG table (ID, latitude, longitude),
// given as `dgg_grid` (CESBIO's isea4h9 text table or a NetCDF with gpi, lat, lon).
#include <memory>

#include "config/params.hpp"
#include "observations/products/product_reader.hpp"

namespace landda::observations::products {

class SmosL2 final : public ProductReader {
 public:
  static constexpr const char* doc =
      "SMOS L2 soil moisture user data product (SMUDP2 NetCDF, ISEA 4H9 grid): science, confidence and processing "
      "flag tests, RFI probability and chi-2 limits, DQX as the error; places from the DGG table";
  struct Params {
    std::string dgg_grid;
    std::vector<std::string> science_flags{"FL_TOPO_S", "FL_FROST", "FL_ICE", "FL_SNOW_WET", "FL_SNOW_MIX"};
    std::vector<std::string> confidence_flags{"FL_RFI_PRONE_H", "FL_RFI_PRONE_V", "FL_NO_PROD",
                                              "FL_RANGE",       "FL_DQX",         "FL_CHI2_P"};
    std::vector<std::string> processing_flags;
    double max_rfi_prob = 0.1;
    double max_dqx = 0.1;
    void visit(config::Visitor& v);
  };
  explicit SmosL2(const Params& p);
  ~SmosL2() override;
  ProductKind kind() const override;
  std::vector<std::string> tests() const override;
  Granule read(const std::string& path) const override;
  std::string file_pattern() const override { return "SM_*_MIR_SMUDP2_*.nc"; }
  std::vector<std::pair<std::string, std::string>> attributes() const override;

 private:
  struct Dgg;
  Params p_;
  std::unique_ptr<Dgg> dgg_;
};

}  // namespace landda::observations::products
