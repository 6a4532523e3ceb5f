#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "core/random.hpp"
#include "io/checkpoint.hpp"

using namespace landda;
namespace fs = std::filesystem;

namespace {
// Changes one byte of a stored value in the file in place, the value found by its bytes.
void flip_a_byte_of(const std::string& path, const double& value) {
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = bytes.find(std::string(reinterpret_cast<const char*>(&value), 8));
  REQUIRE(at != std::string::npos);
  bytes[at + 3] ^= 0x10;
  std::ofstream(path, std::ios::binary) << bytes;
}
}  // namespace

TEST_CASE("A checkpoint reads back bit for bit", "[framework][io]") {
  const fs::path dir = fs::temp_directory_path() / "landda_test_cp";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "cp.h5").string();
  RandomStream r(3, "cp", 0);
  Eigen::MatrixXd X(37, 9);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = r.normal() * 1e-3 + (i % 7 == 0 ? 1e300 : 0.0);
  X(3, 4) = -0.0;
  std::vector<std::uint64_t> words{r.next(), r.next(), ~0ULL, 0ULL};
  io::Checkpoint cp;
  cp.put("ensemble", X);
  cp.put("rng", words);
  cp.put("cycle", std::int64_t{123456789012});
  cp.put_text("config", "a: 1\nb: [x, y]\n");
  cp.write(path);
  const io::Checkpoint back = io::Checkpoint::read(path);
  const Eigen::MatrixXd& Y = back.matrix("ensemble");
  REQUIRE(Y.rows() == 37);
  REQUIRE(Y.cols() == 9);
  CHECK(std::memcmp(X.data(), Y.data(), sizeof(double) * X.size()) == 0);
  CHECK(back.words("rng") == words);
  CHECK(back.scalar("cycle") == 123456789012);
  CHECK(back.text("config") == "a: 1\nb: [x, y]\n");
  CHECK_THROWS_AS(back.matrix("nope"), InputError);
  CHECK_THROWS_WITH(io::Checkpoint::read((dir / "none.h5").string()), Catch::Contains("no such checkpoint"));
  // No temporary file is left beside the checkpoint.
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  CHECK(files == 1);
}

TEST_CASE("A checkpoint's member entries read back by member, each column checked", "[framework][io]") {
  const fs::path dir = fs::temp_directory_path() / "landda_test_cp_members";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "cp.h5").string();
  RandomStream r(4, "cp", 0);
  Eigen::MatrixXd X(11, 5);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = r.normal();
  io::Checkpoint cp;
  cp.put_members("ensemble", X, 0, 5, true);
  cp.put_member_words("rng", std::vector<std::uint64_t>(20, 7), 4, 0, 5, true);
  cp.write(path);
  const io::Checkpoint back = io::Checkpoint::read(path);
  CHECK(back.members("ensemble", 1, 3) == X.middleCols(1, 3));
  CHECK(back.member_words("rng", 4, 1) == std::vector<std::uint64_t>(4, 7));
  CHECK_THROWS_WITH(back.members("nope", 0, 1), Catch::Contains("no member entry"));
  CHECK_THROWS_WITH(back.members("ensemble", 4, 2), Catch::Contains("holds 5 members"));
  // A column whose checksum fails is named by member; the others still read.
  io::Checkpoint bad;
  Eigen::MatrixXd Y = X;
  bad.put_members("ensemble", Y, 0, 5, true);
  bad.write(path);
  flip_a_byte_of(path, Y(4, 2));  // in member 2's column
  const io::Checkpoint damaged = io::Checkpoint::read(path);
  CHECK(damaged.members("ensemble", 0, 2) == X.leftCols(2));
  CHECK_THROWS_WITH(damaged.members("ensemble", 1, 3), Catch::Contains("member 2"));
}

namespace {
// Every row of a block in the pattern's compact order, from the whole column
// (quantity-major or cell-major, then the tail).
Eigen::MatrixXd compact_of(const Eigen::MatrixXd& whole, const CellPattern& p) {
  Eigen::MatrixXd m(p.rows.compact_size(), whole.cols());
  const CellRows& r = p.rows;
  for (Eigen::Index c = 0; c < r.count; ++c)
    for (int k = 0; k < r.per_cell; ++k)
      m.row(p.cell_major ? c * r.per_cell + k : k * r.count + c) =
          whole.row(p.cell_major ? (r.begin + c) * r.per_cell + k : k * r.n_cells + r.begin + c);
  m.bottomRows(r.tail) = whole.bottomRows(r.tail);
  return m;
}
}  // namespace

TEST_CASE("A checkpoint's cell entries read back by cell block, each cell checked", "[framework][io]") {
  const fs::path dir = fs::temp_directory_path() / "landda_test_cp_cells";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "cp.h5").string();
  RandomStream r(6, "cp", 0);
  // 10 cells: a state of 3 rows a cell (cell-major) and a memory of 2 a cell and a tail of 3 (quantity-major), 4 columns.
  Eigen::MatrixXd state(30, 4), memory(23, 4);
  for (Eigen::Index i = 0; i < state.size(); ++i) state.data()[i] = r.normal();
  for (Eigen::Index i = 0; i < memory.size(); ++i) memory.data()[i] = r.normal();
  const auto pattern = [](int per_cell, Eigen::Index tail, Eigen::Index begin, Eigen::Index count, bool cell_major) {
    return CellPattern{CellRows{10, per_cell, tail, begin, count}, cell_major};
  };
  {
    io::Checkpoint cp;  // one rank holding every cell
    const Eigen::MatrixXd s = compact_of(state, pattern(3, 0, 0, 10, true)), m = compact_of(memory, pattern(2, 3, 0, 10, false));
    cp.put_cells("state", s, pattern(3, 0, 0, 10, true));
    cp.put_cells("memory", m, pattern(2, 3, 0, 10, false));
    CHECK_THROWS_WITH(cp.put_cells("short", s.topRows(29), pattern(3, 0, 0, 10, true)), Catch::Contains("its cells need 30"));
    cp.write(path);
  }
  const io::Checkpoint back = io::Checkpoint::read(path);
  CHECK(back.cell_shape("memory") == std::pair<Eigen::Index, Eigen::Index>{23, 4});
  // Any block reads back its own rows (and the tail), whatever block wrote them.
  for (const auto& [begin, count] : {std::pair<Eigen::Index, Eigen::Index>{0, 10}, {3, 4}, {9, 1}, {5, 0}}) {
    CHECK(back.cells("state", pattern(3, 0, begin, count, true)) == compact_of(state, pattern(3, 0, begin, count, true)));
    CHECK(back.cells("memory", pattern(2, 3, begin, count, false)) == compact_of(memory, pattern(2, 3, begin, count, false)));
  }
  CHECK_THROWS_WITH(back.cells("memory", pattern(3, 3, 0, 10, false)), Catch::Contains("this run keeps 33"));
  CHECK_THROWS_WITH(back.cells("nope", pattern(3, 0, 0, 10, true)), Catch::Contains("no cell entry"));
  flip_a_byte_of(path, state(19, 2));  // in cell 6's second row (state row 19)
  const io::Checkpoint damaged = io::Checkpoint::read(path);
  CHECK(damaged.cells("state", pattern(3, 0, 0, 6, true)) == compact_of(state, pattern(3, 0, 0, 6, true)));
  CHECK_THROWS_WITH(damaged.cells("state", pattern(3, 0, 4, 4, true)), Catch::Contains("cell 6"));
  CHECK(damaged.cells("memory", pattern(2, 3, 0, 10, false)) == compact_of(memory, pattern(2, 3, 0, 10, false)));
}
