#pragma once
// A run's state in one HDF5 file, written and read collectively with
// parallel HDF5 (MPI-IO), so that no rank ever holds the whole ensemble:
//   shared entries, the same on every rank (counts, statistics, the nature
//     run, configuration text), written by rank 0;
//   member entries, a (rows x members) ensemble of which each rank holds the
//     columns of its members, each rank writing its own columns into one
//     dataset; read back on any number of ranks, each reading the columns of
//     the members it now holds.
//   cell entries (parallel.layout: cells), a (rows x columns) array kept per
//     cell, of which each rank holds every column of its own block of cells,
//     each rank writing its cells' rows into one dataset; read back on any
//     number of ranks, each reading the cells it now holds.
// Integrity: a checksum (FNV-1a, 64 bit) of the shared entries and of every
// member and cell entry's shape, and one per member column or per cell,
// verified by whichever rank reads it: a bit changed on disk is named, not
// restarted from.
#include <mpi.h>

#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/state.hpp"

namespace landda::io {


class Checkpoint {
 public:
  using Index = Eigen::Index;
  explicit Checkpoint(MPI_Comm comm = MPI_COMM_SELF);
  ~Checkpoint();
  Checkpoint(Checkpoint&&) noexcept;
  Checkpoint& operator=(Checkpoint&&) noexcept;

  // Shared entries (the same on every rank).
  void put(const std::string& name, const Eigen::MatrixXd& m) { matrices_[name] = m; }
  void put(const std::string& name, std::vector<std::uint64_t> v) { words_[name] = std::move(v); }
  void put(const std::string& name, std::int64_t v) { scalars_[name] = v; }
  void put_text(const std::string& name, std::string v) { texts_[name] = std::move(v); }
  // Member entries: this rank's columns [first, first + mine.cols()) of `total`
  // (words: `per_member` words a member). `writes`: false where another rank
  // holds and writes the same members (a model task of several ranks). The
  // columns are read in place at write(), not copied: they must live until then.
  void put_members(const std::string& name, const Eigen::Ref<const Eigen::MatrixXd>& mine, Index first, Index total,
                   bool writes);
  void put_member_words(const std::string& name, const std::vector<std::uint64_t>& mine, int per_member, Index first,
                        Index total, bool writes);

  // Cell entry: this rank's rows of every column, in the pattern's compact order
  // (the tail, the same on every rank, is written by rank 0). Read in place at write().
  void put_cells(const std::string& name, const Eigen::Ref<const Eigen::MatrixXd>& mine, const CellPattern& pattern);

  const Eigen::MatrixXd& matrix(const std::string& name) const;
  const std::vector<std::uint64_t>& words(const std::string& name) const;
  std::int64_t scalar(const std::string& name) const;
  const std::string& text(const std::string& name) const;
  bool has(const std::string& name) const;
  // The columns [first, first + count) of a member entry, read from the file (checksums verified).
  Eigen::MatrixXd members(const std::string& name, Index first, Index count) const;
  std::vector<std::uint64_t> member_words(const std::string& name, Index first, Index count) const;
  // (rows, members) of a member entry.
  std::pair<Index, Index> member_shape(const std::string& name) const;
  // This rank's rows (the pattern's block and tail) of every column of a cell entry, read from the file
  // (checksums verified); the pattern must describe the entry's whole rows.
  Eigen::MatrixXd cells(const std::string& name, const CellPattern& pattern) const;
  // (whole rows, columns) of a cell entry.
  std::pair<Index, Index> cell_shape(const std::string& name) const;

  // Collective over the communicator. Writes atomically (temporary name, then rename).
  void write(const std::string& path) const;
  // Collective: opens the file, reads and verifies the shared entries; member entries are read on demand.
  static Checkpoint read(const std::string& path, MPI_Comm comm = MPI_COMM_SELF);

  // FNV-1a (64 bit) over every shared entry's kind, name and bytes and every member entry's shape, in name order.
  std::uint64_t checksum() const;

 private:
  struct Members {
    const double* data = nullptr;      // this rank's columns (being written), column after column
    Index cols = 0;
    std::vector<std::uint64_t> words;  // or its members' words, `rows` a member
    Index first = 0, total = 0, rows = 0;
    bool writes = true, is_words = false;
  };
  struct Cells {
    const double* data = nullptr;  // this rank's rows (being written), column after column
    Index cols = 0, rows = 0;      // rows: the whole column's
    CellPattern pattern;
  };
  struct Open;  // the file a read checkpoint keeps open for its member entries
  MPI_Comm comm_;
  std::map<std::string, Eigen::MatrixXd> matrices_;
  std::map<std::string, std::vector<std::uint64_t>> words_;
  std::map<std::string, std::int64_t> scalars_;
  std::map<std::string, std::string> texts_;
  std::map<std::string, Members> members_;
  std::map<std::string, Cells> cells_;
  std::unique_ptr<Open> open_;
};

// FNV-1a (64 bit) of one member column: its entry's name, its index and its bytes.
std::uint64_t member_checksum(const std::string& name, Eigen::Index member, const void* data, std::size_t bytes);
// FNV-1a (64 bit) of one cell of a cell entry (cell n_cells: the tail): its entry's name, the
// cell's index and its values, column after column, from a rank's compact rows.
std::uint64_t cell_checksum(const std::string& name, const Eigen::Ref<const Eigen::MatrixXd>& mine,
                            const CellPattern& pattern, Eigen::Index cell);

}  // namespace landda::io
