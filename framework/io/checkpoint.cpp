#include "io/checkpoint.hpp"

#include <hdf5.h>

#include <filesystem>

#include "core/error.hpp"
#include "core/fnv.hpp"
#include "io/atomic_file.hpp"
#include "io/h5_handle.hpp"
#include "io/mpi_io_hints.hpp"

namespace landda::io {

struct Checkpoint::Open {
  std::string path;
  H5Id file;
};

namespace {

void check(herr_t status, const std::string& what) {
  if (status < 0) throw IoError(what);
}

// A file access list for MPI-IO over `comm` (every rank of it opens the file).
H5Id mpio_access(MPI_Comm comm, const std::string& path) {
  H5Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path + ": file access list");
  check(H5Pset_fapl_mpio(fapl, comm, MpiIoHints().get()), path + ": MPI-IO");
  return fapl;
}

// Creates a dataset on every rank (collective); `write_here`: this rank writes all of it.
template <class T>
void write_dataset(hid_t group, const std::string& name, hid_t type, const T* data, std::vector<hsize_t> dims,
                   bool write_here, const std::string& path) {
  H5Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, path + ": dataspace " + name);
  H5Id set(H5Dcreate2(group, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
           path + ": cannot create dataset " + name);
  hsize_t n = 1;
  for (const hsize_t d : dims) n *= d;
  if (write_here && n > 0) check(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path + ": cannot write dataset " + name);
}

// Rows [first, first + count) of a (total x width) dataset, or of a (total) one when `flat`, selected in its space.
H5Id rows_of(hid_t set, hsize_t first, hsize_t count, hsize_t width, bool flat, const std::string& what) {
  H5Id space(H5Dget_space(set), H5Sclose, what);
  const hsize_t start[2] = {first, 0}, extent[2] = {count, width};
  if (count == 0 || (width == 0 && !flat))
    check(H5Sselect_none(space), what);
  else
    check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, extent, nullptr), what);
  return space;
}

// Every writer's rows of a (total x width) dataset (`flat`: a (total) one),
// written collectively: ranks that write nothing select none.
template <class T>
void write_rows(hid_t group, const std::string& name, hid_t type, const T* data, hsize_t total, hsize_t width,
                bool flat, hsize_t first, hsize_t count, const std::string& path) {
  const hsize_t dims[2] = {total, flat ? 1 : width};
  H5Id space(H5Screate_simple(flat ? 1 : 2, dims, nullptr), H5Sclose, path + ": dataspace " + name);
  H5Id set(H5Dcreate2(group, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
           path + ": cannot create dataset " + name);
  if (dims[0] * dims[1] == 0) return;  // no storage (a model without memory): the same on every rank
  const H5Id file_space = rows_of(set, first, count, width, flat, path + ": " + name);
  const hsize_t items = count * (flat ? 1 : width), mem_dims[1] = {std::max<hsize_t>(items, 1)};
  H5Id mem(H5Screate_simple(1, mem_dims, nullptr), H5Sclose, path + ": memory space " + name);
  if (items == 0) check(H5Sselect_none(mem), path + ": " + name);
  H5Id xfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose, path + ": transfer list");
  check(H5Pset_dxpl_mpio(xfer, H5FD_MPIO_COLLECTIVE), path + ": collective transfer");
  check(H5Dwrite(set, type, mem, file_space, xfer, data), path + ": cannot write dataset " + name);
}

std::vector<hsize_t> dataset_dims(hid_t set, const std::string& what) {
  H5Id space(H5Dget_space(set), H5Sclose, what);
  const int nd = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(nd, 0)));
  if (nd > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

void broadcast(std::string& s, MPI_Comm comm) {
  unsigned long long n = s.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, comm);
  s.resize(n);
  if (n) MPI_Bcast(s.data(), static_cast<int>(n), MPI_CHAR, 0, comm);
}

