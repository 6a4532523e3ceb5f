#include "experiments/core/run_config.hpp"

#include <filesystem>
#include <fstream>
#include <vector>

#include "core/error.hpp"
#include "core/fnv.hpp"
#include "experiments/core/experiment.hpp"
#include "filters/register.hpp"
#include "models/register.hpp"

namespace landda::experiments {

const std::vector<std::string>& state_field_names() {
  static const std::vector<std::string> names{"truth", "forecast_mean", "forecast_spread", "analysis_mean", "analysis_spread"};
  return names;
}

void OutputParams::visit(config::Visitor& v) {
  v("dir", dir,
    config::doc("output folder (relative to the working directory; `landda run --output` overrides it)"));
  v("every", every, config::doc("write diagnostic fields every this many cycles").range(1, 1e9));
  v("checkpoint_every", checkpoint_every,
    config::doc("write an HDF5 checkpoint every this many cycles (0: never); `--restart` resumes from it")
        .range(0, 1e9));
  v("deflate", deflate, config::doc("zlib compression level of NetCDF outputs (0: none)").range(0, 9));
  v("fields", fields, config::doc("write state fields (truth, ensemble mean and spread), not only scalar series"));
  v("state_fields", state_fields,
    config::doc("which state fields `fields` writes (truth: the nature run, or the control of a real-data run); "
                "a continental run writes fewer")
        .one_of(state_field_names())
        .not_empty());
  v("layers", layers,
    config::doc("which model layers the state fields hold, 0 being the top one (empty: every layer)").at_least(0));
  v("observations", observations,
    config::doc("twin experiments: also write each source's synthetic retrievals as an IODA file in observations/"));
  v("diagnostics", diagnostics,
    config::doc("write each source's observation-space feedback (ObsValue, ObsError, EffectiveQC, hofx0 and its "
                "spread, hofx1, ombg, oman; every cycle) as an IODA file in diagnostics/"));
  v("maps", maps,
    config::doc("write maps.nc: the time-mean analysis mean and the time-mean analysis increment per layer and "
                "cell, over the cycles after spin-up"));
}

void ParallelParams::visit(config::Visitor& v) {
  v("ranks_per_task", ranks_per_task,
    config::doc("MPI ranks per model task (PDAF's model communicator); must divide the number of ranks. Members "
                "are split between tasks; the ranks of a task split each member's cells (models of independent "
                "columns, e.g. soil_water), for ensembles smaller than the number of ranks")
        .range(1, 100000));
  v("layout", layout,
    config::doc("where the ensemble lives. members: each rank advances whole members and the ensemble is moved to "
                "blocks of cells for the analysis and back (any model); cells: each rank advances and analyses every "
                "member of its own block of cells, keeping only their state, memory, diagnostics and the model's "
                "parameters, nothing moved "
                "(models of independent columns, e.g. soil_water; observation operators get the neighbouring cells "
                "their footprints reach from the ranks that hold them). Results are the same")
        .one_of({"members", "cells"}));
}

RunConfig::RunConfig() {
  experiment.type = "twin";
  filter.type = "etkf";
}

void RunConfig::visit(config::Visitor& v) {
  v.plugin("experiment", experiment, registry(), config::doc("what kind of run this is"));
  v.plugin("model", model, models::registry(), config::doc("the forecast model").needed());
  v.plugin("filter", filter, filters::registry(), config::doc("the analysis (none: open loop)"));
  v.section("output", output, config::doc("what is written, where and how often"));
  v.section("parallel", parallel, config::doc("MPI layout"));
  v("seed", seed, config::doc("seed of every random stream (streams are keyed by seed, purpose and member)").at_least(0));
  v("log_level", log_level, config::log_levels());
}

RunConfig read_run_config(const config::Node& root) {
  RunConfig cfg;
  config::read(root, cfg);
  cfg.source_file = root.source().file;
  return cfg;
}

std::string resolved_yaml(RunConfig& cfg) {
  YAML::Emitter out;
  out << config::write(cfg);
  return std::string("# landda resolved configuration (every key, defaults included)\n# from: ") + cfg.source_file +
         "\n" + out.c_str() + "\n";
}

namespace {

// Calls f(scalar, path) for every scalar of `y` that names an existing file
// (relative paths against `base`).
template <class F>
void for_each_file(YAML::Node y, const std::string& base, const F& f) {
  if (y.IsScalar()) {
    std::error_code ec;
    std::filesystem::path p(y.Scalar());
    if (p.empty() || y.Scalar().size() > 4096) return;
    if (p.is_relative()) p = std::filesystem::path(base) / p;
    if (std::filesystem::is_regular_file(p, ec)) f(y, p);
  } else if (y.IsSequence()) {
    for (std::size_t i = 0; i < y.size(); ++i) for_each_file(y[i], base, f);
  } else if (y.IsMap()) {
    for (auto kv : y) for_each_file(kv.second, base, f);
  }
}

// A file by its size and the digest of its contents.
std::string content_of(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  Fnv1a f;
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
    f.mix(buf.data(), static_cast<std::size_t>(in.gcount()));
  std::error_code ec;
  return cat("file of ", std::filesystem::file_size(path, ec), " bytes, fnv1a64 ", f.hex());
}

}  // namespace

std::string run_identity(RunConfig& cfg) {
  YAML::Node y = config::write(cfg);
  y["output"].remove("dir");
  y.remove("log_level");
  for (const auto& [key, section] : {std::pair{"experiment", &cfg.experiment}, {"model", &cfg.model}, {"filter", &cfg.filter}})
    for_each_file(y[key], section->node.source().base_dir,
                  [](YAML::Node scalar, const std::filesystem::path& p) { scalar = content_of(p); });
  YAML::Emitter out;
  out << y;
  Fnv1a f;
  f.mix(out.c_str(), out.size());
  return cat("landda run ", f.hex());
}

std::vector<std::string> input_files(const RunConfig& cfg) {
  std::vector<std::string> out;
  for (const auto* section : {&cfg.model, &cfg.experiment, &cfg.filter})
    for_each_file(section->resolved, section->node.source().base_dir, [&out](YAML::Node, const std::filesystem::path& p) {
      std::error_code ec;
      out.push_back(std::filesystem::weakly_canonical(p, ec).string());
    });
  return out;
}

}  // namespace landda::experiments
