#pragma once
// Reading plain HDF5 files (products distributed as HDF5, such as SMAP's
// granules) with the same calls as NcFile's reading side, so that the
// product readers' CF helpers serve both. Through NetCDF-C such files cost
// memory with every file opened and crash it on fixed-length strings; HDF5
// read directly does neither. Variables are named by path ("Group/name").
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace landda::io {

class H5File {
 public:
  static H5File open(const std::string& path);  // throws InputError naming the file
  ~H5File();
  H5File(H5File&&) noexcept;
  H5File& operator=(H5File&&) noexcept;
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;

  const std::string& path() const { return path_; }
  bool has_var(const std::string& name) const;
  bool has_att(const std::string& var, const std::string& name) const;  // var "": the root group
  bool att_is_text(const std::string& var, const std::string& name) const;
  std::string att_text(const std::string& var, const std::string& name) const;
  std::vector<double> att_values(const std::string& var, const std::string& name) const;
  std::vector<std::size_t> var_shape(const std::string& name) const;
  std::vector<double> get_raw(const std::string& var) const;  // as stored, converted to double
  std::vector<double> get(const std::string& var) const;      // CF decoded (cf_decode.hpp)

 private:
  H5File() = default;
  long long file_ = -1;  // hid_t
  std::string path_;
};

}  // namespace landda::io
