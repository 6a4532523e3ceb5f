#pragma once
// Copernicus Global Land Sentinel-1 surface soil moisture, 1 km (CGLS SSM1km
// V1.1; Bauer-Marschallinger et al. 2018): regional daily images of relative
// soil moisture (% saturation) with ssm_noise as the error.
#include "config/params.hpp"
#include "observations/products/product_reader.hpp"

namespace landda::observations::products {

class CglsSsm final : public ProductReader {
 public:
  static constexpr const char* doc =
      "Copernicus Global Land Sentinel-1 SSM 1 km image (% saturation, ssm_noise as the error); flag values counted";
  struct Params {
    std::vector<std::string> flags{"ExceedingMin", "ExceedingMax", "WaterMask", "SensitivityMask", "SlopeMask"};
    double error = 10.0;
    void visit(config::Visitor& v);
  };
  explicit CglsSsm(const Params& p) : p_(p) {}
  ProductKind kind() const override;
  std::vector<std::string> tests() const override;
  Granule read(const std::string& path) const override;
  std::string file_pattern() const override { return "c_gls_SSM1km_*.nc"; }
  std::vector<std::pair<std::string, std::string>> attributes() const override;

 private:
  Params p_;
};

}  // namespace landda::observations::products
