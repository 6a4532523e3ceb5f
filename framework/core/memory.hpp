#pragma once
// What this process may still allocate, so that a run too large for the
// machine is refused before it starts (naming the estimate and the limit)
// instead of dying of std::bad_alloc or the kernel's out-of-memory killer.
#include <optional>
#include <string>

namespace landda {

// MemAvailable of /proc/meminfo, or the cgroup's remaining allowance when
// lower; nullopt where neither can be read.
std::optional<double> available_memory_bytes();

// Throws ConfigError when `bytes` exceeds the available memory: "<what> needs
// about X GB; this machine has Y GB available".
void check_fits(double bytes, const std::string& what);

}  // namespace landda
