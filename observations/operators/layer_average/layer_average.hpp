#pragma once
// A product at a nominal depth range: the thickness-weighted water content
// between two depths (merged products, reanalysis layers such as ERA5's
// 0-7 cm, root-zone products).
#include "observations/operators/column_operator.hpp"

namespace landda::observations {

class LayerAverage final : public LinearColumn {
 public:
  static constexpr const char* doc = "a product at a nominal depth range: water content averaged between two depths";
  struct Params {
    double top_m = 0.0, bottom_m = 0.05;
    std::string variable = "soil_moisture";
    FootprintParams footprint;
    void visit(config::Visitor& v);
  };
  explicit LayerAverage(const Params& p) : LinearColumn(p.footprint, p.variable), p_(p) {}

 private:
  void prepare(const ObsGeometry& g) override;
  Params p_;
};

}  // namespace landda::observations
