// odimo search: one ODiMO search (or baseline) and its replay in the simulator.
// odimo replay DIR: simulate an exported mapping and add it to the report.
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/command_line.h"
#include "cli/mapped_network.h"
#include "cli/model_option.h"
#include "cli/registry.h"
#include "cli/replay.h"
#include "cli/search_options.h"
#include "cli/table.h"
#include "mapper/deploy/sensitivity.h"
#include "mapper/search/search_run.h"
#include "mapper/search_files/search_config.h"
#include "mapper/search_files/search_report.h"
#include "proto/error.h"
#include "proto/output_file.h"
#include "proto/proto_io.h"
#include "proto/sweep.pb.h"

namespace odimo::cli {
namespace {

struct SearchOptions {
  SearchChoice choice;
  std::string out, baseline, label, config_file;
  double lambda = -1;  // required unless --baseline
  bool no_replay = false, quiet = false, resume = false, no_refine = false;
  // --baseline sensitivity: its options (set into the configuration only when given)
  std::vector<CLI::Option*> sensitivity_options;
  double threshold = 0;
  ReadNoise aimc_noise;
  int chips = 0, images = 0;
};

// The assignment of a baseline, per searchable layer.
std::vector<std::vector<int>> baseline_assignment(const std::string& spec, const Network& net,
                                                  const SocDescription& soc, const cost::CostModel& model,
                                                  search::Target target) {
  const auto space = search::search_space(net, soc);
  if (spec.rfind("all:", 0) == 0) return search::all_on(space, soc, spec.substr(4));
  if (spec == "policy") return search::policy_assignment(space, net, soc);
  if (spec == "greedy")
    return search::best_split_per_layer(search::NetworkCost(net, soc, model, space, target), 1);
  if (search::is_sensitivity_baseline(spec))
    throw std::logic_error("the sensitivity baseline decides its assignment (mapper/deploy/sensitivity.h)");
  if (spec == "minlat") {
    // ODiMO's manual min-latency heuristic: the original formulas, latency, 16-channel steps.
    const auto compat = cost::make_compat_model(soc);
    return search::best_split_per_layer(
        search::NetworkCost(net, soc, *compat, space, search::Target::kLatency), 16);
  }
  throw Error("--baseline '" + spec +
              "': expected all:CU, policy, greedy, minlat or sensitivity[:macs|:measured]");
}

// --config FILE: a sweep point file (its config, planned in full) or a bare configuration.
proto::SearchConfig file_config(const std::string& file) {
  proto::SweepPoint point;
  try {
    read_text_proto(file, &point);
  } catch (const Error&) {
    point.clear_config();  // not a point file: read as a bare configuration, its errors reported
  }
  if (!point.has_config()) return search::read_search_config(file);
  return search::complete_search_config(point.config(), file + ": config");
}

// --sensitivity-threshold, --aimc-noise, --chips, --sensitivity-images: into the
// configuration when given, and only with the sensitivity baseline.
void add_sensitivity_options(const SearchOptions& o, proto::SearchConfig& p) {
  for (const CLI::Option* opt : o.sensitivity_options)
    if (opt->count() && !search::is_sensitivity_baseline(o.baseline))
      throw Error(opt->get_name() + ": only with --baseline sensitivity[:macs|:measured]");
  if (o.sensitivity_options[0]->count()) p.set_sensitivity_threshold(o.threshold);
  if (o.sensitivity_options[1]->count()) {
    if (o.aimc_noise.in_lsb)
      p.set_aimc_noise_lsb(o.aimc_noise.value);
    else
      p.set_aimc_noise(o.aimc_noise.value);
  }
  if (o.sensitivity_options[2]->count()) p.set_chips(o.chips);
  if (o.sensitivity_options[3]->count()) p.set_sensitivity_images(o.images);
}

// The configuration the command line describes: --config FILE, or the options.
proto::SearchConfig options_config(const SearchOptions& o) {
  if (!o.config_file.empty()) return file_config(o.config_file);
  for (const auto& [option, value] : {std::pair{"--soc", o.choice.soc}, {"--net", o.choice.config.net}})
    if (value.empty()) throw Error(std::string("missing required option ") + option + " (or --config FILE)");
  proto::SearchConfig p = search_config(o.choice);
  if (!o.baseline.empty()) {
    if (o.lambda >= 0) throw Error("--baseline and --lambda exclude each other");
    p.set_baseline(o.baseline);
  } else {
    if (!(o.lambda >= 0)) throw Error("--lambda L >= 0 is required (or --baseline)");
    p.set_lambda(o.lambda);
  }
  if (!o.label.empty()) p.set_label(o.label);
  p.set_refine(!o.no_refine);
  add_sensitivity_options(o, p);
  input_shape(o.choice.input);  // checked here, named as the option
  return p;  // the options' own checks name the options (a file's: search::check_search_config)
}

// The engine's configuration of one run; checks (not creates) the output folder.
search::SearchConfig run_config(const proto::SearchConfig& p, const SearchPlace& place) {
  search::SearchConfig cfg = search::engine_config(p);
  cfg.out_dir = place.out;
  cfg.resume = place.resume;
  cfg.progress = !place.quiet;
  check_output_dir(cfg.out_dir, "--out");  // before training; search_run creates it
  std::vector<OutputFile> outputs;
  for (const char* f :
       {"report.json", "mapping.pbtxt", "weights.pb", "simulation.json", "search-checkpoint.pb"})
    outputs.push_back({"--out", cfg.out_dir + "/" + f});
  check_not_inputs(
      outputs,
      {{"--soc", p.soc()}, {"--net", cfg.net}, {"--init", cfg.init}, {"--calibration", p.calibration()}});
  return cfg;
}

}  // namespace

int run_search_config(const proto::SearchConfig& p, const SearchPlace& place) {
  const SocDescription soc = load_soc(p.soc());
  search::SearchConfig cfg = run_config(p, place);
  const OutputFolderGuard folder(cfg.out_dir);  // no empty --out folder if the search fails
  const auto model = make_model({p.model(), p.calibration()}, soc);
  const auto compat = cost::make_compat_model(soc);
  const bool sensitivity = search::is_sensitivity_baseline(p.baseline());
  if (!p.baseline().empty() && !sensitivity) {
    const Network net = load_network(cfg.net, cfg.input);
    cfg.fixed = baseline_assignment(p.baseline(), net, soc, *model, cfg.target);
  }
  std::cout << "odimo search " << cfg.label << ": " << cfg.net << " on " << soc.name() << ", " << cfg.dataset
            << ", target " << search::target_name(cfg.target) << ", cost model " << model->name() << "\n";
  const auto write = [&](const std::string& dir, proto::SearchReport& rep) {
    rep.set_tool_version(ODIMO_VERSION);
    rep.set_network_file(cfg.net);
    rep.set_soc_file(p.soc());
    search::write_search_report(dir, rep);
  };
  proto::SearchReport rep = sensitivity
                                ? deploy::run_sensitivity_baseline(cfg, search::sensitivity_options(p), soc,
                                                                   *model, *compat, write, std::cout)
                                : search::run_search(cfg, soc, *model, *compat, std::cout);
  write(cfg.out_dir, rep);
  std::cout << "test accuracy " << fixed(100 * rep.test_accuracy(), 2) << " %, analytic "
            << grouped(rep.analytic().cycles()) << " cycles, " << fixed(rep.analytic().energy_uj(), 2)
            << " uJ; wrote " << cfg.out_dir << "/report.json\n";
  if (place.replay) replay_point(cfg.out_dir);
  return 0;
}

namespace {

// The sensitivity baseline's options, their help and ranges from the configuration's table.
void add_sensitivity_flags(CLI::App& app, SearchOptions& o) {
  const auto& threshold = search::config_field("sensitivity_threshold");
  const auto& chips = search::config_field("chips");
  const auto& images = search::config_field("sensitivity_images");
  o.sensitivity_options = {
      app.add_option("--sensitivity-threshold", o.threshold, threshold.help)
          ->default_str(threshold.fallback)
          ->check(finite_range(threshold.min, threshold.max)),
      add_noise_option(app, "--aimc-noise", o.aimc_noise,
                       "sensitivity baseline: read noise of the decisions' deployments, sigma as a fraction\n"
                       "of the ADC full scale or NLSB (as odimo deploy --aimc-noise)"),
      app.add_option("--chips", o.chips, chips.help)
          ->default_str(chips.fallback)
          ->check(count_range(int(chips.min), int(chips.max))),
      app.add_option("--sensitivity-images", o.images, images.help)
          ->default_str(images.fallback)
          ->check(count_range(int(images.min), int(images.max)))};
}

// --config FILE holds the whole configuration: no option may also set part of it.
void check_config_alone(const CLI::App& app, const SearchOptions& o) {
  if (o.config_file.empty()) return;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->count() == 0 || opt->check_name("--out") || opt->check_name("--config") ||
        opt->check_name("--resume") || opt->check_name("--no-replay") || opt->check_name("--quiet"))
      continue;
    throw Error("--config: " + o.config_file + " holds the whole configuration; " + opt->get_name() +
                " would change part of it (edit the file instead)");
  }
}

