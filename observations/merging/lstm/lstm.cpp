#include "observations/merging/lstm/lstm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <fstream>
#include <map>
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
  v("reference_max_distance_km", reference_max_distance_km,
    config::doc("a location trains against the reference location with its station name, else the nearest within "
                "this; 0: as the products (the merge's aggregate_km, else max_distance_km)")
        .at_least(0));
  v("reference_variable", reference_variable, config::doc("its ObsValue variable (empty: the file's one)"));
  v("forcing_max_distance_km", forcing_max_distance_km,
    config::doc("how far a point forcing file reaches (0: the merge's max_distance_km); a forcing a model applies "
                "over a whole domain serves every location with a distance larger than the domain")
        .at_least(0));
  v("forcing", forcing,
    config::doc("landda forcing files (pr, tas); each serves the locations within forcing_max_distance_km of its "
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
    config::doc("bins at the start of each window (and of each validation series) not scored, and the first bins "
                "of the merged series left without a value: the network's state is still spinning up there")
        .range(0, 100000));
  v("batch", batch, config::doc("windows per mini-batch").range(1, 100000));
  v("epochs", epochs, config::doc("most epochs").range(1, 100000));
  v("patience", patience, config::doc("stop after this many epochs without a better validation loss").range(1, 100000));
  v("learning_rate", learning_rate, config::doc("Adam step size").above(0));
  v("weight_decay", weight_decay, config::doc("Adam L2 penalty").at_least(0));
  v("threads", threads, config::doc("torch threads (results are reproducible for a fixed count)").range(1, 256));
  v("season", season, config::doc("add the day of year (sine and cosine) as inputs"));
  v("calibration", calibration,
    config::doc("signal: each location's anomalies divided by the slope of the validation predictions' anomalies on "
                "the reference's (reference error variance removed), so that the errors are independent of the "
                "truth as a filter assumes (a network trained on the squared error damps them; Yilmaz & Crow 2013); "
                "none: the network's values as they are")
        .one_of({"signal", "none"}));
  v("folds", folds,
    config::doc("k-fold cross-validation by location (0: off): each location with a reference gets the values "
                "of a network trained without it, and that network's error; the saved model is trained on all")
        .range(0, 1000));
}

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// Static fields by station name (header `station,...`) or by coordinates
// (header `lon,lat,...`, for locations without names), matched as numbers.
struct Table {
  std::vector<std::string> fields;
  std::map<std::string, std::vector<double>> rows;
  std::map<std::pair<double, double>, std::vector<double>> at;
  const std::vector<double>* find(const MergeLocation& l) const {
    if (l.named) {
      auto it = rows.find(station_key(l.name));
      return it == rows.end() ? nullptr : &it->second;
    }
    for (const auto& [where, v] : at)  // the table's coordinates as written: equal to 1e-9 degrees
      if (std::abs(where.first - l.lon) < 1e-9 && std::abs(where.second - l.lat) < 1e-9) return &v;
    return nullptr;
  }
};

Table read_static_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(cat(path, ": cannot open the static-field table"));
  Table t;
  std::string line;
  int line_no = 0;
  bool by_coordinates = false;
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
      by_coordinates = cols.size() >= 3 && cols[0] == "lon" && cols[1] == "lat";
      if (cols.size() < 2 || (cols[0] != "station" && cols[0] != "location" && !by_coordinates))
        throw InputError(cat(path, ":", line_no, ": expected a header `station,<field>,...` or `lon,lat,<field>,...`"));
      t.fields.assign(cols.begin() + (by_coordinates ? 2 : 1), cols.end());
      continue;
    }
    const std::size_t key_cols = by_coordinates ? 2 : 1;
    if (cols.size() != t.fields.size() + key_cols)
      throw InputError(cat(path, ":", line_no, ": expected ", t.fields.size() + key_cols, " comma-separated values, got ",
                           cols.size()));
    std::vector<double> v;
    for (std::size_t k = key_cols; k < cols.size(); ++k) {
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
        throw InputError(cat(path, ":", line_no, ": ", t.fields[k - key_cols], " '", cols[k], "' is not a number"));
      v.push_back(x);
    }
    if (by_coordinates) {
      double lon = kNan, lat = kNan;
      try {
        lon = std::stod(cols[0]);
        lat = std::stod(cols[1]);
      } catch (const std::exception&) {
      }
      if (!(std::abs(lon) <= 360 && std::abs(lat) <= 90))
        throw InputError(cat(path, ":", line_no, ": lon, lat '", cols[0], ",", cols[1], "' are not coordinates"));
      t.at[{lon, lat}] = std::move(v);
    } else {
      t.rows[station_key(cols[0])] = std::move(v);
    }
  }
  if (t.fields.empty()) throw InputError(cat(path, ": empty static-field table"));
  return t;
}

