// odimo sweep: a lambda sweep plus baselines on one machine (and its plan/run/reduce/
// sbatch subcommands for clusters); odimo pareto DIR; odimo demo, the README's main job.
// The one-line forms build a sweep spec from their flags and run it through the same
// plan engine as `odimo sweep plan` + `run` + `reduce`, into DIR/plan and DIR/point-NNN.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "cli/args.h"
#include "cli/pareto_print.h"
#include "cli/registry.h"
#include "cli/sweep_commands.h"
#include "mapper/sweep/plan.h"
#include "mapper/sweep/run.h"
#include "proto/error.h"

namespace odimo::cli {
namespace {

constexpr const char* kSweepUsage =
    "odimo sweep --soc SOC --net NET --dataset D --lambdas a,b,c --out DIR [--target latency|energy]\n"
    "            [--epochs W,S,F] [--baselines all,greedy,minlat|none] [--jobs N] [search options]\n"
    "       odimo sweep plan SPEC -o PLAN | run PLAN -o OUT [--jobs N|--index I|--index-from-env|--mpi]\n"
    "       odimo sweep reduce OUT [OUT2 ...] | sbatch PLAN -o OUT";

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ','))
    if (!part.empty()) out.push_back(part);
  return out;
}

double parse_lambda(const std::string& text, const std::string& command) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end || !(v >= 0))
    throw Error("odimo " + command + ": --lambdas: '" + text + "' is not a number >= 0");
  return v;
}

void set_epochs(proto::SweepSpec& s, const std::string& text, const std::string& command) {
  std::vector<int> e;
  for (const auto& x : split_list(text)) {
    char* end = nullptr;
    const long v = std::strtol(x.c_str(), &end, 10);
    e.push_back(*end || v < 0 || v > 100000 ? -1 : int(v));
  }
  if (e.size() != 3 || e[0] < 0 || e[1] < 0 || e[2] < 1)
    throw Error("odimo " + command + ": --epochs '" + text + "': expected W,S,F (F >= 1)");
  s.set_warmup_epochs(e[0]), s.set_search_epochs(e[1]), s.set_finetune_epochs(e[2]);
}

// Plans `spec` into OUT/plan, runs every point `jobs` at a time, shows the fronts.
int run_spec(proto::SweepSpec spec, const std::string& out, int jobs, const std::string& command) {
  sweep::check_spec(spec, "odimo " + command);
  sweep::write_plan(out + "/plan", spec, sweep::expand(spec));
  const int status = sweep::run_local(sweep::open_run(out + "/plan", out), jobs, point_command, false);
  std::cout << "\n";
  print_fronts({out}, std::cout);
  return status;
}

int run_sweep(int argc, char** argv) {
  if (argc > 0) {
    const std::string sub = argv[0];
    if (sub == "plan") return cmd_plan(argc - 1, argv + 1);
    if (sub == "run") return cmd_run(argc - 1, argv + 1);
    if (sub == "reduce") return cmd_reduce(argc - 1, argv + 1);
    if (sub == "sbatch") return cmd_sbatch(argc - 1, argv + 1);
  }
  Args args("sweep", argc, argv,
            {"soc", "net", "dataset", "lambdas", "out", "target", "epochs", "baselines", "jobs", "input", "batch",
             "steps-per-epoch", "threads", "seed", "lr", "arch-lr", "model", "calibration"},
            {"help", "compat"});
  if (args.flag("help")) {
    std::cout << "usage: " << kSweepUsage
              << "\n\nOne `odimo search` per lambda and per baseline (all on each CU, greedy per-layer\n"
                 "split on the cost model, ODiMO's min-latency heuristic), each in its own process,\n"
                 "--jobs at a time, written to DIR/point-NNN/ atomically (DIR/plan/ says which is\n"
                 "which; logs in DIR/logs/). A point whose complete result exists is skipped, so a\n"
                 "killed sweep resumes where it stopped. Ends with the Pareto table (odimo pareto).\n\n"
                 "Across machines: `sweep plan` expands a spec file (lambdas x SoC variants x seeds,\n"
                 "see workloads/sweeps/) into numbered points; `sweep run` runs them locally, one by\n"
                 "index (Slurm arrays: --index-from-env) or over MPI ranks (--mpi); `sweep reduce`\n"
                 "shows the Pareto fronts; `sweep sbatch` prints a Slurm array script. Each has --help.\n";
    return 0;
  }
  args.expect_positional(0, 0, kSweepUsage);
  proto::SweepSpec s;
  s.set_name("sweep");
  s.add_soc(args.require("soc"));
  s.set_net(args.require("net"));
  s.set_input(args.get("input").value_or(""));
  s.set_dataset(args.get("dataset").value_or("fashion-mnist"));
  s.set_target(args.get("target").value_or("latency"));
  for (const auto& l : split_list(args.require("lambdas"))) s.add_lambda(parse_lambda(l, "sweep"));
  const std::string b = args.get("baselines").value_or("all,greedy,minlat");
  if (b != "none")
    for (const auto& x : split_list(b)) s.add_baseline(x);
  set_epochs(s, args.get("epochs").value_or("1,2,1"), "sweep");
  s.set_steps_per_epoch(args.get_int("steps-per-epoch", 0));
  s.set_batch(args.get_int("batch", 128));
  s.set_threads(args.get_int("threads", 2));  // odimo search's default
  s.add_seed(uint64_t(args.get_int("seed", 1)));
  s.set_lr(args.get_double("lr", 0));
  s.set_arch_lr(args.get_double("arch-lr", 0));
  s.set_model(args.get("model").value_or(""));
  s.set_calibration(args.get("calibration").value_or(""));
  s.set_compat(args.flag("compat"));
  const int jobs = args.get_int("jobs", 1);
  if (jobs < 1) throw Error("odimo sweep: --jobs must be >= 1");
  return run_spec(s, args.require("out"), jobs, "sweep");
}

