#pragma once
// Where observations were made, as a key: the station's name where a file
// names one, else the coordinates compared as numbers (never as formatted
// text, in which (-88.37, 40.01) and (88.37, 40.01) can become one key).
#include <compare>
#include <cstdio>
#include <string>
#include <vector>

namespace landda {

struct LocationKey {
  std::string station;
  double x = 0, y = 0;
  auto operator<=>(const LocationKey&) const = default;
  bool named() const { return !station.empty(); }
  // For tables and logs only.
  std::string label() const {
    if (named()) return station;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f,%.4f", x, y);
    return buf;
  }
};

// Row i of a file with optional station names.
inline LocationKey location_key(const std::vector<std::string>& station, const std::vector<double>& x,
                                const std::vector<double>& y, std::size_t i) {
  if (!station.empty() && !station[i].empty()) return {station[i], 0.0, 0.0};
  return {"", x[i], y[i]};
}

}  // namespace landda
