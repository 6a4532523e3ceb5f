#pragma once
// The IODA layout's pieces, shared by the writers of observation files
// (ioda_file.cpp, ioda_row_writer.cpp); not an interface.
#include <cstddef>
#include <vector>

#include "io/netcdf.hpp"
#include "observations/ioda/ioda_file.hpp"

namespace landda::observations::detail {

// Global attributes, MetaData, ObsValue, ObsError and the QC group along `Location` (n, or 0: growing).
void define_layout(io::NcFile& nc, const ObsFile& f, std::size_t n, std::size_t chunk, int deflate = 1);
// f.groups (feedback: hofx0, ...) beside ObsValue.
void define_groups(io::NcFile& nc, const ObsFile& f, std::size_t chunk, int deflate);
// Non-finite values as the layout's fill value.
std::vector<double> or_fill(const double* x, std::size_t n);
// Rows [start, start + n) of the groups' variables (each of `groups` n values; their names as f.groups');
// `collective` as below.
void put_groups(io::NcFile& nc, const ObsFile& f, const std::vector<ObsFile::Group>& groups, std::size_t n,
                std::size_t start, bool collective = false);
// Rows [start, start + b.size()) of the layout's variables; `collective`: called by every rank of a parallel
// file, also with no rows.
void put_rows(io::NcFile& nc, const ObsFile& f, const ObsBatch& b, std::size_t start, bool collective = false);

}  // namespace landda::observations::detail
