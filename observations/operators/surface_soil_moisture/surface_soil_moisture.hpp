#pragma once
// Surface soil moisture as a microwave retrieval sees it: the water content
// averaged over a sensing depth, uniformly or with exponential weight in
// depth, and over the retrieval's footprint. Sensor defaults follow the
// emission/backscatter depths usually assumed: L-band SMAP and SMOS about
// 0-5 cm (Entekhabi et al. 2010; Kerr et al. 2010), C/X-band AMSR2 and ASCAT
// about 0-2 cm (Owe et al. 2008; Wagner et al. 2013).
#include "observations/operators/column_operator.hpp"

namespace landda::observations {

class SurfaceSoilMoisture final : public LinearColumn {
 public:
  static constexpr const char* doc =
      "surface soil moisture over a sensing depth (SMAP/SMOS 0-5 cm, AMSR2/ASCAT 0-2 cm) and a footprint";
  struct Params {
    std::string sensor = "smap";
    double depth_m = 0.0;  // 0: the sensor's default
    double e_folding_m = 0.0;
    std::string variable = "soil_moisture";
    FootprintParams footprint;
    void visit(config::Visitor& v);
  };
  explicit SurfaceSoilMoisture(const Params& p) : LinearColumn(p.footprint, p.variable), p_(p) {}
  // The sensing depth of each sensor (m).
  static double default_depth(const std::string& sensor);

 private:
  void prepare(const ObsGeometry& g) override;
  Params p_;
};

}  // namespace landda::observations
