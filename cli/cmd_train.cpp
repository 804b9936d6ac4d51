// odimo train: trains a network from the Network IR on real or synthetic data
// with optional fake quantization (mapper/train/trainer.h).
#include <iostream>
#include <sstream>

#include "cli/command_line.h"
#include "cli/mapped_network.h"
#include "cli/registry.h"
#include "cli/search_options.h"
#include "hw/soc_description.h"
#include "mapper/tensor/limits.h"
#include "mapper/train/trainer.h"
#include "proto/error.h"
#include "proto/output_file.h"

namespace odimo::cli {
namespace {

// The command line's defaults where they differ from TrainConfig's (the ones a user
// wants: weight decay, a cosine schedule); the rest are TrainConfig's own.
struct TrainOptions {
  mapper::TrainConfig config;
  std::string input, optimizer = "sgd", schedule = "cosine", milestones, quant = "float", augment;
  double lr = 0.05, weight_decay = 5e-4, adc_noise = 0;
  bool quiet = false, adc_aware = false;
  CLI::Option* lr_option = nullptr;
};

std::vector<int> parse_milestones(const std::string& text) {
  std::vector<int> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    try {
      size_t used = 0;
      out.push_back(std::stoi(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw Error("--milestones: '" + text + "' is not a comma-separated list of epochs");
    }
  }
  return out;
}

mapper::Augment parse_augment(const std::string& text) {
  if (text == "none") return {};
  if (text == "crop-flip") return {4, true};
  throw Error("--augment: unknown augmentation '" + text + "' (none or crop-flip)");
}

// --adc-aware: the ADC of DIANA's AIMC as the shipped SoC file `diana` states it.
mapper::AdcTraining diana_adc(mapper::QuantPreset quant, double noise, uint64_t seed) {
  if (quant != mapper::QuantPreset::kDianaAimc)
    throw Error(std::string("--adc-aware: --quant ") + mapper::quant_preset_name(quant) +
                ": needs --quant diana-aimc (the AIMC's ternary layers)");
  const SocDescription soc = load_soc("diana");
  for (int u = 0; u < soc.soc.cu_size(); ++u)
    if (soc.soc.cu(u).has_aimc())
      return {soc.unit(u).integer_behaviour(FieldCheck{soc.origin}, "cu[" + std::to_string(u) + "]"), noise,
              seed};
  throw Error("--adc-aware: the SoC diana has no aimc CU");
}

mapper::TrainConfig make_config(const TrainOptions& o) {
  mapper::TrainConfig c = o.config;
  c.input = input_shape(o.input);
  c.optimizer = mapper::parse_optimizer(o.optimizer);
  c.weights.lr = o.lr_option->count() == 0 && c.optimizer == mapper::OptimizerKind::kAdam ? 1e-3 : o.lr;
  c.weights.weight_decay = o.weight_decay;
  c.schedule.kind = mapper::parse_schedule(o.schedule);
  if (!o.milestones.empty()) c.schedule.milestones = parse_milestones(o.milestones);
  if (c.schedule.kind == mapper::ScheduleKind::kMultiStep && c.schedule.milestones.empty())
    throw Error("--schedule multistep needs --milestones a,b,...");
  c.quant = mapper::parse_quant_preset(o.quant);
  if (!o.augment.empty()) c.augment = parse_augment(o.augment);
  c.progress = !o.quiet;
  if (o.adc_noise > 0 && !o.adc_aware)
    throw Error("--adc-noise: " + mapper::format_sigma(o.adc_noise) + ": needs --adc-aware");
  if (o.adc_aware) c.adc = diana_adc(c.quant, o.adc_noise, c.seed);
  if (!c.out_dir.empty()) {
    check_output_dir(c.out_dir, "--out");
    check_not_inputs({{"--out", c.out_dir + "/checkpoint.pb"}, {"--out", c.out_dir + "/report.json"}},
                     {{"--net", c.net}, {"--init", c.init}});
  }
  return c;
}

void add_data_options(CLI::App& app, TrainOptions& o) {
  add_net_option(app, o.config.net)->required();
  app.add_option("--dataset", o.config.dataset,
                 "fashion-mnist (/usr/share/datasets/fashion-mnist), fashion-mnist:DIR (its four\n"
                 "*-ubyte.gz files in DIR), cifar10:DIR or cifar100:DIR (CIFAR binary version), synthetic");
  add_input_option(app, o.input);
  app.add_option("--val-fraction", o.config.val_fraction, "part of the training set held out for validation")
      ->check(finite_range(0, 0.9));
  app.add_option(
      "--augment", o.augment,
      "none or crop-flip (random crop with 4-pixel padding + flip); default none, crop-flip for CIFAR");
}

void add_training_options(CLI::App& app, TrainOptions& o) {
  mapper::TrainConfig& c = o.config;
  app.add_option("--epochs", c.epochs, "epochs")->check(count_range(0, mapper::kMaxEpochs));
  app.add_option("--batch", c.batch, "images per step")->check(count_range(1, mapper::kMaxBatch));
  app.add_option("--optimizer", o.optimizer, "sgd or adam");
  o.lr_option = app.add_option("--lr", o.lr, "learning rate of the weights")
                    ->default_str("0.05, adam: 0.001")
                    ->check(finite_range(mapper::kMinLr, mapper::kMaxLr));
  app.add_option("--momentum", c.weights.momentum, "SGD momentum")->check(finite_range(0, 0.999));
  app.add_flag("--nesterov", c.weights.nesterov, "Nesterov momentum");
  app.add_option("--weight-decay", o.weight_decay, "L2 weight decay")->check(finite_range(0, 1));
  app.add_option("--quant-lr", c.quant_lr, "learning rate of the quantizer parameters")
      ->default_str("lr/100")
      ->check(finite_range(0, mapper::kMaxLr));
  app.add_option("--schedule", o.schedule, "constant, step, multistep or cosine (per step)");
  app.add_option("--gamma", c.schedule.gamma, "decay factor of step/multistep")->check(finite_range(1e-6, 1));
  app.add_option("--step-epochs", c.schedule.step_epochs, "period of the step schedule")
      ->check(count_range(1, mapper::kMaxEpochs));
  app.add_option("--milestones", o.milestones, "epochs of the multistep schedule, a,b,...");
  app.add_option("--steps-per-epoch", c.steps_per_epoch,
                 "cut every epoch after N steps (quick runs; 0: whole)")
      ->check(count_range(0, mapper::kMaxSteps));
  app.add_option("--seed", c.seed, "seed of initialisation, data order and augmentation");
  app.add_option("--threads", c.threads, "the batch is split over this many threads")
      ->check(count_range(1, mapper::kMaxThreads));
  app.add_option("--quant", o.quant, "float, diana-digital, diana-aimc or darkside-int8");
  add_adc_options(app, o.adc_aware, o.adc_noise,
                  "with --quant diana-aimc: model the AIMC's 6-bit ADC (row-tile column sums, power-of-two\n"
                  "gain, clip; the SoC file diana) in training (mapper/nn/adc.h)");
}

Action define_train(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  add_data_options(app, *o);
  add_training_options(app, *o);
  app.add_option("--init", o->config.init,
                 "FILE: start from these weights: DIR/checkpoint.pb of odimo train, W.pb of odimo import\n"
                 "--weights, or a .onnx with initializers (with --epochs 0: only evaluate them)");
  app.add_option("--out", o->config.out_dir, "DIR: checkpoint.pb after every epoch (atomic) and report.json");
  app.add_flag("--resume", o->config.resume,
               "continue from DIR/checkpoint.pb; reaches the same weights as an uninterrupted run");
  app.add_flag("--quiet", o->quiet, "no progress bar");
  app.footer(
      "Trains NET on the CPU with odimo's own Eigen autograd, printing a progress bar per epoch,\n"
      "validation after each epoch and the test accuracy at the end.");
  return [o] {
    const mapper::TrainConfig config = make_config(*o);
    const OutputFolderGuard folder(config.out_dir);  // no empty --out folder if training fails
    const mapper::TrainResult r = mapper::train(config, std::cerr);
    std::cout << "test_accuracy " << r.test_accuracy << "\nimages_per_second " << r.images_per_second
              << "\nepochs " << r.epochs << "\n";
    return 0;
  };
}

}  // namespace

static const Registration kTrain({"train", "train a network (float or quantized) on real data", 40,
                                  define_train});

}  // namespace odimo::cli
