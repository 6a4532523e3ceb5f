#pragma once
// Copernicus Global Land soil water index, 1 km (CGLS SWI1km V1.0; Wagner et
// al. 1999's exponential filter of ASCAT and Sentinel-1 surface soil moisture,
// Bauer-Marschallinger et al. 2018): SWI_<T> for characteristic times T in
// days (the deeper, the longer), its quality QFLAG_<T> (%) and the surface
// state flag SSF. A profile wetness in % saturation, no error in the file.
#include "config/params.hpp"
#include "observations/products/product_reader.hpp"

namespace landda::observations::products {

class CglsSwi final : public ProductReader {
 public:
  static constexpr const char* doc =
      "Copernicus Global Land SWI 1 km image: SWI for a chosen characteristic time T, its QFLAG and the surface "
      "state flag";
  struct Params {
    int t = 5;
    double min_qflag = 0.0;
    std::vector<std::string> flags{"ExceedingMin", "ExceedingMax", "WaterMask", "SensitivityMask", "SlopeMask", "LowQFLAG"};
    std::vector<std::string> ssf{"Frozen", "Melting_or_Surface_Water"};
    double error = 8.0;
    void visit(config::Visitor& v);
  };
  explicit CglsSwi(const Params& p) : p_(p) {}
  ProductKind kind() const override;
  std::vector<std::string> tests() const override;
  Granule read(const std::string& path) const override;
  std::string file_pattern() const override { return "c_gls_SWI1km_*.nc"; }
  std::vector<std::pair<std::string, std::string>> attributes() const override;

 private:
  std::string suffix() const;
  Params p_;
};

}  // namespace landda::observations::products
