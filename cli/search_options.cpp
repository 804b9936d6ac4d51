#include "cli/search_options.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <sstream>

#include "cli/command_line.h"
#include "cli/mapped_network.h"
#include "mapper/tensor/limits.h"
#include "proto/error.h"

namespace odimo::cli {

void add_search_options(CLI::App& app, SearchChoice& c) {
  search::SearchConfig& cfg = c.config;
  c.epochs = std::to_string(cfg.warmup_epochs) + "," + std::to_string(cfg.search_epochs) + "," +
             std::to_string(cfg.finetune_epochs);
  add_soc_option(app, c.soc);
  add_net_option(app, cfg.net);
  add_input_option(app, c.input);
  app.add_option("--dataset", cfg.dataset,
                 "fashion-mnist, fashion-mnist:DIR, cifar10:DIR, cifar100:DIR or synthetic");
  app.add_option("--target", c.target, "the cost searched for: latency or energy");
  c.epochs_option =
      app.add_option("--epochs", c.epochs, "W,S,F: warmup, search and fine-tune epochs (F >= 1)");
  app.add_option("--batch", cfg.batch, "images per step")->check(count_range(1, mapper::kMaxBatch));
  app.add_option("--steps-per-epoch", cfg.steps_per_epoch, "cut every epoch after N steps (0: whole epochs)")
      ->check(count_range(0, mapper::kMaxSteps));
  app.add_option("--threads", cfg.threads, "the batch is split over this many threads")
      ->check(count_range(1, mapper::kMaxThreads));
  app.add_option("--seed", cfg.seed, "seed of initialisation, data order and the search");
  c.lr_option = app.add_option("--lr", cfg.lr, "learning rate of the weights (SGD)")
                    ->check(finite_range(mapper::kMinLr, mapper::kMaxLr));
  c.arch_lr_option =
      app.add_option("--arch-lr", cfg.arch_lr, "learning rate of the architecture logits (Adam)")
          ->check(finite_range(mapper::kMinLr, mapper::kMaxLr));
  add_model_options(app, c.model);
  app.add_flag("--compat", cfg.compat, "ODiMO's quirks (temperature e^-0.045/epoch, sign(0) = 0)");
  add_adc_options(app, cfg.adc_aware, cfg.adc_noise,
                  "model the AIMC's ADC (row-tile column sums, power-of-two gain, clip) in training\n"
                  "(mapper/nn/adc.h); the gains go into the weights as <layer>.adc_shift for odimo deploy");
}

void add_adc_options(CLI::App& app, bool& adc_aware, ReadNoise& adc_noise, const std::string& aware_help) {
  app.add_flag("--adc-aware", adc_aware, aware_help);
  add_noise_option(app, "--adc-noise", adc_noise,
                   "with --adc-aware: training-time Gaussian noise on each column sum, sigma as a fraction\n"
                   "of the ADC full scale or NLSB (as odimo deploy --aimc-noise)");
}

Epochs parse_epochs(const std::string& text) {
  std::vector<int> v;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    char* end = nullptr;
    const long x = std::strtol(part.c_str(), &end, 10);
    v.push_back(part.empty() || *end || x < 0 || x > mapper::kMaxEpochs ? -1 : int(x));
  }
  if (v.size() != 3 || v[0] < 0 || v[1] < 0 || v[2] < 1)
    throw Error("--epochs '" + text + "': expected W,S,F (warmup, search, fine-tune; F >= 1)");
  return {v[0], v[1], v[2]};
}

}  // namespace odimo::cli
