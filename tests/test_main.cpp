// The Catch2 runner, alone in its translation unit (it is slow to compile).
// MPI and PETSc are started here, before Catch reads its own arguments, so
// that PETSc never sees them.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "parallel/environment.hpp"

int main(int argc, char** argv) {
  landda::parallel::Environment env(argc, argv);
  return Catch::Session().run(argc, argv);
}
