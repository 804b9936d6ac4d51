#include "cli/sweep_commands.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/command_line.h"
#include "cli/pareto_print.h"
#include "cli/search_options.h"
#include "cli/table.h"
#include "mapper/sweep/plan.h"
#include "mapper/sweep/slurm.h"
#include "mapper/tensor/limits.h"
#include "proto/error.h"
#include "proto/output_file.h"

namespace odimo::cli {
namespace fs = std::filesystem;
namespace {

int parse_index(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end || v < 0 || v > 100'000'000)
    throw Error(what + ": '" + text + "' is not a point index (an integer >= 0)");
  return int(v);
}

std::string absolute(const std::string& p) {
  return absolute_path(p);
}

// The files `sweep plan` writes into DIR (proto/sweep.proto) must not be its SPEC.
void check_plan_not_input(const std::string& dir, int points, const InputFile& spec) {
  proto::SweepPlan plan;
  plan.set_points(points);
  std::vector<OutputFile> outputs = {{"--out", dir + "/plan.pbtxt"}};
  for (int i = 0; i < points; ++i)
    outputs.push_back({"--out", dir + "/" + sweep::point_name(plan, i) + ".pbtxt"});
  check_not_inputs(outputs, {spec});
}

struct PlanOptions {
  std::string spec, out;
};

int run_plan(const PlanOptions& o) {
  check_output_dir(o.out, "--out");
  const proto::SweepSpec spec = sweep::read_spec(o.spec);
  const auto points = sweep::expand(spec);
  check_plan_not_input(o.out, int(points.size()), {"SPEC", o.spec});
  const OutputFolderGuard folder(o.out);
  sweep::write_plan(o.out, spec, points);
  proto::SweepPlan plan;
  plan.set_points(int(points.size()));
  Table t({"index", "file", "point", "kind", "seed"}, {true, false, false, false, true});
  for (const auto& p : points)
    t.add({std::to_string(p.index()), sweep::point_name(plan, p.index()) + ".pbtxt", p.label(), p.kind(),
           std::to_string(p.seed())});
  t.print(std::cout);
  const std::string& dir = o.out;
  std::cout << "\nwrote " << points.size() << " points to " << dir << "/ (sweep '" << spec.name()
            << "'); run them with\n  odimo sweep run " << dir
            << " -o OUT [--jobs N]\n  mpirun -np R odimo sweep run " << dir
            << " -o OUT --mpi\n  odimo sweep sbatch " << dir
            << " -o OUT > sweep.sbatch && sbatch sweep.sbatch\n";
  return 0;
}

struct RunOptions {
  std::string plan, out, index, index_var;
  int jobs = 1;
  bool mpi = false, index_from_env = false;
  CLI::Option* jobs_option = nullptr;
};

int run_run(const RunOptions& o) {
  const bool from_env = o.index_from_env || !o.index_var.empty();
  const int modes = int(!o.index.empty()) + int(from_env) + int(o.mpi);
  if (modes > 1) throw Error("choose one of --index, --index-from-env and --mpi");
  if (o.jobs_option->count() && modes > 0) throw Error("--jobs is for running every point locally");
  if (o.mpi) sweep::require_mpi();
  check_output_dir(o.out, "--out");
  check_not_inputs({{"--out", o.out + "/plan.pbtxt"}}, {{"PLAN", o.plan + "/plan.pbtxt"}});
  const OutputFolderGuard folder(o.out);
  const sweep::Run run = sweep::open_run(o.plan, o.out);
  if (!o.index.empty()) return sweep::run_here(run, parse_index(o.index, "--index"), point_runner());
  if (from_env) {
    const std::string var = o.index_var.empty() ? "SLURM_ARRAY_TASK_ID" : o.index_var;
    const char* v = std::getenv(var.c_str());
    if (!v) throw Error("--index-from-env: $" + var + " is not set (is this a job-array task?)");
    return sweep::run_here(run, parse_index(v, "$" + var), point_runner());
  }
  if (o.mpi) return sweep::run_mpi(run, point_command);
  if (o.jobs < 1) throw Error("--jobs " + std::to_string(o.jobs) + ": must be >= 1");
  return sweep::run_local(run, o.jobs, point_command);
}

struct SbatchOptions {
  std::string plan, out, time, partition, account;
  int max_parallel = 0;
};

int run_sbatch(const SbatchOptions& o) {
  sweep::SlurmJob job;
  job.plan_dir = absolute(o.plan), job.out = absolute(o.out);
  const proto::SweepPlan plan = sweep::read_plan(job.plan_dir);
  if (o.max_parallel < 0) throw Error("--max-parallel " + std::to_string(o.max_parallel) + ": must be >= 1");
  check_output_dir(job.out, "--out");
  check_not_inputs({{"--out", job.out + "/plan.pbtxt"}}, {{"PLAN", job.plan_dir + "/plan.pbtxt"}});
  std::error_code ec;
  const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  job.max_parallel = o.max_parallel, job.time = o.time, job.partition = o.partition, job.account = o.account;
  job.task_command = {ec ? "odimo" : self, "sweep", "run", "--index-from-env", job.plan_dir, "-o", job.out};
  int pretraining = 0;  // numbered first (sweep::expand)
  while (pretraining < plan.points() &&
         sweep::read_point(job.plan_dir, plan, pretraining).kind() == "pretrain")
    ++pretraining;
  const std::string script = sweep::slurm_script(job, plan, pretraining);  // refuses before any folder
  fs::create_directories(job.out + "/logs", ec);  // Slurm opens --output before the script runs
  if (ec) throw Error("cannot create " + job.out + "/logs: " + ec.message());
  std::cout << script;
  return 0;
}

}  // namespace

