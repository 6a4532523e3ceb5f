#pragma once
// Triple-collocation merging (as in ESA CCI SM, Gruber et al. 2017): per
// location, each product's error variance from triple collocation (McColl et
// al. 2014; averaged over the triples it belongs to when there are more than
// three products), weights proportional to the inverse error variances, and
// the merged error variance 1 / sum(1 / sigma_i^2) (errors taken as
// independent). With `stratify: season` the variances are estimated per
// location and season (DJF, MAM, JJA, SON) where enough samples exist; a
// location with too few takes the estimate pooled over all locations, and
// each location's estimate is shrunk towards the pooled one by sample size.
#include "config/params.hpp"
#include "interfaces/merger.hpp"

namespace landda::observations::merging {

class TcMerger final : public Merger {
 public:
  struct Params {
    int min_samples = 100;
    std::string stratify = "none";
    std::string fallback = "file_errors";
    bool pool = true;
    int bootstrap = 0;
    void visit(config::Visitor& v);
  };
  static constexpr const char* doc =
      "inverse-error-variance weights from triple collocation per location (McColl et al. 2014; Gruber et al. 2017)";
  explicit TcMerger(const Params& p) : p_(p) {}
  MergeResult merge(const MergeInput& in) override;

 private:
  Params p_;
};

// Season of a time by day of year: 0 DJF, 1 MAM, 2 JJA, 3 SON.
int season_of(Time t);

}  // namespace landda::observations::merging
