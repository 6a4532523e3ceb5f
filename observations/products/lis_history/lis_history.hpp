#pragma once
// NASA LIS history output (Kumar et al. 2006; LIS 7 output conventions): one
// file per output time with 2-D lat/lon, `time` in minutes since the file's
// start, and SoilMoist_inst(SoilMoist_profiles, north_south, east_west) in
// m3 m-3 on the layers whose thicknesses the global attribute
// SOIL_LAYER_THICKNESSES gives (cm). Another land model's soil moisture as a
// product: a benchmark, a reference for rescaling, or observations of a layer.
#include "config/params.hpp"
#include "observations/products/product_reader.hpp"

namespace landda::observations::products {

class LisHistory final : public ProductReader {
 public:
  static constexpr const char* doc =
      "NASA LIS history file (SoilMoist_inst per layer on LIS's 2-D lat/lon grid): one layer as observations";
  struct Params {
    int layer = 1;
    std::string variable = "SoilMoist_inst";
    double error = 0.04;
    void visit(config::Visitor& v);
  };
  explicit LisHistory(const Params& p) : p_(p) {}
  ProductKind kind() const override;
  std::vector<std::string> tests() const override { return {p_.variable + ": outside valid range"}; }
  Granule read(const std::string& path) const override;
  std::string file_pattern() const override { return "LIS_HIST_*.nc"; }
  std::vector<std::pair<std::string, std::string>> attributes() const override;

 private:
  Params p_;
};

}  // namespace landda::observations::products
