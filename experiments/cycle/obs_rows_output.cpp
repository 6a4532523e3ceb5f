#include "experiments/cycle/obs_rows_output.hpp"

#include <algorithm>
#include <utility>

#include "core/error.hpp"

namespace landda::experiments {

ObsRowsOutput::ObsRowsOutput(const parallel::Distribution& dist, std::vector<Source> sources, bool restart,
                             const Eigen::VectorXd& rows, std::size_t flush_rows)
    : dist_(dist),
      sources_(std::move(sources)),
      files_(sources_.size()),
      kept_(sources_.size()),
      flushed_(sources_.size(), 0),
      flush_rows_(flush_rows) {
  const parallel::Comm& comm = dist_.comm();
  const MPI_Comm c = comm.size() > 1 ? comm.get() : MPI_COMM_NULL;
  for (std::size_t k = 0; k < sources_.size(); ++k) {
    const Source& s = sources_[k];
    std::size_t width = 0;
    if (s.stations)
      for (const auto& name : *s.stations) width = std::max(width, name.size());
    files_[k] = restart ? observations::IodaRowWriter::reopen(s.path, s.header, c)
                        : observations::IodaRowWriter::create(s.path, s.header, width, c);
    if (restart) flushed_[k] = static_cast<std::size_t>(rows[static_cast<Index>(k)]);
  }
}

void ObsRowsOutput::add(std::size_t k, const std::vector<std::size_t>& file_rows, const observations::ObsFile& rows,
                        const std::vector<Index>& station_rows) {
  const auto n = static_cast<std::size_t>(rows.obs.size());
  if (file_rows.size() != n) throw Error(cat(sources_[k].path, ": ", n, " rows for ", file_rows.size(), " places"));
  const std::size_t G = sources_[k].header.groups.size();
  if (rows.groups.size() != G) throw Error(cat(sources_[k].path, ": rows with ", rows.groups.size(), " groups for ", G));
  std::vector<double>& p = kept_[k];
  p.reserve(p.size() + n * (kFixed + G));
  for (std::size_t i = 0; i < n; ++i) {
    const auto o = static_cast<Index>(i);
    p.insert(p.end(), {static_cast<double>(file_rows[i]), rows.obs.x[i], rows.obs.y[i],
                       static_cast<double>(rows.obs.time[i].seconds), rows.obs.value[o], rows.obs.error[o],
                       static_cast<double>(rows.obs.qc[i]),
                       station_rows.empty() ? -1.0 : static_cast<double>(station_rows[i])});
    for (std::size_t g = 0; g < G; ++g) p.push_back(rows.groups[g].values[i]);
  }
}

void ObsRowsOutput::flush(const Eigen::VectorXd& rows, bool force) {
  std::size_t waiting = 0;  // the same on every rank: every rank knows each file's rows
  for (std::size_t k = 0; k < sources_.size(); ++k) waiting += static_cast<std::size_t>(rows[static_cast<Index>(k)]) - flushed_[k];
  if (!force && waiting < flush_rows_ * static_cast<std::size_t>(dist_.size())) return;
  for (std::size_t k = 0; k < sources_.size(); ++k) flush_source(k, static_cast<std::size_t>(rows[static_cast<Index>(k)]));
}

// Rows [flushed, to) of source k: rank d writes the d-th of P equal blocks of them.
void ObsRowsOutput::flush_source(std::size_t k, std::size_t to) {
  const std::size_t from = flushed_[k];
  if (to == from) return;
  const int P = dist_.size();
  const std::size_t W = kFixed + sources_[k].header.groups.size();
  const auto block_start = [&](int d) { return from + (to - from) * static_cast<std::size_t>(d) / static_cast<std::size_t>(P); };
  // The kept rows sorted by destination, the last rank whose block starts at or before a row (a rank's rows
  // need not ascend: the draws are placed in the order of their steps).
  const auto dest_of = [&](std::size_t row) {
    int lo = 0, hi = P - 1;
    while (lo < hi) {
      const int mid = (lo + hi + 1) / 2;
      if (row >= block_start(mid)) lo = mid;
      else hi = mid - 1;
    }
    return static_cast<std::size_t>(lo);
  };
  const std::size_t n = kept_[k].size() / W;
  std::vector<std::size_t> dest(n);
  std::vector<int> send(static_cast<std::size_t>(P), 0);
  for (std::size_t i = 0; i < n; ++i) {
    dest[i] = dest_of(static_cast<std::size_t>(kept_[k][i * W]));
    send[dest[i]] += static_cast<int>(W);
  }
  std::vector<std::size_t> at(static_cast<std::size_t>(P), 0);
  for (std::size_t d = 1; d < at.size(); ++d) at[d] = at[d - 1] + static_cast<std::size_t>(send[d - 1]);
  std::vector<double> packed(kept_[k].size());
  for (std::size_t i = 0; i < n; ++i) {
    std::copy_n(kept_[k].begin() + static_cast<std::ptrdiff_t>(i * W), W, packed.begin() + static_cast<std::ptrdiff_t>(at[dest[i]]));
    at[dest[i]] += W;
  }
  kept_[k] = {};
  const std::vector<double> got = dist_.push(std::move(packed), send);
  // This rank's block, every row of it received once.
  const std::size_t b0 = block_start(dist_.rank()), b1 = block_start(dist_.rank() + 1), m = b1 - b0;
  if (got.size() != m * W)
    throw ParallelError(cat(sources_[k].path, ": ", got.size() / W, " rows arrived for a block of ", m));
  observations::ObsFile out;
  out.obs.resize(static_cast<Index>(m));
  out.groups = sources_[k].header.groups;
  for (auto& g : out.groups) g.values.assign(m, 0.0);
  const std::vector<std::string>* names = sources_[k].stations;
  if (names) out.station.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    const double* r = got.data() + i * W;
    const std::size_t at = static_cast<std::size_t>(r[0]) - b0;
    if (at >= m) throw ParallelError(cat(sources_[k].path, ": row ", r[0], " outside the block [", b0, ", ", b1, ")"));
    const auto o = static_cast<Index>(at);
    out.obs.x[at] = r[1], out.obs.y[at] = r[2], out.obs.time[at] = Time{static_cast<std::int64_t>(r[3])};
    out.obs.value[o] = r[4], out.obs.error[o] = r[5], out.obs.qc[at] = static_cast<int>(r[6]);
    if (names) out.station[at] = r[7] >= 0 ? (*names)[static_cast<std::size_t>(r[7])] : std::string();
    for (std::size_t g = 0; g < out.groups.size(); ++g) out.groups[g].values[at] = r[kFixed + g];
  }
  files_[k]->write(b0, out);
  flushed_[k] = to;
}

void ObsRowsOutput::snapshot() {
  for (auto& f : files_) f->snapshot();
}

void ObsRowsOutput::commit() {
  for (auto& f : files_) f->commit();
}

}  // namespace landda::experiments
