#pragma once
// A merger combines several soil-moisture products, collocated on one time
// axis at a set of locations, into one product with an error per value, so
// that the merged product is assimilated like any retrieval.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/time.hpp"

namespace landda {

struct MergeLocation {
  std::string name;  // the station, or the coordinates as a label
  double lon = 0, lat = 0;
  bool named = false;  // a station name; otherwise the place is its coordinates
};

// Products on the common axis: value[p](t, l) and its error standard deviation,
// NaN where product p has no good value in time bin t at location l. Every
// product is already rescaled to the reference product (the first one).
struct MergeInput {
  std::vector<std::string> products;
  std::vector<MergeLocation> locations;
  std::vector<Time> time;  // bin centres
  Duration step{86400};
  std::vector<Eigen::ArrayXXd> value, error;  // time x location, one per product
  std::string units;
  double match_km = 25;     // how far a location of another file may lie from ours
  double aggregate_km = 0;  // > 0: files were averaged over this radius around each location
  std::uint64_t seed = 1;
  std::string output_dir;  // where a merger may keep its own files (a trained model)
};

struct MergeResult {
  Eigen::ArrayXXd value, error;  // time x location; NaN: no merged value
  JsonObject summary;            // method-specific numbers for summary.json
};

class Merger {
 public:
  virtual ~Merger() = default;
  virtual MergeResult merge(const MergeInput& in) = 0;
};

}  // namespace landda
