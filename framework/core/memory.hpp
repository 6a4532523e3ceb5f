#pragma once
// What this process may still allocate, so that a run too large for the
// machine is refused before it starts (naming the estimate and the limit)
// instead of dying of std::bad_alloc or the kernel's out-of-memory killer.
#include <cstddef>
#include <optional>
#include <string>

namespace landda {

// MemAvailable of /proc/meminfo, or the cgroup's remaining allowance when
// lower; nullopt where neither can be read.
std::optional<double> available_memory_bytes();

// Throws ConfigError when `bytes` exceeds the available memory: "<what> needs
// about X GB; this machine has Y GB available".
void check_fits(double bytes, const std::string& what);

// Gives the pages wholly inside [data, data + bytes) back to the system while
// the allocation stays (madvise MADV_DONTNEED): what the block held is gone
// and reads as zero. For a large array consumed piece by piece (an ensemble
// moved to another layout one member at a time), so that the process does
// not hold both whole.
void release_pages(void* data, std::size_t bytes);

// glibc's own policy for giving freed memory back (large blocks mapped and
// unmapped, the heap's top trimmed). A library linked through PETSc
// (SuperLU_DIST) turns both off when it is loaded (mallopt M_MMAP_MAX 0,
// M_TRIM_THRESHOLD -1): every array then comes from one heap that never
// shrinks, and a rank's resident memory stays at the sum of everything it
// ever held at once, fragmented. Called once at start.
void restore_memory_release();

// What the process holds now (resident pages, /proc/self/statm), in bytes; 0 where it cannot be read.
double resident_bytes_now();

}  // namespace landda
