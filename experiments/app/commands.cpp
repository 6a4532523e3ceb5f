#include "experiments/app/commands.hpp"

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "config/node.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "experiments/compare/compare.hpp"
#include "experiments/core/experiment.hpp"
#include "experiments/core/run_config.hpp"
#include "filters/register.hpp"
#include "models/register.hpp"
#include "observations/merging/merge.hpp"
#include "observations/register.hpp"
#include "observations/products/register.hpp"
#include "parallel/environment.hpp"

namespace po = boost::program_options;

namespace landda::app {
namespace {

struct Parsed {
  po::variables_map vm;
  std::vector<std::string> unknown;
};

Parsed parse(const Args& args, const po::options_description& opts, const po::positional_options_description& pos) {
  Parsed p;
  try {
    const auto parsed = po::command_line_parser(args).options(opts).positional(pos).allow_unregistered().run();
    po::store(parsed, p.vm);
    po::notify(p.vm);
    p.unknown = po::collect_unrecognized(parsed.options, po::exclude_positional);
  } catch (const po::error& e) {
    throw ConfigError(cat("command line: ", e.what()));
  }
  // Double-dash words landda does not know are mistakes; single-dash ones belong to PETSc.
  for (const auto& u : p.unknown)
    if (u.rfind("--", 0) == 0) throw ConfigError(cat("command line: unknown option '", u, "' (see --help)"));
  return p;
}

std::string usage(const std::string& synopsis, const std::string& about, const po::options_description& opts) {
  std::ostringstream os;
  os << "usage: " << synopsis << "\n\n" << about << "\n\n" << opts;
  return os.str();
}

// The options every config-reading command shares: the positional CONFIG and --set.
struct ConfigOptions {
  po::options_description opts{"options"};
  po::positional_options_description pos;
  std::string file;
  std::vector<std::string> sets;
  explicit ConfigOptions(const char* set_help) {
    opts.add_options()("help,h", "explain this command")("config", po::value(&file), "the YAML config (positional)")(
        "set", po::value(&sets)->composing(), set_help);
    pos.add("config", 1);
  }
  // Parses; prints the help and returns true when it was asked for.
  bool parse_or_help(const Args& args, Parsed& p, const std::string& synopsis, const std::string& about) {
    p = parse(args, opts, pos);
    if (!p.vm.count("help")) return false;
    std::cout << usage(synopsis, about, opts);
    return true;
  }
  // --output (sets output.dir) and --log-level, for the commands that write an output folder.
  std::string output, log_level;
  void add_output_options() {
    opts.add_options()("output,o", po::value(&output), "output folder (sets output.dir)")(
        "log-level", po::value(&log_level), "trace | debug | info | warn | error | off (overrides log_level)");
  }
  // The config file with --set and --output applied.
  config::Node load_node() const {
    std::vector<std::string> all = sets;
    if (!output.empty()) all.push_back("output.dir=" + output);
    return config::load_file(file, all);
  }
  void apply_log_level(const std::string& from_config) const {
    log::set_level(log::parse_level(log_level.empty() ? from_config : log_level));
  }
  void require_file(const char* command) const {
    if (file.empty()) throw ConfigError(cat("landda ", command, ": no config file given (landda ", command, " CONFIG; see --help)"));
  }
};


void print_plugins(std::ostream& os, const config::PluginKind& kind) {
  os << "  " << kind.kind_name() << " types (`" << kind.kind_name() << ": {type: ...}`):\n";
  std::size_t width = 12;
  for (const auto& name : kind.names()) width = std::max(width, name.size() + 2);
  for (const auto& name : kind.names()) {
    std::string padded = name;
    padded.resize(width, ' ');
    os << "    " << padded << kind.doc(name) << '\n';
  }
}

const std::vector<const config::PluginKind*>& kinds() {
  static const std::vector<const config::PluginKind*> k = {&experiments::registry(), &models::registry(),
                                                           &filters::registry(), &observations::operators(),
                                                           &observations::merging::mergers(),
                                                           &observations::products::readers()};
  return k;
}

// A run config with its plugins built: they run their own checks (files they
// read, combinations of keys).
experiments::RunConfig checked_run_config(const config::Node& root) {
  experiments::RunConfig cfg = experiments::read_run_config(root);
  experiments::registry().create(cfg.experiment)->check(cfg);
  models::registry().create(cfg.model);
  filters::registry().create(cfg.filter);
  return cfg;
}

// A compare config names a base, a merge config products; a run config a model.
enum class ConfigKind { run, merge, compare };
ConfigKind kind_of(const config::Node& root) {
  const YAML::Node& y = root.yaml();
  if (!y.IsMap() || y["model"].IsDefined()) return ConfigKind::run;
  if (y["base"].IsDefined()) return ConfigKind::compare;
  return y["products"].IsDefined() ? ConfigKind::merge : ConfigKind::run;
}

}  // namespace

std::vector<std::string> petsc_options(const Args& args) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > 1 && a[0] == '-' && a[1] != '-' && a != "-o" && a != "-h") {
      out.push_back(a);
      if (i + 1 < args.size() && args[i + 1][0] != '-') out.push_back(args[++i]);
    }
  }
  return out;
}

