#pragma once
// CF decoding of values as stored, by the variable's attributes: _FillValue,
// missing_value and values outside valid_min/valid_max/valid_range become NaN;
// scale_factor and add_offset are applied. For any file reader with
// has_att and att_values (NcFile, H5File).
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace landda::io {

template <class File>
void cf_decode(const File& f, const std::string& var, std::vector<double>& v) {
  auto att = [&](const char* name) -> std::optional<double> {
    if (!f.has_att(var, name)) return std::nullopt;
    return f.att_values(var, name)[0];
  };
  const auto fill = att("_FillValue"), missing = att("missing_value");
  std::optional<double> vmin = att("valid_min"), vmax = att("valid_max");
  if (f.has_att(var, "valid_range")) {
    const auto r = f.att_values(var, "valid_range");
    if (r.size() == 2) vmin = r[0], vmax = r[1];
  }
  const double scale = att("scale_factor").value_or(1.0), offset = att("add_offset").value_or(0.0);
  for (double& x : v) {
    if ((fill && x == *fill) || (missing && x == *missing) || (vmin && x < *vmin) || (vmax && x > *vmax)) {
      x = std::nan("");
      continue;
    }
    x = x * scale + offset;
  }
}

}  // namespace landda::io
