#include "experiments/app/options.hpp"

#include "core/error.hpp"

namespace po = boost::program_options;

namespace landda::app {

po::variables_map parse_command(const std::vector<std::string>& args, const po::options_description& opts,
                                const po::positional_options_description& pos, const std::string& command,
                                bool allow_unregistered) {
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(args).options(opts).positional(pos);
    if (allow_unregistered) parser.allow_unregistered();
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(cat(command, ": ", e.what()));
  }
  return vm;
}

}  // namespace landda::app
