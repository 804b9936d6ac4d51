// odimo train: trains a network from the Network IR on real or synthetic data
// with optional fake quantization (mapper/trainer.h).
#include <iostream>
#include <sstream>

#include "cli/args.h"
#include "cli/registry.h"
#include "mapper/trainer.h"
#include "proto/error.h"

namespace odimo::cli {
namespace {

constexpr const char* kUsage =
    "odimo train --net NET [--dataset fashion-mnist|cifar10:DIR|cifar100:DIR|synthetic] [--epochs N] ...";

constexpr const char* kHelp = R"(
Trains NET (a .pbtxt path or a shipped workload, see 'odimo workloads') on the CPU with
odimo's own Eigen autograd, printing a progress bar per epoch, validation after each
epoch and the test accuracy at the end.

data
  --dataset SPEC        fashion-mnist (default, /usr/share/datasets/fashion-mnist),
                        cifar10:DIR or cifar100:DIR (CIFAR binary version), synthetic
  --input CxHxW         override the network's input shape (must match the data)
  --val-fraction F      part of the training set held out for validation (0.1)
  --augment A           none | crop-flip (random crop with 4-pixel padding + flip);
                        default none, crop-flip for CIFAR
training
  --epochs N            (5)           --batch N     (128)
  --optimizer sgd|adam  (sgd)         --lr X        (0.05)
  --momentum X          (0.9)         --nesterov    Nesterov momentum
  --weight-decay X      (5e-4)        --quant-lr X  quantizer parameters (lr/100)
  --schedule constant|step|multistep|cosine (cosine, per step)
  --gamma X             decay factor of step/multistep (0.1)
  --step-epochs N       period of the step schedule (30)
  --milestones a,b,..   epochs of the multistep schedule
  --steps-per-epoch N   cut every epoch after N steps (quick runs)
  --seed N              (1)           --threads N   (2) batch split over threads
  --quant P             float | diana-digital | diana-aimc | darkside-int8 (float)
output
  --out DIR             checkpoint.pb after every epoch (atomic) and report.json
  --resume              continue from DIR/checkpoint.pb; reaches the same weights as
                        an uninterrupted run with the same options
  --quiet               no progress bar
)";

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

mapper::TrainConfig parse_config(const Args& a) {
  mapper::TrainConfig c;
  c.net = a.require("net");
  if (auto s = a.get("input")) c.input = parse_shape(*s, "--input");
  c.dataset = a.get("dataset").value_or("fashion-mnist");
  c.epochs = a.get_int("epochs", 5);
  c.batch = a.get_int("batch", 128);
  c.steps_per_epoch = a.get_int("steps-per-epoch", 0);
  c.optimizer = mapper::parse_optimizer(a.get("optimizer").value_or("sgd"));
  c.weights.lr = a.get_double("lr", c.optimizer == mapper::OptimizerKind::kAdam ? 1e-3 : 0.05);
  c.weights.momentum = a.get_double("momentum", 0.9);
  c.weights.nesterov = a.flag("nesterov");
  c.weights.weight_decay = a.get_double("weight-decay", 5e-4);
  c.quant_lr = a.get_double("quant-lr", -1);
  c.schedule.kind = mapper::parse_schedule(a.get("schedule").value_or("cosine"));
  c.schedule.gamma = a.get_double("gamma", 0.1);
  c.schedule.step_epochs = a.get_int("step-epochs", 30);
  if (auto m = a.get("milestones")) c.schedule.milestones = parse_milestones(*m);
  if (c.schedule.kind == mapper::ScheduleKind::kMultiStep && c.schedule.milestones.empty())
    throw Error("--schedule multistep needs --milestones a,b,...");
  c.seed = uint64_t(a.get_int("seed", 1));
  c.threads = a.get_int("threads", 2);
  c.quant = mapper::parse_quant_preset(a.get("quant").value_or("float"));
  c.val_fraction = a.get_double("val-fraction", 0.1);
  if (auto s = a.get("augment")) c.augment = parse_augment(*s);
  c.out_dir = a.get("out").value_or("");
  c.resume = a.flag("resume");
  c.progress = !a.flag("quiet");
  return c;
}

}  // namespace

static int run_train(int argc, char** argv) {
  Args args("train", argc, argv, {"net",       "dataset", "input",       "epochs",       "batch",
                                  "optimizer", "lr",      "momentum",    "weight-decay", "quant-lr",
                                  "schedule",  "gamma",   "step-epochs", "milestones",   "steps-per-epoch",
                                  "seed",      "threads", "quant",       "val-fraction", "augment",
                                  "out"},
            {"nesterov", "resume", "quiet", "help"});
  if (args.flag("help")) {
    std::cout << "usage: " << kUsage << "\n" << kHelp;
    return 0;
  }
  args.expect_positional(0, 0, kUsage);
  const mapper::TrainResult r = mapper::train(parse_config(args), std::cerr);
  std::cout << "test_accuracy " << r.test_accuracy << "\nimages_per_second " << r.images_per_second
            << "\nepochs " << r.epochs << "\n";
  return 0;
}

static const Registration kTrain({"train", run_train, "train a network (float or quantized) on real data",
                                  40});

}  // namespace odimo::cli
