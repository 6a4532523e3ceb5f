#pragma once
// One layer of one state variable at the nearest cell: the identity
// observation of twin experiments (every variable of Lorenz-96).
#include "observations/operators/column_operator.hpp"

namespace landda::observations {

class StateElement final : public LinearColumn {
 public:
  static constexpr const char* doc = "one layer of a state variable at the nearest cell (identity observation)";
  struct Params {
    std::string variable;
    int layer = 0;
    FootprintParams footprint;
    void visit(config::Visitor& v);
  };
  explicit StateElement(const Params& p) : LinearColumn(p.footprint, p.variable), p_(p) {}

 private:
  void prepare(const ObsGeometry& g) override;
  Params p_;
};

}  // namespace landda::observations
