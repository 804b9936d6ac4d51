// odimo train: trains a network from the Network IR on real or synthetic data
// with optional fake quantization (mapper/train/trainer.h).
#include <iostream>
#include <sstream>
#include <utility>

#include "cli/command_line.h"
#include "cli/mapped_network.h"
#include "cli/registry.h"
#include "cli/search_options.h"
#include "hw/soc_description.h"
#include "mapper/search/quantization.h"
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
  double lr = 0.05, weight_decay = 5e-4;
  ReadNoise adc_noise;
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

// The shorthands of --quant: SOC:CU for the shipped SoCs' CUs.
constexpr std::pair<const char*, const char*> kQuantShorthands[] = {
    {"diana-digital", "diana:digital"}, {"diana-aimc", "diana:aimc"}, {"darkside-int8", "darkside:cluster"}};

// --quant: float, SOC:CU (every weighted layer in CU's number format where CU runs it, else in
// the SoC's default CU's; activations as every CU of the SoC reads them) or a shorthand.
// --adc-aware: the ADC of that CU.
void set_quantization(const std::string& text, bool adc_aware, const ReadNoise& noise,
                      mapper::TrainConfig& c) {
  if (text == "float") {
    if (adc_aware) throw Error("--adc-aware: --quant float: needs --quant SOC:CU with a CU that has an ADC");
    return;
  }
  std::string soc_cu = text;
  for (const auto& [shorthand, full] : kQuantShorthands)
    if (text == shorthand) soc_cu = full;
  const size_t colon = soc_cu.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == soc_cu.size())
    throw Error("--quant: unknown preset '" + text +
                "' (float, SOC:CU with SOC a .pbtxt path or a shipped SoC, or a shorthand: diana-digital, "
                "diana-aimc, darkside-int8)");
  const SocDescription soc = load_soc(soc_cu.substr(0, colon));
  const std::string cu_name = soc_cu.substr(colon + 1);
  const int cu = soc.cu_index(cu_name);
  if (cu < 0)
    throw Error("--quant: " + text + ": SoC " + soc.name() + " has no CU '" + cu_name +
                "' (CUs: " + soc.cu_names() + ")");
  c.quant = search::quantization_on(soc, cu, text);
  if (!adc_aware) return;
  if (!soc.unit(cu).number_format().adc)
    throw Error("--adc-aware: --quant " + text + ": CU '" + cu_name + "' of " + soc.name() +
                " has no ADC (e.g. --quant diana-aimc)");
  c.adc = mapper::AdcTraining{
      soc.unit(cu).integer_behaviour(FieldCheck{soc.origin}, "cu[" + std::to_string(cu) + "]"), noise, c.seed,
      !noise.none()};  // with noise: the non-ideal chip, column mismatch included (mapper/nn/adc.h)
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
  if (!o.augment.empty()) c.augment = parse_augment(o.augment);
  c.progress = !o.quiet;
  if (!o.adc_noise.none() && !o.adc_aware)
    throw Error("--adc-noise: " + o.adc_noise.text() + ": needs --adc-aware");
  set_quantization(o.quant, o.adc_aware, o.adc_noise, c);
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
  app.add_option(
      "--quant", o.quant,
      "float, or SOC:CU: the weights in the number format of CU of SOC (layers it cannot run: the\n"
      "SoC's default CU's), activations as the SoC's CUs read them; shorthands diana-digital\n"
      "(diana:digital), diana-aimc (diana:aimc), darkside-int8 (darkside:cluster)");
  add_adc_options(
      app, o.adc_aware, o.adc_noise,
      "with --quant SOC:CU and a CU with an ADC (diana-aimc): model its ADC (row-tile column sums,\n"
      "power-of-two gain, clip) in training (mapper/nn/adc.h)");
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