// Daily precipitation (mm per bin-day) and mean air temperature (deg C) per bin and location.
void read_forcing(const std::vector<std::string>& files, double reach_km, const MergeInput& in, Eigen::ArrayXXd& pr,
                  Eigen::ArrayXXd& tas, JsonObject& summary) {
  const auto nt = static_cast<Eigen::Index>(in.time.size()), nl = static_cast<Eigen::Index>(in.locations.size());
  pr = Eigen::ArrayXXd::Constant(nt, nl, kNan);
  tas = pr;
  std::vector<double> best(in.locations.size(), reach_km > 0 ? reach_km : in.match_km);
  std::vector<int> source(in.locations.size(), -1);
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
    const auto fo = models::soil::Forcing::read(files[f], 1, std::numeric_limits<double>::infinity());  // one point: whole
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

// Every input as a named column (time x location, NaN where absent) and the reference.
struct Inputs {
  std::vector<std::string> names;
  std::vector<Eigen::ArrayXXd> columns;
  std::size_t masked = 0;  // the first `masked` columns carry a mask feature each
  Eigen::ArrayXXd ref, ref_error;
  std::string signature;
  Eigen::Index nt = 0, nl = 0;
};

// Normalisation of the inputs and the target (mean, sd) from training locations, and the error estimate.
struct Scaling {
  std::vector<double> mean, sd;
  std::vector<double> target{0, 1, kNan, 1};  // mean, sd, stated error, signal slope (files before it: three)
  double slope() const { return target.size() > 3 ? target[3] : 1.0; }
};

// Each location's anomalies (about its mean over every bin) divided by the signal slope.
void calibrate(Eigen::ArrayXXd& value, double slope) {
  if (slope == 1.0) return;
  for (Eigen::Index l = 0; l < value.cols(); ++l) {
    double sum = 0, n = 0;
    for (Eigen::Index t = 0; t < value.rows(); ++t)
      if (std::isfinite(value(t, l))) sum += value(t, l), n += 1;
    if (n == 0) continue;
    const double m = sum / n;
    value.col(l) = m + (value.col(l) - m) / slope;
  }
}

Scaling fit_scaling(const Inputs& in, const std::vector<int>& train) {
  Scaling s;
  const auto moments = [&](const Eigen::ArrayXXd& c, double& m, double& sd) {
    double sum = 0, sum2 = 0, n = 0;
    for (int l : train)
      for (Eigen::Index t = 0; t < in.nt; ++t)
        if (const double v = c(t, l); std::isfinite(v)) sum += v, sum2 += v * v, n += 1;
    m = n > 0 ? sum / n : 0;
    sd = n > 0 ? std::sqrt(std::max(sum2 / n - m * m, 0.0)) : 1;
    if (!(sd > 1e-12)) sd = 1;
  };
  s.mean.resize(in.columns.size());
  s.sd.resize(in.columns.size());
  for (std::size_t k = 0; k < in.columns.size(); ++k) moments(in.columns[k], s.mean[k], s.sd[k]);
  moments(in.ref, s.target[0], s.target[1]);
  return s;
}

// Features [location][step][feature]: each masked column as (normalised value or 0, mask), then the rest.
lstm::Data features(const Inputs& in, const Scaling& sc) {
  lstm::Data d;
  d.locations = static_cast<int>(in.nl);
  d.steps = static_cast<int>(in.nt);
  d.features = static_cast<int>(in.columns.size() + in.masked);
  d.x.assign(static_cast<std::size_t>(in.nl * in.nt * d.features), 0.0f);
  d.y.assign(static_cast<std::size_t>(in.nl * in.nt), 0.0f);
  d.mask = d.y;
  for (Eigen::Index l = 0; l < in.nl; ++l)
    for (Eigen::Index t = 0; t < in.nt; ++t) {
      float* x = &d.x[static_cast<std::size_t>((l * in.nt + t) * d.features)];
      int f = 0;
      for (std::size_t k = 0; k < in.columns.size(); ++k) {
        const double v = in.columns[k](t, l);
        const bool has = std::isfinite(v);
        x[f++] = has ? static_cast<float>((v - sc.mean[k]) / sc.sd[k]) : 0.0f;
        if (k < in.masked) x[f++] = has ? 1.0f : 0.0f;
      }
      const auto i = static_cast<std::size_t>(l * in.nt + t);
      if (std::isfinite(in.ref(t, l))) {
        d.y[i] = static_cast<float>((in.ref(t, l) - sc.target[0]) / sc.target[1]);
        d.mask[i] = 1;
      }
    }
  return d;
}

Eigen::ArrayXXd denormalise(const std::vector<float>& pred, const Inputs& in, const Scaling& sc) {
  Eigen::ArrayXXd out(in.nt, in.nl);
  for (Eigen::Index l = 0; l < in.nl; ++l)
    for (Eigen::Index t = 0; t < in.nt; ++t)
      out(t, l) = pred[static_cast<std::size_t>(l * in.nt + t)] * sc.target[1] + sc.target[0];
  calibrate(out, sc.slope());
  return out;
}

// The slope of the predictions' anomalies on the truth's over the validation
// locations: cov(prediction, reference) / (var(reference) - its error variance),
// anomalies about each location's means. A conditional-mean predictor has
// slope about R^2 < 1; dividing the anomalies by it gives y = truth + e with e
// independent of the truth, the observation a filter assumes, the signal
// rescaling Yilmaz & Crow (2013) show to be optimal for assimilation.
double signal_slope(const Eigen::ArrayXXd& value, const Inputs& in, const std::vector<int>& locations, Eigen::Index from,
                    JsonObject& report) {
  double cov = 0, var = 0, err2 = 0, n = 0;
  for (int l : locations) {
    double sp = 0, sr = 0, c = 0;
    for (Eigen::Index t = from; t < in.nt; ++t)
      if (std::isfinite(in.ref(t, l)) && std::isfinite(value(t, l))) sp += value(t, l), sr += in.ref(t, l), c += 1;
    if (c < 2) continue;
    sp /= c;
    sr /= c;
    for (Eigen::Index t = from; t < in.nt; ++t)
      if (std::isfinite(in.ref(t, l)) && std::isfinite(value(t, l))) {
        cov += (value(t, l) - sp) * (in.ref(t, l) - sr);
        var += (in.ref(t, l) - sr) * (in.ref(t, l) - sr);
        const double e = in.ref_error(t, l);
        err2 += std::isfinite(e) ? e * e : 0.0;
        n += 1;
      }
  }
  const double signal = n > 0 ? (var - err2) / n : 0.0;
  const double slope = signal > 0 ? cov / n / signal : kNan;
  report.add("signal_slope", slope);
  // A slope far from 1 is a network that has not learnt the signal; stretching by it would only amplify noise.
  if (!(slope >= 0.5 && slope <= 2.0)) {
    log::warn("lstm: the slope of the validation predictions on the reference is ", slope,
              "; outside [0.5, 2], the values are left uncalibrated");
    return 1.0;
  }
  return slope;
}

std::vector<float> predict_with(lstm::Backend& b, const lstm::Data& d) {
  try {
    return b.predict(d);
  } catch (const std::exception& e) {
    throw Error(cat("LSTM prediction: ", e.what()));
  }
}

metrics::Pairwise score(const Eigen::ArrayXXd& value, const Eigen::ArrayXXd& ref, int l, Eigen::Index from = 0) {
  std::vector<double> x, y;
  for (Eigen::Index t = from; t < value.rows(); ++t)
    if (std::isfinite(value(t, l)) && std::isfinite(ref(t, l))) {
      x.push_back(value(t, l));
      y.push_back(ref(t, l));
    }
  return metrics::compare(x, y);
}

std::string names_of(const MergeInput& in, const std::vector<int>& ls) {
  std::vector<std::string> out;
  for (int l : ls) out.push_back(in.locations[static_cast<std::size_t>(l)].name);
  return config::join(out, ",");
}

// One trained network, the features it was trained on and its predictions.
struct Trained {
  std::unique_ptr<lstm::Backend> backend;
  lstm::Data data;
  Eigen::ArrayXXd value;  // denormalised, time x location
};

// Trains one network on `train`, stopping on `validation`; sets its scaling
// (the error estimate from its residuals on the validation locations).
Trained train_one(const LstmMerger::Params& p_, const MergeInput& in, const Inputs& inp, const std::vector<int>& train,
                  const std::vector<int>& validation, std::uint64_t seed, const std::string& label, Scaling& sc,
                  JsonObject& report) {
  sc = fit_scaling(inp, train);
  lstm::Data d = features(inp, sc);
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
  o.seed = seed;
  o.train = train;
  o.validation = validation;
  log::info("lstm", label, ": ", d.features, " inputs, training on ", train.size(), " location(s), validating on ",
            validation.size(), " (", names_of(in, validation), ")");
  double seconds = 0;
  lstm::EpochReport last;
  auto backend = make_lstm_backend();
  try {
    backend->train(d, o, [&](const lstm::EpochReport& e) {
      seconds += e.seconds;
      last = e;
      const std::string line = cat("lstm", label, ": epoch ", e.epoch, "/", e.max_epochs, "  train loss ",
                                   e.train_loss, "  validation loss ", e.validation_loss, "  best ",
                                   e.best_validation_loss, " (epoch ", e.best_epoch, ")  ", e.seconds, " s");
      if (e.epoch == 1 || e.epoch % 10 == 0) log::info(line);
      else log::debug(line);
    });
  } catch (const std::exception& e) {
    throw Error(cat("LSTM training: ", e.what()));
  }
  log::info("lstm", label, ": stopped after epoch ", last.epoch, "; best validation loss ", last.best_validation_loss,
            " at epoch ", last.best_epoch, "; ", seconds / last.epoch, " s per epoch");
  Eigen::ArrayXXd value = denormalise(predict_with(*backend, d), inp, sc);
  const Eigen::Index from = std::min<Eigen::Index>(p_.warmup_days, inp.nt - 1);
  if (p_.calibration == "signal") {
    sc.target[3] = signal_slope(value, inp, validation, from, report);
    calibrate(value, sc.target[3]);
  }
  // The stated error: the validation residuals' random part, as TC states it
  // (each location's mean residual is a bias, which rescaling removes where the
  // product is assimilated), inflated for their persistence. A network's errors
  // persist from one bin to the next and a filter takes each day as an
  // independent observation, so the variance is scaled by (1 + rho)/(1 - rho),
  // rho the lag-1 correlation of the residual anomalies: the effective sample
  // size of an AR(1) series (Bretherton et al. 1999).
  double s2 = 0, n = 0, bias2 = 0, lag = 0, lag_n = 0;
  for (int l : validation) {
    double sum = 0, count = 0;
    for (Eigen::Index t = from; t < inp.nt; ++t)
      if (std::isfinite(inp.ref(t, l))) sum += value(t, l) - inp.ref(t, l), count += 1;
    if (count == 0) continue;
    const double mean = sum / count;
    bias2 += mean * mean * count;
    for (Eigen::Index t = from; t < inp.nt; ++t) {
      if (!std::isfinite(inp.ref(t, l))) continue;
      const double a = value(t, l) - inp.ref(t, l) - mean;
      s2 += a * a;
      n += 1;
      if (t + 1 < inp.nt && std::isfinite(inp.ref(t + 1, l))) lag += a * (value(t + 1, l) - inp.ref(t + 1, l) - mean), lag_n += 1;
    }
  }
  if (n < 2) throw InputError(cat("LSTM merger", label, ": the validation locations have fewer than two reference values"));
  const double ubrmse = std::sqrt(s2 / n), rmse = std::sqrt((s2 + bias2) / n);
  const double rho = std::clamp(lag_n > 0 ? lag / lag_n / (ubrmse * ubrmse) : 0.0, 0.0, 0.95);
  const double tau = (1 + rho) / (1 - rho);
  sc.target[2] = ubrmse * std::sqrt(tau);
  report.add("train_locations", names_of(in, train)).add("validation_locations", names_of(in, validation));
  report.add("epochs", last.epoch).add("best_epoch", last.best_epoch);
  report.add("best_validation_loss", last.best_validation_loss).add("validation_rmse", rmse);
  report.add("validation_ubrmse", ubrmse).add("residual_lag1_correlation", rho);
  report.add("error_variance_inflation", tau).add("stated_error", sc.target[2]);
  report.add("seconds_per_epoch", seconds / last.epoch);
  return {std::move(backend), std::move(d), std::move(value)};
}

}  // namespace

