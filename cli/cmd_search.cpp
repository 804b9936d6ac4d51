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
#include "mapper/search/search_run.h"
#include "mapper/sweep/search_report.h"
#include "mapper/tensor/limits.h"
#include "proto/error.h"
#include "proto/output_file.h"

namespace odimo::cli {
namespace {

struct SearchOptions {
  SearchChoice choice;
  std::string out, baseline, label;
  double lambda = -1;  // required unless --baseline
  bool no_replay = false, quiet = false, resume = false, no_refine = false;
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
  if (spec == "minlat") {
    // ODiMO's manual min-latency heuristic: the original formulas, latency, 16-channel steps.
    const auto compat = cost::make_compat_model(soc);
    return search::best_split_per_layer(
        search::NetworkCost(net, soc, *compat, space, search::Target::kLatency), 16);
  }
  throw Error("--baseline '" + spec + "': expected all:CU, policy, greedy or minlat");
}

// The config of one point from the options; checks (not creates) the output folder.
search::SearchConfig make_config(const SearchOptions& o) {
  search::SearchConfig cfg = o.choice.config;
  cfg.input = input_shape(o.choice.input);
  cfg.target = search::parse_target(o.choice.target);
  cfg.out_dir = o.out;
  cfg.resume = o.resume;
  cfg.refine = !o.no_refine;
  check_output_dir(cfg.out_dir, "--out");  // before training; search_run creates it
  std::vector<OutputFile> outputs;
  for (const char* f :
       {"report.json", "mapping.pbtxt", "weights.pb", "simulation.json", "search-checkpoint.pb"})
    outputs.push_back({"--out", cfg.out_dir + "/" + f});
  check_not_inputs(outputs, {{"--soc", o.choice.soc},
                             {"--net", cfg.net},
                             {"--init", cfg.init},
                             {"--calibration", o.choice.model.calibration}});
  if (o.choice.epochs_option->count()) {
    const Epochs e = parse_epochs(o.choice.epochs);
    cfg.warmup_epochs = e.warmup, cfg.search_epochs = e.search, cfg.finetune_epochs = e.finetune;
  }
  cfg.progress = !o.quiet;
  if (cfg.batch < 1 || cfg.threads < 1 || cfg.steps_per_epoch < 0 || !(cfg.lr > 0) || !(cfg.arch_lr > 0))
    throw Error("--batch, --threads, --lr and --arch-lr must be positive, --steps-per-epoch >= 0");
  return cfg;
}

int run_search(const SearchOptions& o) {
  const SocDescription soc = load_soc(o.choice.soc);
  search::SearchConfig cfg = make_config(o);
  const OutputFolderGuard folder(cfg.out_dir);  // no empty --out folder if the search fails
  const auto model = make_model(o.choice.model, soc);
  const auto compat = cost::make_compat_model(soc);
  if (!o.baseline.empty()) {
    if (o.lambda >= 0) throw Error("--baseline and --lambda exclude each other");
    const Network net = load_network(cfg.net, cfg.input);
    cfg.fixed = baseline_assignment(o.baseline, net, soc, *model, cfg.target);
    cfg.label = o.baseline;
  } else {
    cfg.lambda = o.lambda;
    if (!(cfg.lambda >= 0)) throw Error("--lambda L >= 0 is required (or --baseline)");
    std::ostringstream l;
    l << "lambda=" << cfg.lambda;
    cfg.label = l.str();
  }
  if (!o.label.empty()) cfg.label = o.label;
  std::cout << "odimo search " << cfg.label << ": " << cfg.net << " on " << soc.name() << ", " << cfg.dataset
            << ", target " << search::target_name(cfg.target) << ", cost model " << model->name() << "\n";
  proto::SearchReport rep = search::run_search(cfg, soc, *model, *compat, std::cout);
  rep.set_tool_version(ODIMO_VERSION);
  rep.set_network_file(cfg.net);
  rep.set_soc_file(o.choice.soc);
  sweep::write_search_report(cfg.out_dir, rep);
  std::cout << "test accuracy " << fixed(100 * rep.test_accuracy(), 2) << " %, analytic "
            << grouped(rep.analytic().cycles()) << " cycles, " << fixed(rep.analytic().energy_uj(), 2)
            << " uJ; wrote " << cfg.out_dir << "/report.json\n";
  if (!o.no_replay) replay_point(cfg.out_dir);
  return 0;
}

Action define_search(CLI::App& app) {
  auto o = std::make_shared<SearchOptions>();
  add_search_options(app, o->choice);
  app.get_option("--soc")->required();
  app.get_option("--net")->required();
  app.add_option("--lambda", o->lambda, "weight of cost / cost(all on the default CU) in the loss (>= 0)")
      ->default_str("")
      ->check(finite_range(0, mapper::kMaxLambda));
  app.add_option("-o,--out", o->out,
                 "DIR: mapping.pbtxt, weights.pb, report.json; search-checkpoint.pb after every epoch")
      ->required();
  app.add_option("--baseline", o->baseline,
                 "fine-tune a fixed mapping instead of searching: all:CU, policy (the SoC's own deployment\n"
                 "rule), greedy (per-layer best split on the cost model) or minlat (ODiMO's min-latency\n"
                 "heuristic)");
  app.add_option("--init", o->choice.config.init,
                 "FILE: pretrained float weights every search starts from: DIR/checkpoint.pb of odimo\n"
                 "train, W.pb of odimo import --weights, or a .onnx with initializers");
  app.add_option("--label", o->label, "the point's name in reports (default: lambda=L or the baseline)");
  app.add_flag("--resume", o->resume,
               "continue from DIR/search-checkpoint.pb (written after every epoch); reaches the bytes\n"
               "of an uninterrupted run");
  app.add_flag("--no-refine", o->no_refine,
               "skip the split refinement after the search (odimo's addition, mapper/search/README.md):\n"
               "fine-tune the argmax mapping as the paper does");
  app.add_flag("--no-replay", o->no_replay, "do not simulate the exported mapping");
  app.add_flag("--quiet", o->quiet, "no progress bar");
  app.footer(
      "Trains NET on the dataset while learning, per output channel of every searchable layer,\n"
      "which CU of SOC runs it: loss = cross-entropy + lambda * cost / cost(all on the default CU).\n"
      "Phases: warmup (weights only), search (weights, quantizers, architecture), split refinement\n"
      "(unless --no-refine), fine-tune with the discretised mapping frozen. Then simulates the mapping "
      "(odimo replay) unless --no-replay.");
  return [o] { return run_search(*o); };
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
