// Optimizers, schedules, model construction from the IR, determinism, learning,
// checkpoint/resume and divergence handling of the trainer.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

#include "mapper/nn/model.h"
#include "mapper/ops/ops_misc.h"
#include "mapper/train/checkpoint.h"
#include "mapper/train/optim.h"
#include "mapper/train/trainer.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::mapper {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("odimo_mapper_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

TEST_CASE("SGD with momentum, Nesterov and weight decay follows PyTorch's update rule") {
  for (bool nesterov : {false, true}) {
    Parameter p("w", {1});
    p.value = {1.0f};
    GroupHyper h;
    h.lr = 0.1, h.momentum = 0.9, h.nesterov = nesterov, h.weight_decay = 0.01;
    Optimizer opt(OptimizerKind::kSgd, {&p}, {h, h, h});
    double w = 1.0, buf = 0;
    for (int step = 1; step <= 3; ++step) {
      p.grad = {0.5f};
      opt.step(1.0);
      const double g = 0.5 + 0.01 * w;
      buf = step == 1 ? g : 0.9 * buf + g;
      w -= 0.1 * (nesterov ? g + 0.9 * buf : buf);
      CHECK(p.value[0] == doctest::Approx(w).epsilon(1e-6));
    }
  }
}

TEST_CASE("Adam: bias-corrected first step moves each weight by lr, groups use their own lr") {
  Parameter a("a", {2}), q("q", {1}, ParamGroup::kQuantizer, false);
  a.value = {1.0f, -1.0f};
  q.value = {0.5f};
  GroupHyper h;
  h.lr = 0.01;
  GroupHyper hq = h;
  hq.lr = 0.001;
  Optimizer opt(OptimizerKind::kAdam, {&a, &q}, {h, hq, h});
  a.grad = {3.0f, -0.2f};
  q.grad = {1.0f};
  opt.step(1.0);
  CHECK(a.value[0] == doctest::Approx(0.99).epsilon(1e-5));
  CHECK(a.value[1] == doctest::Approx(-0.99).epsilon(1e-5));
  CHECK(q.value[0] == doctest::Approx(0.499).epsilon(1e-5));
}

TEST_CASE("learning-rate schedules") {
  Schedule s;
  CHECK(s.factor(7, 100) == 1.0);
  s.kind = ScheduleKind::kStep, s.step_epochs = 2, s.gamma = 0.5;
  CHECK(s.factor(3, 0) == doctest::Approx(0.5));
  CHECK(s.factor(4, 0) == doctest::Approx(0.25));
  s.kind = ScheduleKind::kMultiStep, s.milestones = {2, 5}, s.gamma = 0.1;
  CHECK(s.factor(1, 0) == 1.0);
  CHECK(s.factor(2, 0) == doctest::Approx(0.1));
  CHECK(s.factor(6, 0) == doctest::Approx(0.01));
  s.kind = ScheduleKind::kCosine, s.total_steps = 100;
  CHECK(s.factor(0, 0) == 1.0);
  CHECK(s.factor(0, 50) == doctest::Approx(0.5));
  CHECK(s.factor(0, 100) == doctest::Approx(0.0));
}

TEST_CASE("every shipped CIFAR/MNIST-sized workload builds into a model; ResNet-8 has 77,754 parameters") {
  Model m(load_network("resnet8"), ModelOptions{});
  int64_t n = 0;
  for (Parameter* p : m.parameters()) n += p->size();
  CHECK(n == 77754);
  CHECK(m.classes() == 10);
  for (const char* w : {"resnet20", "mobilenetv1-0.25-cifar", "tiny"})
    CHECK_NOTHROW(Model(load_network(w), {}));
}

// A quantization like a SoC's (written out: the training engine knows no SoC): weights in
// `scale` (ternary or `bits`-bit), except depthwise and grouped layers under a ternary scale,
// which stay int8 power-of-two (as DIANA's AIMC cannot run them).
Quantization coding(const std::string& name, WeightCoding::Scale scale, int bits, int activation_bits,
                    bool pow2) {
  Quantization q;
  q.name = name;
  if (scale == WeightCoding::Scale::kFloat) return q;
  q.weights = [scale, bits](const Layer& l) {
    const bool ternary = scale == WeightCoding::Scale::kTernaryPerChannel;
    if (ternary && (l.op == Op::kDepthwise || l.groups > 1))
      return WeightCoding{WeightCoding::Scale::kPowerOfTwoPerLayer, 8, false};
    return WeightCoding{scale, ternary ? 2 : bits, false};
  };
  q.activations = PactConfig{activation_bits, pow2, 6.0f};
  return q;
}
const Quantization kDianaDigital =
    coding("diana-digital", WeightCoding::Scale::kPowerOfTwoPerLayer, 8, 7, true);
