// Run with two ranks: moving the ensemble between member and row layouts,
// and analysing row blocks, gives bit-for-bit the serial result.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "../filters/filter_fixture.hpp"
#include "core/exact_sum.hpp"
#include "experiments/cycle/cell_layout.hpp"
#include "parallel/cell_split.hpp"
#include "parallel/distribution.hpp"
#include "parallel/environment.hpp"

using namespace landda;

namespace {
bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}
// The rows of M listed in r.
Eigen::MatrixXd pick(const Eigen::MatrixXd& M, std::span<const Eigen::Index> r) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(r.size()), M.cols());
  for (std::size_t k = 0; k < r.size(); ++k) out.row(static_cast<Eigen::Index>(k)) = M.row(r[k]);
  return out;
}
}  // namespace

TEST_CASE("Ensemble scatter and gather across ranks equal the serial ensemble bit for bit", "[mpi]") {
  const auto comm = parallel::Environment::duplicate_world();
  REQUIRE(comm.size() == 2);
  for (int N : {1, 5, 8}) {
    for (Eigen::Index n : {1, 7, 40}) {
      RandomStream r(11, "mpi", 0);
      Eigen::MatrixXd full(n, N);
      for (Eigen::Index i = 0; i < full.size(); ++i) full.data()[i] = r.normal();
      // Rows in state order, and (n = 40) whole cells of a two-variable layout, 3 + 1 layers x 10 cells.
      const StateLayout layout(10, {"a", "b"}, {3, 1});
      for (const bool by_cell : {false, true}) {
        if (by_cell && n != layout.size()) continue;
        parallel::Distribution dist = by_cell ? parallel::Distribution(comm, n, N, layout.rows_per_cell())
                                              : parallel::Distribution(comm, n, N);
        const Eigen::MatrixXd mine = dist.local_members(full);
        Eigen::MatrixXd rows, back;
        dist.to_rows(mine, rows);
        CHECK(same_bits(rows, pick(full, dist.my_rows())));
        dist.to_members(rows, back);
        CHECK(same_bits(back, mine));
        CHECK(same_bits(dist.allgather(mine), full));
        CHECK(same_bits(dist.allgather_rows(rows), full));
        CHECK(same_bits(dist.allgather_vector(pick(full, dist.my_rows()).col(0)), full.col(0)));
        // Rows wanted by each rank (different on each, in any order, none on one) for every member.
        std::vector<Eigen::Index> wanted;
        for (Eigen::Index i = comm.rank(); i < n && !(n == 1 && comm.rank() == 1); i += 2) wanted.push_back(n - 1 - i);
        CHECK(same_bits(dist.gather_member_rows(mine, wanted), pick(full, wanted)));
        CHECK(comm.sum(static_cast<long long>(dist.my_row_count())) == n);
        if (by_cell) {
          // The analysis order, a formula, is StateLayout's cell-major order.
          const std::vector<Eigen::Index> order = layout.cell_major_order();
          const auto first = static_cast<std::size_t>(dist.my_cell_begin() * layout.rows_per_cell());
          for (std::size_t k = 0; k < dist.my_rows().size(); ++k) CHECK(dist.my_rows()[k] == order[first + k]);
          // Per-cell values of every member (2 names x 10 cells) summed over members: each rank gets its cells'.
          Eigen::MatrixXd per_cell(20, N);
          for (Eigen::Index i = 0; i < per_cell.size(); ++i) per_cell.data()[i] = r.normal();
          const Eigen::VectorXd total = per_cell.rowwise().sum();
          const Eigen::VectorXd got = dist.member_sum_my_cells(dist.local_members(per_cell), 2);
          const Eigen::Index c0 = dist.my_cell_begin(), nc = dist.my_cell_count();
          REQUIRE(got.size() == 2 * nc);
          CHECK(c0 == layout.cell_of(dist.my_rows().front()));
          CHECK(comm.sum(static_cast<long long>(nc)) == 10);
          for (int k = 0; k < 2; ++k)
            for (Eigen::Index c = 0; c < nc; ++c) CHECK(got[k * nc + c] == Approx(total[k * 10 + c0 + c]).epsilon(1e-14));
          // Every row of a cell on one rank: the cells a rank holds are held whole.
          std::vector<int> count(10, 0);
          for (const Eigen::Index i : dist.my_rows()) ++count[static_cast<std::size_t>(layout.cell_of(i))];
          for (const int c : count) CHECK((c == 0 || c == 4));
        }
      }
    }
  }
}

