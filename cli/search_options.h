#pragma once
// The options of one ODiMO search point, shared by `odimo search` and the one-line
// `odimo sweep` (which passes them on to every point): declared once, with
// search::SearchConfig's defaults.
#include <string>
#include <vector>

#include "cli/model_option.h"
#include "mapper/search/search_run.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace odimo::cli {

struct SearchChoice {
  search::SearchConfig config;  // net, dataset, batch, steps per epoch, threads, seed, lr, arch lr, compat
  std::string soc, input, target = "latency", epochs;
  ModelChoice model;
  CLI::Option* lr_option = nullptr;  // given on the command line?
  CLI::Option* arch_lr_option = nullptr;
  CLI::Option* epochs_option = nullptr;
};

void add_search_options(CLI::App& app, SearchChoice& choice);
// --adc-aware (its help: `aware_help`) and --adc-noise, shared by search and train.
void add_adc_options(CLI::App& app, bool& adc_aware, ReadNoise& adc_noise, const std::string& aware_help);

struct Epochs {
  int warmup, search, finetune;
};
// "W,S,F" (warmup, search, fine-tune; F >= 1); Error naming --epochs otherwise.
Epochs parse_epochs(const std::string& text);

}  // namespace odimo::cli
