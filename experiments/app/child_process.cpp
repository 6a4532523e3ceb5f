#include "experiments/app/child_process.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/error.hpp"

namespace landda::app {

std::string self_path() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

namespace {

// This process started MPI as a singleton, whose launcher's variables a child
// mpirun would take for its own; the user's settings (OMPI_ALLOW_*, other
// OMPI_MCA_*) stay.
void forget_mpi_singleton() {
  std::vector<std::string> drop;
  for (char** e = environ; *e; ++e) {
    const std::string v = *e, name = v.substr(0, v.find('='));
    const auto starts = [&name](const char* p) { return name.rfind(p, 0) == 0; };
    const bool user = starts("OMPI_ALLOW_") ||
                      (starts("OMPI_MCA_") && !starts("OMPI_MCA_ess") && !starts("OMPI_MCA_orte_") && name != "OMPI_MCA_pmix");
    if ((starts("PMIX_") || starts("ORTE_") || starts("OPAL_") || starts("OMPI_")) && !user) drop.push_back(name);
  }
  for (const auto& name : drop) unsetenv(name.c_str());
}

}  // namespace

ChildRun run_child(const std::vector<std::string>& args, bool keep_output, bool fresh_mpi) {
  if (args.empty()) throw Error("run_child: no program");
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw Error(cat("cannot start ", args[0], ": fork failed"));
  if (pid == 0) {
    if (!keep_output && !freopen("/dev/null", "w", stdout)) _exit(127);
    if (fresh_mpi) forget_mpi_singleton();
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage use{};
  wait4(pid, &status, 0, &use);
  ChildRun r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.peak_mb = static_cast<double>(use.ru_maxrss) / 1024.0;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace landda::app
