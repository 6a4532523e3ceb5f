#pragma once
// Benchmarks run their subject in a child process (this program, or mpirun
// launching it), timed, with its peak resident memory from wait4.
#include <string>
#include <vector>

namespace landda::app {

struct ChildRun {
  double seconds = 0, peak_mb = 0;
  int status = 0;  // exit code, or 128 + signal
};

// This program's path (/proc/self/exe).
std::string self_path();

// Runs argv (argv[0] looked up on PATH), stdout discarded unless `keep_output`, and measures it.
// `fresh_mpi`: the child is an mpirun, started without this process's own MPI launch variables.
ChildRun run_child(const std::vector<std::string>& argv, bool keep_output = false, bool fresh_mpi = false);

}  // namespace landda::app
