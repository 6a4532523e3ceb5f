#include "observations/merging/lstm/lstm.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

#include "core/error.hpp"
#include "core/grid.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "io/netcdf.hpp"
#include "models/soil_water/forcing.hpp"
#include "observations/merging/lstm/backend_loader.hpp"
#include "observations/merging/merge.hpp"

namespace landda::observations::merging {

void LstmMerger::Params::visit(config::Visitor& v) {
  v("reference", reference,
    config::doc("observation file the network is trained against (in-situ or CRNS stations, a reanalysis); "
                "needed to train, optional with `model:` (then it only scores)")
        .file());
  v("reference_variable", reference_variable, config::doc("its ObsValue variable (empty: the file's one)"));
  v("forcing", forcing,
    config::doc("landda forcing files (pr, tas); each serves the locations within max_distance_km of its "
                "latitude/longitude attributes that have no nearer one; absent forcing is masked")
        .file());
  v("static", static_file,
    config::doc("CSV of static fields per location: a header `station,<field>,...` (e.g. sand, clay, silt, "
                "bulk_density, elevation), then one row per station name; missing stations get the mean")
        .file());
  v("model", model, config::doc("apply this trained model (model.pt of an earlier merge) instead of training").file());
  v("validation_stations", validation_stations,
    config::doc("locations for early stopping and the error estimate (empty: validation_fraction of them, "
                "chosen with the seed)"));
  v("validation_fraction", validation_fraction,
    config::doc("share of the training locations kept for validation when none are named").range(0.01, 0.9));
  v("holdout_stations", holdout_stations,
    config::doc("locations used neither for training nor validation; summary.json scores them"));
  v("min_reference", min_reference,
    config::doc("a location enters training or validation with at least this many reference bins").range(1, 1e9));
  v("hidden", hidden, config::doc("LSTM hidden units").range(1, 4096));
  v("layers", layers, config::doc("stacked LSTM layers").range(1, 8));
  v("sequence_days", sequence_days, config::doc("length of a training window, in bins").range(2, 100000));
  v("stride_days", stride_days, config::doc("a training window starts every this many bins").range(1, 100000));
  v("warmup_days", warmup_days,
    config::doc("bins at the start of each window (and of each validation series) not scored").range(0, 100000));
  v("batch", batch, config::doc("windows per mini-batch").range(1, 100000));
  v("epochs", epochs, config::doc("most epochs").range(1, 100000));
  v("patience", patience, config::doc("stop after this many epochs without a better validation loss").range(1, 100000));
  v("learning_rate", learning_rate, config::doc("Adam step size").above(0));
  v("weight_decay", weight_decay, config::doc("Adam L2 penalty").at_least(0));
  v("threads", threads, config::doc("torch threads (results are reproducible for a fixed count)").range(1, 256));
  v("season", season, config::doc("add the day of year (sine and cosine) as inputs"));
}

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

struct Table {
  std::vector<std::string> fields;
  std::map<std::string, std::vector<double>> rows;
};

Table read_static_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(cat(path, ": cannot open the static-field table"));
  Table t;
  std::string line;
  int line_no = 0;
  const auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');) {
      item.erase(0, item.find_first_not_of(" \t\r"));
      item.erase(item.find_last_not_of(" \t\r") + 1);
      out.push_back(item);
    }
    return out;
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    auto cols = split(line);
    if (t.fields.empty()) {
      if (cols.size() < 2 || (cols[0] != "station" && cols[0] != "location"))
        throw InputError(cat(path, ":", line_no, ": expected a header `station,<field>,...`"));
      t.fields.assign(cols.begin() + 1, cols.end());
      continue;
    }
    if (cols.size() != t.fields.size() + 1)
      throw InputError(cat(path, ":", line_no, ": expected ", t.fields.size() + 1, " comma-separated values, got ",
                           cols.size()));
    std::vector<double> v;
    for (std::size_t k = 1; k < cols.size(); ++k) {
      if (cols[k].empty() || cols[k] == "NaN" || cols[k] == "nan") {
        v.push_back(kNan);
        continue;
      }
      std::size_t used = 0;
      double x = kNan;
      try {
        x = std::stod(cols[k], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != cols[k].size() || !std::isfinite(x))
        throw InputError(cat(path, ":", line_no, ": ", t.fields[k - 1], " '", cols[k], "' is not a number"));
      v.push_back(x);
    }
    t.rows[station_key(cols[0])] = std::move(v);
  }
  if (t.fields.empty()) throw InputError(cat(path, ": empty static-field table"));
  return t;
}

