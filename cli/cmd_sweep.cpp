// odimo sweep: a lambda sweep plus baselines on one machine (and its plan/run/reduce/
// sbatch subcommands for clusters); odimo pareto DIR; odimo demo, the README's main job.
// The one-line forms build a sweep spec from their options and run it through the same
// plan engine as `odimo sweep plan` + `run` + `reduce`, into DIR/plan and DIR/point-NNN.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/command_line.h"
#include "cli/pareto_print.h"
#include "cli/registry.h"
#include "cli/search_options.h"
#include "cli/sweep_commands.h"
#include "hw/cu/analog_nonideality.h"
#include "mapper/search_files/search_config.h"
#include "mapper/sweep/plan.h"
#include "mapper/sweep/run.h"
#include "mapper/tensor/limits.h"
#include "proto/error.h"
#include "proto/output_file.h"

namespace odimo::cli {
namespace {

// "a,b,c" of option `option`; '' is the empty list, an empty item ("1,,2", "1,") a mistake.
std::vector<std::string> split_list(const std::string& text, const std::string& option) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::stringstream ss(text + ",");
  std::string part;
  while (std::getline(ss, part, ',')) {
    if (part.empty()) throw Error(option + ": '" + text + "' has an empty item (expected a,b,c)");
    out.push_back(part);
  }
  return out;
}

void add_lambdas(proto::SweepSpec& s, const std::string& text) {
  for (const auto& l : split_list(text, "--lambdas")) {
    char* end = nullptr;
    const double v = std::strtod(l.c_str(), &end);
    if (l.empty() || *end || !(v >= 0 && v <= mapper::kMaxLambda))
      throw Error("--lambdas: " + l + ": expected a finite number in [0, " +
                  std::to_string(int(mapper::kMaxLambda)) + "]");
    s.add_lambda(v);
  }
}

// "1,2,3": the seeds of every point (each point runs once per seed).
void add_seeds(proto::SweepSpec& s, const std::string& text) {
  for (const auto& x : split_list(text, "--seeds")) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(x.c_str(), &end, 10);
    if (*end || errno || x[0] == '-') throw Error("--seeds: '" + x + "' is not a whole number >= 0");
    s.add_seed(v);
  }
}

void set_epochs(proto::SweepSpec& s, const std::string& text) {
  const Epochs e = parse_epochs(text);
  s.set_warmup_epochs(e.warmup), s.set_search_epochs(e.search), s.set_finetune_epochs(e.finetune);
}

// Whether and how a sweep deploys its points (proto/sweep.proto: deploy, deploy_images,
// deploy_aimc_noise or a one-level aimc_noise_lsb grid, deploy_chips).
struct DeployChoice {
  bool off = false;
  int images = 0, chips = 0;
  ReadNoise noise;
  void add_options(CLI::App& app) {
    app.add_flag("--no-deploy", off,
                 "do not run the points bit-true on the integer pipelines after replay (odimo deploy)");
    app.add_option("--deploy-images", images, "deploy on the first N test images only (0: all)")
        ->check(count_range(0, 1 << 24));
    add_noise_option(
        app, "--aimc-noise", noise,
        "deploy every point with this AIMC read noise (odimo deploy --aimc-noise): SIGMA, a\n"
        "fraction of the ADC full scale, or NLSB, a noise level in ADC LSBs (labels 'noise=NLSB';\n"
        "with --adc-aware the searches train with it too)");
    app.add_option("--chips", chips,
                   "deploy every point on N chip instances (odimo deploy --chips, seeded by the point's\n"
                   "seed); the table adds their spread (0: the ideal chip)")
        ->check(count_range(0, kMaxChips));
  }
  void apply(proto::SweepSpec& s) const {
    if (off && (chips > 0 || !noise.none()))
      throw Error("--no-deploy: " + std::string(chips > 0 ? "--chips" : "--aimc-noise") +
                  " is about the deployment; give one or the other (noise in training only: --adc-noise)");
    if (off) s.set_deploy(false);
    s.set_deploy_images(images);
    s.set_deploy_chips(chips);
    if (noise.in_lsb)
      s.add_aimc_noise_lsb(noise.value);
    else
      s.set_deploy_aimc_noise(noise.value);
  }
};

// The search options' --adc-aware and --adc-noise as the spec's fields; with a noise level
// (--aimc-noise NLSB) the level is the noise-aware searches' training noise.
void apply_adc(proto::SweepSpec& s, const search::SearchConfig& c, const DeployChoice& deploy) {
  if (!c.adc_noise.none() && !c.adc_aware)
    throw Error("--adc-noise " + c.adc_noise.text() + " needs --adc-aware");
  if (!c.adc_noise.none() && deploy.noise.in_lsb)
    throw Error("--adc-noise " + c.adc_noise.text() + ": with --adc-aware and --aimc-noise " +
                deploy.noise.text() + " the searches train at the --aimc-noise level; give one of the two");
  s.set_adc_aware(c.adc_aware);
  if (c.adc_noise.in_lsb)
    s.set_adc_noise_lsb(c.adc_noise.value);
  else
    s.set_adc_noise(c.adc_noise.value);
}

