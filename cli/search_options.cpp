#include "cli/search_options.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <sstream>

#include "cli/command_line.h"
#include "cli/mapped_network.h"
#include "mapper/search_files/search_config.h"
#include "mapper/tensor/limits.h"
#include "proto/error.h"

namespace odimo::cli {

namespace {

const char* help_of(const char* field) {
  return search::config_field(field).help;
}
CLI::Validator count_of(const char* field) {
  const auto& f = search::config_field(field);
  return count_range(int(f.min), int(f.max));
}
CLI::Validator rate_of(const char* field) {
  const auto& f = search::config_field(field);
  return finite_range(f.min, f.max);
}

}  // namespace

void add_search_options(CLI::App& app, SearchChoice& c) {
  search::SearchConfig& cfg = c.config;
  c.epochs = std::to_string(cfg.warmup_epochs) + "," + std::to_string(cfg.search_epochs) + "," +
             std::to_string(cfg.finetune_epochs);
  c.target = search::default_search_config().target();
  add_soc_option(app, c.soc);
  add_net_option(app, cfg.net);
  add_input_option(app, c.input);
  app.add_option("--dataset", cfg.dataset, help_of("dataset"));
  app.add_option("--target", c.target, help_of("target"));
  c.epochs_option =
      app.add_option("--epochs", c.epochs, "W,S,F: warmup, search and fine-tune epochs (F >= 1)");
  app.add_option("--batch", cfg.batch, help_of("batch"))->check(count_of("batch"));
  app.add_option("--steps-per-epoch", cfg.steps_per_epoch, help_of("steps_per_epoch"))
      ->check(count_of("steps_per_epoch"));
  app.add_option("--threads", cfg.threads, help_of("threads"))->check(count_of("threads"));
  app.add_option("--seed", cfg.seed, help_of("seed"));
  c.lr_option = app.add_option("--lr", cfg.lr, help_of("lr"))->check(rate_of("lr"));
  c.arch_lr_option = app.add_option("--arch-lr", cfg.arch_lr, help_of("arch_lr"))->check(rate_of("arch_lr"));
  add_model_options(app, c.model);
  app.add_flag("--compat", cfg.compat, help_of("compat"));
  add_adc_options(app, cfg.adc_aware, cfg.adc_noise, help_of("adc_aware"));
  app.add_option("--conv-branch-threshold", cfg.conv_branch_threshold, help_of("conv_branch_threshold"))
      ->check(rate_of("conv_branch_threshold"));
}

proto::SearchConfig search_config(const SearchChoice& c) {
  const search::SearchConfig& cfg = c.config;
  proto::SearchConfig p = search::default_search_config();
  p.set_soc(c.soc);
  p.set_net(cfg.net);
  if (!c.input.empty()) p.set_input(c.input);
  p.set_dataset(cfg.dataset);
  p.set_target(c.target);
  Epochs e{cfg.warmup_epochs, cfg.search_epochs, cfg.finetune_epochs};
  if (c.epochs_option && c.epochs_option->count()) e = parse_epochs(c.epochs);
  p.set_warmup_epochs(e.warmup), p.set_search_epochs(e.search), p.set_finetune_epochs(e.finetune);
  p.set_batch(cfg.batch), p.set_steps_per_epoch(cfg.steps_per_epoch), p.set_threads(cfg.threads);
  p.set_seed(cfg.seed);
  p.set_lr(cfg.lr), p.set_arch_lr(cfg.arch_lr);
  p.set_model(c.model.model);
  if (!c.model.calibration.empty()) p.set_calibration(c.model.calibration);
  p.set_compat(cfg.compat);
  p.set_adc_aware(cfg.adc_aware);
  if (cfg.adc_noise.in_lsb)  // the form the user gave: at most one of the two is set
    p.clear_adc_noise(), p.set_adc_noise_lsb(cfg.adc_noise.value);
  else
    p.set_adc_noise(cfg.adc_noise.value);
  if (!cfg.init.empty()) p.set_init(cfg.init);
  p.set_conv_branch_threshold(cfg.conv_branch_threshold);
  return p;
}

void add_adc_options(CLI::App& app, bool& adc_aware, ReadNoise& adc_noise, const std::string& aware_help) {
  app.add_flag("--adc-aware", adc_aware, aware_help);
  add_noise_option(app, "--adc-noise", adc_noise,
                   "with --adc-aware: training-time Gaussian noise on each column sum, sigma as a fraction\n"
                   "of the ADC full scale or NLSB, N ADC LSBs (as odimo deploy --aimc-noise)");
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
