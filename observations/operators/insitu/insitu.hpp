#pragma once
// An in-situ probe at a depth (ISMN stations: 5.08 cm at SCAN): the water
// content of the layer holding the sensor, at the cell nearest the station.
#include "observations/operators/column_operator.hpp"

namespace landda::observations {

class Insitu final : public LinearColumn {
 public:
  static constexpr const char* doc = "an in-situ soil-moisture probe at a depth, nearest cell";
  struct Params {
    double depth_m = 0.05;
    double sensor_length_m = 0.0;
    std::string variable = "soil_moisture";
    FootprintParams footprint;
    void visit(config::Visitor& v);
  };
  explicit Insitu(const Params& p) : LinearColumn(p.footprint, p.variable), p_(p) {}

 private:
  void prepare(const ObsGeometry& g) override;
  Params p_;
};

}  // namespace landda::observations
