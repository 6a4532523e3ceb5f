#include "observations/merging/lstm/backend_loader.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "core/error.hpp"

namespace landda::observations::merging {
namespace {

using Create = lstm::Backend* (*)();

Create load() {
  static std::once_flag once;
  static Create create = nullptr;
  static std::string problems;
  std::call_once(once, [] {
    const char* name = "liblandda_lstm.so";
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("LANDDA_LSTM_MODULE")) candidates.emplace_back(env);
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back((exe.parent_path() / name).string());
    candidates.push_back(std::string(LANDDA_LSTM_MODULE_DIR) + "/" + name);
    for (const auto& c : candidates) {
      if (!std::filesystem::exists(c, ec)) {
        problems += "\n  " + c + ": not there";
        continue;
      }
      // Never closed: libtorch does not support being unloaded.
      void* h = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!h) {
        problems += "\n  " + c + ": " + dlerror();
        continue;
      }
      create = reinterpret_cast<Create>(dlsym(h, "landda_lstm_create"));
      if (create) return;
      problems += "\n  " + c + ": no landda_lstm_create";
    }
  });
  if (!create)
    throw Error(cat("the LSTM merger needs the libtorch module liblandda_lstm.so, built when libtorch-dev is "
                    "installed (scripts/setup.sh installs it); tried:",
                    problems));
  return create;
}

}  // namespace

std::unique_ptr<lstm::Backend> make_lstm_backend() { return std::unique_ptr<lstm::Backend>(load()()); }

}  // namespace landda::observations::merging
