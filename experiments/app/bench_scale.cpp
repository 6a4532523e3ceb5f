// `landda bench scale`: a user growing a run (issue 20). The twin of a run
// config (twin_surface.yaml by default) on a box of n x n cells for each size
// asked (or, with --strip C, a strip of C columns at the box's spacing of C
// columns, growing in latitude about the box's centre), the localization
// radius shrunk with the cell spacing so that a local analysis sees about as
// many observations at every size, each run by mpirun in a child process. Per size: wall time, time per column-step, time in
// writing outputs and checkpoints, and per rank the memory the run estimated
// at start, the peak it measured, and its share of the ensemble; then the
// ratios the issue judges (time and column-step time against the first size).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "config/node.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "experiments/app/child_process.hpp"
#include "experiments/app/commands.hpp"
#include "experiments/app/options.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace landda::app {
namespace {

std::vector<double> numbers(const std::string& text, const char* what) {
  std::vector<double> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    try {
      out.push_back(std::stod(item));
    } catch (const std::exception&) {
      throw ConfigError(cat("landda bench scale: ", what, " '", text, "': '", item, "' is not a number"));
    }
  }
  return out;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string w; ss >> w;) out.push_back(w);
  return out;
}

// The size --radius-km is given at, not the first size asked: a size run alone is the run it is among others
// (1 M cells with the first size's 25 km saw a hundred times the observations per local analysis).
constexpr double kRadiusCells = 10000;

struct Scale {
  int nx = 0, ny = 0, ranks = 2, members = 32, cycles = 3, checkpoint_every = 1;
  double radius_km = 25;
  std::vector<double> box;  // lon_min, lon_max, lat_min, lat_max
  std::string layout = "members";  // parallel.layout
};

// One size: mpirun ... landda run CONFIG with the size's settings; its summary.json as a node.
YAML::Node run_size(const std::vector<std::string>& mpirun, const std::string& config, const Scale& s,
                    const fs::path& out, double& child_seconds) {
  std::vector<std::string> argv = mpirun;
  argv.insert(argv.end(), {"-n", std::to_string(s.ranks), self_path(), "run", config, "--output", out.string(),
                           "--log-level", "warn"});
  const std::vector<std::string> sets{
      cat("model.grid.nx=", s.nx), cat("model.grid.ny=", s.ny), cat("model.grid.lon_min=", s.box[0]),
      cat("model.grid.lon_max=", s.box[1]), cat("model.grid.lat_min=", s.box[2]), cat("model.grid.lat_max=", s.box[3]),
      cat("filter.members=", s.members), cat("filter.localization.radius=", s.radius_km),
      cat("experiment.cycles=", s.cycles), "experiment.spinup=0",
      cat("output.checkpoint_every=", s.checkpoint_every), cat("parallel.layout=", s.layout)};
  for (const auto& x : sets) argv.insert(argv.end(), {"--set", x});
  const ChildRun r = run_child(argv, false, true);
  if (r.status != 0) {
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
    throw Error(cat("landda bench scale: the run on ", s.nx, " x ", s.ny, " cells exited ", r.status, ": ", command));
  }
  child_seconds = r.seconds;
  return YAML::LoadFile((out / "summary.json").string());
}

}  // namespace