// One entry of a checksum: its kind, name, size and bytes.
void entry(Fnv1a& f, char kind, const std::string& name, const void* data, std::size_t n) {
  f.mix(&kind, 1);
  f.mix(name.data(), name.size());
  f.mix(&n, sizeof n);
  f.mix(data, n);
}

// A cell entry's checksums: one per cell, one more for a tail.
hsize_t checksum_count(const CellPattern& p) { return static_cast<hsize_t>(p.rows.n_cells + (p.rows.tail > 0 ? 1 : 0)); }

// A cell entry's compact row of quantity k of the block's cell c (0-based in the block).
Eigen::Index compact_row(const CellPattern& p, Eigen::Index c, Eigen::Index k) {
  return p.cell_major ? c * p.rows.per_cell + k : k * p.rows.count + c;
}

// The rows of a cell entry's (columns x whole rows) dataset that the pattern's rank holds: its block
// (one run cell-major, one run per quantity otherwise) and, with `tail`, the tail rows.
void select_cells(hid_t space, const CellPattern& p, hsize_t cols, bool tail, const std::string& what) {
  check(H5Sselect_none(space), what);
  const CellRows& r = p.rows;
  const auto u = [](Eigen::Index i) { return static_cast<hsize_t>(i); };
  if (cols > 0 && r.count > 0 && r.per_cell > 0) {
    const hsize_t start[2] = {0, u(p.cell_major ? r.begin * r.per_cell : r.begin)};
    const hsize_t stride[2] = {1, u(p.cell_major ? 1 : r.n_cells)};
    const hsize_t count[2] = {cols, u(p.cell_major ? 1 : r.per_cell)};
    const hsize_t block[2] = {1, u(p.cell_major ? r.count * r.per_cell : r.count)};
    check(H5Sselect_hyperslab(space, H5S_SELECT_OR, start, stride, count, block), what);
  }
  if (cols > 0 && tail && r.tail > 0) {
    const hsize_t start[2] = {0, u(r.per_cell * r.n_cells)}, count[2] = {cols, u(r.tail)};
    check(H5Sselect_hyperslab(space, H5S_SELECT_OR, start, nullptr, count, nullptr), what);
  }
}

// The same rows in a rank's compact (columns x compact rows) memory: every row, or without the tail.
H5Id compact_space(const CellPattern& p, hsize_t cols, bool tail, const std::string& what) {
  const CellRows& r = p.rows;
  const hsize_t dims[2] = {std::max<hsize_t>(cols, 1), std::max<hsize_t>(static_cast<hsize_t>(r.compact_size()), 1)};
  H5Id space(H5Screate_simple(2, dims, nullptr), H5Sclose, what);
  check(H5Sselect_none(space), what);
  const hsize_t start[2] = {0, 0},
                count[2] = {cols, static_cast<hsize_t>(r.per_cell * r.count + (tail ? r.tail : 0))};
  if (count[0] * count[1] > 0) check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr), what);
  return space;
}

// The positions of a rank's cell checksums (its block's cells, then the tail's at n_cells) in the entry's list.
void select_sums(hid_t space, const CellPattern& p, bool tail, const std::string& what) {
  check(H5Sselect_none(space), what);
  const hsize_t start[1] = {static_cast<hsize_t>(p.rows.begin)}, count[1] = {static_cast<hsize_t>(p.rows.count)};
  if (count[0] > 0) check(H5Sselect_hyperslab(space, H5S_SELECT_OR, start, nullptr, count, nullptr), what);
  const hsize_t at[1] = {static_cast<hsize_t>(p.rows.n_cells)}, one[1] = {1};
  if (tail && p.rows.tail > 0) check(H5Sselect_hyperslab(space, H5S_SELECT_OR, at, nullptr, one, nullptr), what);
}

// The checksums of a rank's cells, then (with `tail`) of the tail.
std::vector<std::uint64_t> cell_sums(const std::string& name, const Eigen::Ref<const Eigen::MatrixXd>& mine,
                                     const CellPattern& p, bool tail) {
  std::vector<std::uint64_t> sums;
  for (Eigen::Index c = 0; c < p.rows.count; ++c) sums.push_back(cell_checksum(name, mine, p, p.rows.begin + c));
  if (tail && p.rows.tail > 0) sums.push_back(cell_checksum(name, mine, p, p.rows.n_cells));
  return sums;
}