TEST_CASE("One model task of two ranks: members held by both, rows and cells split", "[mpi]") {
  const auto comm = parallel::Environment::duplicate_world();
  REQUIRE(comm.size() == 2);
  const StateLayout layout(7, {"a", "b"}, {3, 1});
  const Eigen::Index n = layout.size();
  for (int N : {1, 4}) {
    RandomStream r(12, "mpi", 0);
    Eigen::MatrixXd full(n, N);
    for (Eigen::Index i = 0; i < full.size(); ++i) full.data()[i] = r.normal();
    parallel::Distribution dist(comm, n, N, layout.rows_per_cell(), 2);
    CHECK(dist.my_member_begin() == 0);
    CHECK(dist.my_member_count() == N);
    const Eigen::MatrixXd mine = dist.local_members(full);
    Eigen::MatrixXd rows, back;
    dist.to_rows(mine, rows);
    CHECK(comm.sum(static_cast<long long>(dist.my_row_count())) == n);
    for (std::size_t k = 0; k < dist.my_rows().size(); ++k)
      CHECK(rows.row(static_cast<Eigen::Index>(k)) == full.row(dist.my_rows()[k]));
    dist.to_members(rows, back);
    CHECK(same_bits(back, full));
    CHECK(same_bits(dist.allgather(mine), full));
    CHECK(same_bits(dist.allgather_rows(rows), full));
    CHECK(same_bits(dist.allgather_columns(mine.topRows(3)), full.topRows(3)));
    // Both ranks of the task hold the members; only one sends them.
    const std::vector<Eigen::Index> wanted = comm.rank() == 0 ? std::vector<Eigen::Index>{3, 0} : std::vector<Eigen::Index>{5};
    CHECK(same_bits(dist.gather_member_rows(mine, wanted), pick(full, wanted)));
  }
  // Each rank fills its block of cells (two memory rows and one diagnostic per cell, then one per-member row);
  // joined, both hold every cell.
  for (const Eigen::Index granule : {1, 2, 4, 8}) {
    const parallel::CellSplit split(comm, layout, 2, 1, granule);
    CHECK((split.begin() % granule == 0 || split.begin() == split.end()));  // the last rank may get nothing
    CHECK(comm.sum(static_cast<long long>(split.end() - split.begin())) == layout.n_cells());
    Eigen::MatrixXd X = Eigen::MatrixXd::Zero(n, 2), M = Eigen::MatrixXd::Zero(2 * 7 + 1, 2), D = Eigen::MatrixXd::Zero(7, 2);
    const auto value = [](Eigen::Index i, Eigen::Index j) { return 1.0 + static_cast<double>(i) + 100.0 * static_cast<double>(j); };
    for (Eigen::Index j = 0; j < 2; ++j) {
      for (Eigen::Index i = 0; i < n; ++i)
        if (layout.cell_of(i) >= split.begin() && layout.cell_of(i) < split.end()) X(i, j) = value(i, j);
      for (Eigen::Index c = split.begin(); c < split.end(); ++c) {
        M(c, j) = value(c, j);
        M(7 + c, j) = value(7 + c, j);
        D(c, j) = value(c, j);
      }
      M(14, j) = value(14, j);  // per member: the same on every rank
    }
    split.join_state(X);
    split.join_memory(M);
    split.join_diagnostics(D);
    for (Eigen::Index j = 0; j < 2; ++j) {
      for (Eigen::Index i = 0; i < n; ++i) CHECK(X(i, j) == value(i, j));
      for (Eigen::Index i = 0; i < M.rows(); ++i) CHECK(M(i, j) == value(i, j));
      for (Eigen::Index i = 0; i < D.rows(); ++i) CHECK(D(i, j) == value(i, j));
    }
  }
}

