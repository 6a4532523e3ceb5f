#include "experiments/compare/compare.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <limits>
#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>
#include <unistd.h>

#include "config/node.hpp"
#include "core/error.hpp"
#include "core/grid.hpp"
#include "core/json.hpp"
#include "core/location_key.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "experiments/core/experiment.hpp"
#include "experiments/core/run_config.hpp"
#include "experiments/compare/paired.hpp"
#include "experiments/twin/twin.hpp"
#include "io/atomic_file.hpp"
#include "io/netcdf.hpp"
#include "observations/ioda/ioda_file.hpp"
#include "observations/ismn/ismn_file.hpp"
#include "observations/merging/merge.hpp"
#include "models/register.hpp"
#include "observations/register.hpp"
#include "parallel/comm.hpp"
#include "parallel/environment.hpp"

namespace fs = std::filesystem;

namespace landda::experiments {

void ValidationParams::visit(config::Visitor& v) {
  v("source", source, config::doc("a source of the base config with `assimilate: false` (stations, or the truth in an OSSE)").needed());
  v("layer", layer,
    config::doc("which layer it validates, as named in the tables: surface, rootzone, crns, depth_<N>cm or "
                "profile_<A>_<B>cm"));
}

void CompareConfig::visit(config::Visitor& v) {
  v("base", base,
    config::doc("the run config every experiment starts from (twin or assimilate): model, filter, ensemble, seed, "
                "and its observation sources")
        .file()
        .needed());
  v("retrievals", retrievals,
    config::doc("sources of the base config compared alone and jointly and merged (empty: every source the base "
                "assimilates)"));
  v("open_loop", open_loop, config::doc("run the open loop (the base with no retrieval assimilated)"));
  v("singles", singles, config::doc("run each retrieval alone"));
  v("joint", joint, config::doc("run all retrievals jointly"));
  v.plugin_list("merged", merged, observations::merging::mergers(),
                config::doc("merged products to build from the retrievals and assimilate, each a merger section "
                            "(type mean | tc | lstm and its keys)"));
  v.plugin("merged_operator", merged_operator, observations::operators(),
           config::doc("how a merged product is observed (empty: the first retrieval's operator, or for an LSTM "
                       "trained on merge_reference that source's operator)"));
  v("merged_rescale", merged_rescale,
    config::doc("how a merged product is matched to the model before it is assimilated (a file source's "
                "`rescale`, per location to the control run); empty: as the first retrieval")
        .one_of({"", "none", "mean_std", "cdf", "anomaly"}));
  v("merged_every", merged_every,
    config::doc("assimilate a merged product in every this many windows only (thinning in time for products "
                "whose errors persist from day to day)")
        .range(1, 1e6));
  v("merge_rescale", merge_rescale,
    config::doc("how the retrievals are matched to the first before merging").one_of({"none", "mean_std", "cdf"}));
  v("merge_reference", merge_reference,
    config::doc("source of the base config whose observations train an LSTM (its file, or in an OSSE its synthetic "
                "draws); fills the lstm's `reference` unless it names one"));
  v("merge_locations", merge_locations,
    config::doc("the retrieval whose locations the merged products take (empty: the first retrieval's); the "
                "densest gives the widest coverage"));
  v("merge_max_distance_km", merge_max_distance_km,
    config::doc("a retrieval's location joins the nearest location of the first within this distance").above(0));
  v("merge_aggregate_km", merge_aggregate_km,
    config::doc("> 0: the retrievals are averaged over this radius around each merged location (the footprint of "
                "the coarsest); 0: nearest location").at_least(0));
  v.sections("validation", validation,
             config::doc("the sources that score the experiments (empty: every source with `assimilate: false`, "
                         "as surface)"));
  v.section("stations", stations,
            config::doc("build the base's grid from an ISMN download: a column at every station, forced by station "
                        "data, its probes as validation sources, the retrievals read at every station (see "
                        "docs/stations.md)"));
  v("validate_with", validate_with,
    config::doc("folders of ISMN station files (soil moisture) added as validation stations (with `stations`: as "
                "new columns, forced the same way); `landda compare --validate-with DIR` adds more")
        .dir());
  v("validate_max_distance_km", validate_max_distance_km,
    config::doc("a validation station further than this from every cell is left out").above(0));
  v("replicates", replicates,
    config::doc("run every experiment, the open loop too, this many times with seeds seed, seed + 1, ...: the "
                "scores are means over the replicates, and each difference to the open loop is the mean of the "
                "replicates' paired differences, its interval from resampling the replicates as well as time (an "
                "ensemble mean depends on its random draws; one seed cannot tell that noise from an effect of "
                "assimilation). Replicates after the first go to seed_<seed>/ in the output folder")
        .range(1, 100));
  v.section("output", config::doc("where the comparison goes"), [this](config::Visitor& o) {
    o("dir", output_dir,
      config::doc("output folder: one sub-folder per experiment, report.md, report.csv, summary.json, figures/ and "
                  "report.html (`landda compare --output` overrides it)"));
    o("figures", figures,
      config::doc("draw the figures and report.html with experiments/report/make_report.py (python3 with xarray "
                  "and matplotlib); the tables do not need it"));
  });
  v("log_level", log_level, config::log_levels());
}

CompareConfig read_compare_config(const config::Node& root) {
  CompareConfig cfg;
  config::read(root, cfg);
  cfg.source_file = root.source().file;
  return cfg;
}

namespace {

struct Variant {
  std::string name;
  std::vector<std::string> assimilated;  // retrieval names, or the merged source
  std::string merged_file;               // set for merged products
  std::string merger_type;
  std::size_t merger_index = 0;  // into CompareConfig::merged
};

// The folder of one experiment's replicate: the first (the base's seed) in the
// output folder, the others under seed_<seed>/.
std::string run_dir(const CompareConfig& cfg, const std::string& name, long long seed0, int replicate) {
  return cfg.output_dir + (replicate == 0 ? "" : cat("/seed_", seed0 + replicate)) + "/" + name;
}


struct Row {
  std::string experiment, station, layer;
  std::size_t n = 0;
  double bias = 0, rmse = 0, ubrmse = 0, r = 0, anomaly_r = 0;
};

constexpr std::size_t kMinPairs = 10;
constexpr std::size_t kMinDays = 50;
constexpr double kFalseDiscoveryRate = 0.10;  // over the family of station tests: Wilks (2016), q = 2 alpha  // for a difference to the open loop: pytesmo's minimum of 50 daily pairs

// Scores of one experiment at one validation source, per station, after the
// spin-up: the run's state at each observation's time (the feedback's hofx:
// the forecast before the window's end, the analysis at it) against the value.
std::vector<Row> score(const std::string& file, const std::string& experiment, const std::string& layer, Time from) {
  const auto f = observations::read_ioda(file, "", "", {"hofx"});
  const auto& model = f.groups.at(0).values;
  std::map<LocationKey, std::size_t> at;
  std::vector<LocationKey> names;
  std::vector<std::vector<Time>> t;
  std::vector<std::vector<double>> m, o;
  for (std::size_t i = 0; i < f.obs.x.size(); ++i) {
    const int qc = f.obs.qc[i];
    const double ov = f.obs.value[static_cast<Eigen::Index>(i)], mv = model[i];
    if ((qc != 0 && qc != static_cast<int>(QcFlag::not_used)) || !std::isfinite(ov) || !std::isfinite(mv)) continue;
    if (f.obs.time[i] < from) continue;
    const LocationKey key = location_key(f.station, f.obs.x, f.obs.y, i);
    auto [it, added] = at.try_emplace(key, names.size());
    if (added) {
      names.push_back(key);
      t.emplace_back();
      m.emplace_back();
      o.emplace_back();
    }
    t[it->second].push_back(f.obs.time[i]);
    m[it->second].push_back(mv);
    o[it->second].push_back(ov);
  }
  std::vector<Row> rows;
  for (std::size_t s = 0; s < names.size(); ++s) {
    const auto p = metrics::compare(m[s], o[s], kMinPairs);
    rows.push_back({experiment, names[s].label(), layer, p.n, p.bias, p.rmsd, p.ubrmsd, p.r,
                    metrics::anomaly_r(t[s], m[s], o[s], kMinPairs)});
  }
  return rows;
}

std::string fmt(double v, int digits = 4) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

struct Summary {
  std::string experiment, layer;
  int stations = 0;
  double n = 0, bias = 0, rmse = 0, ubrmse = 0, r = 0, anomaly_r = 0;
  int rank = 0;
};

// The model's top-layer soil (porosity, residual content, K_s, b: those that
// vary) at each location of an observation file, named as the merger names
// locations without station names; false when the model has no such fields.
bool write_soil_static(const RunConfig& base, const std::string& locations_file, const std::string& out) {
  const auto model = models::registry().create(base.model);
  const std::vector<std::string> fields{"porosity", "residual", "saturated_conductivity", "clapp_hornberger_b"};
  std::vector<Eigen::VectorXd> values(fields.size());
  for (std::size_t k = 0; k < fields.size(); ++k)
    if (!model->static_field(fields[k], values[k])) return false;
  const auto f = observations::read_ioda(locations_file);
  std::map<LocationKey, int> cell_of;
  for (Eigen::Index i = 0; i < f.obs.size(); ++i) {
    const LocationKey key = location_key(f.station, f.obs.x, f.obs.y, static_cast<std::size_t>(i));
    if (cell_of.count(key)) continue;
    int best = 0;
    double best_d = model->grid().distance(0, f.obs.x[i], f.obs.y[i]);
    for (int c = 1; c < model->grid().size(); ++c)
      if (const double d = model->grid().distance(c, f.obs.x[i], f.obs.y[i]); d < best_d) best = c, best_d = d;
    cell_of[key] = best;
  }
  // Fields that vary between the locations (a constant input teaches a network nothing).
  std::vector<std::size_t> keep;
  for (std::size_t k = 0; k < fields.size(); ++k) {
    bool varies = false;
    for (const auto& [key, c] : cell_of) varies = varies || values[k][c] != values[k][cell_of.begin()->second];
    if (varies) keep.push_back(k);
  }
  if (keep.empty()) return false;
  // Stations by name; unnamed locations by their coordinates, which the merger matches as numbers.
  const bool named = cell_of.begin()->first.named();
  std::ostringstream csv;
  csv << std::setprecision(17) << (named ? "station" : "lon,lat");
  for (std::size_t k : keep) csv << ',' << fields[k];
  csv << '\n';
  for (const auto& [key, c] : cell_of) {
    if (named) {
      std::string name = key.station;  // comma-separated: a comma in a name would split it
      std::replace(name.begin(), name.end(), ',', ' ');
      csv << name;
    } else {
      csv << key.x << ',' << key.y;
    }
    for (std::size_t k : keep) csv << ',' << values[k][c];  // the top layer: the first n_cells rows
    csv << '\n';
  }
  fs::create_directories(fs::path(out).parent_path());
  io::write_text_file(out, csv.str());
  return true;
}

// Means over the stations with enough pairs, ranked by ubRMSE within each layer.
std::vector<Summary> summarise(const std::vector<Row>& rows, const std::vector<std::string>& experiments,
                               const std::vector<std::string>& layers) {
  std::vector<Summary> out;
  for (const auto& layer : layers) {
    std::vector<Summary> part;
    for (const auto& e : experiments) {
      Summary s{e, layer};
      int nr = 0, na = 0;
      for (const auto& r : rows) {
        if (r.experiment != e || r.layer != layer || r.n < kMinPairs) continue;
        ++s.stations;
        s.n += static_cast<double>(r.n);
        s.bias += r.bias;
        s.rmse += r.rmse;
        s.ubrmse += r.ubrmse;
        if (std::isfinite(r.r)) s.r += r.r, ++nr;
        if (std::isfinite(r.anomaly_r)) s.anomaly_r += r.anomaly_r, ++na;
      }
      if (s.stations == 0) continue;
      const double k = s.stations;
      s.n /= k, s.bias /= k, s.rmse /= k, s.ubrmse /= k;
      s.r = nr ? s.r / nr : std::nan("");
      s.anomaly_r = na ? s.anomaly_r / na : std::nan("");
      part.push_back(s);
    }
    std::vector<std::size_t> order(part.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return part[a].ubrmse < part[b].ubrmse; });
    for (std::size_t k = 0; k < order.size(); ++k) part[order[k]].rank = static_cast<int>(k) + 1;
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::string quoted(const std::string& s) { return s.find(',') != std::string::npos ? "\"" + s + "\"" : s; }

// report.csv: one row per experiment x station x layer, the paired differences
// to the open loop beside the scores, and one row per experiment and layer for
// the mean over stations.
void write_csv(const CompareConfig& cfg, const std::vector<Row>& rows, const std::vector<PairedRow>& paired) {
  std::map<std::tuple<std::string, std::string, std::string>, const PairedRow*> by;
  for (const auto& p : paired) by[{p.experiment, p.station, p.layer}] = &p;
  const auto diff = [](std::ostringstream& o, const Difference& d, bool higher) {
    o << ',' << fmt(d.value, 6) << ',' << fmt(d.lo, 6) << ',' << fmt(d.hi, 6) << ',' << d.verdict(higher);
  };
  const auto paired_cols = [&](std::ostringstream& o, const PairedRow* p) {
    if (!p || !p->note.empty()) {
      // block, 3 x 4 differences, the note, 3 p-values and 3 family verdicts
      o << std::string(14, ',') << (p ? quoted(p->note) : std::string()) << std::string(6, ',');
      return;
    }
    o << ',' << p->block;
    diff(o, p->r, true);
    diff(o, p->anomaly_r, true);
    diff(o, p->ubrmse, false);
    o << ',';
    for (const Difference* d : {&p->r, &p->anomaly_r, &p->ubrmse}) o << ',' << fmt(d->p, 6);
    if (p->mean) {
      o << ",,,";  // the means over stations are not in the family
      return;
    }
    o << ',' << p->r.family_verdict(true) << ',' << p->anomaly_r.family_verdict(true) << ',' << p->ubrmse.family_verdict(false);
  };
  std::ostringstream csv;
  csv << "experiment,station,layer,n,bias,rmse,ubrmse,r,anomaly_r,block,d_r,d_r_lo,d_r_hi,r_verdict,d_anomaly_r,"
         "d_anomaly_r_lo,d_anomaly_r_hi,anomaly_r_verdict,d_ubrmse,d_ubrmse_lo,d_ubrmse_hi,ubrmse_verdict,paired_note,"
         "r_p,anomaly_r_p,ubrmse_p,r_family_verdict,anomaly_r_family_verdict,ubrmse_family_verdict\n";
  for (const auto& r : rows) {
    csv << r.experiment << ',' << quoted(r.station) << ',' << r.layer << ',' << r.n << ',' << fmt(r.bias, 6) << ','
        << fmt(r.rmse, 6) << ',' << fmt(r.ubrmse, 6) << ',' << fmt(r.r, 6) << ',' << fmt(r.anomaly_r, 6);
    const auto it = by.find({r.experiment, r.station, r.layer});
    paired_cols(csv, it == by.end() ? nullptr : it->second);
    csv << '\n';
  }
  for (const auto& p : paired)
    if (p.mean) {
      csv << p.experiment << ',' << quoted(p.station) << ',' << p.layer << ',' << p.n << ",,,,,";
      paired_cols(csv, &p);
      csv << '\n';
    }
  io::write_text_file(cfg.output_dir + "/report.csv", csv.str());
}

std::string shown(const Difference& d, bool higher, int digits) {
  if (!std::isfinite(d.value)) return "";
  return cat(d.value >= 0 ? "+" : "", fmt(d.value, digits), " [", fmt(d.lo, digits), ", ", fmt(d.hi, digits), "] ",
             d.verdict(higher));
}

// A layer's heading and table header, when the rows move on to a new layer.
void next_layer(std::ostringstream& md, std::string& current, const std::string& layer, const char* hashes,
                const char* columns) {
  if (layer == current) return;
  current = layer;
  md << "\n" << hashes << " " << layer_title(layer) << "\n\n" << columns << "\n|";
  for (const char* c = columns; *c; ++c)
    if (*c == '|' && c[1]) md << "---|";
  md << "\n";
}

// The station rows' verdicts counted: alone (each at 95 %) and over the family.
struct VerdictCount {
  std::size_t judged = 0, tests = 0, better = 0, worse = 0, family_better = 0, family_worse = 0;
};

VerdictCount count_verdicts(const std::vector<PairedRow>& paired) {
  VerdictCount c;
  for (const auto& p : paired) {
    if (p.mean || !p.note.empty()) continue;
    ++c.judged;
    const std::array<std::pair<const Difference*, bool>, 3> ds{{{&p.r, true}, {&p.anomaly_r, true}, {&p.ubrmse, false}}};
    bool b = false, w = false, fb = false, fw = false;
    for (const auto& [d, higher] : ds) {
      c.tests += std::isfinite(d->p);
      b = b || d->verdict(higher) == "better", w = w || d->verdict(higher) == "worse";
      fb = fb || d->family_verdict(higher) == "better", fw = fw || d->family_verdict(higher) == "worse";
    }
    c.better += b, c.worse += w, c.family_better += fb, c.family_worse += fw;
  }
  return c;
}

void write_paired_md(std::ostringstream& md, const std::vector<PairedRow>& paired, int replicates) {
  md << "\n## Against the open loop\n\nEach experiment minus the open loop on the same matched pairs, with a 95 % "
     << "moving-block bootstrap interval (1000 resamples; block length in pairs from the residuals' lag-1 "
     << "autocorrelation, Wilks 1997); *better* or *worse* where the interval excludes zero. The mean over "
     << "stations resamples every station in each draw.";
  if (replicates > 1)
    md << " Every experiment ran " << replicates << " times with other seeds (`replicates`): a difference is the "
       << "mean of the replicates' paired differences, and each draw resamples the replicates with the blocks, "
       << "so the interval holds the ensemble's sampling noise as well as time's.";
  else
    md << " One replicate (`replicates: 1`): the interval holds time's sampling noise, not the ensemble's; two "
       << "seeds of the same experiment can differ by more than it.";
  const VerdictCount c = count_verdicts(paired);
  md << "\n\nOf " << c.judged << " station rows, each judged alone (three differences at 95 %): " << c.better
     << " better in at least one difference, " << c.worse << " worse in at least one. Over the family of all "
     << c.tests << " station differences, with the false discovery rate held at " << fmt(kFalseDiscoveryRate, 2)
     << " (Benjamini & Hochberg 1995; Wilks 2016): " << c.family_better << " better, " << c.family_worse
     << " worse (report.csv: `*_p`, `*_family_verdict`).\n";
  std::string layer;
  for (const auto& p : paired) {
    next_layer(md, layer, p.layer, "###", "| experiment | station | pairs | block | R | anomaly R | ubRMSE |");
    md << "| " << p.experiment << " | " << p.station << " | " << p.n << " | ";
    if (!p.note.empty()) {
      md << " | " << p.note << " | | |\n";
      continue;
    }
    md << (p.mean ? cat(p.stations, " stations") : std::to_string(p.block)) << " | " << shown(p.r, true, 3) << " | "
       << shown(p.anomaly_r, true, 3) << " | " << shown(p.ubrmse, false, 4) << " |\n";
  }
}

void write_stations_md(std::ostringstream& md, const StationSet& s) {
  if (!s.columns.empty()) {
    md << "\n## Stations\n\nA model column at each station (stations/stations.csv has the same and the static files); "
       << "forcing hours by origin (donor distance and elevation difference, temperature carried by the lapse rate).\n\n"
       << "| station | elevation (m) | probes (m) | precipitation | air temperature | retrievals |\n|---|---|---|---|---|---|\n";
    for (const auto& c : s.columns) {
      std::string depths, retr;
      for (double d : c.depths) depths += (depths.empty() ? "" : ", ") + fmt(d, 3);
      for (const auto& r : c.retrievals) retr += (retr.empty() ? "" : "; ") + r;
      md << "| " << c.key << (c.validation_only ? " (validation only)" : "") << " | " << fmt(c.elevation, 0) << " | "
         << depths << (c.profile ? " + profile" : "") << (c.crns ? " (CRNS)" : "") << " | " << c.pr.text() << " | "
         << c.tas.text() << " | " << retr << " |\n";
    }
  }
  if (s.unused.empty()) return;
  md << "\n## Stations not scored\n\n| station | reason |\n|---|---|\n";
  for (const auto& [key, why] : s.unused) md << "| " << key << " | " << why << " |\n";
}

JsonObject stations_json(const StationSet& s) {
  JsonObject j, cols, unused;
  for (const auto& c : s.columns) {
    JsonObject o;
    o.add("lon", c.lon).add("lat", c.lat).add("elevation_m", c.elevation).add("validation_only", c.validation_only);
    o.add("precipitation", c.pr.text()).add("air_temperature", c.tas.text()).add("profile", c.profile).add("crns", c.crns);
    cols.add(c.key, o);
  }
  for (const auto& [key, why] : s.unused) unused.add(key, why);
  j.add("columns", cols).add("not_scored", unused);
  return j;
}

JsonObject paired_json(const std::vector<PairedRow>& paired) {
  JsonObject j;
  for (const auto& p : paired) {
    const auto diff = [&p](const Difference& d, bool higher) {
      JsonObject o;
      o.add("difference", d.value).add("lo", d.lo).add("hi", d.hi).add("p", d.p).add("verdict", d.verdict(higher));
      if (!p.mean) o.add("family_verdict", d.family_verdict(higher));
      return o;
    };
    JsonObject o;
    o.add("pairs", static_cast<long long>(p.n)).add("stations", static_cast<long long>(p.stations));
    if (!p.note.empty()) {
      j.add(p.experiment + "/" + p.layer + "/" + p.station, o.add("not_judged", p.note));
      continue;
    }
    o.add("replicates", static_cast<long long>(p.replicates));
    if (!p.mean) o.add("block", static_cast<long long>(p.block));
    o.add("r", diff(p.r, true)).add("anomaly_r", diff(p.anomaly_r, true)).add("ubrmse", diff(p.ubrmse, false));
    j.add(p.experiment + "/" + p.layer + "/" + p.station, o);
  }
  return j;
}

void write_reports(const CompareConfig& cfg, const StationSet& stations, const std::vector<Row>& rows,
                   const std::vector<Summary>& sums, const std::vector<PairedRow>& paired,
                   const std::vector<std::pair<std::string, double>>& seconds) {
  write_csv(cfg, rows, paired);

  std::ostringstream md;
  md << "# landda comparison\n\nBase config: `" << cfg.base << "`. Every experiment shares its model, forcing, "
     << "ensemble and random streams; they differ only in what they assimilate.\n\n"
     << "Scores of the analysis ensemble mean against the validation stations after the spin-up"
     << (cfg.replicates > 1 ? cat(" (means over ", cfg.replicates, " replicates)") : std::string()) << ", averaged over "
     << "the stations with at least " << kMinPairs << " pairs (bias = model - station; R and anomaly R, 35-day "
     << "moving-average climatology, as in pytesmo). Rank: by mean ubRMSE within the layer.\n\n";
  std::string layer;
  for (const auto& s : sums) {
    next_layer(md, layer, s.layer, "##",
               "| rank | experiment | stations | pairs per station | bias | RMSE | ubRMSE | R | anomaly R |");
    md << "| " << s.rank << " | " << s.experiment << " | " << s.stations << " | " << fmt(s.n, 0) << " | "
       << fmt(s.bias) << " | " << fmt(s.rmse) << " | " << fmt(s.ubrmse) << " | " << fmt(s.r, 3) << " | "
       << fmt(s.anomaly_r, 3) << " |\n";
  }
  write_paired_md(md, paired, cfg.replicates);
  write_stations_md(md, stations);
  md << "\n## Per station\n\n| experiment | station | layer | n | bias | RMSE | ubRMSE | R | anomaly R |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows)
    md << "| " << r.experiment << " | " << r.station << " | " << r.layer << " | " << r.n << " | " << fmt(r.bias)
       << " | " << fmt(r.rmse) << " | " << fmt(r.ubrmse) << " | " << fmt(r.r, 3) << " | " << fmt(r.anomaly_r, 3) << " |\n";
  md << "\n## Run times\n\n| experiment | seconds |\n|---|---|\n";
  for (const auto& [e, sec] : seconds) md << "| " << e << " | " << fmt(sec, 1) << " |\n";
  io::write_text_file(cfg.output_dir + "/report.md", md.str());

  JsonObject j;
  j.add("base", cfg.base);
  j.add("replicates", cfg.replicates);
  for (const auto& s : sums) {
    JsonObject e;
    e.add("rank", s.rank).add("stations", s.stations).add("bias", s.bias).add("rmse", s.rmse);
    e.add("ubrmse", s.ubrmse).add("r", s.r).add("anomaly_r", s.anomaly_r);
    j.add(s.experiment + "/" + s.layer, e);
  }
  JsonObject t;
  for (const auto& [e, sec] : seconds) t.add(e, sec);
  j.add("seconds", t);
  JsonObject val;
  for (const auto& v : cfg.validation) val.add(v.source, v.layer);
  j.add("validation", val);
  j.add("against_open_loop", paired_json(paired));
  const VerdictCount c = count_verdicts(paired);
  JsonObject fam;
  fam.add("station_rows", static_cast<long long>(c.judged)).add("tests", static_cast<long long>(c.tests));
  fam.add("rows_better", static_cast<long long>(c.better)).add("rows_worse", static_cast<long long>(c.worse));
  fam.add("false_discovery_rate", kFalseDiscoveryRate);
  fam.add("rows_better_over_family", static_cast<long long>(c.family_better));
  fam.add("rows_worse_over_family", static_cast<long long>(c.family_worse));
  j.add("verdict_counts", fam);
  j.add("stations", stations_json(stations));
  io::write_text_file(cfg.output_dir + "/summary.json", j.str() + "\n");
}

std::string absolute_in(const std::string& path, const std::string& dir) {
  fs::path p(path);
  return (p.is_relative() ? fs::path(dir) / p : p).lexically_normal().string();
}

// The typed base every experiment starts from, and what a comparison adds.
struct Base {
  RunConfig run;
  std::unique_ptr<Experiment> experiment;
  const CyclingExperiment* cycling = nullptr;
  CycleParams params;
  std::string dir;  // the base config's folder
  Time start, end, scored_from;
  StationSet stations;  // with a stations section: the columns, their files and the stations left out

  std::size_t index_of(const std::string& name, const std::string& file, const char* key) const {
    std::vector<std::string> names;
    for (std::size_t k = 0; k < params.observations.size(); ++k) {
      if (params.observations[k].name == name) return k;
      names.push_back(params.observations[k].name);
    }
    throw ConfigError(cat(file, ": ", key, ": the base config has no source '", name, "' (sources: ", config::join(names), ")"));
  }
  const SourceParams& source(const std::string& name, const std::string& file, const char* key) const {
    return params.observations[index_of(name, file, key)];
  }
};

// The base's period, from its experiment section alone (a stations section makes the rest of it).
std::pair<Time, Time> base_period(const config::Node& node, const std::string& dir) {
  struct ExperimentOnly {
    config::PluginConfig experiment;
    void visit(config::Visitor& v) { v.plugin("experiment", experiment, registry(), config::doc("")); }
  } e;
  YAML::Node y;
  y["experiment"] = YAML::Clone(node.yaml()["experiment"]);
  config::read(config::from_yaml(y, node.source().file, dir), e);
  const auto x = registry().create(e.experiment);
  const auto* cycling = dynamic_cast<const CyclingExperiment*>(x.get());
  if (!cycling) throw ConfigError(cat(node.source().file, ": stations need a twin or assimilate base experiment"));
  const CycleParams p = cycling->cycle();
  return {p.start, p.start + Duration{p.window.seconds * p.cycles}};
}

// The base run config as a node; with a stations section, the stations are
// prepared into `stations_dir` (written when `write`) and become its grid.
config::Node base_node(const CompareConfig& cfg, const CompareOptions& opts, StationSet& stations,
                       const std::string& stations_dir, bool write) {
  config::Node node = config::load_file(cfg.base, opts.base_overrides);
  if (cfg.stations.empty()) return node;
  const std::string dir = fs::absolute(cfg.base).parent_path().string();
  const auto [start, end] = base_period(node, dir);
  const YAML::Node soil = node.yaml()["model"]["soil"];
  const bool need_static = soil && soil["source"] && soil["source"].as<std::string>() == "ismn";
  stations = prepare_stations(cfg.stations, cfg.validate_with, start, end, need_static, stations_dir, write);
  YAML::Node y = YAML::Clone(node.yaml());
  apply_stations(stations, y, cfg.source_file);
  return config::from_yaml(y, cfg.base + " (its grid from the stations of " + cfg.source_file + ")", dir);
}

Base read_base(const CompareConfig& cfg, const config::Node& node) {
  Base b;
  b.dir = fs::absolute(cfg.base).parent_path().string();
  b.run = read_run_config(node);  // checks the base before anything runs
  b.experiment = registry().create(b.run.experiment);
  b.cycling = dynamic_cast<const CyclingExperiment*>(b.experiment.get());
  if (!b.cycling || b.cycling->mode() == RunMode::open_loop)
    throw ConfigError(cat(cfg.base, ": experiment type '", b.run.experiment.type,
                          "': compare needs a twin or assimilate experiment"));
  b.params = b.cycling->cycle();
  b.start = b.params.start;
  b.end = b.start + Duration{b.params.window.seconds * b.params.cycles};
  b.scored_from = b.start + Duration{b.params.window.seconds * b.params.spinup};
  return b;
}

// The retrievals compared, the validation sources, and their checks.
void resolve_sources(CompareConfig& cfg, const Base& base) {
  const auto& sources = base.params.observations;
  if (cfg.retrievals.empty())
    for (const auto& s : sources)
      if (s.assimilate) cfg.retrievals.push_back(s.name);
  if (cfg.retrievals.empty()) throw ConfigError(cat(cfg.source_file, ": the base config assimilates no source"));
  for (const auto& r : cfg.retrievals) base.index_of(r, cfg.source_file, "retrievals");
  if (cfg.validation.empty())
    for (const auto& s : sources)
      if (!s.assimilate) cfg.validation.push_back({s.name, "surface"});
  for (const auto& v : cfg.validation) {
    base.index_of(v.source, cfg.source_file, "validation");
    if (std::count(cfg.retrievals.begin(), cfg.retrievals.end(), v.source))
      throw ConfigError(cat(cfg.source_file, ": validation: '", v.source, "' is also one of the retrievals (",
                            config::join(cfg.retrievals), "); an experiment would be scored against its own data"));
  }
  if (!cfg.merge_reference.empty()) base.index_of(cfg.merge_reference, cfg.source_file, "merge_reference");
  if (!cfg.merge_locations.empty() &&
      std::find(cfg.retrievals.begin(), cfg.retrievals.end(), cfg.merge_locations) == cfg.retrievals.end())
    throw ConfigError(cat(cfg.source_file, ": merge_locations: '", cfg.merge_locations, "' is not one of the retrievals (",
                          config::join(cfg.retrievals), ")"));
}

// A validation source read through the source declaration (checked like any other).
SourceParams probe_source(const StationProbe& probe, double max_km, const std::string& origin) {
  YAML::Node n;
  n["name"] = probe.name;
  n["file"] = probe.file;
  n["operator"]["type"] = probe.op;
  if (probe.op == "insitu") n["operator"]["depth_m"] = std::max(probe.depth_m, 0.01);
  if (probe.op == "layer_average") {
    n["operator"]["top_m"] = probe.top_m;
    n["operator"]["bottom_m"] = probe.bottom_m;
  }
  n["operator"]["max_distance_km"] = max_km;
  n["file_errors"] = true;
  n["assimilate"] = false;
  SourceParams sp;
  config::read(config::from_yaml(n, origin, fs::path(probe.file).parent_path().string()), sp);
  return sp;
}

// The stations' probes as validation sources.
void add_station_probes(CompareConfig& cfg, Base& base, const StationSet& stations) {
  for (const auto& probe : stations.probes) {
    base.params.observations.push_back(probe_source(probe, cfg.validate_max_distance_km, cfg.source_file + " (stations)"));
    cfg.validation.push_back({probe.name, probe.layer});
  }
}

// ISMN folders as validation stations: one observation file per depth, an in-situ probe (or CRNS) there.
void add_station_folders(CompareConfig& cfg, Base& base, const parallel::Comm& comm) {
  if (!cfg.stations.empty() || cfg.validate_with.empty()) return;  // with stations: they became columns
  const auto model = models::registry().create(base.run.model);
  const Grid& grid = model->grid();
  for (const auto& dir : cfg.validate_with) {
    std::map<double, std::vector<observations::IsmnFile>> by_depth;
    for (auto& station : observations::read_ismn_folders({dir})) {
      // Without a stations section the grid is fixed: a station far from every cell cannot be scored.
      double nearest = std::numeric_limits<double>::infinity();
      for (int c = 0; c < grid.size(); ++c) nearest = std::min(nearest, grid.distance(c, station.lon, station.lat));
      std::string why = station.of("sm").empty() ? "no soil-moisture file" : "";
      if (why.empty() && nearest > cfg.validate_max_distance_km)
        why = cat("no model column within ", cfg.validate_max_distance_km, " km (nearest ", std::lround(nearest),
                  " km); a `stations:` section makes a column at every station");
      if (!why.empty()) {
        base.stations.unused.emplace_back(station.key(), why);
        continue;
      }
      for (auto& f : station.files)
        if (f.variable == "sm") by_depth[f.depth_from].push_back(std::move(f));
    }
    for (auto& [depth, group] : by_depth) {
      const std::string name = cat("validate_", fs::path(dir).filename().string(), "_", static_cast<int>(std::lround(depth * 100)), "cm");
      const std::string file = fs::absolute(cfg.output_dir + "/" + name + ".nc").string();
      if (comm.root()) observations::write_ioda(observations::ismn_to_obs(group, base.start, base.end, 0.02), file);
      comm.barrier();
      const bool crns = group.front().sensor.find("osmic") != std::string::npos || group.front().network == "COSMOS";
      const std::string layer = crns ? "crns" : depth <= cfg.stations.surface_depth_m ? "surface" : cat("depth_", std::lround(depth * 100), "cm");
      const StationProbe probe{name, file, layer, crns ? "crns" : "insitu", depth, 0, 0};
      base.params.observations.push_back(probe_source(probe, cfg.validate_max_distance_km, cat("--validate-with ", dir)));
      cfg.validation.push_back({name, layer});
      log::info("compare: validation stations from ", dir, " at ", depth, " m: ", group.size(), " file(s)",
                crns ? " (CRNS operator)" : "");
    }
  }
  for (const auto& [key, why] : base.stations.unused) log::warn("compare: station ", key, " is not scored: ", why);
}

std::vector<Variant> plan_variants(const CompareConfig& cfg) {
  std::vector<Variant> variants;
  if (cfg.open_loop) variants.push_back({"open_loop", {}, "", "", 0});
  if (cfg.singles)
    for (const auto& r : cfg.retrievals) variants.push_back({r, {r}, "", "", 0});
  if (cfg.joint && cfg.retrievals.size() > 1) variants.push_back({"joint", cfg.retrievals, "", "", 0});
  std::map<std::string, int> type_count;
  for (const auto& m : cfg.merged) {
    const int k = type_count[m.type]++;
    const std::string name = "merged_" + m.type + (k ? cat("_", k + 1) : "");
    variants.push_back({name, {name}, "", m.type, static_cast<std::size_t>(&m - cfg.merged.data())});
  }
  return variants;
}

// A variant's typed run: the base's sources with only its own assimilated
// (every other is withheld and scored), plus its merged product.
CycleParams variant_params(const CompareConfig& cfg, const Base& base, const Variant& v) {
  CycleParams p = base.params;
  for (auto& s : p.observations) s.assimilate = std::count(v.assimilated.begin(), v.assimilated.end(), s.name) > 0;
  if (!v.merged_file.empty()) {
    SourceParams m = base.source(cfg.retrievals.front(), cfg.source_file, "retrievals");
    m.name = v.name;
    m.file = v.merged_file;
    m.variable.clear();
    // A product trained on a reference (the LSTM) is observed like that reference.
    if (v.merger_type == "lstm" && !cfg.merge_reference.empty())
      m.op = base.source(cfg.merge_reference, cfg.source_file, "merge_reference").op;
    if (!cfg.merged_operator.type.empty()) m.op = cfg.merged_operator;
    m.file_errors = true;
    // A merger's stated errors are its own (TC among the retrievals, or the network's validation), not its
    // error against the model's column; where the retrievals learn that from their innovations, so does the product.
    if (m.learn_error != "innovations") m.learn_error = "none";
    m.assimilate = true;
    m.every = cfg.merged_every;  // a daily product, not the first retrieval's revisit
    m.phase = 0;
    if (!cfg.merged_rescale.empty()) m.rescale = cfg.merged_rescale;
    p.observations.push_back(m);
  }
  return p;
}

// The open loop keeps the filter (assimilate experiments need one) and the
// same data path; every experiment writes feedback and maps.
RunConfig variant_run(const Base& base, const CycleParams& p, const std::string& out_dir, bool write_draws) {
  RunConfig rc = base.run;
  YAML::Node resolved;
  resolved["type"] = base.run.experiment.type;
  for (const auto& kv : base.cycling->resolved(p)) resolved[kv.first] = kv.second;
  rc.experiment.resolved.reset(resolved);  // not `=`: that would write through to the base run's copy
  rc.output.dir = out_dir;
  rc.output.diagnostics = true;
  rc.output.maps = true;
  rc.output.observations = write_draws;
  return rc;
}

void run_variant(const Base& base, const CycleParams& p, const RunConfig& rc, const parallel::Layout& layout) {
  RunOptions ro;
  ro.output_dir = rc.output.dir;
  base.cycling->run_with(p, rc, ro, layout);
  layout.run.barrier();  // rank 0 writes the outputs; no rank looks for them before they are complete
}

// The merge config of one merged product: the retrievals (files, or an OSSE's
// draws), the period, and the merger with the model's soil and forcing an LSTM learns from.
observations::merging::MergeConfig merge_config(const CompareConfig& cfg, const Base& base, const Variant& v,
                                                const std::vector<std::string>& retrieval_files,
                                                const std::string& draws_dir, const std::string& merge_dir) {
  YAML::Node m;
  for (std::size_t r = 0; r < cfg.retrievals.size(); ++r) {
    YAML::Node p;
    p["name"] = cfg.retrievals[r];
    p["file"] = fs::absolute(retrieval_files[r]).string();
    m["products"].push_back(p);
  }
  // The merged product sits at the locations of merge_locations' retrieval (default the first).
  const auto at = std::find(cfg.retrievals.begin(), cfg.retrievals.end(),
                            cfg.merge_locations.empty() ? cfg.retrievals.front() : cfg.merge_locations);
  const std::string& locations_file = retrieval_files[static_cast<std::size_t>(at - cfg.retrievals.begin())];
  if (!cfg.merge_locations.empty()) m["locations"] = fs::absolute(locations_file).string();
  m["start"] = base.start.iso();
  m["end"] = base.end.iso();
  m["rescale"] = cfg.merge_rescale;
  m["max_distance_km"] = cfg.merge_max_distance_km;
  m["aggregate_km"] = cfg.merge_aggregate_km;
  const auto& mc = cfg.merged[v.merger_index];
  YAML::Node merger = YAML::Clone(mc.node.yaml());
  if (!merger.IsMap()) merger = YAML::Node(YAML::NodeType::Map);
  merger["type"] = mc.type;
  if (mc.type == "lstm" && !merger["static"]) {
    // A network that knows each location's soil can learn its offset
    // (the OSSE's LSTM erred by 0.021 m3/m3 per location without it):
    // the model's top-layer soil at the merged locations.
    const std::string file = (fs::absolute(merge_dir).parent_path() / "soil_static.csv").string();
    if (write_soil_static(base.run, locations_file, file)) merger["static"] = file;
  }
  const YAML::Node base_model = config::load_file(cfg.base).yaml()["model"];
  if (mc.type == "lstm" && !merger["forcing"] && !base.stations.point_forcing.empty()) {
    // Each station column's own forcing, at the station (where its retrievals are placed).
    for (const auto& f : base.stations.point_forcing) merger["forcing"].push_back(f);
  } else if (mc.type == "lstm" && !merger["forcing"] && base_model["forcing"] && base_model["forcing"].IsScalar()) {
    // The model's forcing: precipitation and temperature drive what every location's
    // soil moisture does, and a network without them errs alike everywhere on a given day.
    // A one-point forcing is what the model applies to every cell, so it serves every location.
    const std::string forcing = absolute_in(base_model["forcing"].as<std::string>(), base.dir);
    const auto nc = io::NcFile::open(forcing);
    if (nc.att_double("", "latitude") && nc.att_double("", "longitude")) {
      merger["forcing"].push_back(forcing);
      merger["forcing_max_distance_km"] = 20000.0;
    }
  }
  if (mc.type == "lstm" && !merger["reference"] && !cfg.merge_reference.empty()) {
    const auto& ref = base.source(cfg.merge_reference, cfg.source_file, "merge_reference");
    merger["reference"] = ref.file.empty() ? fs::absolute(draws_dir + "/observations/" + ref.name + ".nc").string() : ref.file;
  }
  m["merger"] = merger;
  m["output"]["dir"] = merge_dir;
  m["seed"] = base.run.seed;
  m["log_level"] = cfg.log_level;
  return observations::merging::read_merge_config(config::from_yaml(
      m, cfg.source_file + " (merge " + v.name + ")", fs::absolute(cfg.source_file).parent_path().string()));
}

// The retrievals' files for merging: the base's, or synthetic draws of an
// open-loop pass (the open loop's own, or one run for them).
std::vector<std::string> retrieval_files(const CompareConfig& cfg, const Base& base, const std::string& draws_dir,
                                         const parallel::Layout& layout) {
  bool synthetic = false;
  for (const auto& r : cfg.retrievals) synthetic = synthetic || base.source(r, cfg.source_file, "retrievals").file.empty();
  // Rank 0 decides: the files are its to write, and every rank must take the same path.
  std::string draw = layout.run.root() && synthetic && !fs::exists(draws_dir + "/observations") ? "yes" : "";
  layout.run.broadcast(draw);
  if (!draw.empty()) {
    const Variant open_loop{"open_loop", {}, "", "", 0};
    const CycleParams p = variant_params(cfg, base, open_loop);
    run_variant(base, p, variant_run(base, p, draws_dir, true), layout);
  }
  std::vector<std::string> files;
  for (const auto& r : cfg.retrievals) {
    const auto& s = base.source(r, cfg.source_file, "retrievals");
    files.push_back(s.file.empty() ? draws_dir + "/observations/" + r + ".nc" : s.file);
  }
  return files;
}

// Each validation station's series with every experiment's value at the same
// times in every replicate: the pairs where the station and every run have a value.
std::vector<PairedSeries> paired_series(const CompareConfig& cfg, const std::vector<Variant>& variants, long long seed0,
                                        Time from) {
  std::vector<PairedSeries> out;
  const auto runs = variants.size() * static_cast<std::size_t>(cfg.replicates);
  for (const auto& val : cfg.validation) {
    // (station, time) -> observation and each run's value, by experiment and replicate
    std::map<std::pair<LocationKey, Time>, std::pair<double, std::map<std::pair<std::string, int>, double>>> at;
    for (const auto& v : variants)
      for (int k = 0; k < cfg.replicates; ++k) {
        const auto f = observations::read_ioda(run_dir(cfg, v.name, seed0, k) + "/diagnostics/" + val.source + ".nc",
                                               "", "", {"hofx"});
        for (std::size_t i = 0; i < f.obs.x.size(); ++i) {
          const int qc = f.obs.qc[i];
          const double ov = f.obs.value[static_cast<Eigen::Index>(i)], mv = f.groups.at(0).values[i];
          if ((qc != 0 && qc != static_cast<int>(QcFlag::not_used)) || !std::isfinite(ov) || !std::isfinite(mv) ||
              f.obs.time[i] < from)
            continue;
          auto& slot = at[{location_key(f.station, f.obs.x, f.obs.y, i), f.obs.time[i]}];
          slot.first = ov;
          slot.second.emplace(std::make_pair(v.name, k), mv);
        }
      }
    std::map<LocationKey, std::size_t> index;
    for (const auto& [key, slot] : at) {
      if (slot.second.size() != runs) continue;
      auto [it, added] = index.try_emplace(key.first, out.size());
      if (added) out.push_back({key.first, val.layer, {}, {}, {}});
      PairedSeries& ps = out[it->second];
      ps.time.push_back(key.second);
      ps.obs.push_back(slot.first);
      for (const auto& [run, m] : slot.second) {
        auto& reps = ps.model[run.first];
        reps.resize(static_cast<std::size_t>(cfg.replicates));
        reps[static_cast<std::size_t>(run.second)].push_back(m);
      }
    }
  }
  return out;
}

// Every experiment's scores per station and layer: the mean over its replicates.
std::vector<Row> scores(const CompareConfig& cfg, const std::vector<Variant>& variants, long long seed0, Time from) {
  std::vector<Row> rows;
  for (const auto& v : variants)
    for (const auto& val : cfg.validation) {
      std::vector<Row> mean;
      for (int k = 0; k < cfg.replicates; ++k) {
        const auto part = score(run_dir(cfg, v.name, seed0, k) + "/diagnostics/" + val.source + ".nc", v.name, val.layer, from);
        if (k == 0) mean = part;
        if (part.size() != mean.size())
          throw Error(cat("compare: replicate ", k + 1, " of ", v.name, " scored other stations at ", val.source));
        for (std::size_t s = 0; s < part.size() && k > 0; ++s) {
          Row& m = mean[s];
          if (part[s].station != m.station)
            throw Error(cat("compare: replicate ", k + 1, " of ", v.name, " scored other stations at ", val.source));
          m.n = std::min(m.n, part[s].n);
          m.bias += part[s].bias, m.rmse += part[s].rmse, m.ubrmse += part[s].ubrmse;
          m.r += part[s].r, m.anomaly_r += part[s].anomaly_r;
        }
      }
      const double kk = cfg.replicates;
      for (Row& m : mean) m.bias /= kk, m.rmse /= kk, m.ubrmse /= kk, m.r /= kk, m.anomaly_r /= kk;
      rows.insert(rows.end(), mean.begin(), mean.end());
    }
  return rows;
}

void score_and_report(const CompareConfig& cfg, const Base& base, const std::vector<Variant>& variants,
                      const std::vector<std::pair<std::string, double>>& seconds) {
  std::vector<std::string> layers, names;
  for (const auto& v : variants) names.push_back(v.name);
  for (const auto& val : cfg.validation)
    if (std::find(layers.begin(), layers.end(), val.layer) == layers.end()) layers.push_back(val.layer);
  const std::vector<Row> rows = scores(cfg, variants, base.run.seed, base.scored_from);
  const auto sums = summarise(rows, names, layers);
  auto paired = cfg.open_loop ? paired_differences(paired_series(cfg, variants, base.run.seed, base.scored_from),
                                                   "open_loop", names, kMinPairs, kMinDays, 1000,
                                                   static_cast<std::uint64_t>(base.run.seed))
                              : std::vector<PairedRow>{};
  control_fdr(paired, kFalseDiscoveryRate);
  write_reports(cfg, base.stations, rows, sums, paired, seconds);
  log::info("compare: wrote ", cfg.output_dir, "/report.md, report.csv and summary.json (", rows.size(), " rows)");
  for (const auto& s : sums)
    log::info("  ", s.layer, " #", s.rank, " ", s.experiment, ": ubRMSE ", fmt(s.ubrmse), ", R ", fmt(s.r, 3),
              ", anomaly R ", fmt(s.anomaly_r, 3), " (", s.stations, " stations)");
  if (!cfg.figures) return;
  const std::string script = std::string(LANDDA_SOURCE_DIR) + "/experiments/report/make_report.py";
  const std::string py = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const std::string cmd = py + " '" + script + "' '" + cfg.output_dir + "'";
  if (!fs::exists(script) || std::system(cmd.c_str()) != 0)
    log::warn("compare: the figures and report.html were not drawn (", cmd,
              " failed; it needs python3 with xarray and matplotlib); the tables are complete");
  else
    log::info("compare: report at ", cfg.output_dir, "/report.html");
}

// One replicate of one experiment (the base's seed set for it): its merged
// product first (from the retrievals' files or this replicate's draws), then the run.
void run_replicate(const CompareConfig& cfg, const Base& base, const Variant& variant, const std::string& dir,
                   const std::string& draws_dir, std::vector<std::string>& files, const parallel::Layout& layout) {
  Variant v = variant;
  const parallel::Comm& comm = layout.run;
  if (!v.merger_type.empty()) {
    if (files.empty()) files = retrieval_files(cfg, base, draws_dir, layout);
    // The merge runs on rank 0; every rank learns whether it worked.
    const std::string merge_dir = dir + "/merge";
    std::string failure;
    if (comm.root()) {
      try {
        auto mcfg = merge_config(cfg, base, v, files, draws_dir, merge_dir);
        observations::merging::run_merge(mcfg);
      } catch (const std::exception& e) {
        failure = e.what();
      }
    }
    comm.broadcast(failure);
    if (!failure.empty()) throw Error(cat("compare: merging ", v.name, ": ", failure));
    v.merged_file = fs::absolute(merge_dir + "/merged.nc").string();
  }
  const CycleParams p = variant_params(cfg, base, v);
  run_variant(base, p, variant_run(base, p, dir, v.name == "open_loop"), layout);
}

}  // namespace

void check_compare(CompareConfig& cfg, const CompareOptions& opts) {
  // Stations are prepared in a scratch folder: validating writes nothing the user sees.
  const fs::path scratch = fs::temp_directory_path() / cat("landda-validate-", ::getpid());
  struct Remove {
    fs::path p;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } remove{scratch};
  StationSet stations;
  Base base = read_base(cfg, base_node(cfg, opts, stations, scratch.string(), true));
  base.cycling->check(base.run);
  resolve_sources(cfg, base);
  add_station_probes(cfg, base, stations);
}

void run_compare(CompareConfig& cfg, const CompareOptions& opts, const parallel::Environment& env) {
  const auto t_start = std::chrono::steady_clock::now();
  const parallel::Comm& comm = env.world();
  if (comm.root()) fs::create_directories(cfg.output_dir);
  StationSet stations;  // every rank reads the stations; rank 0 writes their files
  const config::Node node = base_node(cfg, opts, stations, cfg.output_dir + "/stations", comm.root());
  comm.barrier();
  Base base = read_base(cfg, node);
  base.stations = stations;
  base.cycling->check(base.run);
  resolve_sources(cfg, base);
  add_station_probes(cfg, base, stations);
  add_station_folders(cfg, base, comm);
  std::vector<Variant> variants = plan_variants(cfg);
  std::vector<std::string> names;
  for (const auto& v : variants) names.push_back(v.name);
  log::info("compare: ", variants.size(), " experiments (", config::join(names), "), validated by ",
            cfg.validation.size(), " source(s), ", comm.size(), " MPI rank(s)");
  const parallel::Layout layout = parallel::Layout::make(comm, base.run.parallel.ranks_per_task);
  std::vector<std::pair<std::string, double>> seconds;
  const long long seed0 = base.run.seed;
  std::vector<std::vector<std::string>> files(static_cast<std::size_t>(cfg.replicates));  // per replicate, for merging
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const Variant& v = variants[i];
    const auto t0 = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(t0 - t_start).count();
    log::info("compare: experiment ", i + 1, "/", variants.size(), " ", v.name,
              cfg.replicates > 1 ? cat(" (", cfg.replicates, " replicates)") : std::string(),
              i > 0 ? cat("; ", static_cast<long long>(elapsed), " s so far, about ",
                          static_cast<long long>(elapsed / static_cast<double>(i) * static_cast<double>(variants.size() - i)), " s to go")
                    : std::string());
    for (int k = 0; k < cfg.replicates; ++k) {
      base.run.seed = seed0 + k;
      run_replicate(cfg, base, v, run_dir(cfg, v.name, seed0, k),
                    run_dir(cfg, cfg.open_loop ? "open_loop" : "draws", seed0, k), files[static_cast<std::size_t>(k)],
                    layout);
    }
    base.run.seed = seed0;
    seconds.emplace_back(v.name, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (comm.root()) score_and_report(cfg, base, variants, seconds);
  log::info("compare: done in ", static_cast<long long>(std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count()), " s");
}

}  // namespace landda::experiments
