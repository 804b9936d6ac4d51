#pragma once
// The training loop of `odimo train`: data, model, optimizer, schedule,
// per-epoch validation, checkpoints, resume, divergence detection and the report.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "mapper/data/data.h"
#include "mapper/nn/model.h"
#include "mapper/train/optim.h"
#include "proto/checkpoint.pb.h"

namespace odimo::mapper {

struct TrainConfig {
  std::string net = "resnet8";
  std::optional<Shape> input;  // overrides the network's input shape
  std::string dataset = "fashion-mnist";
  std::string fashion_dir = kFashionMnistDir;
  int epochs = 5;  // 0 (with init): only evaluate the initial weights
  int batch = 128;
  int steps_per_epoch = 0;  // > 0: stop each epoch after this many steps (quick runs, tests)
  OptimizerKind optimizer = OptimizerKind::kSgd;
  GroupHyper weights;    // lr, momentum, nesterov, weight decay
  double quant_lr = -1;  // quantizer-parameter lr; < 0: weights.lr / 100 (ODiMO: 1e-5 vs 1e-3)
  Schedule schedule;     // total_steps is filled in by train()
  uint64_t seed = 1;
  int threads = 2;
  Quantization quant{};  // float unless set (mapper/search/quantization.h builds a CU's)
  double val_fraction = 0.1;
  std::optional<Augment> augment;  // default: none for Fashion-MNIST/synthetic, crop 4 + flip for CIFAR
  std::string init;     // pretrained weights to start from (mapper/train/initial_weights.h); empty: random
  std::string out_dir;  // checkpoint.pb and report.json; empty: write nothing
  bool resume = false;
  bool progress = true;       // progress bar on `log`
  int stop_after_epochs = 0;  // > 0: return after this many epochs, as if killed (tests of --resume)
  // ADC-aware training (mapper/nn/adc.h): the layers whose coding is behind an ADC get
  // this CU's ADC; the checkpoint then carries each layer's `<layer>.adc_shift`.
  std::optional<AdcTraining> adc;
};

struct Evaluation {
  double loss = 0, accuracy = 0;
  int images = 0;
};

struct TrainResult {
  double test_loss = 0, test_accuracy = 0;
  double images_per_second = 0;  // training throughput over all epochs of the run
  int epochs = 0;
  int64_t steps = 0;
  std::vector<proto::EpochRecord> history;
};

// Throws odimo::Error on bad configuration, bad data, or a diverging run (NaN/Inf loss);
// in the last case the last good checkpoint in out_dir is left untouched.
TrainResult train(const TrainConfig& config, std::ostream& log);

// Mean loss and accuracy of `model` (eval mode) on `data`.
Evaluation evaluate(Model& model, const Dataset& data, const std::vector<float>& mean,
                    const std::vector<float>& stddev, int batch);

// The options that determine a run's trajectory, as one line (checkpoint fingerprint).
std::string fingerprint(const TrainConfig& config);

}  // namespace odimo::mapper