// A cell entry's rows from every rank into one (columns x whole rows) dataset, and its per-cell checksums
// into a second one (n_cells, one more for a tail); `tail`: this rank writes the tail too.
void write_cells(hid_t group, hid_t sums_group, const std::string& name, const double* data, hsize_t cols, hsize_t rows,
                 const CellPattern& p, bool tail, const std::vector<std::uint64_t>& sums, const std::string& path) {
  const std::string what = path + ": " + name;
  const hsize_t dims[2] = {cols, rows}, n_sums[1] = {checksum_count(p)};
  H5Id space(H5Screate_simple(2, dims, nullptr), H5Sclose, what);
  H5Id set(H5Dcreate2(group, name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
           path + ": cannot create dataset " + name);
  H5Id sums_space(H5Screate_simple(1, n_sums, nullptr), H5Sclose, what);
  H5Id sums_set(H5Dcreate2(sums_group, name.c_str(), H5T_NATIVE_UINT64, sums_space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                H5Dclose, path + ": cannot create dataset " + name);
  if (cols * rows == 0) return;  // no storage: the same on every rank
  H5Id xfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose, path + ": transfer list");
  check(H5Pset_dxpl_mpio(xfer, H5FD_MPIO_COLLECTIVE), path + ": collective transfer");
  select_cells(space, p, cols, tail, what);
  const H5Id mem = compact_space(p, cols, tail, what);
  check(H5Dwrite(set, H5T_NATIVE_DOUBLE, mem, space, xfer, data), path + ": cannot write dataset " + name);
  select_sums(sums_space, p, tail, what);
  const hsize_t n[1] = {std::max<hsize_t>(sums.size(), 1)};
  H5Id mem_sums(H5Screate_simple(1, n, nullptr), H5Sclose, what);
  if (sums.empty()) check(H5Sselect_none(mem_sums), what);
  check(H5Dwrite(sums_set, H5T_NATIVE_UINT64, mem_sums, sums_space, xfer, sums.data()),
        path + ": cannot write the checksums of " + name);
}

}  // namespace

std::uint64_t cell_checksum(const std::string& name, const Eigen::Ref<const Eigen::MatrixXd>& mine,
                            const CellPattern& p, Eigen::Index cell) {
  Fnv1a f;
  entry(f, 'c', name, &cell, sizeof cell);
  const bool is_tail = cell == p.rows.n_cells;
  const Eigen::Index local = cell - p.rows.begin, n = is_tail ? p.rows.tail : p.rows.per_cell;
  for (Eigen::Index j = 0; j < mine.cols(); ++j)
    for (Eigen::Index k = 0; k < n; ++k) {
      const double v = mine(is_tail ? p.rows.per_cell * p.rows.count + k : compact_row(p, local, k), j);
      f.mix(&v, sizeof v);
    }
  return f.h;
}

std::uint64_t member_checksum(const std::string& name, Eigen::Index member, const void* data, std::size_t bytes) {
  Fnv1a f;
  entry(f, 'c', name, &member, sizeof member);
  f.mix(data, bytes);
  return f.h;
}

Checkpoint::Checkpoint(MPI_Comm comm) : comm_(comm) {}
Checkpoint::~Checkpoint() = default;
Checkpoint::Checkpoint(Checkpoint&&) noexcept = default;
Checkpoint& Checkpoint::operator=(Checkpoint&&) noexcept = default;

void Checkpoint::put_members(const std::string& name, const Eigen::Ref<const Eigen::MatrixXd>& mine, Index first,
                             Index total, bool writes) {
  if (mine.cols() > 1 && mine.outerStride() != mine.rows())
    throw Error(cat("checkpoint: member entry '", name, "' is not a block of whole columns"));
  Members m;
  m.data = mine.data();
  m.cols = mine.cols();
  m.first = first, m.total = total, m.rows = mine.rows(), m.writes = writes;
  members_[name] = std::move(m);
}

