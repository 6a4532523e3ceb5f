// The libtorch side of the LSTM merger, built as its own module
// (liblandda_lstm.so): an LSTM (Hochreiter & Schmidhuber 1997) with a linear
// head, trained with Adam on a masked mean-squared error and stopped early on
// a validation set of locations (as in Kratzert et al. 2019's hydrological
// LSTMs). Deterministic for a seed: torch's generator is seeded, batches are
// shuffled by our own seeded Fisher-Yates, and the thread count is fixed.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "observations/merging/lstm/lstm_backend.hpp"

namespace landda::lstm {
namespace {

struct NetImpl : torch::nn::Module {
  NetImpl(int in, int hidden, int layers)
      : lstm(register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(in, hidden).num_layers(layers).batch_first(true)))),
        head(register_module("head", torch::nn::Linear(hidden, 1))) {}
  torch::Tensor forward(const torch::Tensor& x) { return head->forward(std::get<0>(lstm->forward(x))).squeeze(-1); }
  torch::nn::LSTM lstm{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor as_tensor(const std::vector<float>& v, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
}

double masked_mse(const torch::Tensor& pred, const torch::Tensor& y, const torch::Tensor& m) {
  const double w = m.sum().item<double>();
  if (w == 0) return 0;
  return ((pred - y).square() * m).sum().item<double>() / w;
}

class TorchBackend final : public Backend {
 public:
  void train(const Data& d, const TrainOptions& o, const std::function<void(const EpochReport&)>& progress) override {
    check(d);
    if (o.train.empty() || o.validation.empty()) throw std::runtime_error("LSTM training needs training and validation locations");
    torch::set_num_threads(o.threads);
    torch::manual_seed(o.seed);
    shape_ = {d.features, o.hidden, o.layers};
    net_ = Net(d.features, o.hidden, o.layers);
    const auto X = as_tensor(d.x, {d.locations, d.steps, d.features});
    const auto Y = as_tensor(d.y, {d.locations, d.steps});
    auto M = as_tensor(d.mask, {d.locations, d.steps});

    // Training windows: every `stride` steps (and one ending at the last step), scored after the warm-up.
    const int seq = std::min(o.sequence, d.steps), warm = std::min(o.warmup, seq - 1);
    std::vector<std::pair<int, int>> windows;
    for (int loc : o.train) {
      std::vector<int> starts;
      for (int s = 0; s + seq <= d.steps; s += std::max(1, o.stride)) starts.push_back(s);
      if (starts.back() + seq < d.steps) starts.push_back(d.steps - seq);
      for (int s : starts)
        if (M[loc].narrow(0, s + warm, seq - warm).sum().item<double>() > 0) windows.emplace_back(loc, s);
    }
    if (windows.empty()) throw std::runtime_error("no training window holds a reference value");
    auto scored = torch::ones({seq});
    scored.narrow(0, 0, warm).zero_();

    const auto val_idx = torch::tensor(std::vector<int64_t>(o.validation.begin(), o.validation.end()));
    const auto Xv = X.index_select(0, val_idx), Yv = Y.index_select(0, val_idx);
    auto Mv = M.index_select(0, val_idx);
    Mv.narrow(1, 0, std::min(warm, d.steps)).zero_();

    torch::optim::Adam opt(net_->parameters(), torch::optim::AdamOptions(o.learning_rate).weight_decay(o.weight_decay));
    std::mt19937_64 rng(o.seed);
    std::vector<torch::Tensor> best;
    EpochReport r;
    r.max_epochs = o.max_epochs;
    r.best_validation_loss = std::numeric_limits<double>::infinity();
    for (int epoch = 1; epoch <= o.max_epochs; ++epoch) {
      const auto t0 = std::chrono::steady_clock::now();
      for (std::size_t i = windows.size() - 1; i > 0; --i) std::swap(windows[i], windows[rng() % (i + 1)]);
      net_->train();
      double loss_sum = 0, weight_sum = 0;
      for (std::size_t b = 0; b < windows.size(); b += static_cast<std::size_t>(o.batch)) {
        const std::size_t e = std::min(windows.size(), b + static_cast<std::size_t>(o.batch));
        std::vector<torch::Tensor> xs, ys, ms;
        for (std::size_t i = b; i < e; ++i) {
          const auto [loc, s] = windows[i];
          xs.push_back(X[loc].narrow(0, s, seq));
          ys.push_back(Y[loc].narrow(0, s, seq));
          ms.push_back(M[loc].narrow(0, s, seq) * scored);
        }
        const auto xb = torch::stack(xs), yb = torch::stack(ys), mb = torch::stack(ms);
        const auto w = mb.sum();
        const auto loss = ((net_->forward(xb) - yb).square() * mb).sum() / w;
        opt.zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(net_->parameters(), 1.0);
        opt.step();
        loss_sum += loss.item<double>() * w.item<double>();
        weight_sum += w.item<double>();
      }
      r.epoch = epoch;
      r.train_loss = loss_sum / weight_sum;
      {
        torch::NoGradGuard no_grad;
        net_->eval();
        r.validation_loss = masked_mse(net_->forward(Xv), Yv, Mv);
      }
      if (r.validation_loss < r.best_validation_loss) {
        r.best_validation_loss = r.validation_loss;
        r.best_epoch = epoch;
        best.clear();
        for (const auto& p : net_->parameters()) best.push_back(p.detach().clone());
      }
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (progress) progress(r);
      if (epoch - r.best_epoch >= o.patience) break;
    }
    torch::NoGradGuard no_grad;
    auto params = net_->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(best[i]);
  }

  std::vector<float> predict(const Data& d) override {
    check(d);
    if (!net_) throw std::runtime_error("the LSTM has been neither trained nor loaded");
    if (d.features != shape_[0])
      throw std::runtime_error("the inputs have " + std::to_string(d.features) + " features, the network " +
                               std::to_string(shape_[0]));
    torch::NoGradGuard no_grad;
    net_->eval();
    const auto out = net_->forward(as_tensor(d.x, {d.locations, d.steps, d.features})).contiguous();
    return {out.data_ptr<float>(), out.data_ptr<float>() + out.numel()};
  }

  void save(const std::string& path, const std::map<std::string, std::vector<double>>& extra) const override {
    if (!net_) throw std::runtime_error("no network to save");
    torch::serialize::OutputArchive ar;
    net_->save(ar);
    ar.write("landda_shape", torch::tensor(std::vector<int64_t>(shape_.begin(), shape_.end())));
    std::string keys;
    for (const auto& [k, v] : extra) {
      keys += k + "\n";
      ar.write("landda_extra_" + k, torch::tensor(v, torch::kFloat64));
    }
    ar.write("landda_extra_keys", torch::from_blob(keys.data(), {static_cast<int64_t>(keys.size())}, torch::kUInt8).clone());
    const std::string tmp = path + ".tmp";
    ar.save_to(tmp);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp + " to " + path);
  }

  std::map<std::string, std::vector<double>> load(const std::string& path) override {
    torch::serialize::InputArchive ar;
    ar.load_from(path);
    torch::Tensor shape, keys;
    ar.read("landda_shape", shape);
    if (shape.numel() != 3) throw std::runtime_error(path + ": not a landda LSTM (landda_shape)");
    shape_ = {static_cast<int>(shape[0].item<int64_t>()), static_cast<int>(shape[1].item<int64_t>()),
              static_cast<int>(shape[2].item<int64_t>())};
    net_ = Net(shape_[0], shape_[1], shape_[2]);
    net_->load(ar);
    ar.read("landda_extra_keys", keys);
    const std::string all(reinterpret_cast<const char*>(keys.data_ptr<uint8_t>()), static_cast<std::size_t>(keys.numel()));
    std::map<std::string, std::vector<double>> extra;
    for (std::size_t b = 0, e; (e = all.find('\n', b)) != std::string::npos; b = e + 1) {
      const std::string k = all.substr(b, e - b);
      torch::Tensor t;
      ar.read("landda_extra_" + k, t);
      t = t.contiguous();
      extra[k] = {t.data_ptr<double>(), t.data_ptr<double>() + t.numel()};
    }
    return extra;
  }

 private:
  static void check(const Data& d) {
    const auto n = static_cast<std::size_t>(d.locations) * static_cast<std::size_t>(d.steps);
    if (d.locations < 1 || d.steps < 1 || d.features < 1 || d.x.size() != n * static_cast<std::size_t>(d.features) ||
        d.y.size() != n || d.mask.size() != n)
      throw std::runtime_error("LSTM data: inconsistent sizes");
  }

  std::array<int, 3> shape_{0, 0, 0};
  Net net_{nullptr};
};

}  // namespace
}  // namespace landda::lstm

extern "C" landda::lstm::Backend* landda_lstm_create() { return new landda::lstm::TorchBackend(); }
