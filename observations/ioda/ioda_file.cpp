#include "observations/ioda/ioda_file.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <queue>

#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "observations/ioda/ioda_layout.hpp"

namespace landda::observations {
namespace {
constexpr double kFill = -9999.0;
const char* kTimeUnits = "seconds since 1970-01-01T00:00:00Z";
}  // namespace

namespace detail {

void define_layout(io::NcFile& nc, const ObsFile& f, std::size_t n, std::size_t chunk, int deflate) {
  nc.def_dim("Location", n);
  nc.put_att("", "Conventions", "CF-1.8");
  nc.put_att("", "ioda_layout", "ObsGroup");
  nc.put_att("", "platform", f.platform);
  nc.put_att("", "sensor", f.sensor);
  nc.put_att("", "source", f.source);
  nc.def_var({"MetaData/latitude", io::NcType::f64, {"Location"}, {chunk}, deflate});
  nc.def_var({"MetaData/longitude", io::NcType::f64, {"Location"}, {chunk}, deflate});
  nc.def_var({"MetaData/dateTime", io::NcType::i64, {"Location"}, {chunk}, deflate});
  nc.put_att("MetaData/latitude", "units", "degrees_north");
  nc.put_att("MetaData/longitude", "units", "degrees_east");
  nc.put_att("MetaData/dateTime", "units", kTimeUnits);
  const std::string v = f.variable;
  nc.def_var({"ObsValue/" + v, io::NcType::f64, {"Location"}, {chunk}, deflate, kFill});
  nc.def_var({"ObsError/" + v, io::NcType::f64, {"Location"}, {chunk}, deflate, kFill});
  nc.def_var({f.qc_group + "/" + v, io::NcType::i32, {"Location"}, {chunk}, deflate});
  nc.put_att("ObsValue/" + v, "units", f.units);
  nc.put_att("ObsError/" + v, "units", f.units);
  nc.put_att("ObsError/" + v, "long_name", "observation error standard deviation");
  nc.put_att(f.qc_group + "/" + v, "long_name",
             "quality flag: 0 good, 1 missing, 2 out of domain, 10 gross error, 20 not used");
}

void define_groups(io::NcFile& nc, const ObsFile& f, std::size_t chunk, int deflate) {
  for (const auto& g : f.groups) {
    nc.def_var({g.name + "/" + f.variable, io::NcType::f64, {"Location"}, {chunk}, deflate, kFill});
    nc.put_att(g.name + "/" + f.variable, "units", f.units);
    nc.put_att(g.name + "/" + f.variable, "long_name", g.long_name);
  }
}

std::vector<double> or_fill(const double* x, std::size_t n) {
  std::vector<double> out(x, x + n);
  for (double& y : out)
    if (!std::isfinite(y)) y = kFill;
  return out;
}

void put_rows(io::NcFile& nc, const ObsFile& f, const ObsBatch& b, std::size_t start, bool collective) {
  const auto n = static_cast<std::size_t>(b.size());
  if (n == 0 && !collective) return;
  const std::vector<std::size_t> s{n == 0 ? 0 : start}, c{n};
  std::vector<long long> t(n);
  for (std::size_t i = 0; i < n; ++i) t[i] = b.time[i].seconds;
  nc.put("MetaData/latitude", b.y.data(), s, c);
  nc.put("MetaData/longitude", b.x.data(), s, c);
  nc.put("MetaData/dateTime", t.data(), s, c);
  nc.put("ObsValue/" + f.variable, or_fill(b.value.data(), n).data(), s, c);
  nc.put("ObsError/" + f.variable, or_fill(b.error.data(), n).data(), s, c);
  nc.put(f.qc_group + "/" + f.variable, b.qc.data(), s, c);
}

void put_groups(io::NcFile& nc, const ObsFile& f, const std::vector<ObsFile::Group>& groups, std::size_t n,
                std::size_t start, bool collective) {
  if (groups.size() != f.groups.size())
    throw Error(cat(nc.path(), ": ", groups.size(), " groups of values for the file's ", f.groups.size()));
  for (std::size_t g = 0; g < groups.size(); ++g)
    if (groups[g].values.size() != n)
      throw Error(cat(nc.path(), ": group ", f.groups[g].name, " has ", groups[g].values.size(), " values for ", n,
                      " observations"));
  if (n == 0 && !collective) return;
  const std::vector<std::size_t> s{n == 0 ? 0 : start}, c{n};
  for (std::size_t g = 0; g < groups.size(); ++g)
    nc.put(f.groups[g].name + "/" + f.variable, or_fill(groups[g].values.data(), n).data(), s, c);
}

}  // namespace detail

namespace {

using detail::define_layout;
using detail::or_fill;
using detail::put_rows;

void check_order(const ObsBatch& b, const std::string& path) {
  for (std::size_t i = 1; i < b.time.size(); ++i)
    if (b.time[i] < b.time[i - 1])
      throw InputError(cat(path, ": observation ", i, " at ", b.time[i].iso(), " is before the previous one (",
                           b.time[i - 1].iso(), "); sort by time before writing"));
}

}  // namespace

void write_ioda(const ObsFile& f, const std::string& path) {
  const ObsBatch& b = f.obs;
  const auto n = static_cast<std::size_t>(b.size());
  check_order(b, path);
  auto nc = io::NcFile::create(path);
  const std::size_t chunk = std::max<std::size_t>(1, std::min<std::size_t>(n, 1 << 16));
  define_layout(nc, f, n, chunk);
  if (!f.station.empty()) nc.def_strings("MetaData/stationIdentification", "Location", f.station);
  detail::define_groups(nc, f, chunk, 1);
  nc.end_def();
  put_rows(nc, f, b, 0);
  if (n > 0 && !f.station.empty()) nc.put_strings("MetaData/stationIdentification", f.station);
  detail::put_groups(nc, f, f.groups, n, 0);
  nc.commit();
}

// Rows go first to `<path>.runs` (uncompressed, in chunks of kBlock rows),
// each append a run sorted by time; commit() renames it into place, or, when
// runs overlap in time, merges them into `path`: k-way merges of at most
// kFanIn runs a pass, each run read in blocks, so memory stays bounded
// whatever the number of runs.
struct IodaWriter::Impl {
  std::string path;
  ObsFile header;
  std::vector<std::pair<std::string, std::string>> attributes;
  io::NcFile nc;
  std::vector<std::pair<std::size_t, std::size_t>> runs{};  // first row, rows
  std::size_t rows = 0, written = 0;
  ObsBatch pending{};  // rows not yet written: few large writes
  bool ordered = true;
  Time last{std::numeric_limits<std::int64_t>::min()};
};

namespace {

using Run = std::pair<std::size_t, std::size_t>;
constexpr std::size_t kFanIn = 64, kBlock = 2048;

std::vector<std::string> layout_variables(const ObsFile& h) {
  return {"MetaData/latitude", "MetaData/longitude", "MetaData/dateTime", "ObsValue/" + h.variable,
          "ObsError/" + h.variable, h.qc_group + "/" + h.variable};
}

// `scratch`: a temporary file of runs (uncompressed chunks of kBlock rows).
io::NcFile create_layout(const std::string& path, const ObsFile& header,
                         const std::vector<std::pair<std::string, std::string>>& attributes, bool scratch) {
  auto nc = io::NcFile::create(path);
  define_layout(nc, header, 0, scratch ? kBlock : std::size_t{1} << 14, scratch ? 0 : 1);
  for (const auto& [name, value] : attributes) nc.put_att("", name, value);
  nc.end_def();
  // A few chunks a variable: memory stays flat however many rows are appended.
  for (const auto& var : layout_variables(header)) nc.set_cache(var, std::size_t{1} << 20);
  return nc;
}

// Rows [first, first + n) of a file in the layout, as a batch.
ObsBatch read_rows(const io::NcFile& nc, const ObsFile& header, std::size_t first, std::size_t n) {
  ObsBatch b;
  b.resize(static_cast<Eigen::Index>(n));
  if (n == 0) return b;
  const std::vector<std::size_t> s{first}, c{n};
  const auto lat = nc.get_raw("MetaData/latitude", s, c), lon = nc.get_raw("MetaData/longitude", s, c);
  const auto t = nc.get_raw("MetaData/dateTime", s, c), qc = nc.get_raw(header.qc_group + "/" + header.variable, s, c);
  const auto v = nc.get("ObsValue/" + header.variable, s, c), e = nc.get("ObsError/" + header.variable, s, c);
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    b.y[i] = lat[i], b.x[i] = lon[i], b.time[i] = Time{static_cast<std::int64_t>(t[i])};
    b.value[k] = v[i], b.error[k] = e[i], b.qc[i] = static_cast<int>(qc[i]);
  }
  return b;
}

// One k-way merge: the runs of `from` into `to` from row `at` on, in time order (ties: run order).
void merge_group(const io::NcFile& from, io::NcFile& to, const ObsFile& header, const std::vector<Run>& runs,
                 std::size_t at) {
  struct Cursor {
    std::size_t next = 0, end = 0, at = 0;  // file rows not yet read; position in the block
    ObsBatch block;
  };
  std::vector<Cursor> cur(runs.size());
  auto refill = [&](Cursor& c) {
    const std::size_t n = std::min(kBlock, c.end - c.next);
    c.block = read_rows(from, header, c.next, n);
    c.next += n;
    c.at = 0;
  };
  using Head = std::pair<std::int64_t, std::size_t>;  // time, run
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    cur[r].next = runs[r].first;
    cur[r].end = runs[r].first + runs[r].second;
    refill(cur[r]);
    if (cur[r].block.size() > 0) heads.emplace(cur[r].block.time[0].seconds, r);
  }
  ObsBatch out;
  out.resize(static_cast<Eigen::Index>(kBlock));
  Eigen::Index n = 0;
  auto flush = [&]() {
    put_rows(to, header, out.slice(0, n), at);
    at += static_cast<std::size_t>(n);
    n = 0;
  };
  while (!heads.empty()) {
    const std::size_t r = heads.top().second;
    heads.pop();
    Cursor& c = cur[r];
    const auto i = static_cast<Eigen::Index>(c.at);
    out.x[n] = c.block.x[i], out.y[n] = c.block.y[i], out.time[n] = c.block.time[i], out.qc[n] = c.block.qc[i];
    out.value[n] = c.block.value[i], out.error[n] = c.block.error[i];
    if (++n == out.size()) flush();
    if (++c.at == static_cast<std::size_t>(c.block.size()) && c.next < c.end) refill(c);
    if (c.at < static_cast<std::size_t>(c.block.size())) heads.emplace(c.block.time[c.at].seconds, r);
  }
  flush();
}

}  // namespace

