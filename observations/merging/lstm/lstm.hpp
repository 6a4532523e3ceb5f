#pragma once
// LSTM merging: a sequence model whose inputs, per location and time bin, are
// the rescaled products (each with a mask for its gaps), daily forcing
// (precipitation, air temperature, masked where absent), static fields and
// the season, trained against a reference (in-situ or CRNS stations, or a
// reanalysis) with a masked loss and early stopping on validation locations
// (Kratzert et al. 2019; for soil moisture Fang et al. 2017). The trained
// model is saved beside the merged product (model.pt) and reloaded for
// prediction, or an earlier one is applied (`model:`). A network trained on
// the mean-squared error predicts a conditional mean, whose anomalies are
// damped: they are stretched back so that the product's error is independent
// of the truth, as a filter assumes (`calibration: signal`). The error of every
// merged value is the random part of the validation error, inflated for the
// residuals' persistence from day to day.
#include "config/params.hpp"
#include "interfaces/merger.hpp"

namespace landda::observations::merging {

class LstmMerger final : public Merger {
 public:
  struct Params {
    std::string reference, reference_variable, static_file, model;
    std::vector<std::string> forcing, validation_stations, holdout_stations;
    double validation_fraction = 0.25, reference_max_distance_km = 0, forcing_max_distance_km = 0;
    int min_reference = 30;
    int hidden = 32, layers = 1, sequence_days = 120, stride_days = 30, warmup_days = 30;
    int batch = 16, epochs = 200, patience = 20, threads = 1;
    double learning_rate = 3e-3, weight_decay = 0;
    bool season = true;
    std::string calibration = "signal";
    int folds = 0;
    void visit(config::Visitor& v);
  };
  static constexpr const char* doc =
      "LSTM (libtorch) from the products, forcing and static fields, trained against a reference";
  explicit LstmMerger(const Params& p) : p_(p) {}
  MergeResult merge(const MergeInput& in) override;

 private:
  Params p_;
};

}  // namespace landda::observations::merging
