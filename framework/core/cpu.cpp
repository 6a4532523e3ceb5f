#include "core/cpu.hpp"

#include <cstring>

namespace landda {

namespace {
// The feature macros of the compilation, named as __builtin_cpu_supports names them.
constexpr const char* kCompiled[] = {
#ifdef __SSE4_2__
    "sse4.2",
#endif
#ifdef __AVX__
    "avx",
#endif
#ifdef __AVX2__
    "avx2",
#endif
#ifdef __FMA__
    "fma",
#endif
#ifdef __BMI2__
    "bmi2",
#endif
#ifdef __AVX512F__
    "avx512f",
#endif
#ifdef __AVX512BW__
    "avx512bw",
#endif
#ifdef __AVX512DQ__
    "avx512dq",
#endif
#ifdef __AVX512VL__
    "avx512vl",
#endif
    nullptr};

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LANDDA_BASELINE __attribute__((target("arch=x86-64")))
#else
#define LANDDA_BASELINE
#endif

// __builtin_cpu_supports takes a string literal only: one case per name.
LANDDA_BASELINE bool supported(const char* f) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();  // main's check runs before the constructors that would do it
  if (!std::strcmp(f, "sse4.2")) return __builtin_cpu_supports("sse4.2");
  if (!std::strcmp(f, "avx")) return __builtin_cpu_supports("avx");
  if (!std::strcmp(f, "avx2")) return __builtin_cpu_supports("avx2");
  if (!std::strcmp(f, "fma")) return __builtin_cpu_supports("fma");
  if (!std::strcmp(f, "bmi2")) return __builtin_cpu_supports("bmi2");
  if (!std::strcmp(f, "avx512f")) return __builtin_cpu_supports("avx512f");
  if (!std::strcmp(f, "avx512bw")) return __builtin_cpu_supports("avx512bw");
  if (!std::strcmp(f, "avx512dq")) return __builtin_cpu_supports("avx512dq");
  if (!std::strcmp(f, "avx512vl")) return __builtin_cpu_supports("avx512vl");
#endif
  (void)f;
  return true;
}

LANDDA_BASELINE const char* join(bool only_missing) {
  static char buf[2][160];
  char* out = buf[only_missing ? 1 : 0];
  out[0] = '\0';
  for (const char* const* f = kCompiled; *f; ++f) {
    if (only_missing && supported(*f)) continue;
    if (out[0]) std::strcat(out, " ");
    std::strcat(out, *f);
  }
  return out;
}
}  // namespace

LANDDA_BASELINE const char* cpu_features_compiled() { return join(false); }
LANDDA_BASELINE const char* cpu_features_missing() { return join(true); }

}  // namespace landda
