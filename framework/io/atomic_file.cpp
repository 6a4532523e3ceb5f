#include "io/atomic_file.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"

namespace landda::io {
namespace fs = std::filesystem;

AtomicPath::AtomicPath(std::string target) : target_(std::move(target)), committed_(false) {
  const fs::path t(target_);
  const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw IoError(cat(target_, ": cannot write, folder '", dir.string(), "' does not exist"));
  // Hidden, and unique per process, so that concurrent runs never share a temporary.
  std::string name(1, '.');
  name.append(t.filename().string()).append(".tmp.").append(std::to_string(::getpid()));
  temp_ = (dir / name).string();
}

AtomicPath::~AtomicPath() {
  if (!committed_ && !temp_.empty()) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

AtomicPath::AtomicPath(AtomicPath&& o) noexcept
    : target_(std::move(o.target_)), temp_(std::move(o.temp_)), committed_(o.committed_) {
  o.committed_ = true;
}

AtomicPath& AtomicPath::operator=(AtomicPath&& o) noexcept {
  if (this != &o) {
    if (!committed_) {
      std::error_code ec;
      fs::remove(temp_, ec);
    }
    target_ = std::move(o.target_);
    temp_ = std::move(o.temp_);
    committed_ = o.committed_;
    o.committed_ = true;
  }
  return *this;
}

void AtomicPath::commit() {
  if (committed_) return;
  if (std::rename(temp_.c_str(), target_.c_str()) != 0)
    throw IoError(cat(target_, ": cannot rename the finished temporary file into place: ", std::strerror(errno)));
  committed_ = true;
}

void write_text_file(const std::string& path, const std::string& text) {
  AtomicPath ap(path);
  {
    std::ofstream out(ap.temp(), std::ios::binary);
    if (!out) throw IoError(cat(path, ": cannot open for writing: ", std::strerror(errno)));
    out << text;
    out.flush();
    if (!out) throw IoError(cat(path, ": write failed: ", std::strerror(errno)));
  }
  ap.commit();
}

void make_dirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw IoError(cat(dir, ": cannot create the folder: ", ec.message()));
}

int remove_stale_temporaries(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  int removed = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto at = name.rfind(".tmp.");
    if (name.empty() || name[0] != '.' || at == std::string::npos || !it->is_regular_file(ec)) continue;
    const std::string pid_text = name.substr(at + 5);
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
    std::error_code rm;
    if (fs::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

}  // namespace landda::io
