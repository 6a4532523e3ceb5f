#include "observations/merging/merge.hpp"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>

#include "core/cell_index.hpp"
#include "core/error.hpp"
#include "core/location_key.hpp"
#include "core/grid.hpp"
#include "core/log.hpp"
#include "io/atomic_file.hpp"
#include "observations/transforms/rescale.hpp"

namespace landda::observations::merging {

void ProductParams::visit(config::Visitor& v) {
  v("name", name, config::doc("the product's name in summaries (smap, ascat, ...)").needed());
  v("file", file, config::doc("its observation file (IODA layout; `landda import` makes one)").file().needed());
  v("variable", variable, config::doc("the ObsValue variable (empty: the file's one soil-moisture variable)"));
  v("units", units, config::doc("required units of that variable (empty: any)"));
  v("error", error,
    config::doc("error standard deviation in the product's own units, replacing the file's ObsError (0: use the "
                "file's)")
        .at_least(0));
}

MergeConfig::MergeConfig() { merger.type = "mean"; }

void MergeConfig::visit(config::Visitor& v) {
  v.sections("products", products,
             config::doc("the products to merge; the first is the reference the others are rescaled to, and its "
                         "locations are the merged product's unless `locations` names a file")
                 .needed());
  v("locations", locations_file,
    config::doc("an observation file whose stations (names and coordinates) are the merged product's locations, "
                "e.g. the in-situ file (empty: the first product's locations)")
        .file());
  v.plugin("merger", merger, mergers(), config::doc("the merging method"));
  v("start", start, config::doc("first time of the merged product (inclusive)"));
  v("end", end, config::doc("end of the merged product (exclusive)"));
  v("step", step, config::doc("time bin of the merged product; each product's values in a bin are averaged"));
  v("rescale", rescale,
    config::doc("how the products are matched to the reference, per location over the bins where both have a "
                "value: mean_std (Draper et al. 2009) or cdf (piecewise-linear CDF matching); none if they share a "
                "climatology already. A product with fewer than 10 such bins at a location is left out there")
        .one_of({"none", "mean_std", "cdf"}));
  v("max_distance_km", max_distance_km,
    config::doc("a product's location without the reference's station name joins the nearest reference location "
                "within this distance")
        .above(0));
  v("aggregate_km", aggregate_km,
    config::doc("0: each location takes the product's nearest location (or the one with its station name); > 0: "
                "the mean of every location of the product within this radius (a coarse reference's footprint: "
                "finer products are averaged into it, their errors reduced as independent)")
        .at_least(0));
  v("min_products", min_products,
    config::doc("bins where fewer products have a value get no merged value").range(1, 100));
  v("name", name, config::doc("source name written into the merged file (empty: merged_<method>)"));
  v.section("output", config::doc("where the merged product goes"), [this](config::Visitor& o) {
    o("dir", output_dir,
      config::doc("output folder: merged.nc, summary.json, config.resolved.yaml (relative to the working "
                  "directory; `landda merge --output` overrides it)"));
  });
  v("seed", seed, config::doc("seed of the merger's random streams (LSTM weights, batches; TC bootstrap)").at_least(0));
  v("log_level", log_level, config::log_levels());
}

MergeConfig read_merge_config(const config::Node& root) {
  MergeConfig cfg;
  config::read(root, cfg);
  cfg.source_file = root.source().file;
  if (!(cfg.start < cfg.end)) root.child("end").fail("end must come after start");
  if (cfg.step.seconds <= 0) root.child("step").fail("step must be positive");
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < cfg.products.size(); ++i)
    if (seen[cfg.products[i].name]++)
      root.child("products").item(i).fail(cat("product name '", cfg.products[i].name, "' is used twice"));
  if (cfg.products.empty()) root.child("products").fail("expected at least one product");
  if (cfg.name.empty()) cfg.name = "merged_" + cfg.merger.type;
  return cfg;
}

std::string resolved_yaml(MergeConfig& cfg) {
  YAML::Emitter out;
  out << config::write(cfg);
  return std::string("# landda merge: resolved configuration (every key, defaults included)\n# from: ") +
         cfg.source_file + "\n" + out.c_str() + "\n";
}

namespace {

LocationKey key_of_row(const ObsFile& f, std::size_t i) { return location_key(f.station, f.obs.x, f.obs.y, i); }

// The locations of a file, in the order they first appear.
std::vector<MergeLocation> locations_of(const ObsFile& f) {
  std::vector<MergeLocation> out;
  std::map<LocationKey, int> seen;
  for (std::size_t i = 0; i < f.obs.x.size(); ++i) {
    if (f.obs.qc[i] != 0) continue;
    const LocationKey key = key_of_row(f, i);
    if (seen.emplace(key, static_cast<int>(out.size())).second)
      out.push_back({key.label(), f.obs.x[i], f.obs.y[i], key.named()});
  }
  return out;
}

}  // namespace

