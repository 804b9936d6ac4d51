// odimo search: one ODiMO search (or baseline) and its replay in the simulator.
// odimo replay DIR: simulate an exported mapping and add it to the report.
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/args.h"
#include "cli/model_option.h"
#include "cli/registry.h"
#include "cli/replay.h"
#include "cli/table.h"
#include "mapper/search/search_run.h"
#include "mapper/sweep/search_report.h"
#include "proto/error.h"

namespace odimo::cli {
namespace {

constexpr const char* kUsage =
    "odimo search --soc SOC --net NET --dataset D --lambda L --target latency|energy --out DIR\n"
    "             [--epochs W,S,F] [--input CxHxW] [--batch N] [--steps-per-epoch N] [--threads N]\n"
    "             [--seed N] [--lr X] [--arch-lr X] [--model calibrated|odimo-compat] [--calibration FILE]\n"
    "             [--baseline all:CU|greedy|minlat] [--compat] [--no-replay] [--quiet]";

std::vector<int> parse_epochs(const std::string& text) {
  std::vector<int> v;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    char* end = nullptr;
    const long x = std::strtol(part.c_str(), &end, 10);
    if (part.empty() || *end || x < 0 || x > 100000) v.clear(), v.push_back(-1);
    v.push_back(int(x));
  }
  if (v.size() != 3 || v[0] < 0 || v[1] < 0 || v[2] < 1)
    throw Error("odimo search: --epochs '" + text + "': expected W,S,F (warmup, search, fine-tune; F >= 1)");
  return v;
}

// The assignment of a baseline, per searchable layer.
std::vector<std::vector<int>> baseline_assignment(const std::string& spec, const Network& net,
                                                  const SocDescription& soc, const cost::CostModel& model,
                                                  search::Target target) {
  const auto space = search::search_space(net, soc);
  if (spec.rfind("all:", 0) == 0) return search::all_on(space, soc, spec.substr(4));
  if (spec == "greedy")
    return search::best_split_per_layer(search::NetworkCost(net, soc, model, space, target), 1);
  if (spec == "minlat") {
    // ODiMO's manual min-latency heuristic: the original formulas, latency, 16-channel steps.
    const auto compat = cost::make_compat_model(soc);
    return search::best_split_per_layer(
        search::NetworkCost(net, soc, *compat, space, search::Target::kLatency), 16);
  }
  throw Error("odimo search: --baseline '" + spec + "': expected all:CU, greedy or minlat");
}

int run_search(int argc, char** argv) {
  Args args(
      "search", argc, argv,
      {"soc", "net", "dataset", "lambda", "target", "out", "epochs", "input", "batch", "steps-per-epoch",
       "threads", "seed", "lr", "arch-lr", "model", "calibration", "baseline", "label"},
      {"help", "compat", "no-replay", "quiet"});
  if (args.flag("help")) {
    std::cout
        << "usage: " << kUsage
        << "\n\nTrains NET on the dataset while learning, per output channel of every searchable layer,\n"
           "which CU of SOC runs it: loss = cross-entropy + lambda * cost / cost(all on the default CU).\n"
           "Phases: warmup (weights only), search (weights, quantizers, architecture), fine-tune with\n"
           "the discretised mapping frozen. Writes DIR/mapping.pbtxt, DIR/weights.pb and\n"
           "DIR/report.json, then simulates the mapping (odimo replay) unless --no-replay.\n"
           "--baseline fine-tunes a fixed mapping instead of searching.\n";
    return 0;
  }
  args.expect_positional(0, 0, kUsage);
  const SocDescription soc = load_soc(args.require("soc"));
  search::SearchConfig cfg;
  cfg.net = args.require("net");
  if (auto s = args.get("input")) cfg.input = parse_shape(*s, "--input");
  cfg.dataset = args.get("dataset").value_or("fashion-mnist");
  cfg.target = search::parse_target(args.get("target").value_or("latency"));
  cfg.out_dir = args.require("out");
  {
    std::error_code ec;  // before training, not after it
    std::filesystem::create_directories(cfg.out_dir, ec);
    if (ec) throw Error("odimo search: --out " + cfg.out_dir + ": cannot create the folder: " + ec.message());
  }
  if (auto e = args.get("epochs")) {
    const auto v = parse_epochs(*e);
    cfg.warmup_epochs = v[0], cfg.search_epochs = v[1], cfg.finetune_epochs = v[2];
  }
  cfg.batch = args.get_int("batch", 128);
  cfg.steps_per_epoch = args.get_int("steps-per-epoch", 0);
  cfg.threads = args.get_int("threads", 2);
  cfg.seed = uint64_t(args.get_int("seed", 1));
  cfg.lr = args.get_double("lr", cfg.lr);
  cfg.arch_lr = args.get_double("arch-lr", cfg.arch_lr);
  cfg.compat = args.flag("compat");
  cfg.progress = !args.flag("quiet");
  if (cfg.batch < 1 || cfg.threads < 1 || cfg.steps_per_epoch < 0 || !(cfg.lr > 0) || !(cfg.arch_lr > 0))
    throw Error(
        "odimo search: --batch, --threads, --lr and --arch-lr must be positive, --steps-per-epoch >= 0");
  const auto model = make_model(args, soc);
  const auto compat = cost::make_compat_model(soc);
  if (auto b = args.get("baseline")) {
    if (args.get("lambda")) throw Error("odimo search: --baseline and --lambda exclude each other");
    const Network net = load_network(cfg.net, cfg.input);
    cfg.fixed = baseline_assignment(*b, net, soc, *model, cfg.target);
    cfg.label = *b;
  } else {
    cfg.lambda = args.get_double("lambda", -1);
    if (!(cfg.lambda >= 0)) throw Error("odimo search: --lambda L >= 0 is required (or --baseline)");
    std::ostringstream l;
    l << "lambda=" << cfg.lambda;
    cfg.label = l.str();
  }
  cfg.label = args.get("label").value_or(cfg.label);
  std::cout << "odimo search " << cfg.label << ": " << cfg.net << " on " << soc.name() << ", " << cfg.dataset
            << ", target " << search::target_name(cfg.target) << ", cost model " << model->name() << "\n";
  proto::SearchReport rep = search::run_search(cfg, soc, *model, *compat, std::cout);
  rep.set_tool_version(ODIMO_VERSION);
  sweep::write_search_report(cfg.out_dir, rep);
  std::cout << "test accuracy " << fixed(100 * rep.test_accuracy(), 2) << " %, analytic "
            << grouped(rep.analytic().cycles()) << " cycles, " << fixed(rep.analytic().energy_uj(), 2)
            << " uJ; wrote " << cfg.out_dir << "/report.json\n";
  if (!args.flag("no-replay")) replay_point(cfg.out_dir);
  return 0;
}

int run_replay(int argc, char** argv) {
  Args args("replay", argc, argv, {}, {"help"});
  if (args.flag("help")) {
    std::cout
        << "usage: odimo replay DIR\n\nSimulates DIR/mapping.pbtxt (from odimo search) on the SystemC model\n"
           "and puts the simulated latency and energy next to the analytic ones in DIR/report.json.\n";
    return 0;
  }
  args.expect_positional(1, 1, "odimo replay DIR");
  replay_point(args.positional()[0]);
  return 0;
}

}  // namespace

static const Registration kSearch({"search", run_search, "train while mapping: one ODiMO search or baseline",
                                   70});
static const Registration kReplay({"replay", run_replay, "simulate a search result's mapping", 71});

}  // namespace odimo::cli