// Daily precipitation (mm per bin-day) and mean air temperature (deg C) per bin and location.
void read_forcing(const std::vector<std::string>& files, const MergeInput& in, Eigen::ArrayXXd& pr,
                  Eigen::ArrayXXd& tas, JsonObject& summary) {
  const auto nt = static_cast<Eigen::Index>(in.time.size()), nl = static_cast<Eigen::Index>(in.locations.size());
  pr = Eigen::ArrayXXd::Constant(nt, nl, kNan);
  tas = pr;
  std::vector<double> best(in.locations.size(), in.match_km);
  std::vector<int> source(in.locations.size(), -1);
  std::vector<std::pair<double, double>> where;
  for (std::size_t f = 0; f < files.size(); ++f) {
    const auto nc = io::NcFile::open(files[f]);
    const auto lat = nc.att_double("", "latitude"), lon = nc.att_double("", "longitude");
    if (!lat || !lon)
      throw InputError(cat(files[f], ": a point forcing file needs global attributes latitude and longitude"));
    for (std::size_t l = 0; l < in.locations.size(); ++l) {
      const double d = haversine_km(*lon, *lat, in.locations[l].lon, in.locations[l].lat);
      if (d <= best[l]) {
        best[l] = d;
        source[l] = static_cast<int>(f);
      }
    }
  }
  const Duration half{in.step.seconds / 2};
  Eigen::ArrayXd one(1);
  for (std::size_t f = 0; f < files.size(); ++f) {
    std::vector<Eigen::Index> served;
    for (std::size_t l = 0; l < in.locations.size(); ++l)
      if (source[l] == static_cast<int>(f)) served.push_back(static_cast<Eigen::Index>(l));
    if (served.empty()) continue;
    const auto fo = models::soil::Forcing::read(files[f], 1);
    JsonObject s;
    for (Eigen::Index t = 0; t < nt; ++t) {
      const Time b = in.time[static_cast<std::size_t>(t)] - half;
      if (b < fo.begin() || b + in.step > fo.end()) continue;
      fo.mean(models::soil::Met::pr, b, in.step, one);
      const double p = one[0] * in.step.seconds;  // kg m-2 = mm
      fo.mean(models::soil::Met::tas, b, in.step, one);
      for (Eigen::Index l : served) {
        pr(t, l) = p;
        tas(t, l) = one[0] - 273.15;
      }
    }
    for (Eigen::Index l : served) summary.add(in.locations[static_cast<std::size_t>(l)].name, files[f]);
  }
}

std::vector<double> encode(const std::string& s) { return {s.begin(), s.end()}; }
std::string decode(const std::vector<double>& v) {
  std::string s;
  for (double c : v) s.push_back(static_cast<char>(c));
  return s;
}

}  // namespace

