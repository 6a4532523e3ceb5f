// Run with two ranks: a checkpoint written collectively, each rank its own
// members' columns into one dataset, reads back on any split of the members,
// one rank reading all of them or each rank another block, bit for bit.
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/random.hpp"
#include "io/checkpoint.hpp"
#include "io/mpi_io_hints.hpp"
#include "parallel/environment.hpp"

using namespace landda;

TEST_CASE("A checkpoint written by two ranks reads back on any split of its members", "[mpi]") {
  const auto comm = parallel::Environment::duplicate_world();
  REQUIRE(comm.size() == 2);
  const std::string path = (std::filesystem::temp_directory_path() / "landda_mpi_cp.h5").string();
  // The whole ensemble, the same on both ranks (only to check against): 23 rows, 7 members.
  RandomStream r(5, "cp-mpi", 0);
  Eigen::MatrixXd X(23, 7);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = r.normal();
  std::vector<std::uint64_t> words(7 * 4);
  for (auto& w : words) w = r.next();
  // Rank 0 holds members 0-2, rank 1 members 3-6 (the run's Distribution does the same in blocks).
  const Eigen::Index first = comm.rank() == 0 ? 0 : 3, count = comm.rank() == 0 ? 3 : 4;
  {
    io::Checkpoint cp(comm.get());
    cp.put("cycle", std::int64_t{42});
    cp.put_text("config", "x: 1\n");
    cp.put_members("ensemble", X.middleCols(first, count), first, 7, true);
    cp.put_members("empty_memory", Eigen::MatrixXd(0, count), first, 7, true);
    cp.put_member_words("rng", std::vector<std::uint64_t>(words.begin() + first * 4, words.begin() + (first + count) * 4), 4,
                        first, 7, true);
    cp.write(path);
  }
  // On every rank alone (MPI_COMM_SELF, as a restart on one rank): all members.
  const io::Checkpoint all = io::Checkpoint::read(path, MPI_COMM_SELF);
  CHECK(all.scalar("cycle") == 42);
  CHECK(all.member_shape("ensemble") == std::pair<Eigen::Index, Eigen::Index>{23, 7});
  const Eigen::MatrixXd back = all.members("ensemble", 0, 7);
  CHECK(std::memcmp(back.data(), X.data(), sizeof(double) * 23 * 7) == 0);
  CHECK(all.member_words("rng", 0, 7) == words);
  CHECK(all.members("empty_memory", 0, 7).rows() == 0);
  // On both ranks with another split: rank 0 members 0-4, rank 1 members 5-6.
  const io::Checkpoint both = io::Checkpoint::read(path, comm.get());
  const Eigen::Index f2 = comm.rank() == 0 ? 0 : 5, c2 = comm.rank() == 0 ? 5 : 2;
  const Eigen::MatrixXd mine = both.members("ensemble", f2, c2);
  CHECK(std::memcmp(mine.data(), X.middleCols(f2, c2).eval().data(), sizeof(double) * 23 * static_cast<std::size_t>(c2)) == 0);
  CHECK_THROWS_WITH(both.members("ensemble", 5, 3), Catch::Contains("holds 7 members"));
  comm.barrier();
  if (comm.root()) std::filesystem::remove(path);
}

TEST_CASE("Cell entries written by two ranks read back on any split of the cells", "[mpi]") {
  const auto comm = parallel::Environment::duplicate_world();
  REQUIRE(comm.size() == 2);
  const std::string path = (std::filesystem::temp_directory_path() / "landda_mpi_cp_cells.h5").string();
  // 9 cells, 3 columns: a memory of 2 a cell and a tail of 2 (quantity-major), a state of 4 a cell (cell-major).
  RandomStream r(7, "cp-mpi-cells", 0);
  Eigen::MatrixXd memory(20, 3), state(36, 3);
  for (Eigen::Index i = 0; i < memory.size(); ++i) memory.data()[i] = r.normal();
  for (Eigen::Index i = 0; i < state.size(); ++i) state.data()[i] = r.normal();
  const auto block = [&](Eigen::Index begin, Eigen::Index count) {
    CellPattern m{CellRows{9, 2, 2, begin, count}, false}, s{CellRows{9, 4, 0, begin, count}, true};
    Eigen::MatrixXd mm(m.rows.compact_size(), 3), ss(s.rows.compact_size(), 3);
    for (Eigen::Index c = 0; c < count; ++c) {
      for (int k = 0; k < 2; ++k) mm.row(k * count + c) = memory.row(k * 9 + begin + c);
      for (int k = 0; k < 4; ++k) ss.row(c * 4 + k) = state.row((begin + c) * 4 + k);
    }
    mm.bottomRows(2) = memory.bottomRows(2);
    return std::tuple{m, s, mm, ss};
  };
  {
    // Rank 0 cells 0-5, rank 1 cells 6-8 (rank 0 writes the tail).
    const auto [m, s, mm, ss] = comm.rank() == 0 ? block(0, 6) : block(6, 3);
    io::Checkpoint cp(comm.get());
    cp.put_cells("memory", mm, m);
    cp.put_cells("state", ss, s);
    cp.write(path);
  }
  // One rank alone reads every cell; two ranks another split (cells 0-1 and 2-8), and a rank with none.
  const io::Checkpoint all = io::Checkpoint::read(path, MPI_COMM_SELF);
  const auto [m9, s9, mm9, ss9] = block(0, 9);
  CHECK(all.cells("memory", m9) == mm9);
  CHECK(all.cells("state", s9) == ss9);
  const io::Checkpoint both = io::Checkpoint::read(path, comm.get());
  for (const auto& [b0, n0] : {std::pair<Eigen::Index, Eigen::Index>{2, 7}, {9, 0}}) {
    const auto [m, s, mm, ss] = comm.rank() == 0 ? block(0, 9 - n0) : block(b0, n0);
    CHECK(both.cells("memory", m) == mm);
    CHECK(both.cells("state", s) == ss);
  }
  comm.barrier();
  if (comm.root()) std::filesystem::remove(path);
}

TEST_CASE("Files opened with landda's MPI-IO hints cap the collective buffer", "[mpi]") {
  // The cap is what keeps an aggregating rank (rank 0) from holding 32 MB more than the others under OMPIO:
  // the MPI-IO layer must take the hint, not only be handed it.
  const auto comm = parallel::Environment::duplicate_world();
  const std::string path = (std::filesystem::temp_directory_path() / "landda_mpi_hints.bin").string();
  MPI_File fh = MPI_FILE_NULL;
  REQUIRE(MPI_File_open(comm.get(), path.c_str(), MPI_MODE_CREATE | MPI_MODE_RDWR | MPI_MODE_DELETE_ON_CLOSE,
                        io::MpiIoHints().get(), &fh) == MPI_SUCCESS);
  MPI_Info used = MPI_INFO_NULL;
  REQUIRE(MPI_File_get_info(fh, &used) == MPI_SUCCESS);
  char value[64] = {};
  int found = 0;
  MPI_Info_get(used, "cb_buffer_size", static_cast<int>(sizeof(value)) - 1, value, &found);
  MPI_Info_free(&used);
  MPI_File_close(&fh);
  CHECK(found == 1);
  CHECK(std::string(value) == io::MpiIoHints::kCollectiveBuffer);
}
