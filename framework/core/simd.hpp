#pragma once
// LANDDA_CLONES on a function with plain loops over restrict pointers makes
// GCC compile it for baseline x86-64, AVX2 (x86-64-v3) and AVX-512
// (x86-64-v4) and pick one when the program loads (ifunc), so a generic build
// runs the hot loops at the machine's vector width. Files holding such loops
// are compiled with -ffp-contract=off (see landda_simd_kernels in CMake): no
// clone fuses multiplies and adds, and all give bit-identical results. In a
// native build (one ISA, no clones) they may fuse: 5 % faster, and a value
// still does not depend on whether it falls in a loop's vector body or its
// remainder (the model conformance suite checks blocks against the whole).
// Pointers must be function parameters: GCC does not vectorise when it reads
// them from a struct. A build for this machine's CPU (LANDDA_NATIVE) needs no
// clones, and must not have them: a clone for a narrower ISA than -march=native
// cannot inline std::clamp or std::bit_cast compiled for the wider one, and
// the fast exp/log become calls (five times slower).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(LANDDA_NATIVE_BUILD)
#define LANDDA_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define LANDDA_CLONES
#endif