TEST_CASE("Filters analysing row blocks on two ranks equal the serial analysis bit for bit", "[mpi]") {
  const auto comm = parallel::Environment::duplicate_world();
  const int n = 30, N = 6;
  Eigen::MatrixXd B = Eigen::MatrixXd::Identity(n, n);
  const Eigen::MatrixXd X0 = test::sample(Eigen::VectorXd::Zero(n), B, N, 21);
  for (const std::string yaml : {"type: etkf\nmembers: 6\ninflation: {rtps: 0.5}\n",
                                 "type: letkf\nmembers: 6\nlocalization: {radius: 5}\n",
                                 "type: enkf\nmembers: 6\n"}) {
    test::Problem serial(n, {1, 4, 9, 20, 29}, {1, 0.5, -1, 0.2, 0.3}, 0.3, N);
    test::Problem parallel_pb(n, {1, 4, 9, 20, 29}, {1, 0.5, -1, 0.2, 0.3}, 0.3, N);
    auto f1 = test::make_filter(yaml), f2 = test::make_filter(yaml);
    Eigen::MatrixXd Xs = X0;
    serial.analyse(*f1, Xs);
    parallel::Distribution dist(comm, n, N);
    Eigen::MatrixXd rows;
    dist.to_rows(dist.local_members(X0), rows);
    const Eigen::MatrixXd HX = parallel_pb.H(X0);
    AnalysisInput in{parallel_pb.grid, parallel_pb.layout, dist.my_rows(), parallel_pb.obs, HX, &parallel_pb.rng};
    f2->analyse(rows, in);
    INFO(yaml);
    CHECK(same_bits(dist.allgather_rows(rows), Xs));
  }
}

TEST_CASE("A layered LETKF on whole cells per rank equals the serial analysis bit for bit", "[mpi]") {
  // 7 x 5 cells, three layers of one variable and one of another, observations
  // of the top layer at every other cell; rows shared out in whole cells.
  const auto comm = parallel::Environment::duplicate_world();
  const int nx = 7, ny = 5, N = 6;
  const Grid grid = Grid::cartesian(nx, ny);
  const StateLayout layout(nx * ny, {"theta", "snow"}, {3, 1});
  const Eigen::Index n = layout.size();
  Eigen::MatrixXd B = Eigen::MatrixXd::Identity(n, n);
  const Eigen::MatrixXd X0 = test::sample(Eigen::VectorXd::Zero(n), B, N, 33);
  ObsBatch obs;
  const int p = (nx * ny + 1) / 2;
  obs.resize(p);
  obs.source_names = {"top"};
  Eigen::MatrixXd HX(p, N);
  for (int o = 0; o < p; ++o) {
    const int c = 2 * o;
    obs.x[o] = grid.x(c);
    obs.y[o] = grid.y(c);
    obs.error[o] = 0.5;
    obs.value[o] = std::sin(0.7 * c);
    HX.row(o) = X0.row(layout.index(0, 0, c));
  }
  std::vector<RandomStream> rng;
  for (const int stride : {1, 2}) {
    const std::string yaml = cat("type: letkf\nmembers: 6\nlocalization: {radius: 2.5, weight_stride: ", stride, "}\n");
    auto f1 = test::make_filter(yaml), f2 = test::make_filter(yaml);
    Eigen::MatrixXd Xs = X0;
    const auto all = index_range(0, n);
    f1->analyse(Xs, AnalysisInput{grid, layout, all, obs, HX, &rng});
    parallel::Distribution dist(comm, n, N, layout.rows_per_cell());
    Eigen::MatrixXd rows;
    dist.to_rows(dist.local_members(X0), rows);
    f2->analyse(rows, AnalysisInput{grid, layout, dist.my_rows(), obs, HX, &rng});
    INFO("weight stride " << stride);
    CHECK(same_bits(dist.allgather_rows(rows), Xs));
    CHECK(!same_bits(Xs, X0));  // the analysis did change the state
  }
}