void add_accuracy_option(CLI::App& app, std::string& accuracy) {
  app.add_option("--accuracy", accuracy,
                 "trained (the training engine's test accuracy) or deployed (odimo deploy's, on the CUs'\n"
                 "integer pipelines; every point must have been deployed): the accuracy of the fronts,\n"
                 "hypervolumes and dominance")
      ->default_val("trained")
      ->check(CLI::IsMember({"trained", "deployed"}));
}

sweep::PointRunner point_runner() {
  sweep::PointRunner runner;
  runner.search = [](const proto::SearchConfig& config, const std::string& out) {
    return run_search_config(config, {out, /*resume=*/true, /*quiet=*/false, /*replay=*/true});
  };
  runner.command = [](const std::string& command, const std::vector<std::string>& args) {
    const Command* c = find_command(command);
    if (!c) throw Error("this build has no " + command + " command");
    return run_command(*c, args);
  };
  return runner;
}

std::vector<std::string> point_command(const sweep::Run& run, int index) {
  return {"sweep", "run", "--index", std::to_string(index), run.plan_dir, "--out", run.out};
}

Action define_sweep_plan(CLI::App& app) {
  auto o = std::make_shared<PlanOptions>();
  app.add_option("SPEC", o->spec, "sweep spec, text format (proto/sweep.proto)")->required();
  app.add_option("-o,--out", o->out, "PLAN folder")->required();
  app.footer(
      "Expands a sweep spec (lambdas x SoC variants x seeds, plus baselines) into numbered points,\n"
      "one file each: PLAN/point-NNN.pbtxt holds the search configuration a point runs (its seed\n"
      "comes from the spec, never from a rank or the clock; `odimo search --config` reads it too),\n"
      "PLAN/plan.pbtxt the spec and the count.\n"
      "Example spec: workloads/sweeps/tiny.sweep.pbtxt.");
  return [o] { return run_plan(*o); };
}

Action define_sweep_run(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  app.add_option("PLAN", o->plan, "a folder written by odimo sweep plan")->required();
  app.add_option("-o,--out", o->out, "OUT folder: OUT/point-NNN/, logs in OUT/logs/")->required();
  o->jobs_option = app.add_option("--jobs", o->jobs, "every point on this machine, N processes at a time")
                       ->check(count_range(1, mapper::kMaxJobs));
  app.add_option("--index", o->index, "exactly point I, in this process");
  app.add_flag("--index-from-env", o->index_from_env,
               "the point in $SLURM_ARRAY_TASK_ID (or in $VAR with --index-var)");
  app.add_option("--index-var", o->index_var, "VAR: the environment variable of --index-from-env");
  app.add_flag("--mpi", o->mpi,
               "under mpirun/srun: rank 0 hands out points on request and runs points too; a failed\n"
               "point is reported, the others go on");
  app.footer(
      "Runs the points of PLAN into OUT/point-NNN/ (report.json, mapping.pbtxt, weights.pb). A point\n"
      "whose complete result exists is skipped; results are written atomically, so any mode can resume\n"
      "another's work and gives byte-identical results. Then: odimo sweep reduce OUT.");
  return [o] { return run_run(*o); };
}

Action define_sweep_reduce(CLI::App& app) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto accuracy = std::make_shared<std::string>("trained");
  app.add_option("DIR", *dirs, "result folders of odimo sweep (DIR/*/report.json)")
      ->required()
      ->default_str("");
  add_accuracy_option(app, *accuracy);
  app.footer(
      "The Pareto fronts of a sweep's results (accuracy against simulated latency and energy): the\n"
      "table and DIR/pareto.svg; with several SoC variants, one table and DIR/pareto-<soc>.svg per\n"
      "SoC. Several folders (e.g. a plan with more lambdas run later) are shown together, SVGs in the\n"
      "first. Points of each plan without a complete result are listed. odimo pareto and odimo sweep\n"
      "reduce are the same command.");
  return [dirs, accuracy] {
    print_fronts(*dirs, std::cout, sweep::parse_accuracy(*accuracy, "--accuracy"));
    return 0;
  };
}

Action define_sweep_sbatch(CLI::App& app) {
  auto o = std::make_shared<SbatchOptions>();
  app.add_option("PLAN", o->plan, "a folder written by odimo sweep plan")->required();
  app.add_option("-o,--out", o->out, "OUT folder of the results")->required();
  app.add_option("--max-parallel", o->max_parallel, "array tasks at a time (0: no limit)");
  app.add_option("--time", o->time, "#SBATCH --time of each task, HH:MM:SS");
  app.add_option("--partition", o->partition, "#SBATCH --partition");
  app.add_option("--account", o->account, "#SBATCH --account");
  app.footer(
      "Prints a Slurm job-array script: one array task per point of PLAN, each running\n"
      "`odimo sweep run --index-from-env` (absolute paths, so it can be submitted from anywhere\n"
      "on the shared file system). Then: sbatch FILE, and odimo sweep reduce OUT.");
  return [o] { return run_sbatch(*o); };
}

}  // namespace odimo::cli
