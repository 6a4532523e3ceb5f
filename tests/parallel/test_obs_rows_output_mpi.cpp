// Run with two ranks: feedback rows kept by whichever rank owns them (every
// other row of each window, and on rank 1 in reverse order) come out of the
// file in their own order, every value and station in place, whether flushed as they pass
// a small threshold or at the end.
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>

#include "experiments/cycle/obs_rows_output.hpp"
#include "parallel/environment.hpp"

using namespace landda;

namespace {

// Row i of the reference file: values that name it.
observations::ObsFile rows_of(const std::vector<std::size_t>& which, std::size_t groups) {
  observations::ObsFile f;
  f.obs.resize(static_cast<Index>(which.size()));
  f.groups.assign(groups, {});
  for (std::size_t j = 0; j < which.size(); ++j) {
    const double i = static_cast<double>(which[j]);
    f.obs.x[j] = -150 + i, f.obs.y[j] = 20 + i / 100, f.obs.time[j] = Time{1000 + static_cast<std::int64_t>(which[j]) * 60};
    f.obs.value[static_cast<Index>(j)] = 0.1 + i / 1000, f.obs.error[static_cast<Index>(j)] = 0.04;
    f.obs.qc[j] = static_cast<int>(which[j] % 3);
    for (std::size_t g = 0; g < groups; ++g) f.groups[g].values.push_back(i * 10 + static_cast<double>(g));
  }
  return f;
}

}  // namespace

TEST_CASE("Feedback rows kept by two ranks are written in their order, flushed early or at the end", "[mpi]") {
  const auto comm = parallel::Environment::duplicate_world();
  REQUIRE(comm.size() == 2);
  const std::vector<std::string> names{"alpha", "b", "a-longer-name", "d"};
  observations::ObsFile header;
  header.groups = {{"hofx0", "mean", {}}, {"ombg", "o - b", {}}};
  header.qc_group = "EffectiveQC";
  for (const std::size_t flush : {std::size_t{2}, std::size_t{1} << 20}) {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("landda_mpi_feedback_" + std::to_string(flush) + ".nc")).string();
    Eigen::VectorXd total = Eigen::VectorXd::Zero(1);
    {
      const parallel::Distribution dist(comm, 2, 2);
      experiments::ObsRowsOutput out(dist, {{path, header, &names}}, false, total, flush);
      // Three windows of 5, 0 and 6 rows; rank 0 keeps the even rows of each, rank 1 the odd ones, last first.
      for (const std::size_t n : {5, 0, 6}) {
        const std::size_t first = static_cast<std::size_t>(total[0]);
        std::vector<std::size_t> mine;
        for (std::size_t i = 0; i < n; ++i)
          if (static_cast<int>(i % 2) == comm.rank()) mine.push_back(first + i);
        if (comm.rank() == 1) std::reverse(mine.begin(), mine.end());
        std::vector<Index> stations;
        for (const std::size_t i : mine) stations.push_back(static_cast<Index>(i % names.size()));
        out.add(0, mine, rows_of(mine, 2), stations);
        total[0] += static_cast<double>(n);
        out.flush(total, false);
      }
      out.flush(total, true);
      out.commit();
    }
    const auto back = observations::read_ioda(path, "", "", {"hofx0", "ombg"});
    std::vector<std::size_t> all(11);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    const auto want = rows_of(all, 2);
    REQUIRE(back.obs.size() == 11);
    for (std::size_t i = 0; i < all.size(); ++i) {
      CHECK(back.obs.x[i] == want.obs.x[i]);
      CHECK(back.obs.time[i] == want.obs.time[i]);
      CHECK(back.obs.value[static_cast<Index>(i)] == want.obs.value[static_cast<Index>(i)]);
      CHECK(back.station[i] == names[i % names.size()]);
      CHECK(back.groups[0].values[i] == want.groups[0].values[i]);
      CHECK(back.groups[1].values[i] == want.groups[1].values[i]);
    }
    comm.barrier();
    if (comm.root()) std::filesystem::remove(path);
  }
}