const Quantization kDianaAimc = coding("diana-aimc", WeightCoding::Scale::kTernaryPerChannel, 2, 7, true);
const Quantization kDarksideInt8 = coding("darkside-int8", WeightCoding::Scale::kPerChannel, 8, 8, false);
const Quantization kInt4 = coding("int4", WeightCoding::Scale::kPowerOfTwoPerLayer, 4, 8, true);

TEST_CASE("quantizations insert PACT nodes and weight quantizers") {
  Model m(load_network("tiny"), ModelOptions{kDianaAimc, 1, 1});
  CHECK(m.find_parameter("conv2.wq.log_scale") != nullptr);  // ternary on an ungrouped conv
  CHECK(m.find_parameter("dw.wq.scale") != nullptr);         // depthwise stays int8 digital
  CHECK(m.find_parameter("conv1_relu.aq.clip") != nullptr);  // 7-bit PACT before conv2
  CHECK(m.find_parameter("conv1.wq.log_scale") != nullptr);
  CHECK(m.find_node("input.aq") == nullptr);  // the network input is not quantized
}

// Trains `steps` steps of the tiny net on a fixed synthetic batch; returns the losses.
std::vector<double> train_tiny(Model& m, int steps, int n = 32) {
  const Dataset d = make_synthetic({1, 8, 8}, 4, n, 3);
  std::vector<float> x(d.pixels.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = d.pixels[i] / 255.0f - 0.5f;
  std::vector<int> y(d.labels.begin(), d.labels.end());
  GroupHyper h;
  h.lr = 0.05;
  Optimizer opt(OptimizerKind::kSgd, m.parameters(), {h, h, h});
  Tape tape;
  std::vector<double> losses;
  for (int s = 0; s < steps; ++s) {
    const Activation& logits = m.forward(x.data(), n, true, &tape);
    losses.push_back(softmax_cross_entropy(n, 4, logits.value.data(), y.data(), m.logits_grad(), nullptr));
    m.zero_grad();
    m.backward(tape);
    opt.step(1.0);
  }
  return losses;
}

TEST_CASE("same seed and thread count give bit-identical weights") {
  for (const Quantization& q : {Quantization{}, kDianaDigital}) {
    Model a(load_network("tiny"), ModelOptions{q, 42, 2}), b(load_network("tiny"), ModelOptions{q, 42, 2});
    train_tiny(a, 5, 64);
    train_tiny(b, 5, 64);
    const auto pa = a.parameters(), pb = b.parameters();
    for (size_t i = 0; i < pa.size(); ++i) CHECK_MESSAGE(pa[i]->value == pb[i]->value, pa[i]->name);
    Model c(load_network("tiny"), ModelOptions{q, 43, 2});
    CHECK(c.parameters()[0]->value != pa[0]->value);  // another seed, other weights
  }
}

TEST_CASE("a short synthetic run learns: loss falls below 40% of its start for every coding") {
  for (const Quantization& q : {Quantization{}, kDianaDigital, kDianaAimc, kDarksideInt8, kInt4}) {
    Model m(load_network("tiny"), ModelOptions{q, 1, 2});
    const auto losses = train_tiny(m, 40);
    INFO(q.name << ": " << losses.front() << " -> " << losses.back());
    CHECK(losses.back() < 0.4 * losses.front());
  }
}

TrainConfig tiny_config(const fs::path& out) {
  TrainConfig c;
  c.net = "tiny";
  c.dataset = "synthetic";
  c.epochs = 3;
  c.batch = 32;
  c.steps_per_epoch = 6;
  c.threads = 2;
  c.weights.lr = 0.05;
  c.out_dir = out.string();
  c.progress = false;
  return c;
}

std::vector<float> checkpoint_values(const fs::path& dir) {
  const proto::Checkpoint c = load_checkpoint((dir / "checkpoint.pb").string());
  std::vector<float> v;
  for (const auto& t : c.parameters()) v.insert(v.end(), t.values().begin(), t.values().end());
  for (const auto& t : c.buffers()) v.insert(v.end(), t.values().begin(), t.values().end());
  return v;
}

TEST_CASE("a run killed after epoch 1 and resumed reaches the weights of an uninterrupted run") {
  const fs::path whole = fresh_dir("whole"), killed = fresh_dir("killed");
  std::ostringstream log;
  const TrainResult full = train(tiny_config(whole), log);
  CHECK(full.epochs == 3);
  TrainConfig c = tiny_config(killed);
  c.stop_after_epochs = 1;
  train(c, log);
  CHECK(load_checkpoint((killed / "checkpoint.pb").string()).epochs_done() == 1);
  c.stop_after_epochs = 0;
  c.resume = true;
  const TrainResult resumed = train(c, log);
  CHECK(checkpoint_values(whole) == checkpoint_values(killed));
  CHECK(resumed.test_accuracy == full.test_accuracy);
  CHECK(fs::exists(killed / "report.json"));
  // A checkpoint of other options is refused, in one line naming the option.
  c.weights.lr = 0.01;
  CHECK_THROWS_WITH_AS(train(c, log), doctest::Contains("other options: lr=0.05"), Error);
  CHECK_THROWS_WITH_AS(train(c, log), doctest::Contains(" in the checkpoint, lr=0.01 now (resume with"),
                       Error);
  // A damaged checkpoint (its epoch count disagrees with its records, or exceeds the run's) is
  // refused as a whole before anything resumes from it.
  c.weights.lr = tiny_config(killed).weights.lr;
  const std::string path = (killed / "checkpoint.pb").string();
  proto::Checkpoint ckpt = load_checkpoint(path);
  ckpt.set_epochs_done(2);
  save_checkpoint(path, ckpt);
  const std::string records = path +
                              ": 3 epoch records for epochs_done 2 (a damaged checkpoint: remove it to start "
                              "afresh)";
  CHECK_THROWS_WITH_AS(train(c, log), records.c_str(), Error);
  ckpt.set_epochs_done(7);
  save_checkpoint(path, ckpt);
  CHECK_THROWS_WITH_AS(train(c, log), doctest::Contains("field 'epochs_done': 7: expected 0 to 3"), Error);
  fs::remove_all(whole);
  fs::remove_all(killed);
}

TEST_CASE("a diverging run stops with a clear error and keeps the last good checkpoint") {
  const fs::path dir = fresh_dir("diverge");
  std::ostringstream log;
  TrainConfig c = tiny_config(dir);
  c.weights.lr = 1e12;
  CHECK_THROWS_WITH_AS(train(c, log), doctest::Contains("training diverged"), Error);
  CHECK_FALSE(fs::exists(dir / "checkpoint.pb"));  // nothing good to keep: nothing written
  // A run that diverges after a checkpoint leaves that checkpoint untouched. Divergence is
  // provoked by resuming from a checkpoint whose weights were blown up on disk.
  c = tiny_config(dir);
  c.stop_after_epochs = 1;
  train(c, log);
  const std::string path = (dir / "checkpoint.pb").string();
  proto::Checkpoint ck = load_checkpoint(path);
  for (auto& t : *ck.mutable_parameters())
    for (auto& v : *t.mutable_values()) v *= 1e30f;
  save_checkpoint(path, ck);
  const std::string before = read_file(path);
  c.stop_after_epochs = 0;
  c.resume = true;
  CHECK_THROWS_WITH_AS(train(c, log), doctest::Contains("the last good checkpoint is kept in"), Error);
  CHECK(read_file(path) == before);
  fs::remove_all(dir);
}

TEST_CASE("CIFAR-10 end to end: ResNet-20 on a tiny fake CIFAR folder, 3 channels, crop and flip") {
  const fs::path dir = fresh_dir("cifar");
  std::mt19937_64 rng(2);
  for (const char* f : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                        "data_batch_5.bin", "test_batch.bin"}) {
    std::ofstream out(dir / f, std::ios::binary);
    for (int r = 0; r < 2; ++r) {
      std::vector<char> rec(1 + 3072);
      for (char& b : rec) b = char(rng() & 0xff);
      rec[0] = char(r * 7);  // labels 0 and 7
      out.write(rec.data(), rec.size());
    }
  }
  TrainConfig c;
  c.net = "resnet20";
  c.dataset = "cifar10:" + dir.string();
  c.epochs = 1;
  c.batch = 4;
  c.val_fraction = 0.2;
  c.progress = false;
  std::ostringstream log;
  const TrainResult r = train(c, log);
  CHECK(r.steps == 2);  // 8 training images after the 2-image validation split
  CHECK(r.history.size() == 1);
  CHECK(std::isfinite(r.test_loss));
  fs::remove_all(dir);
}

TEST_CASE("bad training options are errors") {
  std::ostringstream log;
  TrainConfig c = tiny_config("");
  c.epochs = 0;
  CHECK_THROWS_AS(train(c, log), Error);
  c = tiny_config("");
  c.resume = true;
  CHECK_THROWS_WITH_AS(train(c, log), doctest::Contains("--resume needs --out"), Error);
  c = tiny_config("");
  c.dataset = "fashion-mnist";
  c.fashion_dir = "/nonexistent";
  CHECK_THROWS_WITH_AS(train(c, log), doctest::Contains("no such file"), Error);
}

}  // namespace
}  // namespace odimo::mapper
