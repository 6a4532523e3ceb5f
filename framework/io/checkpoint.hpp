#pragma once
// A checkpoint: named arrays (ensemble state, random-number states, counters,
// accumulated statistics) kept in memory and written to one HDF5 file.
// Restart reads it back bit for bit.
#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace landda::io {

class Checkpoint {
 public:
  void put(const std::string& name, const Eigen::MatrixXd& m) { matrices_[name] = m; }
  void put(const std::string& name, std::vector<std::uint64_t> v) { words_[name] = std::move(v); }
  void put(const std::string& name, std::int64_t v) { scalars_[name] = v; }
  void put_text(const std::string& name, std::string v) { texts_[name] = std::move(v); }

  const Eigen::MatrixXd& matrix(const std::string& name) const;
  const std::vector<std::uint64_t>& words(const std::string& name) const;
  std::int64_t scalar(const std::string& name) const;
  const std::string& text(const std::string& name) const;
  bool has(const std::string& name) const;

  // Writes atomically (temporary name, then rename), with a checksum of the
  // contents that read() verifies: a bit changed on disk is named, not restarted from.
  void write(const std::string& path) const;
  static Checkpoint read(const std::string& path);
  // FNV-1a (64 bit) over every entry's kind, name and bytes, in name order.
  std::uint64_t checksum() const;

 private:
  std::map<std::string, Eigen::MatrixXd> matrices_;
  std::map<std::string, std::vector<std::uint64_t>> words_;
  std::map<std::string, std::int64_t> scalars_;
  std::map<std::string, std::string> texts_;
};

}  // namespace landda::io