void Checkpoint::put_member_words(const std::string& name, const std::vector<std::uint64_t>& mine, int per_member,
                                  Index first, Index total, bool writes) {
  Members m;
  m.words = mine;
  m.first = first, m.total = total, m.rows = per_member, m.writes = writes, m.is_words = true;
  members_[name] = std::move(m);
}

void Checkpoint::put_cells(const std::string& name, const Eigen::Ref<const Eigen::MatrixXd>& mine,
                           const CellPattern& pattern) {
  if (mine.rows() != pattern.rows.compact_size() || (mine.cols() > 1 && mine.outerStride() != mine.rows()))
    throw Error(cat("checkpoint: cell entry '", name, "' holds ", mine.rows(), " rows a column; its cells need ",
                    pattern.rows.compact_size()));
  if (pattern.cell_major && pattern.rows.tail > 0) throw Error(cat("checkpoint: cell entry '", name, "' is cell-major with a tail"));
  cells_[name] = Cells{mine.data(), mine.cols(), pattern.rows.full_size(), pattern};
}

const Eigen::MatrixXd& Checkpoint::matrix(const std::string& name) const {
  auto it = matrices_.find(name);
  if (it == matrices_.end()) throw InputError(cat("checkpoint has no matrix '", name, "'"));
  return it->second;
}

const std::vector<std::uint64_t>& Checkpoint::words(const std::string& name) const {
  auto it = words_.find(name);
  if (it == words_.end()) throw InputError(cat("checkpoint has no word array '", name, "'"));
  return it->second;
}

std::int64_t Checkpoint::scalar(const std::string& name) const {
  auto it = scalars_.find(name);
  if (it == scalars_.end()) throw InputError(cat("checkpoint has no scalar '", name, "'"));
  return it->second;
}

const std::string& Checkpoint::text(const std::string& name) const {
  auto it = texts_.find(name);
  if (it == texts_.end()) throw InputError(cat("checkpoint has no text '", name, "'"));
  return it->second;
}

bool Checkpoint::has(const std::string& name) const {
  return matrices_.count(name) || words_.count(name) || scalars_.count(name) || texts_.count(name) ||
         members_.count(name) || cells_.count(name);
}

std::pair<Eigen::Index, Eigen::Index> Checkpoint::cell_shape(const std::string& name) const {
  auto it = cells_.find(name);
  if (it == cells_.end()) throw InputError(cat("checkpoint has no cell entry '", name, "'"));
  return {it->second.rows, it->second.cols};
}

std::pair<Eigen::Index, Eigen::Index> Checkpoint::member_shape(const std::string& name) const {
  auto it = members_.find(name);
  if (it == members_.end()) throw InputError(cat("checkpoint has no member entry '", name, "'"));
  return {it->second.rows, it->second.total};
}

