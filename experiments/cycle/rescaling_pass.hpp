#pragma once
// Rescaling of file sources to the model's climatology before they are
// assimilated (mean and standard deviation, or CDF matching: Reichle & Koster
// 2004): a first pass runs the unperturbed control over the whole period and
// takes H(control) at every observation of the sources that estimate their
// fit, met as the cycle meets them (at their own time or the window's end);
// each location's observations and errors are then mapped in place.
#include <Eigen/Core>
#include <functional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "observations/transforms/rescale.hpp"

namespace landda::experiments {

struct CycleSetup;
struct SourceParams;

// One rescaled source: a fit per location.
struct RescaledSource {
  std::size_t source = 0;
  std::vector<observations::RescaleFit> fits;
  std::vector<double> lon, lat;
};

// Advances the control (one column) and its model memory from a to b.
using ControlForecast = std::function<void(Eigen::Ref<Eigen::MatrixXd> x, Eigen::MatrixXd& memory, Time a, Time b)>;

std::vector<RescaledSource> rescale_sources(CycleSetup& s, const ControlForecast& forecast);
void write_rescaling(const RescaledSource& r, const SourceParams& p, const std::string& path);

}  // namespace landda::experiments
