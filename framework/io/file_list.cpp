#include "io/file_list.hpp"

#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <filesystem>

#include "core/error.hpp"

namespace landda::io {
namespace fs = std::filesystem;

std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs, const std::string& pattern) {
  std::vector<std::string> out;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (auto it = fs::recursive_directory_iterator(in, fs::directory_options::follow_directory_symlink, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && fnmatch(pattern.c_str(), it->path().filename().c_str(), 0) == 0)
          out.push_back(it->path().string());
      if (ec) throw InputError(cat(in, ": cannot list the folder: ", ec.message()));
    } else if (fs::exists(in, ec)) {
      out.push_back(in);
    } else if (in.find_first_of("*?[") != std::string::npos) {
      glob_t g{};
      if (::glob(in.c_str(), 0, nullptr, &g) == 0)
        for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
      globfree(&g);
    } else {
      throw InputError(cat(in, ": no such file or folder"));
    }
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    const auto fa = fs::path(a).filename().string(), fb = fs::path(b).filename().string();
    return fa != fb ? fa < fb : a < b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.empty()) {
    std::string all;
    for (const auto& in : inputs) all += (all.empty() ? "" : " ") + in;
    throw InputError(cat("no file (", pattern, ") found in ", all));
  }
  return out;
}

}  // namespace landda::io
