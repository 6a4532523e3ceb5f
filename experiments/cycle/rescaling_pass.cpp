#include "experiments/cycle/rescaling_pass.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/log.hpp"
#include "experiments/cycle/cycle.hpp"
#include "experiments/cycle/window_walk.hpp"
#include "observations/transforms/rescale_file.hpp"

namespace landda::experiments {
namespace {

// H(control) at every observation of the sources that estimate a fit (NaN
// where it has none), from one pass of the control over the run.
std::vector<std::vector<double>> control_equivalents(CycleSetup& s, const ControlForecast& forecast) {
  std::vector<std::vector<double>> hx(s.sources.size());
  Model& model = *s.model;
  const Index n = model.layout().size();
  Eigen::VectorXd control(n), h;
  Eigen::MatrixXd memory(model.memory_size(), 1);
  model.initial_state(control, s.p.start);
  model.initial_memory(memory.col(0), -1, nullptr);
  for (std::size_t k = 0; k < s.sources.size(); ++k)
    if (s.sources[k].params().estimates_rescaling())
      hx[k].assign(static_cast<std::size_t>(s.sources[k].data().obs.size()), std::nan(""));
  const Duration dt = model.time_step();
  auto x = Eigen::Map<Eigen::MatrixXd>(control.data(), n, 1);
  for (int cycle = 0; cycle < s.p.cycles; ++cycle) {
    const Time t0 = s.p.start + Duration{s.p.window.seconds * cycle}, t1 = t0 + s.p.window;
    std::vector<std::size_t> active;
    std::set<int> steps;
    for (std::size_t k = 0; k < s.sources.size(); ++k)
      if (!hx[k].empty() && s.sources[k].begin_window(t0, t1, dt, s.p.timing())) {
        active.push_back(k);
        for (const auto& sl : s.sources[k].slices()) steps.insert(sl.h_step);
      }
    walk_window(
        t0, t1, dt, steps, [&](Time from, Time to) { forecast(x, memory, from, to); },
        [&](int step) {
          for (const std::size_t k : active) {
            ObsSource& src = s.sources[k];
            Eigen::MatrixXd hs(src.held(), 1);
            for (const auto& sl : src.slices()) {
              if (sl.h_step != step) continue;
              src.apply(sl, x, hs);
              for (Index o = sl.begin; o < sl.begin + sl.count; ++o)
                if (src.batch().qc[static_cast<std::size_t>(o)] != static_cast<int>(QcFlag::out_of_domain))
                  hx[k][static_cast<std::size_t>(src.window_begin() + src.held_rows()[static_cast<std::size_t>(o)])] = hs(o, 0);
            }
          }
        });
  }
  return hx;
}

}  // namespace

std::vector<RescaledSource> rescale_sources(CycleSetup& s, const ControlForecast& forecast) {
  std::vector<RescaledSource> out;
  const bool any = std::any_of(s.sources.begin(), s.sources.end(), [](const ObsSource& src) { return src.params().estimates_rescaling(); });
  const auto hx = any ? control_equivalents(s, forecast) : std::vector<std::vector<double>>(s.sources.size());
  for (std::size_t k = 0; k < s.sources.size(); ++k) {
    ObsSource& src = s.sources[k];
    const SourceParams& sp = src.params();
    if (!sp.rescaled()) continue;
    auto& o = src.data().obs;
    // Locations keyed by their coordinates as numbers.
    std::map<std::pair<double, double>, int> ids;
    std::vector<int> group(o.x.size());
    std::vector<bool> pair(o.x.size());
    for (std::size_t i = 0; i < o.x.size(); ++i) {
      group[i] = ids.try_emplace({o.x[i], o.y[i]}, static_cast<int>(ids.size())).first->second;
      pair[i] = o.qc[i] == 0;
    }
    RescaledSource r{k, {}, std::vector<double>(ids.size()), std::vector<double>(ids.size())};
    for (const auto& [where, g] : ids) {
      const auto gi = static_cast<std::size_t>(g);
      s.model->grid().to_geographic(where.first, where.second, r.lon[gi], r.lat[gi]);
    }
    r.fits = sp.estimates_rescaling()
                 ? observations::fit_rescaling(sp.rescale, group, static_cast<int>(ids.size()), hx[k], pair, o.value, o.time)
                 : observations::read_rescaling(sp.rescale_file, sp.rescale, r.lon, r.lat);
    observations::apply_rescaling(r.fits, group, o.value, o.error, o.time);
    for (std::size_t g = 0; g < r.fits.size(); ++g) {
      const auto& f = r.fits[g];
      log::info("rescaled ", sp.name, " (", sp.rescale, ") at (", r.lon[g], ", ", r.lat[g], "): ",
                !f.applied           ? std::string("left as it is")
                : f.clim_obs.empty() ? cat(f.obs_knots.front(), "..", f.obs_knots.back(), " -> ", f.ref_knots.front(), "..",
                                           f.ref_knots.back(), ", errors x ", f.error_ratio)
                                     : cat("anomalies from 35-day means, x ", f.error_ratio, " (errors too)"),
                " (", f.pairs, " pairs)");
    }
    out.push_back(std::move(r));
  }
  return out;
}

void write_rescaling(const RescaledSource& r, const SourceParams& p, const std::string& path) {
  observations::write_rescaling(path, p.rescale, r.lon, r.lat, r.fits);
}

}  // namespace landda::experiments