// Plans `spec` into OUT/plan, runs every point `jobs` at a time, shows the fronts.
int run_spec(proto::SweepSpec spec, const std::string& out, int jobs) {
  if (jobs < 1) throw Error("--jobs must be >= 1");
  check_output_dir(out, "--out");
  sweep::check_spec(spec, "");
  sweep::write_plan(out + "/plan", spec, sweep::expand(spec));
  const int status = sweep::run_local(sweep::open_run(out + "/plan", out), jobs, point_command, false);
  std::cout << "\n";
  print_fronts({out}, std::cout);
  return status;
}

struct SweepOptions {
  SearchChoice choice;
  std::string lambdas, out, seeds, baselines = "all,greedy,minlat";
  int jobs = 1, pretrain_epochs = 0;
  std::string init;
  DeployChoice deploy;
};

int run_sweep(const SweepOptions& o) {
  const search::SearchConfig& c = o.choice.config;
  if (o.choice.soc.empty()) throw Error("missing required option --soc");
  if (c.net.empty()) throw Error("missing required option --net");
  if (o.lambdas.empty()) throw Error("missing required option --lambdas");
  if (o.out.empty()) throw Error("missing required option --out");
  proto::SweepSpec s;
  s.set_name("sweep");
  s.add_soc(o.choice.soc);
  s.set_net(c.net);
  s.set_input(o.choice.input);
  s.set_dataset(c.dataset);
  s.set_target(o.choice.target);
  add_lambdas(s, o.lambdas);
  if (o.baselines != "none")
    for (const auto& x : split_list(o.baselines, "--baselines")) s.add_baseline(x);
  set_epochs(s, o.choice.epochs);
  s.set_steps_per_epoch(c.steps_per_epoch);
  s.set_batch(c.batch);
  s.set_threads(c.threads);
  if (o.seeds.empty())
    s.add_seed(c.seed);
  else
    add_seeds(s, o.seeds);
  if (o.choice.lr_option->count()) s.set_lr(c.lr);  // else each point takes odimo search's default
  if (o.choice.arch_lr_option->count()) s.set_arch_lr(c.arch_lr);
  if (o.choice.model.model != "calibrated") s.set_model(o.choice.model.model);
  s.set_calibration(o.choice.model.calibration);
  s.set_compat(c.compat);
  s.set_pretrain_epochs(o.pretrain_epochs);
  o.deploy.apply(s);
  apply_adc(s, c, o.deploy);
  s.set_conv_branch_threshold(c.conv_branch_threshold);
  if (!o.init.empty()) s.set_init(std::filesystem::absolute(o.init).lexically_normal().string());
  return run_spec(s, o.out, o.jobs);
}

Action define_sweep(CLI::App& app) {
  auto o = std::make_shared<SweepOptions>();
  add_search_options(app, o->choice);
  app.add_option("--lambdas", o->lambdas, "a,b,c: one search point per lambda");
  app.add_option("--baselines", o->baselines,
                 "all (all on each CU), all:CU, policy (the SoC's own rule), greedy, minlat, "
                 "sensitivity[:macs|:measured]\n(mapper/search/README.md), or none");
  app.add_option("--pretrain-epochs", o->pretrain_epochs,
                 "N > 0: first train the float network N epochs (odimo train, one point per seed); every\n"
                 "point starts from it (odimo search --init)");
  app.add_option("--init", o->init,
                 "FILE: pretrained float weights (odimo train's checkpoint.pb, W.pb of odimo import\n"
                 "--weights or a .onnx): the pretraining starts from them, or every point without it");
  app.add_option("--seeds", o->seeds, "a,b,c: run every point once per seed (overrides --seed)");
  o->deploy.add_options(app);
  app.add_option("--jobs", o->jobs, "points at a time, each in its own process")
      ->check(count_range(1, mapper::kMaxJobs));
  app.add_option("-o,--out", o->out, "DIR: DIR/plan/, DIR/point-NNN/, DIR/logs/, DIR/pareto.svg");
  struct Stage {
    CLI::App* app;
    Action action;
  };
  struct StageCommand {
    const char* name;
    const char* help;
    Action (*define)(CLI::App&);
  };
  const StageCommand stage_commands[] = {
      {"plan", "expand a sweep spec into numbered point files", define_sweep_plan},
      {"run", "run a plan's points: locally, one by index, or over MPI ranks", define_sweep_run},
      {"reduce", "the Pareto fronts of one or more result folders", define_sweep_reduce},
      {"sbatch", "print a Slurm job-array script for a plan", define_sweep_sbatch}};
  std::vector<Stage> stages;
  for (const auto& c : stage_commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    configure(*sub);
    stages.push_back({sub, c.define(*sub)});
  }
  app.footer(
      "Without a subcommand (--soc, --net, --lambdas and --out required): one `odimo search` per\n"
      "lambda and per baseline, each in its own process, --jobs at a time, written to DIR/point-NNN/\n"
      "atomically. A point whose complete result exists is skipped, so a killed sweep resumes where\n"
      "it stopped. Ends with the Pareto table (odimo pareto).\n"
      "Across machines: `sweep plan` expands a spec file (lambdas x SoC variants x seeds, see\n"
      "workloads/sweeps/) into numbered points; `sweep run` runs them locally, one by index (Slurm\n"
      "arrays: --index-from-env) or over MPI ranks (--mpi); `sweep reduce` shows the Pareto fronts;\n"
      "`sweep sbatch` prints a Slurm array script. Each has --help (or: odimo help sweep run).");
  return [o, stages] {
    for (const auto& s : stages)
      if (s.app->parsed()) return s.action();
    return run_sweep(*o);
  };
}

