// landda: land data assimilation. Dispatches to the subcommands; the only
// place that catches errors, prints them and chooses the exit code.
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

#include <cstdio>
#include <cstdlib>

#include "config/node.hpp"
#include "core/cpu.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "experiments/app/commands.hpp"
#include "parallel/environment.hpp"

namespace {

const char* kUsage = R"(landda )" LANDDA_VERSION R"( - ensemble land data assimilation

usage: landda <command> [options]

commands:
  run CONFIG        run the experiment a YAML config describes
  validate CONFIG   check a config (keys, types, ranges, files) without running it
  describe [TYPE]   list the plugins, or the documented keys of one (e.g. etkf)
  bench analysis    time one analysis on a synthetic 2-D grid case
  bench model       time the soil-water model kernel (column-steps per second)
  bench scale       a twin grown over cell counts under mpirun: time, column-step time, memory per rank
  import KIND IN    turn a real download into a landda file (bondville forcing, ...)
  metrics A B       validate observation file B against A per location (bias, ubRMSD, R, ...)
  merge CONFIG      merge soil-moisture products: mean, triple collocation or LSTM
  compare CONFIG    open loop vs each retrieval vs joint vs merged products: tables, figures, HTML report

options:
  -h, --help        this text; `landda <command> --help` explains a command
  --version         print the version

Under MPI: mpirun -n 4 landda run CONFIG (as root add --allow-run-as-root).
Documentation: docs/user_guide.md; config keys: landda describe.
)";

bool wants_mpi(const std::string& cmd) { return cmd == "run" || cmd == "bench" || cmd == "compare"; }

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// Before any other constructor: a native build copied to an older CPU stops
// with a message instead of an illegal instruction somewhere. Baseline code,
// C calls only.
__attribute__((constructor(101), target("arch=x86-64"))) void check_cpu() {
  const char* missing = landda::cpu_features_missing();
  if (missing[0] == '\0') return;
  std::fprintf(stderr,
               "landda: this binary was built for another CPU (LANDDA_NATIVE=ON, -march=native) and needs %s, "
               "which this CPU lacks; rebuild it on this machine, or build a portable binary with "
               "cmake -DLANDDA_NATIVE=OFF\n",
               missing);
  std::_Exit(1);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  using namespace landda;
  const app::Args all(argv + 1, argv + argc);
  if (all.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string cmd = all[0];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << "landda " << LANDDA_VERSION << '\n';
    return 0;
  }
  const app::Args args(all.begin() + 1, all.end());
  std::optional<parallel::Environment> env;
  int rank = 0, size = 1;
  const auto report = [&](const char* kind, const std::exception& e) {
    std::cerr << "landda: " << kind << (size > 1 ? " (rank " + std::to_string(rank) + ")" : std::string()) << ": "
              << e.what() << '\n';
  };
  int code = 0;
  try {
    if (wants_mpi(cmd)) {
      env.emplace(argc, argv, app::petsc_options(args));
      rank = env->world().rank();
      size = env->world().size();
    }
    if (cmd == "run") code = app::run(args, *env);
    else if (cmd == "validate") code = app::validate(args);
    else if (cmd == "describe") code = app::describe(args);
    else if (cmd == "bench") code = app::bench(args, *env);
    else if (cmd == "import") code = app::import(args);
    else if (cmd == "metrics") code = app::metrics(args);
    else if (cmd == "merge") code = app::merge(args);
    else if (cmd == "compare") code = app::compare(args, *env);
    else {
      const std::string hint = config::nearest(cmd, {"run", "validate", "describe", "bench", "import", "metrics", "merge", "compare"});
      throw ConfigError(cat("unknown command '", cmd, "'", hint.empty() ? "" : " (did you mean '" + hint + "'?)",
                            "; commands: run, validate, describe, bench, import, metrics, merge, compare (landda --help)"));
    }
  } catch (const ConfigError& e) {
    // Every rank reads the same config and usually fails alike: rank 0 says it, and its abort ends the others. A
    // rank that fails alone (rank 0 waiting in a collective) says it itself once that abort has had time to come.
    if (rank != 0) std::this_thread::sleep_for(std::chrono::seconds(3));
    report("configuration error", e);
    code = 2;
  } catch (const InputError& e) {
    report("input error", e);
    code = 3;
  } catch (const Error& e) {
    report("error", e);
    code = 1;
  } catch (const std::exception& e) {
    report("unexpected error", e);
    code = 1;
  }
  if (code != 0 && size > 1) parallel::Environment::abort(code);
  return code;
}