void Checkpoint::write(const std::string& path) const {
  silence_hdf5();
  int rank = 0;
  MPI_Comm_rank(comm_, &rank);
  // One temporary name for every rank: the root's, renamed by the root once every rank has closed the file.
  std::unique_ptr<AtomicPath> ap;
  std::string temp;
  if (rank == 0) ap = std::make_unique<AtomicPath>(path), temp = ap->temp();
  broadcast(temp, comm_);
  {
    const H5Id fapl = mpio_access(comm_, path);
    H5Id file(H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose,
              path + ": cannot create the checkpoint file");
    const auto group = [&](const char* name) {
      return std::make_unique<H5Id>(H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                                    path + ": group " + name);
    };
    const auto g1 = group("matrices"), g2 = group("words"), g3 = group("scalars"), g4 = group("texts"),
               g5 = group("members"), g6 = group("member_words"), g7 = group("member_checksums"), g8 = group("cells"),
               g9 = group("cell_checksums");
    const bool root = rank == 0;
    // Eigen is column-major: a matrix is stored as (cols, rows) so that its bytes go out unchanged.
    for (const auto& [name, m] : matrices_)
      write_dataset(*g1, name, H5T_NATIVE_DOUBLE, m.data(), {static_cast<hsize_t>(m.cols()), static_cast<hsize_t>(m.rows())},
                    root, path);
    for (const auto& [name, w] : words_)
      write_dataset(*g2, name, H5T_NATIVE_UINT64, w.data(), {static_cast<hsize_t>(w.size())}, root, path);
    for (const auto& [name, s] : scalars_) write_dataset(*g3, name, H5T_NATIVE_INT64, &s, {1}, root, path);
    for (const auto& [name, t] : texts_)
      write_dataset(*g4, name, H5T_NATIVE_CHAR, t.data(), {static_cast<hsize_t>(t.size())}, root, path);
    for (const auto& [name, m] : members_) {
      const hsize_t count = m.writes ? static_cast<hsize_t>(m.is_words ? m.words.size() / std::max<Index>(m.rows, 1)
                                                                       : m.cols)
                                     : 0;
      const auto first = static_cast<hsize_t>(m.first), total = static_cast<hsize_t>(m.total),
                 rows = static_cast<hsize_t>(m.rows);
      std::vector<std::uint64_t> sums(count);
      for (hsize_t k = 0; k < count; ++k) {
        const std::size_t bytes = static_cast<std::size_t>(rows) * 8;
        const void* col = m.is_words ? static_cast<const void*>(m.words.data() + k * rows)
                                     : static_cast<const void*>(m.data + k * rows);
        sums[k] = member_checksum(name, static_cast<Index>(first + k), col, bytes);
      }
      if (m.is_words)
        write_rows(*g6, name, H5T_NATIVE_UINT64, m.words.data(), total, rows, false, first, count, path);
      else
        write_rows(*g5, name, H5T_NATIVE_DOUBLE, m.data, total, rows, false, first, count, path);
      write_rows(*g7, name, H5T_NATIVE_UINT64, sums.data(), total, 1, true, first, count, path);
    }
    for (const auto& [name, c] : cells_) {
      const Eigen::Map<const Eigen::MatrixXd> mine(c.data, c.pattern.rows.compact_size(), c.cols);
      write_cells(*g8, *g9, name, c.data, static_cast<hsize_t>(c.cols), static_cast<hsize_t>(c.rows), c.pattern, root,
                  cell_sums(name, mine, c.pattern, root), path);
    }
    const std::uint64_t sum = checksum();  // the same on every rank
    H5Id space(H5Screate(H5S_SCALAR), H5Sclose, path + ": dataspace");
    H5Id att(H5Acreate2(file, "checksum", H5T_NATIVE_UINT64, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
             path + ": cannot create the checksum");
    check(H5Awrite(att, H5T_NATIVE_UINT64, &sum), path + ": cannot write the checksum");
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), path + ": flush failed");
  }
  MPI_Barrier(comm_);
  if (ap) ap->commit();
  MPI_Barrier(comm_);
}

std::uint64_t Checkpoint::checksum() const {
  Fnv1a f;
  for (const auto& [name, m] : matrices_) {
    const std::int64_t shape[2] = {m.rows(), m.cols()};
    entry(f, 'm', name, shape, sizeof shape);
    f.mix(m.data(), static_cast<std::size_t>(m.size()) * sizeof(double));
  }
  for (const auto& [name, w] : words_) entry(f, 'w', name, w.data(), w.size() * sizeof(std::uint64_t));
  for (const auto& [name, v] : scalars_) entry(f, 's', name, &v, sizeof v);
  for (const auto& [name, t] : texts_) entry(f, 't', name, t.data(), t.size());
  for (const auto& [name, m] : members_) {
    const std::int64_t shape[2] = {m.rows, m.total};
    entry(f, m.is_words ? 'W' : 'M', name, shape, sizeof shape);
  }
  for (const auto& [name, c] : cells_) {
    const std::int64_t shape[2] = {c.rows, c.cols};
    entry(f, 'C', name, shape, sizeof shape);
  }
  return f.h;
}

