#pragma once
// Levelled logging to stderr. Under MPI only rank 0 prints below `warn`
// unless every rank is asked to, so that output does not multiply by ranks.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace landda::log {

enum class Level { trace = 0, debug = 1, info = 2, warn = 3, error = 4, off = 5 };

Level level();
void set_level(Level l);
// Parses "trace|debug|info|warn|error|off"; throws ConfigError otherwise.
Level parse_level(std::string_view name);
// Rank of this process, used to silence non-root ranks; set by the parallel layer.
void set_rank(int rank, bool all_ranks_print);
void write(Level l, std::string_view message);
bool enabled(Level l);

template <class... P>
void trace(const P&... p) {
  if (enabled(Level::trace)) write(Level::trace, cat(p...));
}
template <class... P>
void debug(const P&... p) {
  if (enabled(Level::debug)) write(Level::debug, cat(p...));
}
template <class... P>
void info(const P&... p) {
  if (enabled(Level::info)) write(Level::info, cat(p...));
}
template <class... P>
void warn(const P&... p) {
  if (enabled(Level::warn)) write(Level::warn, cat(p...));
}
template <class... P>
void error(const P&... p) {
  if (enabled(Level::error)) write(Level::error, cat(p...));
}

}  // namespace landda::log