int run(const Args& args, const parallel::Environment& env) {
  ConfigOptions co("override one key: --set filter.members=40 (repeatable)");
  co.add_output_options();
  int stop_after = 0;
  co.opts.add_options()("restart", po::bool_switch(), "continue from the checkpoint in the output folder")(
      "stop-after", po::value(&stop_after), "stop after this cycle as if killed (for testing --restart)");
  Parsed p;
  if (co.parse_or_help(args, p, "landda run CONFIG [--output DIR] [--set key.path=value ...] [--restart] [PETSc options]",
                       "Runs the experiment the config describes. Every key is checked before anything runs; "
                       "outputs (CF NetCDF, summary.json, config.resolved.yaml) go to the output folder. "
                       "Under MPI ensemble members are spread over the ranks; results do not depend on their number."))
    return 0;
  co.require_file("run");
  experiments::RunConfig cfg = experiments::read_run_config(co.load_node());
  co.apply_log_level(cfg.log_level);
  auto experiment = experiments::registry().create(cfg.experiment);
  experiment->check(cfg);
  experiments::RunOptions ro;
  ro.output_dir = cfg.output.dir;
  ro.restart = p.vm["restart"].as<bool>();
  ro.stop_after_cycle = stop_after;
  log::info("landda ", LANDDA_VERSION, ": ", cfg.experiment.type, " experiment, model ", cfg.model.type, ", filter ",
            cfg.filter.type, ", ", env.world().size(), " MPI rank(s)");
  const auto layout = parallel::Layout::make(env.world(), cfg.parallel.ranks_per_task);
  experiment->run(cfg, ro, layout);
  return 0;
}

int validate(const Args& args) {
  ConfigOptions co("override one key, as for run (repeatable)");
  Parsed p;
  if (co.parse_or_help(args, p, "landda validate CONFIG [--set key.path=value ...]",
                       "Checks a config as `landda run` would (unknown keys, types, ranges, files) and prints the "
                       "resolved config with every default filled in. Writes nothing; exits non-zero on the first "
                       "error, naming the file, line, key and the allowed values."))
    return 0;
  co.require_file("validate");
  const std::string& file = co.file;
  const config::Node root = config::load_file(file, co.sets);
  switch (kind_of(root)) {
    case ConfigKind::compare: {
      auto cc = experiments::read_compare_config(root);
      checked_run_config(config::load_file(cc.base));
      experiments::check_compare(cc, {});
      std::cerr << file << ": valid (a `landda compare` config; its base " << cc.base << " too)\n";
      return 0;
    }
    case ConfigKind::merge: {
      auto mc = observations::merging::read_merge_config(root);
      observations::merging::mergers().create(mc.merger);
      std::cout << observations::merging::resolved_yaml(mc);
      std::cerr << file << ": valid (a `landda merge` config)\n";
      return 0;
    }
    case ConfigKind::run:
      break;
  }
  experiments::RunConfig cfg = checked_run_config(root);
  std::cout << experiments::resolved_yaml(cfg);
  std::cerr << file << ": valid\n";
  return 0;
}

int merge(const Args& args) {
  ConfigOptions co("override one key: --set merger.type=tc (repeatable)");
  co.add_output_options();
  Parsed p;
  if (co.parse_or_help(args, p, "landda merge CONFIG [--output DIR] [--set key.path=value ...]",
                       "Merges soil-moisture products (observation files) into one with an error per value: the "
                       "arithmetic mean, triple-collocation weights, or an LSTM (merger.type: mean | tc | lstm). "
                       "Writes merged.nc (IODA layout, assimilated like any retrieval), summary.json and "
                       "config.resolved.yaml. Keys: landda describe merge; landda describe tc."))
    return 0;
  co.require_file("merge");
  auto cfg = observations::merging::read_merge_config(co.load_node());
  co.apply_log_level(cfg.log_level);
  observations::merging::run_merge(cfg);
  return 0;
}

