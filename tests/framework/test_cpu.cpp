#include <catch2/catch.hpp>
#include <string>

#include "core/cpu.hpp"
#include "core/error.hpp"
#include "core/memory.hpp"

using namespace landda;

TEST_CASE("The binary names the instruction sets it was built for, and this CPU has them all") {
  const std::string compiled = cpu_features_compiled();
#ifdef LANDDA_NATIVE_BUILD
#ifdef __AVX2__
  CHECK(compiled.find("avx2") != std::string::npos);
#endif
#ifdef __AVX512F__
  CHECK(compiled.find("avx512f") != std::string::npos);
#endif
#else
  // A portable build assumes nothing beyond x86-64 (its kernels pick wider ISAs at load time).
  CHECK(compiled.empty());
#endif
  // The tests run where they were built: nothing may be missing, or main refuses to start.
  CHECK(std::string(cpu_features_missing()).empty());
}

TEST_CASE("A run that cannot fit in memory is refused before it starts, naming the estimate", "[framework]") {
  const auto available = landda::available_memory_bytes();
  REQUIRE(available);  // Linux: /proc/meminfo
  CHECK(*available > 1e6);
  CHECK_NOTHROW(landda::check_fits(1e3, "a small thing"));
  CHECK_THROWS_WITH(landda::check_fits(1e18, "the ensemble"),
                    Catch::Contains("the ensemble needs about 1000000000.0 GB of memory; this machine has"));
}
