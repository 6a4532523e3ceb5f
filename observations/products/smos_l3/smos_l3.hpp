#pragma once
// SMOS L3 CATDS daily soil moisture (CLF31A ascending / CLF31D descending;
// CATDS-PDC L3SM product description, Al Bitar et al. 2017) on the global
// EASE-2 25 km grid (lat, lon axes): Soil_Moisture, Soil_Moisture_Dqx as its
// error, Science_Flags, and the mean acquisition time as Mean_Acq_Time_Days
// since 2000-01-01 plus Mean_Acq_Time_Seconds. Subsets cut with `cdo
// selname` may lack Science_Flags: refused unless `quality: none` says so.
#include "config/params.hpp"
#include "observations/products/product_reader.hpp"

namespace landda::observations::products {

class SmosL3 final : public ProductReader {
 public:
  static constexpr const char* doc =
      "SMOS L3 CATDS daily grid (CLF31A/D NetCDF, EASE-2 25 km): Science_Flags tests, Dqx as the error, per-value "
      "mean acquisition time";
  struct Params {
    std::string quality = "science_flags";
    std::vector<std::string> science_flags{"FL_TOPO_S", "FL_FROST", "FL_ICE", "FL_SNOW_WET", "FL_SNOW_MIX"};
    double error = 0.04;
    void visit(config::Visitor& v);
  };
  explicit SmosL3(const Params& p) : p_(p) {}
  ProductKind kind() const override;
  std::vector<std::string> tests() const override;
  Granule read(const std::string& path) const override;
  std::string file_pattern() const override { return "SM_*_MIR_CLF3*.nc"; }
  std::vector<std::pair<std::string, std::string>> attributes() const override;

 private:
  Params p_;
};

}  // namespace landda::observations::products
