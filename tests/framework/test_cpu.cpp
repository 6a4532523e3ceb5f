#include <catch2/catch.hpp>
#include <string>

#include "core/cpu.hpp"

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