int run_search(const CLI::App& app, const SearchOptions& o) {
  check_config_alone(app, o);
  return run_search_config(options_config(o), {o.out, o.resume, o.quiet, !o.no_replay});
}

Action define_search(CLI::App& app) {
  auto o = std::make_shared<SearchOptions>();
  add_search_options(app, o->choice);

  const search::ConfigField& lambda = search::config_field("lambda");
  app.add_option("--lambda", o->lambda, lambda.help)
      ->default_str("")
      ->check(finite_range(lambda.min, lambda.max));
  app.add_option("-o,--out", o->out,
                 "DIR: mapping.pbtxt, weights.pb, report.json; search-checkpoint.pb after every epoch")
      ->required();
  app.add_option("--baseline", o->baseline, search::config_field("baseline").help);
  add_sensitivity_flags(app, *o);
  app.add_option("--init", o->choice.config.init, search::config_field("init").help);
  app.add_option("--label", o->label, search::config_field("label").help);
  app.add_flag("--resume", o->resume,
               "continue from DIR/search-checkpoint.pb (written after every epoch); reaches the bytes\n"
               "of an uninterrupted run");
  app.add_flag("--no-refine", o->no_refine,
               "skip the split refinement after the search (odimo's addition, mapper/search/README.md):\n"
               "fine-tune the argmax mapping as the paper does");
  app.add_option("--config", o->config_file,
                 "FILE: the whole configuration instead of the options above: a sweep point file\n"
                 "(PLAN/point-NNN.pbtxt) or a SearchConfig in text format (proto/search.proto; a field\n"
                 "left out takes its default)")
      ->check(CLI::ExistingFile);
  app.add_flag("--no-replay", o->no_replay, "do not simulate the exported mapping");
  app.add_flag("--quiet", o->quiet, "no progress bar");
  app.footer(
      "Trains NET on the dataset while learning, per output channel of every searchable layer,\n"
      "which CU of SOC runs it: loss = cross-entropy + lambda * cost / cost(all on the default CU).\n"
      "Phases: warmup (weights only), search (weights, quantizers, architecture), split refinement\n"
      "(unless --no-refine), fine-tune with the discretised mapping frozen. Then simulates the mapping "
      "(odimo replay) unless --no-replay.");
  return [o, &app] { return run_search(app, *o); };
}

Action define_replay(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  app.add_option("DIR", *dir, "a result folder of odimo search")->required();
  app.footer(
      "Simulates DIR/mapping.pbtxt on the SystemC model and puts the simulated latency and\n"
      "energy next to the analytic ones in DIR/report.json.");
  return [dir] {
    replay_point(*dir);
    return 0;
  };
}

}  // namespace

static const Registration kSearch({"search", "train while mapping: one ODiMO search or baseline", 70,
                                   define_search});
static const Registration kReplay({"replay", "simulate a search result's mapping", 71, define_replay});

}  // namespace odimo::cli