MergeResult LstmMerger::merge(const MergeInput& in) {
  Inputs inp;
  inp.nt = static_cast<Eigen::Index>(in.time.size());
  inp.nl = static_cast<Eigen::Index>(in.locations.size());
  const Eigen::Index nt = inp.nt, nl = inp.nl;
  const Time start = in.time.front() - Duration{in.step.seconds / 2};
  for (std::size_t p = 0; p < in.products.size(); ++p) {
    inp.names.push_back(in.products[p]);
    inp.columns.push_back(in.value[p]);
  }
  JsonObject forcing_used;
  if (!p_.forcing.empty()) {
    Eigen::ArrayXXd pr, tas;
    read_forcing(p_.forcing, p_.forcing_max_distance_km, in, pr, tas, forcing_used);
    inp.names.insert(inp.names.end(), {"precipitation", "air_temperature"});
    inp.columns.push_back(pr);
    inp.columns.push_back(tas);
  }
  inp.masked = inp.columns.size();
  if (!p_.static_file.empty()) {
    const Table t = read_static_csv(p_.static_file);
    for (std::size_t k = 0; k < t.fields.size(); ++k) {
      Eigen::ArrayXXd c = Eigen::ArrayXXd::Constant(nt, nl, kNan);
      for (Eigen::Index l = 0; l < nl; ++l)
        if (const auto* row = t.find(in.locations[static_cast<std::size_t>(l)])) c.col(l).setConstant((*row)[k]);
      inp.names.push_back("static:" + t.fields[k]);
      inp.columns.push_back(std::move(c));
    }
  }
  if (p_.season) {
    Eigen::ArrayXXd s(nt, nl), c(nt, nl);
    for (Eigen::Index t = 0; t < nt; ++t) {
      const double a = 2 * M_PI * in.time[static_cast<std::size_t>(t)].day_of_year() / 365.25;
      s.row(t).setConstant(std::sin(a));
      c.row(t).setConstant(std::cos(a));
    }
    inp.names.insert(inp.names.end(), {"season_sin", "season_cos"});
    inp.columns.push_back(s);
    inp.columns.push_back(c);
  }
  inp.signature = config::join(inp.names, ",") + cat("|masked:", inp.masked);
  inp.ref = inp.ref_error = Eigen::ArrayXXd::Constant(nt, nl, kNan);
  if (!p_.reference.empty()) {
    Binned b = bin_to_locations(read_ioda(p_.reference, p_.reference_variable), in.locations, start, in.step,
                                static_cast<int>(nt), p_.reference_max_distance_km > 0 ? p_.reference_max_distance_km : in.match_km,
                                p_.reference_max_distance_km > 0 ? 0.0 : in.aggregate_km);
    inp.ref = std::move(b.value);
    inp.ref_error = std::move(b.error);
  }

  // Which locations train, validate, or are held out: stations by name,
  // unnamed locations by their label as written in the tables ("lon,lat").
  std::map<std::string, int> index;
  for (Eigen::Index l = 0; l < nl; ++l) {
    const MergeLocation& loc = in.locations[static_cast<std::size_t>(l)];
    index[loc.named ? station_key(loc.name) : loc.name] = static_cast<int>(l);
  }
  const auto lookup = [&](const std::vector<std::string>& names, const char* key) {
    std::vector<int> out;
    for (const auto& name : names) {
      auto it = index.find(station_key(name));
      if (it == index.end()) it = index.find(name);
      if (it == index.end())
        throw ConfigError(cat("merger.", key, ": no location '", name, "' among the merged product's ",
                              in.locations.size(), " (e.g. ", in.locations.front().name, ")"));
      out.push_back(it->second);
    }
    return out;
  };
  const std::vector<int> holdout = lookup(p_.holdout_stations, "holdout_stations");
  const std::vector<int> named_validation = lookup(p_.validation_stations, "validation_stations");
  if (p_.folds > 0 && !p_.model.empty()) throw ConfigError("merger.folds: cross-validation trains; it cannot apply a given model");
  if (p_.folds > 0 && !named_validation.empty())
    throw ConfigError("merger.folds: each fold draws its own validation locations; leave validation_stations empty");

  // Splits `pool` into training and validation locations (seeded), unless validation is named.
  const auto split = [&](std::vector<int> pool, std::uint64_t seed, std::vector<int>& train, std::vector<int>& validation) {
    validation = named_validation;
    if (validation.empty()) {
      if (pool.size() < 2)
        throw InputError(cat(p_.reference, ": only ", pool.size(), " location(s) with at least ", p_.min_reference,
                             " reference bins to train on; training and validation need two"));
      std::mt19937_64 rng(seed);
      for (std::size_t i = pool.size(); i > 1; --i) std::swap(pool[i - 1], pool[rng() % i]);
      const auto nv = std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(p_.validation_fraction * pool.size())), 1,
                                              pool.size() - 1);
      validation.assign(pool.begin(), pool.begin() + static_cast<long>(nv));
      pool.erase(pool.begin(), pool.begin() + static_cast<long>(nv));
    }
    train = pool;
    std::sort(train.begin(), train.end());
    std::sort(validation.begin(), validation.end());
    if (train.empty()) throw InputError(cat(p_.reference, ": no location left for training"));
  };
  std::vector<int> eligible;
  for (Eigen::Index l = 0; l < nl; ++l) {
    const int li = static_cast<int>(l);
    const bool named = std::count(holdout.begin(), holdout.end(), li) ||
                       std::count(named_validation.begin(), named_validation.end(), li);
    if (!named && inp.ref.col(l).isFinite().count() >= p_.min_reference) eligible.push_back(li);
  }

  MergeResult r;
  Scaling sc;
  JsonObject training;
  Eigen::ArrayXXd value;
  const std::string path = in.output_dir + "/model.pt";
  if (p_.model.empty()) {
    if (p_.reference.empty()) throw ConfigError("merger.reference: training an LSTM needs a reference file (or give model:)");
    std::vector<int> train, validation;
    split(eligible, in.seed, train, validation);
    const Trained net = train_one(p_, in, inp, train, validation, in.seed, "", sc, training);
    // Predictions come from the saved file, so a later `model:` run gives the same values.
    try {
      net.backend->save(path, {{"signature", encode(inp.signature)}, {"feature_mean", sc.mean}, {"feature_sd", sc.sd},
                               {"target", sc.target}});
      auto fresh = make_lstm_backend();
      fresh->load(path);
      value = denormalise(predict_with(*fresh, net.data), inp, sc);
    } catch (const std::exception& e) {
      throw Error(cat(path, ": ", e.what()));
    }
    training.add("model_file", "model.pt (in the output folder)");
  } else {
    auto backend = make_lstm_backend();
    std::map<std::string, std::vector<double>> extra;
    try {
      extra = backend->load(p_.model);
    } catch (const std::exception& e) {
      throw InputError(cat(p_.model, ": cannot load the model: ", e.what()));
    }
    for (const char* k : {"signature", "feature_mean", "feature_sd", "target"})
      if (!extra.count(k)) throw InputError(cat(p_.model, ": not a landda LSTM model (no '", k, "')"));
    if (decode(extra.at("signature")) != inp.signature)
      throw InputError(cat(p_.model, ": trained on inputs '", decode(extra.at("signature")), "', this merge has '",
                           inp.signature, "'"));
    sc.mean = extra.at("feature_mean");
    sc.sd = extra.at("feature_sd");
    sc.target = extra.at("target");
    value = denormalise(predict_with(*backend, features(inp, sc)), inp, sc);
    training.add("model_file", p_.model);
  }
  Eigen::ArrayXXd error = Eigen::ArrayXXd::Constant(nt, nl, sc.target[2]);

  // k-fold cross-validation by location: each eligible location's values come
  // from the network trained without it, its error from that network's validation RMSE.
  JsonObject folds;
  if (p_.folds > 0) {
    std::vector<int> pool = eligible;
    std::mt19937_64 rng(in.seed + 7919);
    for (std::size_t i = pool.size(); i > 1; --i) std::swap(pool[i - 1], pool[rng() % i]);
    const int k_folds = std::min<int>(p_.folds, static_cast<int>(pool.size()));
    for (int k = 0; k < k_folds; ++k) {
      std::vector<int> fold, rest;
      for (std::size_t i = 0; i < pool.size(); ++i) (static_cast<int>(i) % k_folds == k ? fold : rest).push_back(pool[i]);
      std::vector<int> train, validation;
      const std::uint64_t seed = in.seed + 1 + static_cast<std::uint64_t>(k);
      split(rest, seed, train, validation);
      Scaling fsc;
      JsonObject report;
      const Trained net = train_one(p_, in, inp, train, validation, seed, cat(" fold ", k + 1, "/", k_folds), fsc, report);
      for (int l : fold) {
        value.col(l) = net.value.col(l);
        error.col(l).setConstant(fsc.target[2]);
      }
      report.add("held_out", names_of(in, fold));
      folds.add(cat("fold_", k + 1), report);
    }
  }

  // The first warmup_days bins come from a network whose state has not spun up
  // (training never scores them): in the OSSE they read 0.027 m3/m3 too wet,
  // and the root zone kept that for months.
  r.value = Eigen::ArrayXXd::Constant(nt, nl, kNan);
  r.error = r.value;
  const Eigen::Index first = std::min<Eigen::Index>(p_.warmup_days, nt);
  long long warming = 0;
  for (Eigen::Index l = 0; l < nl; ++l)
    for (Eigen::Index t = 0; t < nt; ++t) {
      bool any = false;
      for (const auto& v : in.value) any = any || std::isfinite(v(t, l));
      if (!any) continue;
      if (t < first) {
        ++warming;
        continue;
      }
      r.value(t, l) = value(t, l);
      r.error(t, l) = error(t, l);
    }
  r.summary.add("bins_left_out_warmup", warming);
  r.summary.add("inputs", inp.signature).add("error_std", sc.target[2]).add("training", training);
  // Scores against the reference of the locations no network saw (held out, or cross-validated).
  const auto scores = [&](const std::vector<int>& ls) {
    JsonObject out;
    for (int l : ls) {
      const auto m = score(r.value, inp.ref, l);
      JsonObject s;
      s.add("n", static_cast<long long>(m.n)).add("bias", m.bias).add("ubrmsd", m.ubrmsd).add("r", m.r);
      out.add(in.locations[static_cast<std::size_t>(l)].name, s);
    }
    return out;
  };
  r.summary.add("holdout_scores", scores(holdout)).add("forcing", forcing_used);
  if (p_.folds > 0) r.summary.add("cross_validation", folds).add("cross_validated_scores", scores(eligible));
  return r;
}

}  // namespace landda::observations::merging