Checkpoint Checkpoint::read(const std::string& path, MPI_Comm comm) {
  silence_hdf5();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(cat(path, ": no such checkpoint file"));
  const H5Id fapl = mpio_access(comm, path);
  Checkpoint cp(comm);
  cp.open_ = std::make_unique<Open>(Open{path, H5Id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose,
                                                    path + ": not a readable HDF5 checkpoint")});
  const hid_t file = cp.open_->file;
  // Uncompressed arrays cannot hold more than the file's bytes: a larger shape is damage, not a reason to allocate.
  const auto file_bytes = static_cast<hsize_t>(std::filesystem::file_size(path, ec));
  const auto fits = [&](const std::vector<hsize_t>& d, hsize_t item, const std::string& name) {
    hsize_t n = 1;
    for (hsize_t x : d) {
      if (x != 0 && n > file_bytes / x) throw InputError(cat(path, ": ", name, " claims more data than the file holds"));
      n *= x;
    }
    if (n > file_bytes / item + 1) throw InputError(cat(path, ": ", name, " claims more data than the file holds"));
  };
  auto each = [&](const char* group, auto&& fn) {
    H5Id g(H5Gopen2(file, group, H5P_DEFAULT), H5Gclose, path + ": checkpoint lacks group /" + group);
    hsize_t n = 0;
    check(H5Gget_num_objs(g, &n), path + ": group " + group);
    for (hsize_t i = 0; i < n; ++i) {
      const ssize_t len = H5Gget_objname_by_idx(g, i, nullptr, 0);
      std::string name(static_cast<std::size_t>(len), '\0');
      H5Gget_objname_by_idx(g, i, name.data(), static_cast<std::size_t>(len) + 1);
      H5Id set(H5Dopen2(g, name.c_str(), H5P_DEFAULT), H5Dclose, path + ": dataset " + name);
      fn(name, set, dataset_dims(set, path + ": " + name));
    }
  };
  each("matrices", [&](const std::string& name, hid_t set, const std::vector<hsize_t>& d) {
    if (d.size() != 2) throw InputError(cat(path, ": matrix ", name, " is not 2-D"));
    fits(d, sizeof(double), name);
    Eigen::MatrixXd m(static_cast<Eigen::Index>(d[1]), static_cast<Eigen::Index>(d[0]));
    if (m.size()) check(H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m.data()), path + ": " + name);
    cp.matrices_[name] = std::move(m);
  });
  each("words", [&](const std::string& name, hid_t set, const std::vector<hsize_t>& d) {
    fits(d, sizeof(std::uint64_t), name);
    std::vector<std::uint64_t> w(d.empty() ? 0 : d[0]);
    if (!w.empty()) check(H5Dread(set, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, w.data()), path + ": " + name);
    cp.words_[name] = std::move(w);
  });
  each("scalars", [&](const std::string& name, hid_t set, const std::vector<hsize_t>&) {
    std::int64_t s = 0;
    check(H5Dread(set, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s), path + ": " + name);
    cp.scalars_[name] = s;
  });
  each("texts", [&](const std::string& name, hid_t set, const std::vector<hsize_t>& d) {
    fits(d, 1, name);
    std::string t(d.empty() ? 0 : d[0], '\0');
    if (!t.empty()) check(H5Dread(set, H5T_NATIVE_CHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data()), path + ": " + name);
    cp.texts_[name] = std::move(t);
  });
  // Member entries: their shapes now, their columns when a rank asks for its own.
  const auto shape_of = [&](bool words) {
    return [&, words](const std::string& name, hid_t, const std::vector<hsize_t>& d) {
      if (d.size() != 2) throw InputError(cat(path, ": member entry ", name, " is not 2-D"));
      fits(d, 8, name);
      Members m;
      m.total = static_cast<Index>(d[0]), m.rows = static_cast<Index>(d[1]), m.is_words = words;
      cp.members_[name] = std::move(m);
    };
  };
  each("members", shape_of(false));
  each("member_words", shape_of(true));
  if (H5Lexists(file, "cells", H5P_DEFAULT) > 0)  // not in checkpoints of versions without the cells layout
    each("cells", [&](const std::string& name, hid_t, const std::vector<hsize_t>& d) {
      if (d.size() != 2) throw InputError(cat(path, ": cell entry ", name, " is not 2-D"));
      fits(d, 8, name);
      Cells c;
      c.cols = static_cast<Index>(d[0]), c.rows = static_cast<Index>(d[1]);
      cp.cells_[name] = c;
    });
  std::uint64_t stored = 0;
  if (H5Aexists(file, "checksum") <= 0) throw InputError(cat(path, ": the checkpoint has no checksum"));
  H5Id att(H5Aopen(file, "checksum", H5P_DEFAULT), H5Aclose, path + ": checksum");
  check(H5Aread(att, H5T_NATIVE_UINT64, &stored), path + ": checksum");
  if (stored != cp.checksum()) throw InputError(cat(path, ": the checkpoint's contents do not match its checksum"));
  return cp;
}

