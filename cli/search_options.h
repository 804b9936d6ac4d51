#pragma once
// The options of one ODiMO search point, shared by `odimo search` and the one-line
// `odimo sweep` (which passes them on to every point): declared once, with the defaults, ranges
// and help of proto::SearchConfig (mapper/search_files/search_config.h), which they fill.
#include <string>
#include <vector>

#include "cli/model_option.h"
#include "mapper/search/search_run.h"
#include "proto/search.pb.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace odimo::cli {

struct SearchChoice {
  search::SearchConfig config;  // net, dataset, batch, steps per epoch, threads, seed, lr, arch lr, compat
  std::string soc, input, target, epochs;
  ModelChoice model;
  CLI::Option* lr_option = nullptr;  // given on the command line?
  CLI::Option* arch_lr_option = nullptr;
  CLI::Option* epochs_option = nullptr;
};

void add_search_options(CLI::App& app, SearchChoice& choice);
// The configuration the options describe (without lambda, baseline, label and refine, which are
// `odimo search`'s own), on top of the defaults.
proto::SearchConfig search_config(const SearchChoice& choice);

// Where and how `odimo search` runs a configuration; not part of its result.
struct SearchPlace {
  std::string out;  // DIR: mapping.pbtxt, weights.pb, report.json
  bool resume = false, quiet = false, replay = true;
};
// One search (or baseline) of a checked configuration into place.out, then its replay
// (cli/cmd_search.cpp); `odimo search` and the points of a sweep run through it.
int run_search_config(const proto::SearchConfig& config, const SearchPlace& place);
// --adc-aware (its help: `aware_help`) and --adc-noise, shared by search and train.
void add_adc_options(CLI::App& app, bool& adc_aware, ReadNoise& adc_noise, const std::string& aware_help);

struct Epochs {
  int warmup, search, finetune;
};
// "W,S,F" (warmup, search, fine-tune; F >= 1); Error naming --epochs otherwise.
Epochs parse_epochs(const std::string& text);

}  // namespace odimo::cli
