#include "core/memory.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace landda {
namespace {

std::optional<double> number_in(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string gigabytes(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1e9);
  return buf;
}

}  // namespace

std::optional<double> available_memory_bytes() {
  std::optional<double> best;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    std::istringstream ls(line);
    std::string key;
    double kb = 0;
    if (ls >> key >> kb && key == "MemAvailable:") best = kb * 1024.0;
  }
  // cgroup v2: the limit of this process's group less what it already uses.
  const auto limit = number_in("/sys/fs/cgroup/memory.max"), used = number_in("/sys/fs/cgroup/memory.current");
  if (limit && used) {
    const double left = std::max(0.0, *limit - *used);
    best = best ? std::min(*best, left) : left;
  }
  return best;
}

void check_fits(double bytes, const std::string& what) {
  const auto available = available_memory_bytes();
  if (available && bytes > *available)
    throw ConfigError(cat(what, " needs about ", gigabytes(bytes), " of memory; this machine has ", gigabytes(*available),
                          " available"));
}

void release_pages(void* data, std::size_t bytes) {
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(data), end = begin + bytes;
  const std::uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);  // a hint: failure costs only memory
}

void restore_memory_release() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 65536);          // glibc's default count of mapped blocks
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);  // and of free bytes at the heap's top before it is trimmed
#endif
}

double resident_bytes_now() {
  std::ifstream in("/proc/self/statm");
  double size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE));
}

}  // namespace landda
