// The run state's checkpoint: what a restart refuses.
#include <catch2/catch.hpp>
#include <filesystem>

#include "core/error.hpp"
#include "experiments/cycle/learned_errors.hpp"
#include "experiments/cycle/run_state.hpp"
#include "parallel/distribution.hpp"
#include "parallel/comm.hpp"

using namespace landda;
using namespace landda::experiments;
namespace fs = std::filesystem;

TEST_CASE("A restart refuses a shared field of another shape, naming it", "[experiments]") {
  const auto comm = parallel::Comm::self();
  const parallel::Distribution dist(comm, 4, 2);
  const std::string path = (fs::temp_directory_path() / "landda_test_run_state.h5").string();
  const Checkpointer cp(path, "config", dist, comm);
  RunState older;  // learned errors of three locations with one row fewer, as an older landda kept them
  older.X = Eigen::MatrixXd::Zero(4, 2);
  older.memory = Eigen::MatrixXd::Zero(0, 2);
  older.balance_max = Eigen::MatrixXd::Zero(0, 2);
  older.model_rng = {RandomStream(1, "model", 0), RandomStream(1, "model", 1)};
  older.learned_errors = Eigen::MatrixXd::Constant(ErrorLearner::kRows - 1, 3, 0.5);
  cp.write(older);
  RunState now = older;
  now.learned_errors = Eigen::MatrixXd::Zero(ErrorLearner::kRows, 3);
  CHECK_THROWS_AS(cp.read(now), InputError);
  CHECK_THROWS_WITH(cp.read(now), Catch::Contains("'learned_errors' is 9 x 3; this run keeps 10 x 3"));
  now.learned_errors = Eigen::MatrixXd::Zero(ErrorLearner::kRows - 1, 3);  // the same shape reads back
  CHECK_NOTHROW(cp.read(now));
  CHECK(now.learned_errors(0, 0) == 0.5);
  fs::remove(path);
}
