#pragma once
// Process-wide start and end of MPI and PETSc. Created once, by main().
#include <string>
#include <vector>

#include "parallel/comm.hpp"

namespace landda::parallel {

class Environment {
 public:
  // Starts MPI (if not yet started) and PETSc on a duplicate of the world
  // communicator; `petsc_options` are passed to PETSc (e.g. -log_view).
  Environment(int& argc, char**& argv, const std::vector<std::string>& petsc_options = {});
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  // Every rank of the run (a duplicate of MPI_COMM_WORLD).
  const Comm& world() const { return world_; }
  static bool active();
  // Ends every rank with this code (used by main after an error under MPI).
  [[noreturn]] static void abort(int code);
  static int world_size();
  // A new duplicate of every rank's communicator, for code started without an
  // Environment of its own (tests).
  static Comm duplicate_world();

 private:
  Comm world_;
  bool owns_mpi_ = false;
  bool owns_petsc_ = false;
};

}  // namespace landda::parallel