MergeResult LstmMerger::merge(const MergeInput& in) {
  const auto nt = static_cast<Eigen::Index>(in.time.size()), nl = static_cast<Eigen::Index>(in.locations.size());
  const Time start = in.time.front() - Duration{in.step.seconds / 2};
  MergeResult r;

  // Inputs as named columns, each time x location (NaN: absent).
  std::vector<std::string> names;
  std::vector<Eigen::ArrayXXd> columns;
  for (std::size_t p = 0; p < in.products.size(); ++p) {
    names.push_back(in.products[p]);
    columns.push_back(in.value[p]);
  }
  JsonObject forcing_used;
  if (!p_.forcing.empty()) {
    Eigen::ArrayXXd pr, tas;
    read_forcing(p_.forcing, in, pr, tas, forcing_used);
    names.insert(names.end(), {"precipitation", "air_temperature"});
    columns.push_back(pr);
    columns.push_back(tas);
  }
  const std::size_t n_masked = columns.size();  // these carry a mask feature each
  if (!p_.static_file.empty()) {
    const Table t = read_static_csv(p_.static_file);
    for (std::size_t k = 0; k < t.fields.size(); ++k) {
      Eigen::ArrayXXd c = Eigen::ArrayXXd::Constant(nt, nl, kNan);
      for (Eigen::Index l = 0; l < nl; ++l)
        if (auto it = t.rows.find(station_key(in.locations[static_cast<std::size_t>(l)].name)); it != t.rows.end())
          c.col(l).setConstant(it->second[k]);
      names.push_back("static:" + t.fields[k]);
      columns.push_back(std::move(c));
    }
  }
  if (p_.season) {
    Eigen::ArrayXXd s(nt, nl), c(nt, nl);
    for (Eigen::Index t = 0; t < nt; ++t) {
      const double a = 2 * M_PI * in.time[static_cast<std::size_t>(t)].day_of_year() / 365.25;
      s.row(t).setConstant(std::sin(a));
      c.row(t).setConstant(std::cos(a));
    }
    names.insert(names.end(), {"season_sin", "season_cos"});
    columns.push_back(s);
    columns.push_back(c);
  }
  const std::string signature = config::join(names, ",") + cat("|masked:", n_masked);

  Eigen::ArrayXXd ref = Eigen::ArrayXXd::Constant(nt, nl, kNan);
  if (!p_.reference.empty())
    ref = bin_to_locations(read_ioda(p_.reference, p_.reference_variable), in.locations, start, in.step,
                           static_cast<int>(nt), in.match_km)
              .value;

  // Which locations train, validate, or are held out.
  std::vector<int> train, validation, holdout;
  std::map<std::string, int> index;
  for (Eigen::Index l = 0; l < nl; ++l) index[station_key(in.locations[static_cast<std::size_t>(l)].name)] = static_cast<int>(l);
  const auto lookup = [&](const std::string& name, const char* key) {
    auto it = index.find(station_key(name));
    if (it == index.end())
      throw ConfigError(cat("merger.", key, ": no location '", name, "' in the reference product (locations: ",
                            in.locations.size(), ", e.g. ", in.locations.front().name, ")"));
    return it->second;
  };
  for (const auto& s : p_.holdout_stations) holdout.push_back(lookup(s, "holdout_stations"));
  for (const auto& s : p_.validation_stations) validation.push_back(lookup(s, "validation_stations"));

  auto backend = make_lstm_backend();
  std::vector<double> mean(columns.size(), 0), sd(columns.size(), 1), target{0, 1, kNan};
  JsonObject training;
  if (p_.model.empty()) {
    if (p_.reference.empty()) throw ConfigError("merger.reference: training an LSTM needs a reference file (or give model:)");
    std::vector<int> eligible;
    for (Eigen::Index l = 0; l < nl; ++l) {
      const int li = static_cast<int>(l);
      const bool named = std::count(holdout.begin(), holdout.end(), li) || std::count(validation.begin(), validation.end(), li);
      if (!named && ref.col(l).isFinite().count() >= p_.min_reference) eligible.push_back(li);
    }
    if (validation.empty()) {
      std::mt19937_64 rng(in.seed);
      for (std::size_t i = eligible.size(); i > 1; --i) std::swap(eligible[i - 1], eligible[rng() % i]);
      const auto nv = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(p_.validation_fraction * eligible.size())));
      if (eligible.size() < 2)
        throw InputError(cat(p_.reference, ": only ", eligible.size(), " location(s) with at least ", p_.min_reference,
                             " reference bins outside holdout_stations; training and validation need two"));
      validation.assign(eligible.begin(), eligible.begin() + static_cast<long>(nv));
      eligible.erase(eligible.begin(), eligible.begin() + static_cast<long>(nv));
      std::sort(validation.begin(), validation.end());
    }
    train = eligible;
    std::sort(train.begin(), train.end());
    if (train.empty()) throw InputError(cat(p_.reference, ": no location left for training"));
    // Normalisation from the training locations only.
    for (std::size_t k = 0; k < columns.size(); ++k) {
      double s = 0, s2 = 0, n = 0;
      for (int l : train)
        for (Eigen::Index t = 0; t < nt; ++t)
          if (const double v = columns[k](t, l); std::isfinite(v)) s += v, s2 += v * v, n += 1;
      if (n > 0) {
        mean[k] = s / n;
        sd[k] = std::sqrt(std::max(s2 / n - mean[k] * mean[k], 0.0));
        if (!(sd[k] > 1e-12)) sd[k] = 1;
      }
    }
    double s = 0, s2 = 0, n = 0;
    for (int l : train)
      for (Eigen::Index t = 0; t < nt; ++t)
        if (const double v = ref(t, l); std::isfinite(v)) s += v, s2 += v * v, n += 1;
    target[0] = s / n;
    target[1] = std::sqrt(std::max(s2 / n - target[0] * target[0], 1e-12));
  } else {
    const auto extra = backend->load(p_.model);
    for (const char* k : {"signature", "feature_mean", "feature_sd", "target"})
      if (!extra.count(k)) throw InputError(cat(p_.model, ": not a landda LSTM model (no '", k, "')"));
    if (decode(extra.at("signature")) != signature)
      throw InputError(cat(p_.model, ": trained on inputs '", decode(extra.at("signature")), "', this merge has '",
                           signature, "'"));
    mean = extra.at("feature_mean");
    sd = extra.at("feature_sd");
    target = extra.at("target");
  }

  // Features: each masked column as (normalised value or 0, mask), then the rest.
  lstm::Data d;
  d.locations = static_cast<int>(nl);
  d.steps = static_cast<int>(nt);
  d.features = static_cast<int>(n_masked * 2 + columns.size() - n_masked);
  d.x.assign(static_cast<std::size_t>(nl * nt * d.features), 0.0f);
  d.y.assign(static_cast<std::size_t>(nl * nt), 0.0f);
  d.mask = d.y;
  for (Eigen::Index l = 0; l < nl; ++l)
    for (Eigen::Index t = 0; t < nt; ++t) {
      float* x = &d.x[static_cast<std::size_t>((l * nt + t) * d.features)];
      int f = 0;
      for (std::size_t k = 0; k < columns.size(); ++k) {
        const double v = columns[k](t, l);
        const bool has = std::isfinite(v);
        x[f++] = has ? static_cast<float>((v - mean[k]) / sd[k]) : 0.0f;
        if (k < n_masked) x[f++] = has ? 1.0f : 0.0f;
      }
      const auto i = static_cast<std::size_t>(l * nt + t);
      if (std::isfinite(ref(t, l))) {
        d.y[i] = static_cast<float>((ref(t, l) - target[0]) / target[1]);
        d.mask[i] = 1;
      }
    }

  if (p_.model.empty()) {
    lstm::TrainOptions o;
    o.hidden = p_.hidden;
    o.layers = p_.layers;
    o.sequence = p_.sequence_days;
    o.stride = p_.stride_days;
    o.warmup = p_.warmup_days;
    o.batch = p_.batch;
    o.max_epochs = p_.epochs;
    o.patience = p_.patience;
    o.threads = p_.threads;
    o.learning_rate = p_.learning_rate;
    o.weight_decay = p_.weight_decay;
    o.seed = in.seed;
    o.train = train;
    o.validation = validation;
    const auto names_of = [&](const std::vector<int>& ls) {
      std::vector<std::string> out;
      for (int l : ls) out.push_back(in.locations[static_cast<std::size_t>(l)].name);
      return config::join(out, ",");
    };
    log::info("lstm: ", d.features, " inputs, training on ", train.size(), " location(s), validating on ",
              validation.size(), " (", names_of(validation), "), holding out ", holdout.size());
    double seconds = 0;
    lstm::EpochReport last;
    try {
      backend->train(d, o, [&](const lstm::EpochReport& e) {
        seconds += e.seconds;
        last = e;
        const std::string line = cat("lstm: epoch ", e.epoch, "/", e.max_epochs, "  train loss ", e.train_loss,
                                     "  validation loss ", e.validation_loss, "  best ", e.best_validation_loss,
                                     " (epoch ", e.best_epoch, ")  ", e.seconds, " s");
        if (e.epoch == 1 || e.epoch % 10 == 0) log::info(line);
        else log::debug(line);
      });
    } catch (const std::exception& e) {
      throw Error(cat("LSTM training: ", e.what()));
    }
    log::info("lstm: stopped after epoch ", last.epoch, "; best validation loss ", last.best_validation_loss,
              " at epoch ", last.best_epoch, "; ", seconds / last.epoch, " s per epoch");
    training.add("train_locations", names_of(train)).add("validation_locations", names_of(validation));
    training.add("epochs", last.epoch).add("best_epoch", last.best_epoch);
    training.add("best_validation_loss", last.best_validation_loss).add("seconds_per_epoch", seconds / last.epoch);
  }

  // Predictions always come from the saved file, so a later `model:` run gives the same values.
  const auto predict_with = [&](lstm::Backend& b) {
    try {
      return b.predict(d);
    } catch (const std::exception& e) {
      throw Error(cat("LSTM prediction: ", e.what()));
    }
  };
  std::vector<float> pred;
  if (p_.model.empty()) {
    // The error estimate needs the trained network's validation RMSE before it is saved.
    const auto pv = predict_with(*backend);
    double s2 = 0, n = 0;
    for (int l : validation)
      for (Eigen::Index t = std::min<Eigen::Index>(p_.warmup_days, nt - 1); t < nt; ++t)
        if (std::isfinite(ref(t, l))) {
          const double e = pv[static_cast<std::size_t>(l * nt + t)] * target[1] + target[0] - ref(t, l);
          s2 += e * e;
          n += 1;
        }
    target[2] = std::sqrt(s2 / n);
    const std::string path = in.output_dir + "/model.pt";
    try {
      backend->save(path, {{"signature", encode(signature)}, {"feature_mean", mean}, {"feature_sd", sd}, {"target", target}});
      auto fresh = make_lstm_backend();
      fresh->load(path);
      pred = predict_with(*fresh);
    } catch (const std::exception& e) {
      throw Error(cat(path, ": ", e.what()));
    }
    training.add("model_file", path);
  } else {
    pred = predict_with(*backend);
    training.add("model_file", p_.model);
  }

  r.value = Eigen::ArrayXXd::Constant(nt, nl, kNan);
  r.error = r.value;
  for (Eigen::Index l = 0; l < nl; ++l)
    for (Eigen::Index t = 0; t < nt; ++t) {
      bool any = false;
      for (const auto& v : in.value) any = any || std::isfinite(v(t, l));
      if (!any) continue;
      r.value(t, l) = pred[static_cast<std::size_t>(l * nt + t)] * target[1] + target[0];
      r.error(t, l) = target[2];
    }
  r.summary.add("inputs", signature).add("error_std", target[2]).add("training", training);
  JsonObject scores;
  for (int l : holdout) {
    std::vector<double> x, y;
    for (Eigen::Index t = 0; t < nt; ++t)
      if (std::isfinite(r.value(t, l)) && std::isfinite(ref(t, l))) {
        x.push_back(r.value(t, l));
        y.push_back(ref(t, l));
      }
    const auto m = metrics::compare(x, y);
    JsonObject s;
    s.add("n", static_cast<long long>(m.n)).add("bias", m.bias).add("ubrmsd", m.ubrmsd).add("r", m.r);
    scores.add(in.locations[static_cast<std::size_t>(l)].name, s);
  }
  r.summary.add("holdout_scores", scores).add("forcing", forcing_used);
  return r;
}

}  // namespace landda::observations::merging
