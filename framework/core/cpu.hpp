#pragma once
// A native build (-march=native, LANDDA_NATIVE) run on a CPU that lacks the
// instructions it was compiled for dies of SIGILL wherever the compiler first
// used one; main checks before anything else runs and says what to do. Both
// functions are compiled for baseline x86-64 and return static C strings, so
// they run on any x86-64 CPU.
namespace landda {

// The instruction sets this binary was compiled to use (space-separated
// names as __builtin_cpu_supports knows them; empty for a portable build).
const char* cpu_features_compiled();
// Those of them this CPU lacks (empty: the binary can run here).
const char* cpu_features_missing();

}  // namespace landda