struct DemoOptions {
  // ODiMO's flow: 2 float epochs once, every point from that checkpoint (mapper/search/README.md:
  // 6 min 3 s on a quiet 2-core machine, 150 steps of 128 images per epoch; deploying its 8
  // points adds 8 x 20 s of one core, mapper/deploy/README.md).
  std::string out = "odimo-demo", lambdas = "4,16,64", epochs = "1,1,1";
  int jobs = 2, pretrain_epochs = 2;
  int steps_per_epoch = 150;
  DeployChoice deploy;
};

int run_demo(const DemoOptions& o) {
  proto::SweepSpec s;
  s.set_name("demo");
  s.add_soc("diana");
  s.set_net("resnet8");
  s.set_dataset("fashion-mnist");
  s.set_target("latency");
  add_lambdas(s, o.lambdas);
  for (const char* b : {"all", "policy", "greedy", "minlat"}) s.add_baseline(b);
  set_epochs(s, o.epochs);
  s.set_threads(std::max(1, 2 / std::max(1, o.jobs)));
  s.set_steps_per_epoch(o.steps_per_epoch);
  s.set_batch(search::default_search_config().batch());
  s.add_seed(1);
  s.set_pretrain_epochs(o.pretrain_epochs);
  o.deploy.apply(s);
  std::cout << "odimo demo: ResNet-8 / Fashion-MNIST / DIANA, lambdas " << o.lambdas
            << ", baselines all:digital, all:aimc, policy, greedy, minlat\n";
  return run_spec(s, o.out, o.jobs);
}

Action define_demo(CLI::App& app) {
  auto o = std::make_shared<DemoOptions>();
  app.add_option("-o,--out", o->out, "DIR of the results; rerunning resumes");
  app.add_option("--jobs", o->jobs, "points at a time (2 cores: 2 points of one thread each)")
      ->check(count_range(1, mapper::kMaxJobs));
  app.add_option("--lambdas", o->lambdas, "a,b,c: one search point per lambda");
  app.add_option("--epochs", o->epochs, "W,S,F: warmup, search and fine-tune epochs");
  app.add_option("--steps-per-epoch", o->steps_per_epoch, "steps of 128 images per epoch");
  app.add_option(
      "--pretrain-epochs", o->pretrain_epochs,
      "float pretraining epochs every point starts from (0: none, every point from random weights)");
  o->deploy.add_options(app);
  app.footer(
      "The main job: ResNet-8 on Fashion-MNIST pretrained once in float, then mapped onto DIANA's\n"
      "digital array and AIMC macro at training time for a few lambdas, the baselines, each replayed\n"
      "in SystemC, each deployed on the integer pipelines (odimo deploy; --no-deploy: not), then the\n"
      "Pareto table (trained and deployed accuracy) and DIR/pareto.svg. About 7.5 minutes on 2 cores.");
  return [o] { return run_demo(*o); };
}

}  // namespace

static const Registration kSweep({"sweep", "a lambda sweep plus baselines, resumable", 72, define_sweep});
static const Registration kPareto({"pareto", "table and SVG of a sweep's Pareto fronts", 73,
                                   define_sweep_reduce});
static const Registration kDemo({"demo", "the main job: map ResNet-8 onto DIANA while training", 5,
                                 define_demo});

}  // namespace odimo::cli
