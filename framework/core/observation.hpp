#pragma once
// A batch of observations for one analysis: values, error standard
// deviations, locations, times and QC flags, from one or many sources.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace landda {

// QC flags follow JEDI's convention: 0 = pass, anything else = rejected, with the reason.
enum class QcFlag : int { pass = 0, missing = 1, out_of_domain = 2, bounds = 3, gross_error = 10, not_used = 20 };

struct ObsBatch {
  Eigen::VectorXd value;
  Eigen::VectorXd error;       // standard deviation, same units as value
  std::vector<double> x, y;    // location in the grid's coordinates
  std::vector<Time> time;
  std::vector<int> qc;         // QcFlag values
  std::vector<int> source;     // index of the observation source
  std::vector<std::string> source_names;

  Eigen::Index size() const { return value.size(); }
  void resize(Eigen::Index n);
  // Appends every observation of `other`, renumbering its sources after ours (taken whole, not copied,
  // into an empty batch).
  void append(const ObsBatch& other);
  void append(ObsBatch&& other);
  // The observations whose QC flag is pass, in order.
  ObsBatch passed() const;
  // Observations begin .. begin+count-1, or the listed rows, in order.
  ObsBatch slice(Eigen::Index begin, Eigen::Index count) const;
  ObsBatch rows(const std::vector<Eigen::Index>& which) const;
  // Checks lengths, finite values and positive errors; throws InputError naming `origin`.
  void check(const std::string& origin) const;
};

}  // namespace landda
