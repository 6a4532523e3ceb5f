#pragma once
// Typed errors. Library code throws these; only main() catches, prints and exits.
#include <sstream>
#include <stdexcept>
#include <string>

namespace landda {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A configuration that cannot run: unknown key, bad type, value out of range.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// An input file that is missing, malformed or holds values we cannot use.
class InputError : public Error {
 public:
  using Error::Error;
};

// A failure of a file library (NetCDF, HDF5) or of the file system.
class IoError : public Error {
 public:
  using Error::Error;
};

// A computation that cannot continue (non-finite state, failed solve).
class NumericalError : public Error {
 public:
  using Error::Error;
};

// A failure reported by MPI or PETSc.
class ParallelError : public Error {
 public:
  using Error::Error;
};

// Builds a message from streamable parts: cat("got ", n, " values").
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

}  // namespace landda
