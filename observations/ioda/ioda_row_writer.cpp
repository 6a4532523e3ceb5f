#include "observations/ioda/ioda_row_writer.hpp"

#include <optional>

#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "observations/ioda/ioda_layout.hpp"

namespace landda::observations {

namespace {
constexpr std::size_t kChunk = std::size_t{1} << 14;
}

struct IodaRowWriter::Impl {
  std::optional<io::NcFile> nc_;  // set by create or reopen
  io::NcFile& file() { return *nc_; }
  ObsFile header;
  bool stations = false;
};

IodaRowWriter::IodaRowWriter() : impl_(std::make_unique<Impl>()) {}
IodaRowWriter::IodaRowWriter(IodaRowWriter&&) noexcept = default;
IodaRowWriter& IodaRowWriter::operator=(IodaRowWriter&&) noexcept = default;
IodaRowWriter::~IodaRowWriter() = default;

IodaRowWriter IodaRowWriter::create(const std::string& path, const ObsFile& header, std::size_t station_width,
                                    MPI_Comm comm) {
  IodaRowWriter w;
  w.impl_->header = header;
  w.impl_->stations = station_width > 0;
  w.impl_->nc_.emplace(io::NcFile::create_partial(path, comm));
  io::NcFile& nc = w.impl_->file();
  detail::define_layout(nc, header, 0, kChunk, 1);
  if (station_width > 0) nc.def_strings("MetaData/stationIdentification", "Location", {std::string(station_width, ' ')});
  detail::define_groups(nc, header, kChunk, 1);
  nc.end_def();
  return w;
}

IodaRowWriter IodaRowWriter::reopen(const std::string& path, const ObsFile& header, MPI_Comm comm) {
  IodaRowWriter w;
  w.impl_->header = header;
  w.impl_->nc_.emplace(io::NcFile::reopen_partial(path, comm));
  w.impl_->stations = w.impl_->file().has_var("MetaData/stationIdentification");
  return w;
}

void IodaRowWriter::write(std::size_t first, const ObsFile& rows) {
  Impl& m = *impl_;
  const auto n = static_cast<std::size_t>(rows.obs.size());
  detail::put_rows(m.file(), m.header, rows.obs, first, true);
  if (m.stations) {
    if (rows.station.size() != n) throw Error(cat(m.file().path(), ": ", n, " rows with ", rows.station.size(), " stations"));
    m.file().put_strings("MetaData/stationIdentification", rows.station, first);
  }
  detail::put_groups(m.file(), m.header, rows.groups, n, first, true);
}

void IodaRowWriter::snapshot() { impl_->file().snapshot(); }
void IodaRowWriter::commit() { impl_->file().commit(); }

}  // namespace landda::observations
