#include "io/netcdf.hpp"

#include <hdf5.h>
#include <netcdf.h>
#include <netcdf_par.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <numeric>

#include "core/error.hpp"
#include "io/atomic_file.hpp"
#include "io/cf_decode.hpp"
#include "io/mpi_io_hints.hpp"

namespace landda::io {
namespace {

nc_type to_nc(NcType t) {
  switch (t) {
    case NcType::f32: return NC_FLOAT;
    case NcType::f64: return NC_DOUBLE;
    case NcType::i8: return NC_BYTE;
    case NcType::u8: return NC_UBYTE;
    case NcType::i16: return NC_SHORT;
    case NcType::u16: return NC_USHORT;
    case NcType::i32: return NC_INT;
    case NcType::i64: return NC_INT64;
    case NcType::str: return NC_STRING;
    case NcType::chars: return NC_CHAR;
  }
  return NC_DOUBLE;
}

}  // namespace

void NcFile::check(int status, const std::string& what) const {
  if (status == NC_NOERR) return;
  if (input_) throw InputError(cat(path_, ": ", what, ": ", nc_strerror(status), " (a damaged or unexpected file)"));
  throw IoError(cat(path_, ": ", what, ": ", nc_strerror(status)));
}

void release_library_memory() { H5garbage_collect(); }

NcFile NcFile::create(const std::string& path) {
  NcFile f;
  f.path_ = path;
  f.atomic_ = std::make_unique<AtomicPath>(path);
  f.check(nc_create(f.atomic_->temp().c_str(), NC_NETCDF4 | NC_CLOBBER, &f.ncid_), "cannot create");
  return f;
}

NcFile NcFile::open(const std::string& path) {
  NcFile f;
  f.path_ = path;
  std::error_code ec;
  // An input that is missing or not NetCDF is the user's file, not an I/O failure: InputError (exit 3).
  if (!std::filesystem::exists(path, ec)) throw InputError(cat(path, ": no such file"));
  if (std::filesystem::is_directory(path, ec)) throw InputError(cat(path, ": is a folder; a NetCDF file was expected"));
  const int status = nc_open(path.c_str(), NC_NOWRITE, &f.ncid_);
  if (status != NC_NOERR)
    throw InputError(cat(path, ": not a readable NetCDF file (", nc_strerror(status), ")"));
  f.input_ = true;
  return f;
}

bool NcFile::root() const {
  int rank = 0;
  if (comm_ != MPI_COMM_NULL) MPI_Comm_rank(comm_, &rank);
  return rank == 0;
}

void NcFile::barrier() const {
  if (comm_ != MPI_COMM_NULL) MPI_Barrier(comm_);
}

NcFile NcFile::create_partial(const std::string& path, MPI_Comm comm) {
  NcFile f;
  f.path_ = path;
  f.partial_ = path + ".partial";
  f.comm_ = comm;
  const int status = comm == MPI_COMM_NULL
                         ? nc_create(f.partial_.c_str(), NC_NETCDF4 | NC_CLOBBER, &f.ncid_)
                         : nc_create_par(f.partial_.c_str(), NC_NETCDF4 | NC_CLOBBER, comm, MpiIoHints().get(), &f.ncid_);
  f.check(status, "cannot create " + f.partial_);
  return f;
}

NcFile NcFile::reopen_partial(const std::string& path, MPI_Comm comm) {
  NcFile f;
  f.path_ = path;
  f.partial_ = path + ".partial";
  f.comm_ = comm;
  std::error_code ec;
  // Killed after the output was completed but before the run's last files were written:
  // the complete file is taken up again, and its records after the checkpoint written anew.
  const std::string kept = f.partial_ + ".checkpointed";
  if (f.root() && !std::filesystem::exists(f.partial_, ec) && std::filesystem::exists(path, ec)) {
    std::filesystem::rename(path, f.partial_, ec);
  } else if (f.root() && std::filesystem::exists(kept, ec)) {
    // The copy kept at the last checkpoint, whole, instead of a partial file a kill may have left damaged.
    AtomicPath restored(f.partial_);
    std::filesystem::copy_file(kept, restored.temp(), std::filesystem::copy_options::overwrite_existing, ec);
    if (!ec) restored.commit();
  }
  f.barrier();
  const int status = comm == MPI_COMM_NULL ? nc_open(f.partial_.c_str(), NC_WRITE, &f.ncid_)
                                           : nc_open_par(f.partial_.c_str(), NC_WRITE, comm, MpiIoHints().get(), &f.ncid_);
  if (status == NC_NOERR) f.collective_access();
  if (status != NC_NOERR)
    throw IoError(cat(f.partial_, ": cannot reopen the partial output of the interrupted run (", nc_strerror(status),
                      "); run again without --restart"));
  return f;
}

void NcFile::sync() { check(nc_sync(ncid_), "sync"); }

// Collective access is required for compressed variables and for growing the
// unlimited dimension, and lets MPI-IO merge the ranks' writes.
void NcFile::collective_access() {
  if (comm_ == MPI_COMM_NULL) return;
  // Every variable of every group (an IODA file keeps its variables in groups).
  std::vector<int> groups{ncid_};
  for (std::size_t k = 0; k < groups.size(); ++k) {
    int n = 0;
    check(nc_inq_nvars(groups[k], &n), "listing variables");
    for (int id = 0; id < n; ++id) check(nc_var_par_access(groups[k], id, NC_COLLECTIVE), "collective access");
    int ng = 0;
    check(nc_inq_grps(groups[k], &ng, nullptr), "listing groups");
    std::vector<int> sub(static_cast<std::size_t>(ng));
    if (ng > 0) check(nc_inq_grps(groups[k], &ng, sub.data()), "listing groups");
    groups.insert(groups.end(), sub.begin(), sub.end());
  }
}

void NcFile::snapshot() {
  sync();
  if (partial_.empty()) return;
  std::string failed;
  if (root()) {  // the ranks wait: none writes to the file while it is copied
    AtomicPath copy(partial_ + ".checkpointed");
    std::error_code ec;
    std::filesystem::copy_file(partial_, copy.temp(), std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) failed = ec.message();
    else copy.commit();
  }
  barrier();
  if (!failed.empty()) throw IoError(cat(partial_, ": cannot keep a copy for restarts: ", failed));
}

// A parallel file is closed by every rank together: not while one rank
// unwinds an error (the others are elsewhere and it would wait for ever; the
// run is aborted and the partial file removed by the next run).
void NcFile::close_quietly() noexcept {
  if (ncid_ >= 0 && !(comm_ != MPI_COMM_NULL && std::uncaught_exceptions() > 0)) nc_close(ncid_);
  ncid_ = -1;
}

NcFile::~NcFile() { close_quietly(); }

NcFile::NcFile(NcFile&& o) noexcept
    : ncid_(o.ncid_),
      input_(o.input_),
      path_(std::move(o.path_)),
      atomic_(std::move(o.atomic_)),
      partial_(std::move(o.partial_)),
      comm_(o.comm_) {
  o.ncid_ = -1;
}

NcFile& NcFile::operator=(NcFile&& o) noexcept {
  if (this != &o) {
    close_quietly();
    ncid_ = o.ncid_;
    input_ = o.input_;
    path_ = std::move(o.path_);
    atomic_ = std::move(o.atomic_);
    partial_ = std::move(o.partial_);
    comm_ = o.comm_;
    o.ncid_ = -1;
  }
  return *this;
}

int NcFile::group(const std::string& path, bool create) const {
  // "A/B" -> the id of group B inside A inside the root; created when asked.
  int g = ncid_;
  std::size_t start = 0;
  while (start < path.size()) {
    const auto slash = path.find('/', start);
    const std::string name = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    int child = -1;
    if (nc_inq_grp_ncid(g, name.c_str(), &child) != NC_NOERR) {
      if (!create) throw InputError(cat(path_, ": group '", path, "' not found"));
      check(nc_def_grp(g, name.c_str(), &child), "defining group " + name);
    }
    g = child;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return g;
}

NcFile::Loc NcFile::locate(const std::string& var) const {
  if (var.empty()) return {ncid_, NC_GLOBAL};
  const auto slash = var.rfind('/');
  const int g = slash == std::string::npos ? ncid_ : group(var.substr(0, slash), false);
  const std::string name = slash == std::string::npos ? var : var.substr(slash + 1);
  int id = -1;
  const int status = nc_inq_varid(g, name.c_str(), &id);
  if (status != NC_NOERR) throw InputError(cat(path_, ": variable '", var, "' not found"));
  return {g, id};
}

void NcFile::def_dim(const std::string& name, std::size_t len) {
  int id = 0;
  check(nc_def_dim(ncid_, name.c_str(), len == 0 ? NC_UNLIMITED : len, &id), "defining dimension " + name);
}

void NcFile::def_var(const VarDef& d) {
  std::vector<int> dimids;
  for (const auto& dn : d.dims) {
    int id = 0;
    check(nc_inq_dimid(ncid_, dn.c_str(), &id), "dimension " + dn + " of " + d.name);
    dimids.push_back(id);
  }
  int id = 0;
  const auto slash = d.name.rfind('/');
  const int gid = slash == std::string::npos ? ncid_ : group(d.name.substr(0, slash), true);
  const std::string leaf = slash == std::string::npos ? d.name : d.name.substr(slash + 1);
  check(nc_def_var(gid, leaf.c_str(), to_nc(d.type), static_cast<int>(dimids.size()), dimids.data(), &id),
        "defining variable " + d.name);
  if (!d.chunks.empty())
    check(nc_def_var_chunking(gid, id, NC_CHUNKED, d.chunks.data()), "chunking " + d.name);
  if (d.deflate > 0) check(nc_def_var_deflate(gid, id, 1, 1, d.deflate), "compressing " + d.name);
  if (d.fill) {
    const double f = *d.fill;
    switch (d.type) {
      case NcType::f64: check(nc_def_var_fill(gid, id, 0, &f), "fill of " + d.name); break;
      case NcType::f32: {
        const float ff = static_cast<float>(f);
        check(nc_def_var_fill(gid, id, 0, &ff), "fill of " + d.name);
        break;
      }
      case NcType::i32: {
        const int fi = static_cast<int>(f);
        check(nc_def_var_fill(gid, id, 0, &fi), "fill of " + d.name);
        break;
      }
      default: throw IoError(cat(path_, ": _FillValue for ", d.name, " is only supported for f32, f64 and i32"));
    }
  }
}

void NcFile::put_att(const std::string& var, const std::string& name, const std::string& value) {
  const auto [gid, id] = locate(var);
  check(nc_put_att_text(gid, id, name.c_str(), value.size(), value.c_str()), "attribute " + name);
}

void NcFile::put_att(const std::string& var, const std::string& name, double value) {
  const auto [gid, id] = locate(var);
  check(nc_put_att_double(gid, id, name.c_str(), NC_DOUBLE, 1, &value), "attribute " + name);
}

void NcFile::put_att(const std::string& var, const std::string& name, const std::vector<double>& values) {
  const auto [gid, id] = locate(var);
  check(nc_put_att_double(gid, id, name.c_str(), NC_DOUBLE, values.size(), values.data()),
        "attribute " + name);
}

void NcFile::put_att_int(const std::string& var, const std::string& name, int value) {
  const auto [gid, id] = locate(var);
  check(nc_put_att_int(gid, id, name.c_str(), NC_INT, 1, &value), "attribute " + name);
}

void NcFile::set_cache(const std::string& var, std::size_t bytes) {
  const auto [gid, id] = locate(var);
  check(nc_set_var_chunk_cache(gid, id, bytes, 61, 0.75f), "setting the chunk cache of " + var);
}

void NcFile::end_def() {
  check(nc_enddef(ncid_), "leaving define mode");
  collective_access();
}

namespace {
// start/count default to the whole variable.
void slab(int ncid, int id, const std::vector<std::size_t>& start, const std::vector<std::size_t>& count,
          std::vector<std::size_t>& s, std::vector<std::size_t>& c) {
  int ndims = 0;
  nc_inq_varndims(ncid, id, &ndims);
  if (!start.empty() || !count.empty()) {
    s = start;
    c = count;
    return;
  }
  std::vector<int> dimids(static_cast<std::size_t>(ndims));
  nc_inq_vardimid(ncid, id, dimids.data());
  s.assign(static_cast<std::size_t>(ndims), 0);
  c.resize(static_cast<std::size_t>(ndims));
  for (int i = 0; i < ndims; ++i) nc_inq_dimlen(ncid, dimids[i], &c[i]);
}
}  // namespace

#define LANDDA_NC_PUT(CTYPE, FN)                                                                        \
  void NcFile::put(const std::string& var, const CTYPE* data, const std::vector<std::size_t>& start,   \
                   const std::vector<std::size_t>& count) {                                             \
    const auto [gid, id] = locate(var);                                                                          \
    std::vector<std::size_t> s, c;                                                                      \
    slab(gid, id, start, count, s, c);                                                                \
    check(FN(gid, id, s.data(), c.data(), data), "writing " + var);                                   \
  }
LANDDA_NC_PUT(double, nc_put_vara_double)
LANDDA_NC_PUT(float, nc_put_vara_float)
LANDDA_NC_PUT(int, nc_put_vara_int)
LANDDA_NC_PUT(long long, nc_put_vara_longlong)
#undef LANDDA_NC_PUT

void NcFile::def_strings(const std::string& var, const std::string& dim, const std::vector<std::string>& values) {
  std::size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  const std::string chars = var.substr(var.rfind('/') + 1) + "_nchars";
  def_dim(chars, width);
  def_var({var, NcType::chars, {dim, chars}});
  put_att(var, "_Encoding", "utf-8");  // xarray and netCDF4-python then read them as text, not bytes
}

void NcFile::put_strings(const std::string& var, const std::vector<std::string>& values) {
  const auto [gid, id] = locate(var);
  nc_type type = 0;
  check(nc_inq_vartype(gid, id, &type), var);
  if (type == NC_CHAR) {
    const auto shape = var_shape(var);
    if (shape.size() != 2 || shape[0] != values.size()) throw IoError(cat(path_, ": ", var, " is not shaped for these strings"));
    std::vector<char> buf(shape[0] * shape[1], '\0');
    for (std::size_t i = 0; i < values.size(); ++i) std::copy_n(values[i].data(), std::min(values[i].size(), shape[1]), buf.data() + i * shape[1]);
    check(nc_put_var_text(gid, id, buf.data()), "writing " + var);
    return;
  }
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  const std::size_t start = 0, count = values.size();
  check(nc_put_vara_string(gid, id, &start, &count, ptrs.data()), "writing " + var);
}

void NcFile::put_strings(const std::string& var, const std::vector<std::string>& values, std::size_t first) {
  const auto [gid, id] = locate(var);
  const auto shape = var_shape(var);
  if (shape.size() != 2) throw IoError(cat(path_, ": ", var, " is not a character array"));
  const std::size_t width = shape[1];
  std::vector<char> buf(std::max<std::size_t>(1, values.size() * width), '\0');
  for (std::size_t i = 0; i < values.size(); ++i)
    std::copy_n(values[i].data(), std::min(values[i].size(), width), buf.data() + i * width);
  const std::size_t start[2] = {values.empty() ? 0 : first, 0}, count[2] = {values.size(), width};
  check(nc_put_vara_text(gid, id, start, count, buf.data()), "writing " + var);
}

void NcFile::commit() {
  if (ncid_ >= 0) {
    const int status = nc_close(ncid_);
    ncid_ = -1;
    check(status, "closing");
  }
  if (atomic_) atomic_->commit();
  bool moved = true;
  if (!partial_.empty() && root()) {  // every rank has closed the file
    moved = std::rename(partial_.c_str(), path_.c_str()) == 0;
    std::error_code ec;
    if (moved) std::filesystem::remove(partial_ + ".checkpointed", ec);
  }
  barrier();
  if (!moved) throw IoError(cat(path_, ": cannot move the finished output into place"));
  partial_.clear();
}

bool NcFile::has_var(const std::string& name) const {
  try {
    locate(name);
    return true;
  } catch (const InputError&) {
    return false;
  }
}

bool NcFile::has_dim(const std::string& name) const {
  int id = 0;
  return nc_inq_dimid(ncid_, name.c_str(), &id) == NC_NOERR;
}

bool NcFile::has_att(const std::string& var, const std::string& name) const {
  if (!var.empty() && !has_var(var)) return false;
  const auto [gid, id] = locate(var);
  std::size_t len = 0;
  return nc_inq_attlen(gid, id, name.c_str(), &len) == NC_NOERR;
}

std::size_t NcFile::dim_len(const std::string& name) const {
  int id = 0;
  if (nc_inq_dimid(ncid_, name.c_str(), &id) != NC_NOERR)
    throw InputError(cat(path_, ": dimension '", name, "' not found"));
  std::size_t len = 0;
  check(nc_inq_dimlen(ncid_, id, &len), "dimension " + name);
  return len;
}

std::vector<std::string> NcFile::var_dims(const std::string& name) const {
  const auto [gid, id] = locate(name);
  int ndims = 0;
  check(nc_inq_varndims(gid, id, &ndims), name);
  std::vector<int> dimids(static_cast<std::size_t>(ndims));
  check(nc_inq_vardimid(gid, id, dimids.data()), name);
  std::vector<std::string> out;
  for (int d : dimids) {
    char buf[NC_MAX_NAME + 1] = {};
    check(nc_inq_dimname(ncid_, d, buf), name);
    out.emplace_back(buf);
  }
  return out;
}

std::vector<std::size_t> NcFile::var_shape(const std::string& name) const {
  std::vector<std::size_t> out;
  for (const auto& d : var_dims(name)) out.push_back(dim_len(d));
  return out;
}

std::vector<std::string> NcFile::var_names() const {
  int n = 0;
  check(nc_inq_nvars(ncid_, &n), "listing variables");
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    char buf[NC_MAX_NAME + 1] = {};
    check(nc_inq_varname(ncid_, i, buf), "listing variables");
    out.emplace_back(buf);
  }
  return out;
}

std::string NcFile::att_text(const std::string& var, const std::string& name) const {
  const auto [gid, id] = locate(var);
  std::size_t len = 0;
  nc_type type = 0;
  if (nc_inq_att(gid, id, name.c_str(), &type, &len) != NC_NOERR)
    throw InputError(cat(path_, ": ", var.empty() ? "global" : "variable '" + var + "'", " has no attribute '", name, "'"));
  if (type == NC_STRING) {
    std::vector<char*> strs(len);
    check(nc_get_att_string(gid, id, name.c_str(), strs.data()), "attribute " + name);
    std::string out = len ? strs[0] : "";
    nc_free_string(len, strs.data());
    return out;
  }
  if (type != NC_CHAR) throw InputError(cat(path_, ": attribute '", name, "' of '", var, "' is not text"));
  std::string out(len, '\0');
  check(nc_get_att_text(gid, id, name.c_str(), out.data()), "attribute " + name);
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

std::optional<double> NcFile::att_double(const std::string& var, const std::string& name) const {
  if (!has_att(var, name)) return std::nullopt;
  return att_values(var, name)[0];
}

std::vector<double> NcFile::att_values(const std::string& var, const std::string& name) const {
  const auto [gid, id] = locate(var);
  nc_type type = 0;
  std::size_t len = 0;
  if (nc_inq_att(gid, id, name.c_str(), &type, &len) != NC_NOERR)
    throw InputError(cat(path_, ": ", var.empty() ? "global" : "variable '" + var + "'", " has no attribute '", name, "'"));
  if (type == NC_CHAR || type == NC_STRING || len < 1)
    throw InputError(cat(path_, ": attribute '", name, "' of '", var, "' is not numeric"));
  std::vector<double> v(len);
  check(nc_get_att_double(gid, id, name.c_str(), v.data()), "attribute " + name);
  return v;
}

bool NcFile::att_is_text(const std::string& var, const std::string& name) const {
  const auto [gid, id] = locate(var);
  nc_type type = 0;
  std::size_t len = 0;
  return nc_inq_att(gid, id, name.c_str(), &type, &len) == NC_NOERR && (type == NC_CHAR || type == NC_STRING);
}

std::vector<double> NcFile::get_raw(const std::string& var, const std::vector<std::size_t>& start,
                                    const std::vector<std::size_t>& count) const {
  const auto [gid, id] = locate(var);
  std::vector<std::size_t> s, c;
  slab(gid, id, start, count, s, c);
  const std::size_t n = std::accumulate(c.begin(), c.end(), std::size_t{1}, std::multiplies<>());
  std::vector<double> out(n);
  if (n == 0) return out;
  const int status = nc_get_vara_double(gid, id, s.data(), c.data(), out.data());
  if (status != NC_NOERR) throw InputError(cat(path_, ": cannot read variable '", var, "': ", nc_strerror(status)));
  return out;
}

std::vector<double> NcFile::get(const std::string& var, const std::vector<std::size_t>& start,
                                const std::vector<std::size_t>& count) const {
  std::vector<double> v = get_raw(var, start, count);
  cf_decode(*this, var, v);
  return v;
}

std::vector<long long> NcFile::get_int64(const std::string& var) const {
  const auto [gid, id] = locate(var);
  std::vector<std::size_t> s, c;
  slab(gid, id, {}, {}, s, c);
  const std::size_t n = std::accumulate(c.begin(), c.end(), std::size_t{1}, std::multiplies<>());
  std::vector<long long> out(n);
  if (n) check(nc_get_var_longlong(gid, id, out.data()), "reading " + var);
  return out;
}

std::vector<std::string> NcFile::get_strings(const std::string& var) const {
  const auto [gid, id] = locate(var);
  nc_type type = 0;
  check(nc_inq_vartype(gid, id, &type), var);
  const auto shape = var_shape(var);
  if (type == NC_STRING) {
    const std::size_t n = shape.empty() ? 1 : shape[0];
    std::vector<char*> p(n);
    check(nc_get_var_string(gid, id, p.data()), "reading " + var);
    std::vector<std::string> out(p.begin(), p.end());
    nc_free_string(n, p.data());
    return out;
  }
  if (type != NC_CHAR || shape.size() != 2)
    throw InputError(cat(path_, ": variable '", var, "' is not a list of strings"));
  std::vector<char> buf(shape[0] * shape[1]);
  check(nc_get_var_text(gid, id, buf.data()), "reading " + var);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < shape[0]; ++i) {
    std::string s(buf.data() + i * shape[1], shape[1]);
    s.erase(s.find_last_not_of(std::string("\0 ", 2)) + 1);
    out.push_back(s);
  }
  return out;
}

}  // namespace landda::io