std::string station_key(const std::string& name) {
  std::string out;
  for (char c : name.substr(name.find(':') == std::string::npos ? 0 : name.find(':') + 1))
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

Binned bin_to_locations(const ObsFile& f, const std::vector<MergeLocation>& locations, Time start, Duration step,
                        int bins, double max_km, double aggregate_km) {
  const auto nl = static_cast<Eigen::Index>(locations.size());
  Eigen::ArrayXXd sum = Eigen::ArrayXXd::Zero(bins, nl), sum_e2 = sum, count = sum, sum_dt = sum;
  // The file's locations (first coordinates of each key).
  std::map<LocationKey, int> key_index;
  std::vector<std::pair<double, double>> where;
  std::map<std::string, int> by_name;
  std::vector<int> key_of(f.obs.x.size(), -1);
  for (std::size_t i = 0; i < f.obs.x.size(); ++i) {
    const LocationKey key = key_of_row(f, i);
    auto [it, added] = key_index.try_emplace(key, static_cast<int>(where.size()));
    if (added) {
      where.emplace_back(f.obs.x[i], f.obs.y[i]);
      if (key.named()) by_name.emplace(station_key(key.station), it->second);
    }
    key_of[i] = it->second;
  }
  // Each location takes the file location with its station name, else the
  // nearest within max_km: a coarse product's pixel serves every station in it.
  std::vector<std::vector<int>> served(where.size());
  std::vector<double> wlon, wlat;
  for (const auto& [lon, lat] : where) wlon.push_back(lon), wlat.push_back(lat);
  const PlaceIndex index(std::move(wlon), std::move(wlat));  // log(places) a query, not a scan of them all
  for (std::size_t l = 0; l < locations.size(); ++l) {
    if (aggregate_km > 0) {  // every file location within the footprint
      for (const int k : index.within(locations[l].lon, locations[l].lat, aggregate_km))
        served[static_cast<std::size_t>(k)].push_back(static_cast<int>(l));
      continue;
    }
    int at = -1;
    if (auto n = locations[l].named ? by_name.find(station_key(locations[l].name)) : by_name.end(); n != by_name.end())
      at = n->second;
    else
      at = index.nearest_last(locations[l].lon, locations[l].lat, max_km);
    if (at >= 0) served[static_cast<std::size_t>(at)].push_back(static_cast<int>(l));
  }
  Binned b;
  const auto& o = f.obs;
  for (std::size_t i = 0; i < o.x.size(); ++i) {
    const auto ei = static_cast<Eigen::Index>(i);
    if (o.qc[i] != 0 || !std::isfinite(o.value[ei])) continue;
    const Time t = o.time[i];
    if (t < start || (t - start).seconds >= step.seconds * bins) {
      ++b.outside_period;
      continue;
    }
    const auto& to = served[static_cast<std::size_t>(key_of[i])];
    if (to.empty()) {
      ++b.unmatched;
      continue;
    }
    const auto k = static_cast<Eigen::Index>((t - start).seconds / step.seconds);
    for (int l : to) {
      sum_dt(k, l) += static_cast<double>((t - start).seconds - k * step.seconds);
      sum(k, l) += o.value[ei];
      sum_e2(k, l) += o.error[ei] * o.error[ei];
      count(k, l) += 1;
    }
    ++b.used;
  }
  const double nan = std::nan("");
  b.value = (count > 0).select(sum / count, nan);
  // Averaged over a footprint, the errors of distinct pixels are taken as independent.
  const Eigen::ArrayXXd reduce = aggregate_km > 0 ? Eigen::ArrayXXd(count.max(1.0).sqrt()) : Eigen::ArrayXXd::Ones(bins, nl);
  b.error = (count > 0).select((sum_e2 / count).sqrt() / reduce, nan);
  b.offset = (count > 0).select(sum_dt / count, nan);
  return b;
}

MergeInput collocate(const MergeConfig& cfg, JsonObject& summary, std::vector<Eigen::ArrayXXd>& offsets) {
  MergeInput in;
  const auto bins_ll = (cfg.end - cfg.start).seconds / cfg.step.seconds;
  if (bins_ll < 1 || bins_ll > 10'000'000)
    throw ConfigError(cat(cfg.source_file, ": start..end holds ", bins_ll, " steps of ", cfg.step.iso(),
                          "; expected 1 to 10,000,000"));
  const int bins = static_cast<int>(bins_ll);
  in.step = cfg.step;
  in.seed = static_cast<std::uint64_t>(cfg.seed);
  in.output_dir = cfg.output_dir;
  in.match_km = cfg.max_distance_km;
  in.aggregate_km = cfg.aggregate_km;
  for (int k = 0; k < bins; ++k) in.time.push_back(cfg.start + Duration{cfg.step.seconds * k + cfg.step.seconds / 2});

  JsonObject per_product;
  for (std::size_t p = 0; p < cfg.products.size(); ++p) {
    const auto& pp = cfg.products[p];
    ObsFile f = read_ioda(pp.file, pp.variable, pp.units);
    if (pp.error > 0) f.obs.error.setConstant(pp.error);
    if (p == 0) {
      in.locations = locations_of(cfg.locations_file.empty() ? f : read_ioda(cfg.locations_file));
      if (in.locations.empty())
        throw InputError(cat(cfg.locations_file.empty() ? pp.file : cfg.locations_file, ": no location with a good value"));
      in.units = f.units;
    }
    Binned b = bin_to_locations(f, in.locations, cfg.start, cfg.step, bins, cfg.max_distance_km,
                                p == 0 && cfg.locations_file.empty() ? 0.0 : cfg.aggregate_km);
    JsonObject ps;
    ps.add("file", pp.file).add("units", f.units).add("values_used", static_cast<long long>(b.used));
    ps.add("values_outside_period", static_cast<long long>(b.outside_period));
    ps.add("values_far_from_every_location", static_cast<long long>(b.unmatched));
    if (p > 0 && cfg.rescale != "none") {
      // Every non-empty bin is one "observation" of the rescaling, grouped by location.
      std::vector<int> group;
      std::vector<double> ref;
      std::vector<bool> pair;
      std::vector<std::pair<Eigen::Index, Eigen::Index>> at;
      for (Eigen::Index l = 0; l < b.value.cols(); ++l)
        for (Eigen::Index t = 0; t < b.value.rows(); ++t)
          if (std::isfinite(b.value(t, l))) {
            group.push_back(static_cast<int>(l));
            ref.push_back(in.value[0](t, l));
            pair.push_back(true);
            at.emplace_back(t, l);
          }
      Eigen::VectorXd v(static_cast<Eigen::Index>(at.size())), e(v.size());
      for (std::size_t i = 0; i < at.size(); ++i) {
        v[static_cast<Eigen::Index>(i)] = b.value(at[i].first, at[i].second);
        e[static_cast<Eigen::Index>(i)] = b.error(at[i].first, at[i].second);
      }
      const auto fits = fit_rescaling(cfg.rescale, group, static_cast<int>(in.locations.size()), ref, pair, v);
      apply_rescaling(fits, group, v, e);
      long long dropped = 0;
      for (std::size_t i = 0; i < at.size(); ++i) {
        const bool ok = fits[static_cast<std::size_t>(group[i])].applied;
        b.value(at[i].first, at[i].second) = ok ? v[static_cast<Eigen::Index>(i)] : std::nan("");
        b.error(at[i].first, at[i].second) = ok ? e[static_cast<Eigen::Index>(i)] : std::nan("");
        dropped += ok ? 0 : 1;
      }
      ps.add("bins_left_out_too_few_pairs_to_rescale", dropped);
      if (dropped > 0)
        log::warn("merge: ", pp.name, ": ", dropped, " daily values left out at locations with fewer than ",
                  kMinRescalePairs, " bins shared with ", cfg.products[0].name, " (cannot rescale there)");
    }
    ps.add("bins_with_value", static_cast<long long>(b.value.isFinite().count()));
    per_product.add(pp.name, ps);
    in.products.push_back(pp.name);
    in.value.push_back(std::move(b.value));
    in.error.push_back(std::move(b.error));
    offsets.push_back(std::move(b.offset));
  }
  summary.add("products", per_product);
  return in;
}

namespace {

void merge_into(MergeConfig& cfg, const std::string& work) {
  JsonObject summary;
  summary.add("method", cfg.merger.type).add("name", cfg.name).add("rescale", cfg.rescale);
  std::vector<Eigen::ArrayXXd> offsets;
  MergeInput in = collocate(cfg, summary, offsets);
  in.output_dir = work;
  log::info("merge: ", in.products.size(), " product(s) at ", in.locations.size(), " location(s), ", in.time.size(),
            " bins of ", cfg.step.iso(), "; method ", cfg.merger.type);
  io::write_text_file(work + "/config.resolved.yaml", resolved_yaml(cfg));
  auto merger = mergers().create(cfg.merger);
  MergeResult r = merger->merge(in);

  // Bins with too few products get no value, whatever the method made of them.
  Eigen::ArrayXXi available = Eigen::ArrayXXi::Zero(r.value.rows(), r.value.cols());
  for (const auto& v : in.value) available += v.isFinite().cast<int>();
  ObsFile out;
  out.variable = "soilMoistureVolumetric";
  out.units = in.units;
  out.platform = "merged";
  out.sensor = cfg.merger.type;
  out.source = cfg.name;
  // Each merged value is stamped at the mean time of the values it merges
  // (the bin's centre for a method that filled a bin without them).
  struct Out {
    Time time;
    Eigen::Index t, l;
  };
  std::vector<Out> order;
  for (Eigen::Index t = 0; t < r.value.rows(); ++t)
    for (Eigen::Index l = 0; l < r.value.cols(); ++l) {
      if (!std::isfinite(r.value(t, l)) || available(t, l) < cfg.min_products) continue;
      if (!(r.error(t, l) > 0))
        throw Error(cat("merger ", cfg.merger.type, " gave a non-positive error at ", in.locations[static_cast<std::size_t>(l)].name,
                        " ", in.time[static_cast<std::size_t>(t)].iso()));
      double dt = 0, n = 0;
      for (const auto& o : offsets)
        if (std::isfinite(o(t, l))) dt += o(t, l), n += 1;
      const Time bin_start = cfg.start + Duration{cfg.step.seconds * t};
      order.push_back({n > 0 ? bin_start + Duration{static_cast<std::int64_t>(std::llround(dt / n))}
                             : in.time[static_cast<std::size_t>(t)],
                       t, l});
    }
  std::stable_sort(order.begin(), order.end(), [](const Out& a, const Out& b) { return a.time < b.time; });
  std::vector<double> values, errors;
  for (const auto& [time, t, l] : order) {
    values.push_back(r.value(t, l));
    errors.push_back(r.error(t, l));
    out.obs.x.push_back(in.locations[static_cast<std::size_t>(l)].lon);
    out.obs.y.push_back(in.locations[static_cast<std::size_t>(l)].lat);
    out.obs.time.push_back(time);
    out.station.push_back(in.locations[static_cast<std::size_t>(l)].name);
  }
  const auto n = static_cast<Eigen::Index>(values.size());
  out.obs.value = Eigen::Map<Eigen::VectorXd>(values.data(), n);
  out.obs.error = Eigen::Map<Eigen::VectorXd>(errors.data(), n);
  out.obs.qc.assign(values.size(), 0);
  out.obs.source.assign(values.size(), 0);
  out.obs.source_names = {cfg.name};
  write_ioda(out, work + "/merged.nc");

  JsonObject per_location;
  for (Eigen::Index l = 0; l < r.value.cols(); ++l) {
    long long count = 0;
    double mean_error = 0;
    for (Eigen::Index t = 0; t < r.value.rows(); ++t)
      if (std::isfinite(r.value(t, l)) && available(t, l) >= cfg.min_products) {
        ++count;
        mean_error += r.error(t, l);
      }
    JsonObject s;
    s.add("merged_values", count).add("mean_error", count ? mean_error / static_cast<double>(count) : std::nan(""));
    per_location.add(in.locations[static_cast<std::size_t>(l)].name, s);
  }
  summary.add("merged_values", static_cast<long long>(n)).add("locations", per_location);
  summary.add(cfg.merger.type, r.summary);
  io::write_text_file(work + "/summary.json", summary.str() + "\n");
  log::info("merge: wrote ", n, " merged values to ", cfg.output_dir, "/merged.nc");
}

}  // namespace

void run_merge(MergeConfig& cfg) {
  // Everything goes to a work folder first: a failed merge leaves no half-written output.
  namespace fs = std::filesystem;
  const fs::path final_dir = fs::path(cfg.output_dir).lexically_normal();
  const fs::path work = final_dir.string() + ".partial";
  fs::remove_all(work);
  fs::create_directories(work);
  try {
    merge_into(cfg, work.string());
  } catch (...) {
    std::error_code ec;
    fs::remove_all(work, ec);
    throw;
  }
  // File by file: an existing output folder keeps whatever else it holds.
  fs::create_directories(final_dir);
  for (const auto& e : fs::directory_iterator(work)) fs::rename(e.path(), final_dir / e.path().filename());
  fs::remove(work);
}

}  // namespace landda::observations::merging