int run_pareto(int argc, char** argv) {
  Args args("pareto", argc, argv, {}, {"help"});
  if (args.flag("help")) {
    std::cout << "usage: odimo pareto DIR [DIR2 ...]\n\nThe points of a sweep (DIR/*/report.json): accuracy, simulated "
                 "latency and\nenergy, Pareto fronts; writes DIR/pareto.svg (one per SoC when there are "
                 "several).\nSeveral folders are shown together. Same as odimo sweep reduce.\n";
    return 0;
  }
  args.expect_positional(1, 1000, "odimo pareto DIR [DIR2 ...]");
  print_fronts(args.positional(), std::cout);
  return 0;
}

int run_demo(int argc, char** argv) {
  Args args("demo", argc, argv, {"out", "jobs", "lambdas", "epochs", "steps-per-epoch"}, {"help"});
  if (args.flag("help")) {
    std::cout << "usage: odimo demo [--out DIR] [--jobs N] [--lambdas a,b,c] [--epochs W,S,F] [--steps-per-epoch N]\n\n"
                 "The main job: ResNet-8 on Fashion-MNIST mapped onto DIANA's digital array and AIMC\n"
                 "macro at training time for a few lambdas, the baselines, each replayed in SystemC,\n"
                 "then the Pareto table and DIR/pareto.svg (default DIR: odimo-demo). Epochs are cut\n"
                 "to 150 steps of 128 images (--steps-per-epoch) so that it takes about 10 minutes on\n"
                 "2 cores; rerunning resumes.\n";
    return 0;
  }
  args.expect_positional(0, 0, "odimo demo [--out DIR]");
  proto::SweepSpec s;
  s.set_name("demo");
  s.add_soc("diana");
  s.set_net("resnet8");
  s.set_dataset("fashion-mnist");
  s.set_target("latency");
  const std::string lambdas = args.get("lambdas").value_or("0.1,0.5,2");
  for (const auto& l : split_list(lambdas)) s.add_lambda(parse_lambda(l, "demo"));
  for (const char* b : {"all", "greedy", "minlat"}) s.add_baseline(b);
  set_epochs(s, args.get("epochs").value_or("1,1,1"), "demo");
  const int jobs = args.get_int("jobs", 2);
  if (jobs < 1) throw Error("odimo demo: --jobs must be >= 1");
  s.set_threads(std::max(1, 2 / jobs));
  // 150 steps of 128 images per epoch keep the whole demo within about 10 minutes on 2 cores.
  s.set_steps_per_epoch(args.get_int("steps-per-epoch", 150));
  s.set_batch(128);
  s.add_seed(1);
  std::cout << "odimo demo: ResNet-8 / Fashion-MNIST / DIANA, lambdas " << lambdas
            << ", baselines all:digital, all:aimc, greedy, minlat\n";
  return run_spec(s, args.get("out").value_or("odimo-demo"), jobs, "demo");
}

}  // namespace

static const Registration kSweep({"sweep", run_sweep, "a lambda sweep plus baselines, resumable", 72});
static const Registration kPareto({"pareto", run_pareto, "table and SVG of a sweep's Pareto fronts", 73});
static const Registration kDemo({"demo", run_demo, "the main job: map ResNet-8 onto DIANA while training",
                                 5});

}  // namespace odimo::cli
