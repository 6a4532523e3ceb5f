// `landda bench lstm`: epochs of LSTM training on synthetic sequences through
// the same libtorch module the merger uses, with the FLOP rate against the
// GEMM yardstick measured in the same run.
#include <boost/program_options.hpp>
#include <cmath>
#include <iostream>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/random.hpp"
#include "experiments/app/commands.hpp"
#include "experiments/app/options.hpp"
#include "observations/merging/lstm/backend_loader.hpp"

namespace po = boost::program_options;

namespace landda::app {

int bench_lstm(const Args& args) {
  po::options_description opts("options");
  int locations = 100, days = 730, features = 12, epochs = 5, threads = 1, gemm = 1024;
  lstm::TrainOptions o;
  opts.add_options()("help,h", "explain this command")("what", po::value<std::string>(), "lstm")(
      "locations", po::value(&locations), "sequences (training locations; default 100)")(
      "days", po::value(&days), "time steps per sequence (default 730)")(
      "features", po::value(&features), "inputs per step (default 12)")(
      "hidden", po::value(&o.hidden), "hidden units (default 32)")(
      "sequence", po::value(&o.sequence), "training window (default 120)")(
      "stride", po::value(&o.stride), "window stride (default 30)")("batch", po::value(&o.batch), "batch (default 16)")(
      "epochs", po::value(&epochs), "timed epochs (default 5)")("threads", po::value(&threads), "torch threads (default 1)")(
      "gemm-size", po::value(&gemm), "matrix size of the GEMM yardstick (default 1024)");
  po::positional_options_description pos;
  pos.add("what", 1);
  const po::variables_map vm = parse_command(args, opts, pos, "landda bench lstm");
  if (vm.count("help")) {
    std::cout << "usage: landda bench lstm [--locations N] [--days N] [--hidden N] [--threads N]\n\n"
                 "Trains the merger's LSTM for a few epochs on synthetic sequences (no early stop) and prints\n"
                 "JSON: seconds per epoch and the training FLOP rate as a fraction of the GEMM rate.\n\n"
              << opts;
    return 0;
  }
  if (locations < 3 || days < 2 || features < 1 || epochs < 1 || threads < 1 || o.hidden < 1 || o.batch < 1)
    throw ConfigError("landda bench lstm: locations >= 3, days >= 2 and the other sizes >= 1");
  lstm::Data d;
  d.locations = locations;
  d.steps = days;
  d.features = features;
  RandomStream r(1, "bench-lstm", 0);
  for (int l = 0; l < locations; ++l)
    for (int t = 0; t < days; ++t) {
      double target = 0;
      for (int f = 0; f < features; ++f) {
        const double x = std::sin(0.02 * t * (f + 1) + l) + 0.3 * r.normal();
        d.x.push_back(static_cast<float>(x));
        target += x / features;
      }
      d.y.push_back(static_cast<float>(target));
      d.mask.push_back(1.0f);
    }
  o.threads = threads;
  o.max_epochs = o.patience = epochs;
  for (int l = 0; l < locations; ++l) (l % 5 == 0 ? o.validation : o.train).push_back(l);
  double seconds = 0;
  int windows = 0;
  for (int s = 0; s + std::min(o.sequence, days) <= days; s += o.stride) ++windows;
  auto backend = observations::merging::make_lstm_backend();
  backend->train(d, o, [&](const lstm::EpochReport& e) { seconds += e.seconds; });
  const double per_epoch = seconds / epochs;
  // Forward: 4 gates of (F + H) x H multiply-adds per step; backward about twice that.
  const double steps = static_cast<double>(o.train.size()) * (windows + 1) * std::min(o.sequence, days);
  const double flops = 3.0 * 2.0 * 4.0 * o.hidden * (features + o.hidden) * steps;
  const double gflops = gemm_gflops(gemm);
  JsonObject j;
  j.add("benchmark", "lstm")
      .add("build", build_kind())
      .add("eigen_simd", eigen_simd())
      .add("train_locations", static_cast<int>(o.train.size()))
      .add("days", days)
      .add("features", features)
      .add("hidden", o.hidden)
      .add("sequence", o.sequence)
      .add("batch", o.batch)
      .add("threads", threads)
      .add("seconds_per_epoch", per_epoch)
      .add("training_gflops", flops / per_epoch / 1e9)
      .add("gemm_gflops_single_core", gflops)
      .add("fraction_of_gemm", flops / per_epoch / 1e9 / (gflops * threads));
  std::cout << j.str() << '\n';
  return 0;
}

}  // namespace landda::app