TEST_CASE("Communicators split into model tasks, filter and couple like PDAF's", "[mpi]") {
  const auto world = parallel::Environment::duplicate_world();
  const auto one = parallel::Layout::make(world, 1);
  CHECK(one.n_tasks == 2);
  CHECK(one.task == world.rank());
  CHECK(one.model.size() == 1);
  CHECK(one.couple.size() == 2);
  CHECK(one.filter.size() == 2);
  const auto two = parallel::Layout::make(world, 2);
  CHECK(two.n_tasks == 1);
  CHECK(two.model.size() == 2);
  CHECK(two.couple.size() == 1);
  CHECK(two.filter.size() == 2);
  CHECK_THROWS_WITH(parallel::Layout::make(world, 3), Catch::Contains("must divide the number of MPI ranks"));
}

TEST_CASE("Cell blocks start at multiples of the granule, and items are fetched from their owners", "[mpi]") {
  const auto comm = parallel::Environment::duplicate_world();
  REQUIRE(comm.size() == 2);
  const StateLayout layout(10, {"a"}, {3});  // 10 cells of 3 rows
  // Granule 4: 3 granules (4 + 4 + 2 cells) over two ranks: cells 0-7 and 8-9, not 0-4 and 5-9.
  const parallel::Distribution dist(comm, layout.size(), 4, layout.rows_per_cell(), 2, 4);
  CHECK(dist.my_cell_begin() == (comm.rank() == 0 ? 0 : 8));
  CHECK(dist.my_cell_count() == (comm.rank() == 0 ? 8 : 2));
  CHECK(dist.my_member_count() == 4);  // one task of both ranks: every member on each
  for (Eigen::Index c = 0; c < 10; ++c) CHECK(dist.owner_of_cell(c) == (c < 8 ? 0 : 1));
  CHECK_THROWS_AS(dist.owner_of_cell(10), ParallelError);
  // Each rank holds items valued 100 rank + 10 local + k (k < width); rank 0 wants items 1 and 0 of
  // rank 1 and its own item 2, rank 1 wants nothing.
  const auto pack = [&](Eigen::Index local, double* out) {
    for (int k = 0; k < 3; ++k) out[k] = 100.0 * comm.rank() + 10.0 * static_cast<double>(local) + k;
  };
  const std::vector<int> owners = comm.rank() == 0 ? std::vector<int>{1, 0, 1} : std::vector<int>{};
  const std::vector<Eigen::Index> local = comm.rank() == 0 ? std::vector<Eigen::Index>{1, 2, 0} : std::vector<Eigen::Index>{};
  const Eigen::MatrixXd got = dist.fetch(owners, local, 3, pack);
  REQUIRE(got.cols() == static_cast<Eigen::Index>(owners.size()));
  if (comm.rank() == 0) {
    Eigen::MatrixXd expect(3, 3);
    expect << 110, 20, 100, 111, 21, 101, 112, 22, 102;
    CHECK(got == expect);
    CHECK(dist.received_bytes() >= 2 * 3 * sizeof(double));  // rank 1's two items came over MPI
  }
  CHECK_THROWS_AS(dist.fetch({2}, {0}, 3, pack), ParallelError);
}

