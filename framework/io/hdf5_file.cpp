#include "io/hdf5_file.hpp"

#include <sstream>

#include "core/error.hpp"
#include "io/cf_decode.hpp"
#include "io/h5_handle.hpp"

namespace landda::io {
namespace {

// Does every link of the path exist (HDF5 wants the parents checked first)?
bool path_exists(hid_t file, const std::string& name) {
  std::string at;
  std::stringstream ss(name);
  for (std::string part; std::getline(ss, part, '/');) {
    if (part.empty()) continue;
    at += "/" + part;
    if (H5Lexists(file, at.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return !at.empty();
}

std::string object(const std::string& var) { return var.empty() ? "/" : "/" + var; }

}  // namespace

H5File H5File::open(const std::string& path) {
  silence_hdf5();
  H5File f;
  f.path_ = path;
  if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(cat(path, ": not a readable HDF5 file"));
  f.file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f.file_ < 0) throw InputError(cat(path, ": not a readable HDF5 file"));
  return f;
}

H5File::~H5File() {
  if (file_ >= 0) H5Fclose(static_cast<hid_t>(file_));
}

H5File::H5File(H5File&& o) noexcept : file_(o.file_), path_(std::move(o.path_)) { o.file_ = -1; }

H5File& H5File::operator=(H5File&& o) noexcept {
  if (this != &o) {
    if (file_ >= 0) H5Fclose(static_cast<hid_t>(file_));
    file_ = o.file_;
    path_ = std::move(o.path_);
    o.file_ = -1;
  }
  return *this;
}

bool H5File::has_var(const std::string& name) const {
  const auto f = static_cast<hid_t>(file_);
  if (!path_exists(f, name)) return false;
  H5O_info_t info{};
  return H5Oget_info_by_name(f, object(name).c_str(), &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_DATASET;
}

bool H5File::has_att(const std::string& var, const std::string& name) const {
  const auto f = static_cast<hid_t>(file_);
  if (!var.empty() && !path_exists(f, var)) return false;
  return H5Aexists_by_name(f, object(var).c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

bool H5File::att_is_text(const std::string& var, const std::string& name) const {
  if (!has_att(var, name)) return false;
  H5Id att(H5Aopen_by_name(static_cast<hid_t>(file_), object(var).c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
           path_ + ": attribute " + name);
  H5Id type(H5Aget_type(att), H5Tclose, path_ + ": attribute " + name);
  return H5Tget_class(type) == H5T_STRING;
}

std::string H5File::att_text(const std::string& var, const std::string& name) const {
  const std::string what = cat(path_, ": ", var.empty() ? "the root group" : var, "'s attribute '", name, "'");
  if (!has_att(var, name)) throw InputError(cat(path_, ": ", var.empty() ? "the root group" : "'" + var + "'", " has no attribute '", name, "'"));
  H5Id att(H5Aopen_by_name(static_cast<hid_t>(file_), object(var).c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
  H5Id type(H5Aget_type(att), H5Tclose, what);
  if (H5Tget_class(type) != H5T_STRING) throw InputError(cat(what, " is not text"));
  H5Id space(H5Aget_space(att), H5Sclose, what);
  if (H5Sget_simple_extent_npoints(space) != 1) throw InputError(cat(what, " is not one string"));
  if (H5Tis_variable_str(type) > 0) {
    H5Id mem(H5Tcopy(H5T_C_S1), H5Tclose, what);
    H5Tset_size(mem, H5T_VARIABLE);
    char* text = nullptr;
    if (H5Aread(att, mem, &text) < 0 || !text) throw InputError(cat(what, " cannot be read"));
    std::string out(text);
    H5free_memory(text);
    return out;
  }
  const std::size_t size = H5Tget_size(type);
  if (size == 0 || size > (1u << 24)) throw InputError(cat(what, " has an impossible length"));
  H5Id mem(H5Tcopy(H5T_C_S1), H5Tclose, what);
  H5Tset_size(mem, size);
  std::string out(size, '\0');
  if (H5Aread(att, mem, out.data()) < 0) throw InputError(cat(what, " cannot be read"));
  out.erase(out.find('\0') == std::string::npos ? out.size() : out.find('\0'));
  return out;
}

std::vector<double> H5File::att_values(const std::string& var, const std::string& name) const {
  const std::string what = cat(path_, ": ", var.empty() ? "the root group" : var, "'s attribute '", name, "'");
  if (!has_att(var, name)) throw InputError(cat(path_, ": ", var.empty() ? "the root group" : "'" + var + "'", " has no attribute '", name, "'"));
  H5Id att(H5Aopen_by_name(static_cast<hid_t>(file_), object(var).c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
  H5Id type(H5Aget_type(att), H5Tclose, what);
  const auto cls = H5Tget_class(type);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) throw InputError(cat(what, " is not numeric"));
  H5Id space(H5Aget_space(att), H5Sclose, what);
  const auto n = H5Sget_simple_extent_npoints(space);
  if (n < 1 || n > (1 << 20)) throw InputError(cat(what, " has an impossible size"));
  std::vector<double> out(static_cast<std::size_t>(n));
  if (H5Aread(att, H5T_NATIVE_DOUBLE, out.data()) < 0) throw InputError(cat(what, " cannot be read"));
  return out;
}

std::vector<std::size_t> H5File::var_shape(const std::string& name) const {
  if (!has_var(name)) throw InputError(cat(path_, ": no dataset '", name, "'"));
  H5Id set(H5Dopen2(static_cast<hid_t>(file_), object(name).c_str(), H5P_DEFAULT), H5Dclose, path_ + ": " + name);
  H5Id space(H5Dget_space(set), H5Sclose, path_ + ": " + name);
  const int nd = H5Sget_simple_extent_ndims(space);
  if (nd < 0 || nd > 32) throw InputError(cat(path_, ": ", name, " has an impossible shape"));
  std::vector<hsize_t> dims(static_cast<std::size_t>(nd));
  if (nd > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

std::vector<double> H5File::get_raw(const std::string& var) const {
  std::size_t n = 1;
  for (auto d : var_shape(var)) n *= d;
  if (n > (std::size_t{1} << 32)) throw InputError(cat(path_, ": ", var, " is impossibly large"));
  H5Id set(H5Dopen2(static_cast<hid_t>(file_), object(var).c_str(), H5P_DEFAULT), H5Dclose, path_ + ": " + var);
  H5Id type(H5Dget_type(set), H5Tclose, path_ + ": " + var);
  const auto cls = H5Tget_class(type);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) throw InputError(cat(path_, ": ", var, " is not numeric"));
  std::vector<double> out(n);
  if (n > 0 && H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    throw InputError(cat(path_, ": cannot read ", var, " (a damaged file?)"));
  return out;
}

std::vector<double> H5File::get(const std::string& var) const {
  auto v = get_raw(var);
  cf_decode(*this, var, v);
  return v;
}

}  // namespace landda::io