IodaWriter::IodaWriter(const std::string& path, const ObsFile& header,
                       const std::vector<std::pair<std::string, std::string>>& attributes)
    : impl_(std::make_unique<Impl>(Impl{path, header, attributes, create_layout(path + ".runs", header, attributes, true)})) {
  impl_->header.obs = ObsBatch{};
}

IodaWriter::~IodaWriter() = default;

void IodaWriter::append(const ObsBatch& b) {
  check_order(b, impl_->path);
  if (b.size() == 0) return;
  impl_->ordered = impl_->ordered && !(b.time.front() < impl_->last);
  impl_->last = b.time.back();
  impl_->runs.emplace_back(impl_->rows, static_cast<std::size_t>(b.size()));
  impl_->rows += static_cast<std::size_t>(b.size());
  impl_->pending.append(b);
  impl_->pending.source_names.resize(1);  // one source; append numbers each batch's anew
  if (impl_->pending.size() >= static_cast<Eigen::Index>(kBlock * 32)) flush();
}

void IodaWriter::flush() {
  auto& w = *impl_;
  put_rows(w.nc, w.header, w.pending, w.written);
  w.written += static_cast<std::size_t>(w.pending.size());
  w.pending = ObsBatch{};
}

std::size_t IodaWriter::size() const { return impl_->rows; }

