#include "io/checkpoint.hpp"

#include <hdf5.h>

#include <filesystem>

#include "core/error.hpp"
#include "io/atomic_file.hpp"
#include "io/h5_handle.hpp"

namespace landda::io {
namespace {

void check(herr_t status, const std::string& what) {
  if (status < 0) throw IoError(what);
}

template <class T>
void write_dataset(hid_t file, const std::string& name, hid_t type, const T* data, std::vector<hsize_t> dims,
                   const std::string& path) {
  H5Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, path + ": dataspace " + name);
  H5Id set(H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
           path + ": cannot create dataset " + name);
  check(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path + ": cannot write dataset " + name);
}

std::vector<hsize_t> dataset_dims(hid_t set, const std::string& what) {
  H5Id space(H5Dget_space(set), H5Sclose, what);
  const int nd = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(nd, 0)));
  if (nd > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

}  // namespace

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
  return matrices_.count(name) || words_.count(name) || scalars_.count(name) || texts_.count(name);
}

void Checkpoint::write(const std::string& path) const {
  silence_hdf5();
  AtomicPath ap(path);
  {
    H5Id file(H5Fcreate(ap.temp().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
              path + ": cannot create the checkpoint file");
    H5Id g1(H5Gcreate2(file, "matrices", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, path + ": group");
    H5Id g2(H5Gcreate2(file, "words", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, path + ": group");
    H5Id g3(H5Gcreate2(file, "scalars", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, path + ": group");
    H5Id g4(H5Gcreate2(file, "texts", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, path + ": group");
    // Eigen is column-major: store as (cols, rows) so the bytes go out unchanged.
    for (const auto& [name, m] : matrices_)
      write_dataset(g1, name, H5T_NATIVE_DOUBLE, m.data(),
                    {static_cast<hsize_t>(m.cols()), static_cast<hsize_t>(m.rows())}, path);
    for (const auto& [name, w] : words_)
      write_dataset(g2, name, H5T_NATIVE_UINT64, w.data(), {static_cast<hsize_t>(w.size())}, path);
    for (const auto& [name, s] : scalars_) write_dataset(g3, name, H5T_NATIVE_INT64, &s, {1}, path);
    for (const auto& [name, t] : texts_)
      write_dataset(g4, name, H5T_NATIVE_CHAR, t.data(), {static_cast<hsize_t>(t.size())}, path);
    const std::uint64_t sum = checksum();
    H5Id space(H5Screate(H5S_SCALAR), H5Sclose, path + ": dataspace");
    H5Id att(H5Acreate2(file, "checksum", H5T_NATIVE_UINT64, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
             path + ": cannot create the checksum");
    check(H5Awrite(att, H5T_NATIVE_UINT64, &sum), path + ": cannot write the checksum");
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), path + ": flush failed");
  }
  ap.commit();
}

std::uint64_t Checkpoint::checksum() const {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  };
  auto entry = [&](char kind, const std::string& name, const void* data, std::size_t n) {
    mix(&kind, 1);
    mix(name.data(), name.size());
    mix(&n, sizeof n);
    mix(data, n);
  };
  for (const auto& [name, m] : matrices_) {
    const std::int64_t shape[2] = {m.rows(), m.cols()};
    entry('m', name, shape, sizeof shape);
    mix(m.data(), static_cast<std::size_t>(m.size()) * sizeof(double));
  }
  for (const auto& [name, w] : words_) entry('w', name, w.data(), w.size() * sizeof(std::uint64_t));
  for (const auto& [name, v] : scalars_) entry('s', name, &v, sizeof v);
  for (const auto& [name, t] : texts_) entry('t', name, t.data(), t.size());
  return h;
}

Checkpoint Checkpoint::read(const std::string& path) {
  silence_hdf5();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(cat(path, ": no such checkpoint file"));
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, path + ": not a readable HDF5 checkpoint");
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
  Checkpoint cp;
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
  std::uint64_t stored = 0;
  if (H5Aexists(file, "checksum") <= 0) throw InputError(cat(path, ": the checkpoint has no checksum"));
  H5Id att(H5Aopen(file, "checksum", H5P_DEFAULT), H5Aclose, path + ": checksum");
  check(H5Aread(att, H5T_NATIVE_UINT64, &stored), path + ": checksum");
  if (stored != cp.checksum()) throw InputError(cat(path, ": the checkpoint's contents do not match its checksum"));
  return cp;
}

}  // namespace landda::io
