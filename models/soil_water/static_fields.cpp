#include "models/soil_water/static_fields.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/error.hpp"
#include "core/random.hpp"
#include "io/netcdf.hpp"

namespace landda::models::soil {

// Texture fractions in % add up to at most this (HWSD rounds each to whole percent).
constexpr double kTextureSumMax = 101.0;
namespace {

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string f; std::getline(ss, f, sep);) out.push_back(f);
  return out;
}

double parse_number(const std::string& s, const std::string& path, int line, const char* what) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) throw InputError(cat(path, ":", line, ": ", what, " '", s, "' is not a number"));
  return v;
}

}  // namespace

IsmnStatic read_ismn_static(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(cat(path, ": cannot open the ISMN static-variables file"));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  IsmnStatic st{{nan, nan}, {nan, nan}, {nan, nan}, {nan, nan}, {nan, nan}};
  std::string line;
  int lineno = 0;
  if (!std::getline(in, line) || line.rfind("quantity_name;", 0) != 0)
    throw InputError(cat(path, ":1: not an ISMN static-variables file (expected a header starting 'quantity_name;')"));
  ++lineno;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    const auto f = split(line, ';');
    if (f.size() < 5) throw InputError(cat(path, ":", lineno, ": expected at least 5 ';'-separated fields"));
    double* target = nullptr;
    const std::string& q = f[0];
    double scale = 1.0;
    if (q == "sand fraction") target = st.sand;
    else if (q == "clay fraction") target = st.clay;
    else if (q == "silt fraction") target = st.silt;
    else if (q == "organic carbon") target = st.organic_carbon;
    else if (q == "saturation") target = st.saturation;
    if (!target || f[2].empty()) continue;
    const double from = parse_number(f[2], path, lineno, "depth_from");
    if (from < 0) continue;  // in-situ values flagged with -99.9 depths
    const double value = parse_number(f[4], path, lineno, "value") * scale;
    target[from < kTopsoilDepth - 1e-9 ? 0 : 1] = value;
  }
  for (int k = 0; k < 2; ++k) {
    const char* depth = k == 0 ? "0-0.3 m" : "0.3-1 m";
    if (!std::isfinite(st.sand[k]) || !std::isfinite(st.clay[k]))
      throw InputError(cat(path, ": no sand and clay fraction for ", depth));
    const double silt = std::isfinite(st.silt[k]) ? st.silt[k] : 0.0;
    if (st.sand[k] < 0 || st.clay[k] < 0 || silt < 0 || st.sand[k] + st.clay[k] + silt > kTextureSumMax)
      throw InputError(cat(path, ": sand ", st.sand[k], " %, clay ", st.clay[k], " % and silt ", silt, " % for ", depth,
                           " cannot be fractions of one soil (each >= 0, together at most 100 %)"));
  }
  return st;
}

std::array<std::vector<Texture>, 2> load_textures(const SoilWater::SoilParams& p, const Grid& grid,
                                                  std::array<bool, 2> wanted) {
  const int n = grid.size();
  if (p.source == "constant" && p.sand + p.clay > kTextureSumMax)
    throw ConfigError(cat("model.soil: sand ", p.sand, " % and clay ", p.clay, " % add up to ", p.sand + p.clay,
                          " %; fractions of one soil add up to at most 100 %"));
  std::array<std::vector<Texture>, 2> tex;
  for (int k = 0; k < 2; ++k)
    if (wanted[static_cast<std::size_t>(k)]) tex[static_cast<std::size_t>(k)].resize(static_cast<std::size_t>(n));
  // Kind k (0 topsoil, 1 subsoil) of cell c, when asked for.
  const auto fill = [&](int k, int c, double sand, double clay, double oc, double bd, double porosity) {
    if (!wanted[static_cast<std::size_t>(k)]) return;
    Texture& t = tex[static_cast<std::size_t>(k)][static_cast<std::size_t>(c)];
    t.sand = std::clamp(sand, 0.5, 99.0);
    t.clay = std::clamp(clay, 0.5, 99.0 - t.sand);
    t.silt = std::max(0.5, 100.0 - t.sand - t.clay);
    t.organic_carbon = oc;
    t.bulk_density = bd;
    t.topsoil = k == 0;
    t.porosity = porosity;
  };
  if (p.source == "constant") {
    RandomStream r(static_cast<std::uint64_t>(p.heterogeneity_seed), "soil-heterogeneity", 0);
    for (int c = 0; c < n; ++c) {
      const double ds = p.heterogeneity * r.normal(), dc = p.heterogeneity * 0.5 * r.normal();
      for (int k = 0; k < 2; ++k) fill(k, c, p.sand + ds, p.clay + dc, p.organic_carbon, p.bulk_density, 0.0);
    }
  } else if (p.source == "ismn") {
    if (static_cast<int>(p.ismn_files.size()) != n)
      throw ConfigError(cat("model.soil.ismn_files lists ", p.ismn_files.size(), " files; the grid has ", n,
                            " points (one static-variables file per point, in grid order)"));
    for (int c = 0; c < n; ++c) {
      const IsmnStatic st = read_ismn_static(p.ismn_files[static_cast<std::size_t>(c)]);
      for (int k = 0; k < 2; ++k) {
        const double oc = std::isfinite(st.organic_carbon[k]) ? st.organic_carbon[k] : p.organic_carbon;
        const double por = p.use_saturation && std::isfinite(st.saturation[k]) ? st.saturation[k] : 0.0;
        fill(k, c, st.sand[k], st.clay[k], oc, p.bulk_density, por);
      }
    }
  } else {
    const auto nc = io::NcFile::open(p.file);
    const auto get = [&](const char* name, bool required, double fallback) {
      if (!nc.has_var(name)) {
        if (required) throw InputError(cat(p.file, ": static field '", name, "' is missing"));
        return std::vector<double>(static_cast<std::size_t>(n), fallback);
      }
      auto v = nc.get(name);
      if (static_cast<int>(v.size()) != n)
        throw InputError(cat(p.file, ": static field '", name, "' has ", v.size(), " values; the grid has ", n, " cells"));
      for (std::size_t c = 0; c < v.size(); ++c)
        if (!std::isfinite(v[c])) throw InputError(cat(p.file, ": static field '", name, "' is missing at cell ", c));
      return v;
    };
    const auto sand = get("sand", true, 0), clay = get("clay", true, 0);
    const auto oc = get("organic_carbon", false, p.organic_carbon), bd = get("bulk_density", false, p.bulk_density);
    for (std::size_t c = 0; c < sand.size(); ++c)
      if (sand[c] < 0 || clay[c] < 0 || sand[c] + clay[c] > kTextureSumMax)
        throw InputError(cat(p.file, ": sand ", sand[c], " % and clay ", clay[c], " % at cell ", c,
                             " cannot be fractions of one soil (each >= 0, together at most 100 %)"));
    for (int c = 0; c < n; ++c)
      for (int k = 0; k < 2; ++k) {
        const auto ci = static_cast<std::size_t>(c);
        fill(k, c, sand[ci], clay[ci], oc[ci], bd[ci], 0.0);
      }
  }
  return tex;
}

}  // namespace landda::models::soil