namespace {

// Rows [first, first + count) of a (total x width) dataset of `group` into `out`, then their stored checksums.
template <class T>
std::vector<std::uint64_t> read_rows(hid_t file, const std::string& group, const std::string& name, hid_t type,
                                     hsize_t first, hsize_t count, hsize_t width, T* out, const std::string& path) {
  const std::string what = path + ": " + group + "/" + name;
  H5Id set(H5Dopen2(file, (group + "/" + name).c_str(), H5P_DEFAULT), H5Dclose, what);
  H5Id sums_set(H5Dopen2(file, ("member_checksums/" + name).c_str(), H5P_DEFAULT), H5Dclose,
                path + ": no checksums for member entry " + name);
  std::vector<std::uint64_t> sums(count);
  if (dataset_dims(sums_set, what) != std::vector<hsize_t>{dataset_dims(set, what)[0]})
    throw InputError(cat(path, ": the checksums of ", name, " do not match its members"));
  if (count == 0) return sums;
  if (width > 0) {
    const hsize_t n[1] = {count * width};
    H5Id mem(H5Screate_simple(1, n, nullptr), H5Sclose, what);
    check(H5Dread(set, type, mem, rows_of(set, first, count, width, false, what), H5P_DEFAULT, out), what);
  }
  const hsize_t c[1] = {count};
  H5Id mem_sums(H5Screate_simple(1, c, nullptr), H5Sclose, what);
  check(H5Dread(sums_set, H5T_NATIVE_UINT64, mem_sums, rows_of(sums_set, first, count, 1, true, what), H5P_DEFAULT,
                sums.data()),
        what);
  return sums;
}

}  // namespace

Eigen::MatrixXd Checkpoint::members(const std::string& name, Index first, Index count) const {
  const auto [rows, total] = member_shape(name);
  if (!open_ || members_.at(name).is_words) throw InputError(cat("checkpoint: '", name, "' is not a member matrix read from a file"));
  if (first < 0 || count < 0 || first + count > total)
    throw InputError(cat(open_->path, ": '", name, "' holds ", total, " members; members ", first, " to ",
                         first + count - 1, " were asked for"));
  Eigen::MatrixXd m(rows, count);
  const auto sums = read_rows(open_->file, "members", name, H5T_NATIVE_DOUBLE, static_cast<hsize_t>(first),
                              static_cast<hsize_t>(count), static_cast<hsize_t>(rows), m.data(), open_->path);
  for (Index k = 0; k < count; ++k)
    if (member_checksum(name, first + k, m.col(k).data(), static_cast<std::size_t>(rows) * 8) != sums[static_cast<std::size_t>(k)])
      throw IoError(cat(open_->path, ": the checkpoint's contents do not match its checksum ('", name, "', member ",
                           first + k, ")"));
  return m;
}

