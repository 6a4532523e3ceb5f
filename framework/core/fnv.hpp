#pragma once
// FNV-1a, 64 bit (Fowler, Noll & Vo): a digest of bytes that is the same on
// every machine, for run identities, checkpoint checksums and the fingerprints
// by which the cycle finds the rows an analysis changed.
#include <cstdint>
#include <cstdio>
#include <string>

namespace landda {

struct Fnv1a {
  std::uint64_t h = 1469598103934665603ULL;
  void mix(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
  }
};

}  // namespace landda
