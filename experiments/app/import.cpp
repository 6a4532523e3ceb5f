// `landda import KIND INPUT --output FILE`: real downloads -> landda files.
#include <boost/program_options.hpp>
#include <iostream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "experiments/app/commands.hpp"
#include "models/soil_water/forcing.hpp"
#include "models/soil_water/forcing_import.hpp"

namespace po = boost::program_options;

namespace landda::app {

int import(const Args& args) {
  po::options_description opts("options");
  std::string kind, input, output;
  int max_gap = 12;
  opts.add_options()("help,h", "explain this command")("kind", po::value(&kind), "what INPUT is: bondville")(
      "input", po::value(&input), "the file to import")("output,o", po::value(&output), "the landda file to write")(
      "max-gap", po::value(&max_gap), "fill gaps of at most this many records by linear interpolation (default 12)");
  po::positional_options_description pos;
  pos.add("kind", 1).add("input", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(cat("landda import: ", e.what()));
  }
  if (vm.count("help") || kind.empty()) {
    std::cout << "usage: landda import KIND INPUT --output FILE [--max-gap N]\n\n"
                 "Turns a real download into a landda file. Kinds:\n"
                 "  bondville   the Noah-MP Bondville text forcing -> a landda forcing file (CF NetCDF)\n\n"
                 "Gaps (missing-value flags) of at most --max-gap records are filled by linear interpolation in\n"
                 "time and counted in the report; longer gaps stop the import with the variable and the times.\n\n"
              << opts;
    return kind.empty() && !vm.count("help") ? 2 : 0;
  }
  if (input.empty() || output.empty()) throw ConfigError("landda import: INPUT and --output are required (see --help)");
  if (max_gap < 0) throw ConfigError("landda import: --max-gap must be >= 0");
  if (kind == "bondville") {
    auto s = models::soil::read_bondville(input);
    const auto filled = models::soil::fill_gaps(s, max_gap, input);
    models::soil::write_forcing(s, output);
    std::cout << "imported " << s.values[0].size() << " records, " << s.start.iso() << " every " << s.interval.iso()
              << ", into " << output << '\n';
    for (int v = 0; v < 7; ++v)
      if (filled[v] > 0)
        std::cout << "  filled " << filled[v] << " missing value(s) of "
                  << models::soil::met_name(static_cast<models::soil::Met>(v)) << " by linear interpolation\n";
    return 0;
  }
  throw ConfigError(cat("landda import: unknown kind '", kind, "'; available: bondville"));
}

}  // namespace landda::app
