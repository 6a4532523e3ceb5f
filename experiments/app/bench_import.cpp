// `landda bench import`: a folder of N SMAP L2 granules (links to the samples,
// cycled) imported by a child `landda import smap-l2`, timed, with the child's
// peak resident memory (wait4's ru_maxrss) for each N: granules are streamed,
// so the peak must not grow with N. The yardstick beside it: the rate at which
// the same bytes are merely read from the page cache in the same run.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "experiments/app/child_process.hpp"
#include "experiments/app/commands.hpp"
#include "experiments/app/options.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace landda::app {
namespace {

double read_seconds(const std::vector<fs::path>& files) {
  std::vector<char> buf(1 << 20);
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int bench_import(const Args& args) {
  po::options_description opts("options");
  std::string sample = "data/products/SMAP_L2", counts_text = "10,100,1000", scratch;
  opts.add_options()("help,h", "explain this command")("what", po::value<std::string>(), "import")(
      "sample", po::value(&sample), "folder of SMAP L2 granules to link (default data/products/SMAP_L2)")(
      "granules", po::value(&counts_text), "comma-separated folder sizes (default 10,100,1000)")(
      "scratch", po::value(&scratch), "where the folders of links are made (default: a temporary folder)");
  po::positional_options_description pos;
  pos.add("what", 1);
  const po::variables_map vm = parse_command(args, opts, pos, "landda bench import", true);
  if (vm.count("help")) {
    std::cout << "usage: landda bench import [--sample DIR] [--granules 10,100,1000]\n\n"
                 "Imports folders of N SMAP L2 granules (links to the samples) in a child process and prints JSON:\n"
                 "seconds, granules and values per second, the child's peak resident memory, and the rate of\n"
                 "merely reading the same bytes.\n\n"
              << opts;
    return 0;
  }
  std::vector<fs::path> samples;
  if (!fs::is_directory(sample)) throw InputError(cat(sample, ": no such folder (--sample: SMAP L2 granules to link)"));
  for (const auto& e : fs::recursive_directory_iterator(sample))
    if (e.is_regular_file() && e.path().extension() == ".h5") samples.push_back(fs::absolute(e.path()));
  if (samples.empty()) throw InputError(cat(sample, ": no SMAP L2 granule (*.h5) to link"));
  std::sort(samples.begin(), samples.end());
  const fs::path root = scratch.empty() ? fs::temp_directory_path() / cat("landda_bench_import_", getpid()) : fs::path(scratch);
  JsonObject runs;
  std::stringstream ss(counts_text);
  for (std::string item; std::getline(ss, item, ',');) {
    const int n = std::stoi(item);
    if (n < 1) throw ConfigError("landda bench import: --granules wants positive counts");
    const fs::path dir = root / cat("n", n);
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::vector<fs::path> links;
    std::uintmax_t bytes = 0;
    for (int k = 0; k < n; ++k) {
      const auto& s = samples[static_cast<std::size_t>(k) % samples.size()];
      // Names keep the product's pattern and sort in the order made.
      links.push_back(dir / cat("SMAP_L2_SM_P_", 100000 + k, "_", s.filename().string()));
      fs::create_symlink(s, links.back());
      bytes += fs::file_size(s);
    }
    const double read_s = read_seconds(links);
    const ChildRun r = run_child({self_path(), "import", "smap-l2", dir.string(), "-o", (root / cat("n", n, ".nc")).string()});
    if (r.status != 0) throw Error(cat("landda bench import: the import of ", n, " granules exited ", r.status));
    JsonObject j;
    j.add("granules", n)
        .add("megabytes", static_cast<double>(bytes) / 1e6)
        .add("seconds", r.seconds)
        .add("granules_per_second", n / r.seconds)
        .add("megabytes_per_second", static_cast<double>(bytes) / 1e6 / r.seconds)
        .add("read_only_megabytes_per_second", static_cast<double>(bytes) / 1e6 / read_s)
        .add("peak_resident_mb", r.peak_mb);
    runs.add(cat("n", n), j);
    fs::remove_all(dir);
    fs::remove(root / cat("n", n, ".nc"));
  }
  if (scratch.empty()) fs::remove_all(root);
  JsonObject out;
  out.add("benchmark", "import smap_l2").add("runs", runs);
  std::cout << out.str() << '\n';
  return 0;
}

}  // namespace landda::app
