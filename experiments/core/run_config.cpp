#include "experiments/core/run_config.hpp"

#include "experiments/core/experiment.hpp"
#include "filters/register.hpp"
#include "models/register.hpp"

namespace landda::experiments {

void OutputParams::visit(config::Visitor& v) {
  v("dir", dir,
    config::doc("output folder (relative to the working directory; `landda run --output` overrides it)"));
  v("every", every, config::doc("write diagnostic fields every this many cycles").range(1, 1e9));
  v("checkpoint_every", checkpoint_every,
    config::doc("write an HDF5 checkpoint every this many cycles (0: never); `--restart` resumes from it")
        .range(0, 1e9));
  v("deflate", deflate, config::doc("zlib compression level of NetCDF outputs (0: none)").range(0, 9));
  v("fields", fields, config::doc("write state fields (truth, ensemble mean and spread), not only scalar series"));
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

}  // namespace landda::experiments