int bench_scale(const Args& args) {
  po::options_description opts("options");
  std::string config = std::string(LANDDA_SOURCE_DIR) + "/experiments/configs/twin_surface.yaml";
  std::string cells_text = "10000,100000", box_text = "-93,-83,35,45", mpirun_text = "mpirun", scratch;
  Scale base;
  int strip = 0;
  opts.add_options()("help,h", "explain this command")("what", po::value<std::string>(), "scale")(
      "config", po::value(&config), "the twin config grown (default experiments/configs/twin_surface.yaml)")(
      "cells", po::value(&cells_text), "comma-separated cell counts, each made a square grid (default 10000,100000)")(
      "ranks", po::value(&base.ranks), "MPI ranks (default 2)")("members", po::value(&base.members), "ensemble size (default 32)")(
      "cycles", po::value(&base.cycles), "daily cycles, a checkpoint after each but the last (default 3)")(
      "radius-km", po::value(&base.radius_km),
      "localization radius at 10,000 cells (the box's spacing there), shrunk with the cell spacing at every size, "
      "so that a size gives the same run whichever sizes are asked with it (default 25)")(
      "box", po::value(&box_text), "lon_min,lon_max,lat_min,lat_max (default -93,-83,35,45)")(
      "mpirun", po::value(&mpirun_text), "the launcher and its options (default mpirun)")(
      "layout", po::value(&base.layout), "parallel.layout: members (default) or cells")(
      "strip", po::value(&strip),
      "C > 0: each size a strip of C grid columns (the box's longitudes) and cells / C rows at the same spacing, "
      "centred on the box's middle latitude: the split direction grows, so a rank's band of rows keeps its shape "
      "(weak scaling of the halo); 0: square grids in the box (default)")(
      "scratch", po::value(&scratch), "where the runs go (default: a temporary folder, removed)");
  po::positional_options_description pos;
  pos.add("what", 1);
  const po::variables_map vm = parse_command(args, opts, pos, "landda bench scale", true);
  if (vm.count("help")) {
    std::cout << "usage: landda bench scale [--cells 10000,100000] [--ranks 2] [--members 32] [--mpirun 'mpirun ...']\n\n"
                 "Runs the twin of a config on square grids of the given sizes (mpirun in a child process) and prints\n"
                 "JSON per size: seconds, seconds per column-step, output and checkpoint seconds, and per rank the\n"
                 "estimated and measured peak memory beside the rank's share of the ensemble.\n\n"
              << opts;
    return 0;
  }
  base.box = numbers(box_text, "--box");
  if (base.box.size() != 4) throw ConfigError("landda bench scale: --box wants lon_min,lon_max,lat_min,lat_max");
  const std::vector<double> cells = numbers(cells_text, "--cells");
  if (cells.empty() || base.ranks < 1 || base.members < 2 || base.cycles < 1 || strip < 0)
    throw ConfigError("landda bench scale: --cells, --ranks >= 1, --members >= 2, --cycles >= 1 and --strip >= 0 are needed");
  const fs::path root = scratch.empty() ? fs::temp_directory_path() / cat("landda_bench_scale_", getpid()) : fs::path(scratch);
  JsonObject runs;
  double first_seconds = 0, first_step = 0, first_cells = 0;
  for (const double n : cells) {
    Scale s = base;
    if (strip > 0) {  // the box's longitudes over `strip` columns; rows at the same spacing about its middle
      s.nx = strip;
      s.ny = std::max(1, static_cast<int>(std::lround(n / strip)));
      const double d = (base.box[1] - base.box[0]) / strip, mid = 0.5 * (base.box[2] + base.box[3]);
      s.box[2] = mid - 0.5 * d * s.ny, s.box[3] = mid + 0.5 * d * s.ny;
      if (s.box[2] < -89 || s.box[3] > 89)
        throw ConfigError(cat("landda bench scale: a strip of ", s.ny, " rows at ", d, " degrees does not fit in latitude; "
                              "narrow the --box's longitudes"));
    } else {
      s.nx = s.ny = static_cast<int>(std::lround(std::sqrt(n)));
    }
    const double actual = static_cast<double>(s.nx) * s.ny;
    if (first_cells == 0) first_cells = actual;
    // As many observations per local analysis: the radius a fixed number of the spacings of 10,000 cells in the box.
    s.radius_km = base.radius_km * std::sqrt(kRadiusCells) / s.nx;
    const fs::path out = root / cat("cells_", static_cast<long long>(actual));
    if (strip > 0) log::info("landda bench scale: ", s.nx, " x ", s.ny, " cells, latitudes ", s.box[2], " to ", s.box[3]);
    fs::remove_all(out);
    double child = 0;
    const YAML::Node sum = run_size(words(mpirun_text), config, s, out, child);
    const double state = sum["state_size"].as<double>(), steps = 24.0 * s.cycles;  // hourly steps
    const double per_step = child * s.ranks / (actual * s.members * steps);
    if (first_seconds == 0) first_seconds = child, first_step = per_step;
    const YAML::Node mem = sum["memory_per_rank"];
    std::vector<double> peaks, received;
    for (const auto& p : mem["peak_resident_bytes_by_rank"]) peaks.push_back(p.as<double>() / 1e6);
    for (const auto& b : sum["mpi_per_rank"]["received_bytes_per_cycle_by_rank"]) received.push_back(b.as<double>() / 1e6);
    const double share_mb = 8.0 * state * s.members / s.ranks / 1e6;
    JsonObject j;
    j.add("cells", actual)
        .add("ranks", s.ranks)
        .add("layout", s.layout)
        .add("members", s.members)
        .add("grid", std::vector<double>{static_cast<double>(s.nx), static_cast<double>(s.ny)})
        .add("localization_radius_km", s.radius_km)
        .add("seconds", child)
        .add("seconds_vs_first", child / first_seconds)
        .add("cells_vs_first", actual / first_cells)
        .add("seconds_per_column_step_per_rank", per_step)
        .add("column_step_time_vs_first", per_step / first_step)
        .add("output_seconds", sum["output_seconds"].as<double>())
        .add("checkpoint_seconds", sum["checkpoint_seconds"].as<double>())
        .add("share_of_ensemble_mb", share_mb)
        .add("estimated_mb_per_rank", mem["total"].as<double>() / 1e6)
        .add("peak_mb_by_rank", peaks)
        .add("mpi_mb_received_per_cycle_by_rank", received);
    runs.add(cat("cells_", static_cast<long long>(actual)), j);
    if (scratch.empty()) fs::remove_all(out);
  }
  if (scratch.empty()) fs::remove_all(root);
  JsonObject out;
  out.add("benchmark", "scale (twin, daily LETKF, a checkpoint a cycle)").add("config", config).add("runs", runs);
  std::cout << out.str() << '\n';
  return 0;
}

}  // namespace landda::app