Eigen::MatrixXd Checkpoint::cells(const std::string& name, const CellPattern& p) const {
  const auto [rows, cols] = cell_shape(name);
  if (!open_) throw InputError(cat("checkpoint: '", name, "' is not a cell entry read from a file"));
  const std::string& path = open_->path, what = path + ": cells/" + name;
  if (rows != p.rows.full_size())
    throw InputError(cat(path, ": '", name, "' holds ", rows, " rows a column; this run keeps ", p.rows.full_size(), " (",
                         p.rows.per_cell, " of each of ", p.rows.n_cells, " cells, then ", p.rows.tail, ")"));
  Eigen::MatrixXd m(p.rows.compact_size(), cols);
  std::vector<std::uint64_t> stored(static_cast<std::size_t>(p.rows.count + (p.rows.tail > 0 ? 1 : 0)));
  if (rows * cols > 0) {
    H5Id set(H5Dopen2(open_->file, ("cells/" + name).c_str(), H5P_DEFAULT), H5Dclose, what);
    H5Id sums_set(H5Dopen2(open_->file, ("cell_checksums/" + name).c_str(), H5P_DEFAULT), H5Dclose,
                  path + ": no checksums for cell entry " + name);
    if (dataset_dims(sums_set, what) != std::vector<hsize_t>{checksum_count(p)})
      throw InputError(cat(path, ": the checksums of ", name, " do not match its cells"));
    H5Id space(H5Dget_space(set), H5Sclose, what), sums_space(H5Dget_space(sums_set), H5Sclose, what);
    select_cells(space, p, static_cast<hsize_t>(cols), true, what);
    check(H5Dread(set, H5T_NATIVE_DOUBLE, compact_space(p, static_cast<hsize_t>(cols), true, what), space, H5P_DEFAULT,
                  m.data()),
          what);
    select_sums(sums_space, p, true, what);
    const hsize_t n[1] = {std::max<hsize_t>(stored.size(), 1)};
    H5Id mem(H5Screate_simple(1, n, nullptr), H5Sclose, what);
    if (stored.empty()) check(H5Sselect_none(mem), what);
    check(H5Dread(sums_set, H5T_NATIVE_UINT64, mem, sums_space, H5P_DEFAULT, stored.data()), what);
  }
  const auto sums = rows * cols > 0 ? cell_sums(name, m, p, true) : stored;
  for (std::size_t k = 0; k < sums.size(); ++k)
    if (sums[k] != stored[k])
      throw IoError(cat(path, ": the checkpoint's contents do not match its checksum ('", name, "', ",
                        static_cast<Index>(k) < p.rows.count ? cat("cell ", p.rows.begin + static_cast<Index>(k)) : std::string("tail"), ")"));
  return m;
}

std::vector<std::uint64_t> Checkpoint::member_words(const std::string& name, Index first, Index count) const {
  const auto [rows, total] = member_shape(name);
  if (!open_ || !members_.at(name).is_words) throw InputError(cat("checkpoint: '", name, "' is not a member word entry read from a file"));
  if (first < 0 || count < 0 || first + count > total)
    throw InputError(cat(open_->path, ": '", name, "' holds ", total, " members; members ", first, " to ",
                         first + count - 1, " were asked for"));
  std::vector<std::uint64_t> w(static_cast<std::size_t>(rows * count));
  const auto sums = read_rows(open_->file, "member_words", name, H5T_NATIVE_UINT64, static_cast<hsize_t>(first),
                              static_cast<hsize_t>(count), static_cast<hsize_t>(rows), w.data(), open_->path);
  for (Index k = 0; k < count; ++k)
    if (member_checksum(name, first + k, w.data() + k * rows, static_cast<std::size_t>(rows) * 8) != sums[static_cast<std::size_t>(k)])
      throw IoError(cat(open_->path, ": the checkpoint's contents do not match its checksum ('", name, "', member ",
                           first + k, ")"));
  return w;
}

}  // namespace landda::io
