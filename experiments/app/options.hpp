#pragma once
// Command-line parsing shared by the subcommands that take their own options.
#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace landda::app {

// Parses `args`; a malformed or unknown option becomes a ConfigError naming the command.
boost::program_options::variables_map parse_command(const std::vector<std::string>& args,
                                                    const boost::program_options::options_description& opts,
                                                    const boost::program_options::positional_options_description& pos,
                                                    const std::string& command, bool allow_unregistered = false);

}  // namespace landda::app