int compare(const Args& args, const parallel::Environment& env) {
  ConfigOptions co("override one key of the compare config (repeatable)");
  co.add_output_options();
  std::vector<std::string> validate_with, base_sets;
  co.opts.add_options()(
      "validate-with", po::value(&validate_with)->composing(), "a folder of ISMN station files to validate against (repeatable)")(
      "base-set", po::value(&base_sets)->composing(), "override one key of the base run config (repeatable)");
  Parsed p;
  if (co.parse_or_help(args, p, "landda compare CONFIG [--output DIR] [--validate-with DIR ...] [--base-set key=value ...]",
                       "Runs the experiments a comparison config names from one base run config - the open loop, each "
                       "retrieval alone, all jointly, and merged products (mean, tc, lstm) - with the same model, "
                       "forcing, ensemble and random streams, so that they differ only in what they assimilate; "
                       "scores each at the validation stations per layer and writes report.md, report.csv (one row "
                       "per experiment x station x layer), summary.json, figures/ and report.html. Under MPI every "
                       "experiment uses all ranks; the tables do not depend on their number."))
    return 0;
  co.require_file("compare");
  auto cfg = experiments::read_compare_config(co.load_node());
  for (const auto& d : validate_with) {
    if (!std::filesystem::is_directory(d)) throw ConfigError(cat("--validate-with ", d, ": not a folder"));
    cfg.validate_with.push_back(d);
  }
  co.apply_log_level(cfg.log_level);
  experiments::CompareOptions opts;
  opts.base_overrides = base_sets;
  experiments::run_compare(cfg, opts, env);
  return 0;
}

int describe(const Args& args) {
  po::options_description opts("options");
  std::string type;
  opts.add_options()("help,h", "explain this command")("type", po::value(&type), "a plugin type, `config`, `merge` or `compare`");
  po::positional_options_description pos;
  pos.add("type", 1);
  const Parsed p = parse(args, opts, pos);
  if (p.vm.count("help")) {
    std::cout << usage("landda describe [TYPE | config | merge | compare]",
                       "Without TYPE: every registered plugin with one line about it, and the top-level keys of a "
                       "config. With TYPE (e.g. etkf, lorenz96, twin, tc): every key of that plugin with its type, "
                       "default, allowed values and meaning. `config` describes the top level of a run config, "
                       "`merge` and `compare` those of `landda merge` and `landda compare` configs.",
                       opts);
    return 0;
  }
  if (type.empty() || type == "config") {
    if (type.empty()) {
      std::cout << "Registered plugins (landda describe TYPE lists the keys of one):\n";
      for (const auto* k : kinds()) print_plugins(std::cout, *k);
      std::cout << '\n';
    }
    std::cout << "Top-level keys of a config file:\n";
    experiments::RunConfig cfg;
    config::describe(std::cout, cfg);
    if (type.empty())
      std::cout << "\n`landda merge` and `landda compare` configs have their own top level: landda describe merge, "
                   "landda describe compare\n";
    return 0;
  }
  if (type == "compare") {
    std::cout << "Top-level keys of a `landda compare` config:\n";
    experiments::CompareConfig cfg;
    config::describe(std::cout, cfg);
    return 0;
  }
  if (type == "merge") {
    std::cout << "Top-level keys of a `landda merge` config:\n";
    observations::merging::MergeConfig cfg;
    config::describe(std::cout, cfg);
    return 0;
  }
  bool found = false;
  for (const auto* k : kinds()) {
    const auto names = k->names();
    if (std::find(names.begin(), names.end(), type) == names.end()) continue;
    found = true;
    std::cout << type << " (" << k->kind_name() << "): " << k->doc(type) << "\n\nkeys, under `" << k->kind_name()
              << ":` with `type: " << type << "`:\n";
    std::ostringstream body;
    config::describe_with(body, [&](config::Visitor& v) { k->visit_params(type, v, nullptr); }, 2);
    std::cout << body.str();
  }
  if (!found) {
    std::vector<std::string> all;
    for (const auto* k : kinds())
      for (const auto& n : k->names()) all.push_back(n);
    const std::string hint = config::nearest(type, all);
    throw ConfigError(cat("no plugin type '", type, "'", hint.empty() ? "" : " (did you mean '" + hint + "'?)",
                          "; known: ", config::join(all)));
  }
  return 0;
}

}  // namespace landda::app
