#pragma once
// The narrow interface between landda and libtorch. The torch side lives in
// its own shared module (liblandda_lstm.so, lstm_torch.cpp), loaded only when
// an LSTM is trained or applied: libtorch brings ~340 libraries and a second
// HDF5 that the main program must not carry. Only standard types cross.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace landda::lstm {

// Sequences of all locations on one time axis, row-major [location][step][feature];
// targets and their mask (1: scored) as [location][step].
struct Data {
  int locations = 0, steps = 0, features = 0;
  std::vector<float> x, y, mask;
};

struct TrainOptions {
  int hidden = 32, layers = 1;
  int sequence = 120, stride = 30, warmup = 30;  // training windows (steps); the first `warmup` are not scored
  int batch = 16, max_epochs = 200, patience = 20, threads = 1;
  double learning_rate = 3e-3, weight_decay = 0;
  std::uint64_t seed = 1;
  std::vector<int> train, validation;  // location indices
};

struct EpochReport {
  int epoch = 0, max_epochs = 0, best_epoch = 0;
  double train_loss = 0, validation_loss = 0, best_validation_loss = 0, seconds = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Trains a fresh network (seeded), stopping when the validation loss has
  // not improved for `patience` epochs, and keeps the best weights.
  virtual void train(const Data& d, const TrainOptions& o, const std::function<void(const EpochReport&)>& progress) = 0;
  // Predictions [location][step] over each location's whole sequence.
  virtual std::vector<float> predict(const Data& d) = 0;
  // The network and `extra` named vectors in one file (written to path.tmp, then renamed).
  virtual void save(const std::string& path, const std::map<std::string, std::vector<double>>& extra) const = 0;
  virtual std::map<std::string, std::vector<double>> load(const std::string& path) = 0;
};

}  // namespace landda::lstm

// The module's one entry point.
extern "C" landda::lstm::Backend* landda_lstm_create();