TEST_CASE("An observation's moments are its owner's, and its values come from the owner to the ranks that ask", "[mpi]") {
  const auto comm = parallel::Environment::duplicate_world();
  REQUIRE(comm.size() == 2);
  const parallel::Distribution dist(comm, 10, 3);
  // Six observations owned alternately by ranks 0 and 1; each rank holds H of its own (3 members) in its slots.
  experiments::ObsOwners own;
  own.reset(6);
  for (std::size_t o = 0; o < 6; ++o) {
    own.row[o] = static_cast<Eigen::Index>(o);  // both ranks hold every row here
    own.owner[o] = static_cast<int>(o % 2);
    if (own.owner[o] == comm.rank()) own.slot[o] = own.owned++;
  }
  Eigen::MatrixXd mine(own.owned, 3);
  for (std::size_t o = 0; o < 6; ++o)
    if (own.slot[o] >= 0) mine.row(own.slot[o]) << 1.0 * o, 2.0 * o, 4.0 * o;
  const auto [mean, sd] = experiments::own_moments(mine, own, 0, 6, true);
  for (Eigen::Index o = 0; o < 6; ++o) {
    if (o % 2 != comm.rank()) {
      CHECK(std::isnan(mean[o]));
      continue;
    }
    CHECK(mean[o] == Approx(7.0 * o / 3));
    CHECK(sd[o] == Approx(std::sqrt((std::pow(o - 7.0 * o / 3, 2) + std::pow(2.0 * o - 7.0 * o / 3, 2) +
                                     std::pow(4.0 * o - 7.0 * o / 3, 2)) / 2)));
  }
  // Values 100 + o and flags o % 3 known only at the owner; rank 0 asks for every row, rank 1 for rows 2 and 4.
  Eigen::VectorXd value = Eigen::VectorXd::Constant(6, std::nan(""));
  std::vector<int> flag(6, -1);
  for (std::size_t o = 0; o < 6; ++o)
    if (own.slot[o] >= 0) value[static_cast<Eigen::Index>(o)] = 100.0 + static_cast<double>(o), flag[o] = static_cast<int>(o % 3);
  const std::vector<Eigen::Index> rows = comm.rank() == 0 ? std::vector<Eigen::Index>{5, 0, 1, 2, 3, 4}
                                                          : std::vector<Eigen::Index>{2, 4};
  experiments::from_owners(dist, own, rows, {experiments::RowField::of(value), experiments::RowField::of(flag)});
  for (const Eigen::Index o : rows) {
    CHECK(value[o] == 100.0 + static_cast<double>(o));
    CHECK(flag[static_cast<std::size_t>(o)] == o % 3);
  }
  if (comm.rank() == 1) {  // rows it neither owns nor asked for stay as they were
    CHECK(std::isnan(value[0]));
    CHECK(flag[0] == -1);
  }
}

TEST_CASE("A member sum over ranks rounds as one rank's exact sum of every member", "[mpi]") {
  const auto comm = parallel::Environment::duplicate_world();
  REQUIRE(comm.size() == 2);
  for (const int N : {2, 5, 32}) {
    RandomStream r(17, "mpi_exact", static_cast<std::uint64_t>(N));
    Eigen::MatrixXd all(50, N);  // H(X) of 50 observations, a few members far off
    for (Eigen::Index i = 0; i < all.size(); ++i)
      all.data()[i] = 0.3 + 0.02 * r.normal() + (r.uniform() < 0.1 ? 1e3 * r.normal() : 0.0);
    const parallel::Distribution dist(comm, 10, N);
    const Eigen::VectorXd sum = dist.member_sum_exact(all.middleCols(dist.my_member_begin(), dist.my_member_count()));
    Eigen::VectorXd serial(all.rows());
    for (Eigen::Index i = 0; i < all.rows(); ++i) {
      ExactSum s;
      for (Eigen::Index j = 0; j < N; ++j) s.add(all(i, j));
      serial[i] = s.value();
    }
    CHECK(same_bits(sum, serial));
  }
}
