#include "parallel/environment.hpp"

#include <petscsys.h>

#include <cstdlib>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/memory.hpp"

namespace landda::parallel {
namespace {
bool g_active = false;
}

Environment::Environment(int& argc, char**& argv, const std::vector<std::string>& petsc_options) {
  restore_memory_release();  // a library's load-time setting would keep every freed array resident
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    check_mpi(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    owns_mpi_ = true;
  }
  world_ = Comm::duplicate(MPI_COMM_WORLD);
  log::set_rank(world_.rank(), false);

  PetscBool petsc_up = PETSC_FALSE;
  PetscInitialized(&petsc_up);
  if (!petsc_up) {
    // PETSc sees only its own options, not landda's command line.
    PETSC_COMM_WORLD = world_.get();
    std::vector<std::string> args{argc > 0 ? argv[0] : "landda"};
    args.insert(args.end(), petsc_options.begin(), petsc_options.end());
    std::vector<char*> ptrs;
    for (auto& a : args) ptrs.push_back(a.data());
    ptrs.push_back(nullptr);
    int pargc = static_cast<int>(args.size());
    char** pargv = ptrs.data();
    if (PetscInitialize(&pargc, &pargv, nullptr, nullptr) != 0)
      throw ParallelError("PetscInitialize failed");
    owns_petsc_ = true;
  }
  g_active = true;
}

Environment::~Environment() {
  g_active = false;
  if (owns_petsc_) PetscFinalize();
  world_ = Comm();
  if (owns_mpi_) MPI_Finalize();
}

bool Environment::active() { return g_active; }

int Environment::world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

Comm Environment::duplicate_world() { return Comm::duplicate(MPI_COMM_WORLD); }

void Environment::abort(int code) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

}  // namespace landda::parallel