void IodaWriter::attribute(const std::string& name, const std::string& value) {
  impl_->nc.put_att("", name, value);
  impl_->attributes.emplace_back(name, value);
}

void IodaWriter::commit() {
  auto& w = *impl_;
  flush();
  w.nc.commit();
  std::string src = w.path + ".runs";
  std::vector<Run> runs = w.ordered ? std::vector<Run>{{0, w.rows}} : w.runs;
  for (int pass = 0; runs.size() > 1; ++pass) {
    const bool last = runs.size() <= kFanIn;
    const std::string dst = last ? w.path : cat(w.path, ".merge", pass % 2);
    std::vector<Run> merged;
    {
      auto from = io::NcFile::open(src);
      for (const auto& var : layout_variables(w.header)) from.set_cache(var, kFanIn * kBlock * 8);
      auto to = create_layout(dst, w.header, w.attributes, !last);
      for (std::size_t g = 0; g < runs.size(); g += kFanIn) {
        const std::vector<Run> group(runs.begin() + static_cast<std::ptrdiff_t>(g),
                                     runs.begin() + static_cast<std::ptrdiff_t>(std::min(runs.size(), g + kFanIn)));
        const std::size_t first = merged.empty() ? 0 : merged.back().first + merged.back().second;
        std::size_t rows = 0;
        for (const auto& r : group) rows += r.second;
        merge_group(from, to, w.header, group, first);
        merged.emplace_back(first, rows);
      }
      to.commit();
    }
    std::filesystem::remove(src);
    src = dst;
    runs = merged;
  }
  if (src != w.path) std::filesystem::rename(src, w.path);
}

