#pragma once
// Outputs appear whole or not at all: write to a temporary name beside the
// target, rename when complete. The rename is atomic on one file system.
#include <string>

namespace landda::io {

class AtomicPath {
 public:
  explicit AtomicPath(std::string target);
  ~AtomicPath();  // removes the temporary file unless committed
  AtomicPath(const AtomicPath&) = delete;
  AtomicPath& operator=(const AtomicPath&) = delete;
  AtomicPath(AtomicPath&& o) noexcept;
  AtomicPath& operator=(AtomicPath&& o) noexcept;

  const std::string& temp() const { return temp_; }
  const std::string& target() const { return target_; }
  void commit();  // rename temp -> target; throws IoError

 private:
  std::string target_, temp_;
  bool committed_ = true;
};

// Writes text to `path` atomically (resolved configs, summary.json, tables).
void write_text_file(const std::string& path, const std::string& text);
// Creates the folder and its parents; throws IoError naming it.
void make_dirs(const std::string& dir);
// Removes the temporaries (`.<name>.tmp.<pid>`) that killed processes left in
// `dir` and its sub-folders (a live process's are kept); returns how many.
int remove_stale_temporaries(const std::string& dir);

}  // namespace landda::io
