#pragma once
// The subcommands of the `landda` program. Each parses its own options and
// returns the process exit code; errors are thrown to main().
#include <string>
#include <vector>

namespace landda::parallel {
class Environment;
}

namespace landda::app {

using Args = std::vector<std::string>;

int run(const Args& args, const parallel::Environment& env);
int validate(const Args& args);
int describe(const Args& args);
int bench(const Args& args, const parallel::Environment& env);
int import(const Args& args);
int metrics(const Args& args);
int merge(const Args& args);
int compare(const Args& args, const parallel::Environment& env);
int bench_lstm(const Args& args);
int bench_import(const Args& args);
int bench_scale(const Args& args);

// Single-core GFLOP/s of Eigen's blocked GEMM on n x n matrices (best of 3): the yardstick of the benchmarks.
double gemm_gflops(int n);
// What the benchmarks ran on: "native" (-march=native) or "portable" (x86-64 with
// load-time clones of the model kernels), and the vector instructions Eigen uses.
std::string build_kind();
std::string eigen_simd();

// PETSc options (single-dash words and their values) that landda does not know.
std::vector<std::string> petsc_options(const Args& args);

}  // namespace landda::app