PhysicalRange physical_range(const std::string& variable, const std::string& units, const std::string& path) {
  struct Known {
    const char* variable;
    std::vector<std::string> units;
    PhysicalRange range;
  };
  static const std::vector<Known> known{
      {"soilMoistureVolumetric", {"m3 m-3", "m3/m3", "m^3 m^-3", "m3.m-3", "cm3 cm-3", "cm3/cm3"}, {0.0, 1.0}},
      {"soilMoistureSaturation", {"%", "percent"}, {0.0, 100.0}},
      {"soilMoistureWetnessFraction", {"1", "fraction", ""}, {0.0, 1.0}},
  };
  for (const auto& k : known) {
    if (variable != k.variable) continue;
    if (std::find(k.units.begin(), k.units.end(), units) == k.units.end())
      throw InputError(cat(path, ": ObsValue/", variable, units.empty() ? " has no units attribute" : " has units '" + units + "'",
                           "; expected '", k.units.front(), "' (values of another unit would be assimilated as these)"));
    return k.range;
  }
  return {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
}

ObsFile read_ioda(const std::string& path, const std::string& variable, const std::string& units,
                  const std::vector<std::string>& groups) {
  const auto nc = io::NcFile::open(path);
  ObsFile f;
  if (!nc.has_dim("Location")) throw InputError(cat(path, ": not an IODA observation file (no 'Location' dimension)"));
  for (const char* need : {"MetaData/latitude", "MetaData/longitude", "MetaData/dateTime"})
    if (!nc.has_var(need)) throw InputError(cat(path, ": IODA variable '", need, "' is missing"));
  if (!variable.empty()) {
    f.variable = variable;
  } else {
    // The one variable of the ObsValue group.
    bool found = false;
    for (const char* candidate : {"soilMoistureVolumetric", "soilMoistureSaturation", "soilMoistureWetnessFraction"})
      if (nc.has_var(std::string("ObsValue/") + candidate)) {
        f.variable = candidate;
        found = true;
        break;
      }
    if (!found) throw InputError(cat(path, ": no soil-moisture variable in group ObsValue"));
  }
  const std::string v = f.variable;
  for (const std::string g : {"ObsValue/", "ObsError/"})
    if (!nc.has_var(g + v)) throw InputError(cat(path, ": IODA variable '", g + v, "' is missing"));
  f.units = nc.has_att("ObsValue/" + v, "units") ? nc.att_text("ObsValue/" + v, "units") : "";
  if (!units.empty() && f.units != units)
    throw InputError(cat(path, ": ObsValue/", v, " has units '", f.units, "'; expected '", units, "'"));
  const PhysicalRange range = physical_range(v, f.units, path);
  if (nc.att_text("MetaData/dateTime", "units") != kTimeUnits)
    throw InputError(cat(path, ": MetaData/dateTime has units '", nc.att_text("MetaData/dateTime", "units"), "'; expected '",
                         kTimeUnits, "'"));
  for (const char* a : {"platform", "sensor", "source"})
    if (nc.has_att("", a)) (std::string(a) == "platform" ? f.platform : std::string(a) == "sensor" ? f.sensor : f.source) = nc.att_text("", a);
  const std::size_t n = nc.dim_len("Location");
  ObsBatch& b = f.obs;
  b.resize(static_cast<Eigen::Index>(n));
  b.source_names = {f.sensor.empty() ? v : f.sensor};
  if (n == 0) return f;
  const auto lat = nc.get("MetaData/latitude"), lon = nc.get("MetaData/longitude");
  const auto t = nc.get_int64("MetaData/dateTime");
  const auto value = nc.get("ObsValue/" + v), error = nc.get("ObsError/" + v);
  std::vector<double> qc(n, 0.0);
  if (nc.has_var("PreQC/" + v)) {
    qc = nc.get_raw("PreQC/" + v);
  } else if (nc.has_var("EffectiveQC/" + v)) {  // a feedback file
    qc = nc.get_raw("EffectiveQC/" + v);
    f.qc_group = "EffectiveQC";
  }
  for (const auto& g : groups) {
    if (!nc.has_var(g + "/" + v)) throw InputError(cat(path, ": IODA variable '", g, "/", v, "' is missing"));
    f.groups.push_back({g, nc.has_att(g + "/" + v, "long_name") ? nc.att_text(g + "/" + v, "long_name") : "", nc.get(g + "/" + v)});
  }
  if (nc.has_var("MetaData/stationIdentification")) f.station = nc.get_strings("MetaData/stationIdentification");
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(lat[i]) || !std::isfinite(lon[i]) || lat[i] < -90 || lat[i] > 90 || lon[i] < -180 || lon[i] > 360)
      throw InputError(cat(path, ": location ", i, " has no valid latitude/longitude (", lat[i], ", ", lon[i], ")"));
    b.y[i] = lat[i];
    b.x[i] = lon[i];
    b.time[i] = Time{t[i]};
    if (i > 0 && b.time[i] < b.time[i - 1])
      throw InputError(cat(path, ": MetaData/dateTime is out of order at location ", i, " (", b.time[i].iso(), " after ",
                           b.time[i - 1].iso(), ")"));
    const auto ei = static_cast<Eigen::Index>(i);
    b.value[ei] = value[i];
    b.error[ei] = error[i];
    b.qc[i] = static_cast<int>(qc[i]);
    if (!std::isfinite(value[i])) {
      b.qc[i] = static_cast<int>(QcFlag::missing);
    } else if (b.qc[i] == 0 && (value[i] < range.lo || value[i] > range.hi)) {
      // cannot be physical, yet the file calls it good: flagged, counted, never used
      // (a value the file already rejects keeps the file's flag)
      b.qc[i] = static_cast<int>(QcFlag::bounds);
      ++f.out_of_range;
    } else if (b.qc[i] == 0 && !(error[i] > 0.0))
      throw InputError(cat(path, ": ObsError/", v, " at location ", i, " is ", error[i],
                           "; expected a positive standard deviation for a good observation"));
  }
  return f;
}

}  // namespace landda::observations
