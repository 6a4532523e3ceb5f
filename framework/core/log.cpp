#include "core/log.hpp"

#include <array>
#include <iostream>
#include <mutex>

namespace landda::log {
namespace {
Level g_level = Level::info;
int g_rank = 0;
bool g_all_ranks = false;
std::mutex g_mutex;
constexpr std::array<const char*, 6> kNames = {"trace", "debug", "info", "warn", "error", "off"};
}  // namespace

Level level() { return g_level; }
void set_level(Level l) { g_level = l; }

Level parse_level(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (name == kNames[i]) return static_cast<Level>(i);
  throw ConfigError(cat("unknown log level '", name, "'; allowed: trace, debug, info, warn, error, off"));
}

void set_rank(int rank, bool all_ranks_print) {
  g_rank = rank;
  g_all_ranks = all_ranks_print;
}

bool enabled(Level l) {
  if (l < g_level) return false;
  return g_rank == 0 || g_all_ranks || l >= Level::warn;
}

void write(Level l, std::string_view message) {
  std::lock_guard lock(g_mutex);
  std::cerr << "[landda " << kNames[static_cast<int>(l)];
  if (g_rank != 0 || g_all_ranks) std::cerr << " rank " << g_rank;
  std::cerr << "] " << message << '\n';
}

}  // namespace landda::log
