#pragma once
// A small RAII layer over NetCDF-C for CF files. The header hides netcdf.h so
// that callers stay free of it. Files being written live under a temporary
// name until commit(); a file that is not committed is removed.
//
// A partial output may be opened by every rank of a communicator (parallel
// NetCDF-4 over MPI-IO): every call on it is then collective, each rank
// writing its own part of a variable (count 0 where it has none) with
// collective access, so that no rank gathers the whole field.
#include <mpi.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/atomic_file.hpp"

namespace landda::io {

// str: variable-length strings (NC_STRING); chars: strings as a fixed-width
// character array (the last dimension), which a damaged file cannot turn into
// reads from HDF5's global heap (def_strings defines one).
enum class NcType { f32, f64, i8, u8, i16, u16, i32, i64, str, chars };

struct VarDef {
  VarDef(std::string n, NcType t, std::vector<std::string> d, std::vector<std::size_t> c = {}, int z = 0,
         std::optional<double> f = std::nullopt)
      : name(std::move(n)), type(t), dims(std::move(d)), chunks(std::move(c)), deflate(z), fill(f) {}
  std::string name;
  NcType type = NcType::f64;
  std::vector<std::string> dims;
  std::vector<std::size_t> chunks;  // empty: library default
  int deflate = 0;                   // 0-9; zlib level with shuffle
  std::optional<double> fill;        // _FillValue
};

// Returns the memory HDF5 keeps on its free lists to the system. HDF5 holds on
// to what each opened file used until the library closes (a few KB a file);
// a loop over thousands of files calls this after each to stay flat.
void release_library_memory();

class NcFile {
 public:
  // A new NetCDF-4 file, written under a temporary name until commit().
  static NcFile create(const std::string& path);
  static NcFile open(const std::string& path);  // read-only; throws IoError naming the file
  // A file that grows over a long run and must survive a crash: written as
  // `path.partial` (synced at checkpoints), renamed to `path` by commit().
  // With a communicator other than MPI_COMM_NULL: opened by every rank of it.
  static NcFile create_partial(const std::string& path, MPI_Comm comm = MPI_COMM_NULL);
  static NcFile reopen_partial(const std::string& path, MPI_Comm comm = MPI_COMM_NULL);  // continues it after a restart
  ~NcFile();
  NcFile(NcFile&&) noexcept;
  NcFile& operator=(NcFile&&) noexcept;
  NcFile(const NcFile&) = delete;
  NcFile& operator=(const NcFile&) = delete;

  const std::string& path() const { return path_; }

  // --- definition (before end_def) ---
  void def_dim(const std::string& name, std::size_t len);  // len 0: unlimited
  void def_var(const VarDef& def);
  void put_att(const std::string& var, const std::string& name, const std::string& value);  // var "" = global
  void put_att(const std::string& var, const std::string& name, double value);
  void put_att(const std::string& var, const std::string& name, const std::vector<double>& values);
  void put_att_int(const std::string& var, const std::string& name, int value);
  void end_def();
  // The HDF5 chunk cache of one variable (a file written in appends keeps its
  // memory to this, whatever it grows to; the library default is 16 MB a variable).
  void set_cache(const std::string& var, std::size_t bytes);

  // --- data (start/count per dimension; empty = the whole variable) ---
  void put(const std::string& var, const double* data, const std::vector<std::size_t>& start = {},
           const std::vector<std::size_t>& count = {});
  void put(const std::string& var, const float* data, const std::vector<std::size_t>& start = {},
           const std::vector<std::size_t>& count = {});
  void put(const std::string& var, const int* data, const std::vector<std::size_t>& start = {},
           const std::vector<std::size_t>& count = {});
  void put(const std::string& var, const long long* data, const std::vector<std::size_t>& start = {},
           const std::vector<std::size_t>& count = {});
  void put_strings(const std::string& var, const std::vector<std::string>& values);
  // Rows [first, first + values.size()) of a character array (its dimension may grow); collective in a
  // parallel file, every rank its own rows or none.
  void put_strings(const std::string& var, const std::vector<std::string>& values, std::size_t first);
  // A string variable along `dim` as a character array as wide as the longest of `values`.
  void def_strings(const std::string& var, const std::string& dim, const std::vector<std::string>& values);
  void sync();    // flushes to disk
  // A partial output: flushes it and keeps a copy beside it (`<path>.partial.checkpointed`)
  // that a restart takes up again when a kill left the partial file damaged (HDF5 files
  // are not safe against a kill in the middle of a write).
  void snapshot();
  void commit();  // closes and moves the file into place

  // --- reading ---
  bool has_var(const std::string& name) const;
  bool has_dim(const std::string& name) const;
  bool has_att(const std::string& var, const std::string& name) const;
  std::size_t dim_len(const std::string& name) const;
  std::vector<std::string> var_dims(const std::string& name) const;
  std::vector<std::size_t> var_shape(const std::string& name) const;
  std::vector<std::string> var_names() const;
  std::string att_text(const std::string& var, const std::string& name) const;  // throws if absent
  std::optional<double> att_double(const std::string& var, const std::string& name) const;
  std::vector<double> att_values(const std::string& var, const std::string& name) const;  // every value; throws if absent or text
  bool att_is_text(const std::string& var, const std::string& name) const;
  // Values as stored (no CF decoding).
  std::vector<double> get_raw(const std::string& var, const std::vector<std::size_t>& start = {},
                              const std::vector<std::size_t>& count = {}) const;
  // CF decoded: _FillValue, missing_value and values outside valid_min/max/range become NaN;
  // scale_factor and add_offset applied.
  std::vector<double> get(const std::string& var, const std::vector<std::size_t>& start = {},
                          const std::vector<std::size_t>& count = {}) const;
  std::vector<long long> get_int64(const std::string& var) const;
  std::vector<std::string> get_strings(const std::string& var) const;  // NC_STRING or char arrays

 private:
  NcFile() = default;
  // A variable by path ("name" or "Group/name"): its group's id and its id
  // (NC_GLOBAL for ""); groups are created on definition.
  struct Loc {
    int grp, var;
  };
  Loc locate(const std::string& var) const;
  int group(const std::string& path, bool create) const;
  void check(int status, const std::string& what) const;
  void close_quietly() noexcept;

  int ncid_ = -1;
  bool input_ = false;  // opened to read: its failures are the file's (InputError), not the machine's
  std::string path_;
  std::unique_ptr<AtomicPath> atomic_;
  std::string partial_;  // set for files made by create_partial/reopen_partial
  MPI_Comm comm_ = MPI_COMM_NULL;  // a file shared by the ranks of comm_ (parallel I/O)
  bool root() const;
  void barrier() const;
  void collective_access();  // every variable written by all ranks together (parallel files)
};

}  // namespace landda::io
