// Freed memory goes back to the system, whatever a linked library set when it was loaded.
#include <malloc.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>

#include "core/memory.hpp"

using namespace landda;

namespace {

// Resident bytes gained while 64 MB are held, and still held after they are freed.
std::pair<double, double> hold_and_free() {
  constexpr std::size_t kBytes = 64u << 20;
  const double before = resident_bytes_now();
  auto* p = static_cast<char*>(std::malloc(kBytes));
  REQUIRE(p != nullptr);
  std::memset(p, 1, kBytes);
  const double held = resident_bytes_now() - before;
  std::free(p);
  return {held, resident_bytes_now() - before};
}

}  // namespace

TEST_CASE("Freed arrays leave the resident memory once glibc's release policy is restored", "[framework]") {
  REQUIRE(resident_bytes_now() > 0);
#ifdef __GLIBC__
  // What SuperLU_DIST (linked through PETSc) sets at load: no mapped blocks, the heap never trimmed.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1);
  const auto [held_off, kept_off] = hold_and_free();
  CHECK(held_off > 60e6);
  CHECK(kept_off > 60e6);  // freed, yet still resident
  restore_memory_release();
  malloc_trim(0);  // the block freed above, still at the heap's top
#endif
  const auto [held, kept] = hold_and_free();
  CHECK(held > 60e6);
  CHECK(kept < 4e6);
}
