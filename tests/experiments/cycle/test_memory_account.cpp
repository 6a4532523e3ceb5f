// The memory account a run states at start: items that follow the cycle's
// arrays, and a refusal that names the estimate and what the node has.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "experiments/cycle/obs_rows_output.hpp"
#include "experiments/cycle/memory_account.hpp"

using namespace landda;
using namespace landda::experiments;

TEST_CASE("the memory account adds up what a rank holds and refuses what cannot fit", "[experiments]") {
  MemorySizes z;
  z.state = 6e6;  // 1 M cells of 6 layers
  z.members = 32;
  z.my_members = 16;  // two ranks
  z.my_rows = 3e6;
  z.memory = 3e6;
  z.diagnostics = 5e6;
  z.observations = 1e6;
  z.grid_cells = 1e6;
  z.near_fraction = 0.5;  // a local filter on two ranks
  z.model_bytes = 2e9;
  z.fields = true;
  const MemoryAccount a(z);
  const double share = 8 * 6e6 * 16;  // this rank's members: 768 MB
  const double expected = share /* members or rows, one layout at a time */ + 16 * 6e6 /* exchange */ +
                          8 * 3e6 * 16 /* memory */ + 8 * 2 * 5e6 /* diagnostics: sum, one member */ +
                          8 * 14e6 /* nature */ + 2e9 /* model */ +
                          8 * 1e6 * (2 * 16 + 0.5 * 32 + 8) /* observations */ +
                          32 * 1e6 + 32 * 1e6 /* operators, the cell index */ + 8 * 4 * 3e6 /* row vectors */ +
                          8 * 3e6 /* output buffer */ +
                          32 * 32 * 32 /* filter */ +
                          MemoryAccount::kBaseBytes;
  CHECK(a.total() == Approx(expected));
  CHECK(a.line().find("ensemble (16 of 32 members; one layout at a time) 768 MB") == 0);
  CHECK_NOTHROW(a.check(64e9, 2));
  // Four ranks on a node with 16 GB left: 4 GB each, less than the estimate.
  CHECK_THROWS_AS(a.check(16e9, 4), ConfigError);
  CHECK_THROWS_WITH(a.check(16e9, 4), Catch::Contains("needs about ") && Catch::Contains("per rank") &&
                                           Catch::Contains("16000 MB available for its 4 rank(s), 4000 MB each"));
  z.fields = false;
  CHECK(MemoryAccount(z).total() == Approx(expected - 8 * 3e6));
  z.maps = true;  // the two sums of this rank's rows and the forecast's mean kept for the increment
  CHECK(MemoryAccount(z).total() == Approx(expected - 8 * 3e6 + 8 * 3e6 * 3));
  z.max_diagnostics = 1e6;  // one maximum per cell, the largest of every member
  CHECK(MemoryAccount(z).total() == Approx(expected - 8 * 3e6 + 8 * 3e6 * 3 + 8 * 1e6));
  z.row_files = 2;  // feedback and draws rows kept until a flush, and those received and written at it
  CHECK(MemoryAccount(z).total() ==
        Approx(expected - 8 * 3e6 + 8 * 3e6 * 3 + 8 * 1e6 + 2 * 3 * 8 * 14 * double(ObsRowsOutput::kFlushRows)));
  z.row_files = 0;
  // The cells layout: every member of half the cells (memory, diagnostics and maxima of them given
  // per rank), about half the observations held (its own and those near its rows), every member's H(X) of
  // them (its own, handed over for those near its rows: one of the two at a time), their footprints, no
  // exchange, the nature run of its own cells.
  MemorySizes c = z;
  c.cells = true, c.maps = false, c.fields = true;
  c.my_members = 32;
  c.memory = 1.5e6 + 3, c.diagnostics = 2.5e6, c.max_diagnostics = 0.5e6;
  const double cells = 8 * 3e6 * 32 /* the rank's rows of every member: the same share */ + 8 * 3e6 /* work column */ +
                       8 * (1.5e6 + 3) * 32 /* memory */ + 8 * 2 * 2.5e6 /* diagnostics */ + 8 * 0.5e6 /* maxima */ +
                       8 * (3e6 + 1.5e6 + 3 + 2.5e6) /* nature run of its cells */ + 2e9 /* model */ +
                       8 * 0.5e6 * (32 + 1.5 + 8) /* observations held */ +
                       32 * 0.5e6 + 32 * 1e6 /* operators of the held ones, the cell index */ + 8 * 4 * 3e6 /* row vectors */ +
                       8 * 3e6 /* output buffer */ + 32 * 32 * 32 /* filter */ + MemoryAccount::kBaseBytes;
  CHECK(MemoryAccount(c).total() == Approx(cells));
  CHECK(MemoryAccount(c).line().find("ensemble (every one of 32 members, this rank's cells) 768 MB") == 0);
}
