#include "cli/sweep_commands.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/args.h"
#include "cli/pareto_print.h"
#include "cli/registry.h"
#include "cli/table.h"
#include "mapper/sweep/plan.h"
#include "mapper/sweep/slurm.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::cli {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPlanUsage = "odimo sweep plan SPEC -o PLAN";
constexpr const char* kRunUsage =
    "odimo sweep run PLAN -o OUT [--jobs N | --index I | --index-from-env [--index-var VAR] | --mpi]";
constexpr const char* kReduceUsage = "odimo sweep reduce OUT [OUT2 ...]";
constexpr const char* kSbatchUsage =
    "odimo sweep sbatch PLAN -o OUT [--max-parallel K] [--time HH:MM:SS] [--partition P] [--account A]";

int parse_index(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end || v < 0 || v > 100'000'000)
    throw Error("odimo sweep run: " + what + ": '" + text + "' is not a point index (an integer >= 0)");
  return int(v);
}

std::string absolute(const std::string& p) { return fs::absolute(p).lexically_normal().string(); }

}  // namespace

int search_here(const std::vector<std::string>& search_args) {
  std::vector<std::string> args = search_args;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  for (const Command& c : commands())
    if (std::string(c.name) == "search") return c.run(int(argv.size()), argv.data());
  throw Error("odimo sweep: this build has no search command");
}

std::vector<std::string> point_command(const sweep::Run& run, int index) {
  return {"sweep", "run", "--index", std::to_string(index), run.plan_dir, "--out", run.out};
}

int cmd_plan(int argc, char** argv) {
  Args args("sweep plan", argc, argv, {"out"}, {"help"});
  if (args.flag("help")) {
    std::cout << "usage: " << kPlanUsage
              << "\n\nExpands a sweep spec (proto/sweep.proto: lambdas x SoC variants x seeds, plus\n"
                 "baselines) into numbered points, one file each: PLAN/point-NNN.pbtxt holds exactly\n"
                 "the `odimo search` a point runs (its seed comes from the spec, never from a rank or\n"
                 "the clock), PLAN/plan.pbtxt the spec and the count. Example spec:\n"
                 "workloads/sweeps/tiny.sweep.pbtxt.\n";
    return 0;
  }
  args.expect_positional(1, 1, kPlanUsage);
  const std::string spec_path = args.positional()[0];
  const std::string dir = args.require("out");
  const proto::SweepSpec spec = sweep::read_spec(spec_path);
  const auto points = sweep::expand(spec);
  sweep::write_plan(dir, spec, points);
  proto::SweepPlan plan;
  plan.set_points(int(points.size()));
  Table t({"index", "file", "point", "kind", "seed"}, {true, false, false, false, true});
  for (const auto& p : points)
    t.add({std::to_string(p.index()), sweep::point_name(plan, p.index()) + ".pbtxt", p.label(), p.kind(),
           std::to_string(p.seed())});
  t.print(std::cout);
  std::cout << "\nwrote " << points.size() << " points to " << dir << "/ (sweep '" << spec.name()
            << "'); run them with\n  odimo sweep run " << dir << " -o OUT [--jobs N]\n  mpirun -np R odimo sweep run "
            << dir << " -o OUT --mpi\n  odimo sweep sbatch " << dir << " -o OUT > sweep.sbatch && sbatch sweep.sbatch\n";
  return 0;
}

int cmd_run(int argc, char** argv) {
  Args args("sweep run", argc, argv, {"out", "index", "index-var", "jobs"}, {"help", "mpi", "index-from-env"});
  if (args.flag("help")) {
    std::cout << "usage: " << kRunUsage
              << "\n\nRuns the points of PLAN into OUT/point-NNN/ (report.json, mapping.pbtxt,\n"
                 "weights.pb; each point's output in OUT/logs/point-NNN.log). A point whose complete\n"
                 "result exists is skipped; results are written atomically, so any mode can resume\n"
                 "another's work and gives byte-identical results.\n"
                 "  (default)         every point on this machine, --jobs N processes at a time\n"
                 "  --index I         exactly point I, in this process\n"
                 "  --index-from-env  the point in $SLURM_ARRAY_TASK_ID (or in $VAR with --index-var VAR)\n"
                 "  --mpi             under mpirun/srun: rank 0 hands out points on request and runs\n"
                 "                    points too; a failed point is reported, the others go on\n"
                 "Then: odimo sweep reduce OUT.\n";
    return 0;
  }
  args.expect_positional(1, 1, kRunUsage);
  const bool from_env = args.flag("index-from-env") || args.get("index-var").has_value();
  const int modes = int(args.get("index").has_value()) + int(from_env) + int(args.flag("mpi"));
  if (modes > 1) throw Error("odimo sweep run: choose one of --index, --index-from-env and --mpi");
  if (args.get("jobs") && modes > 0) throw Error("odimo sweep run: --jobs is for running every point locally");
  if (args.flag("mpi")) sweep::require_mpi();
  const sweep::Run run = sweep::open_run(args.positional()[0], args.require("out"));
  if (auto i = args.get("index")) return sweep::run_here(run, parse_index(*i, "--index"), search_here);
  if (from_env) {
    const std::string var = args.get("index-var").value_or("SLURM_ARRAY_TASK_ID");
    const char* v = std::getenv(var.c_str());
    if (!v) throw Error("odimo sweep run: --index-from-env: $" + var + " is not set (is this a job-array task?)");
    return sweep::run_here(run, parse_index(v, "$" + var), search_here);
  }
  if (args.flag("mpi")) return sweep::run_mpi(run, point_command);
  const int jobs = args.get_int("jobs", 1);
  if (jobs < 1) throw Error("odimo sweep run: --jobs " + std::to_string(jobs) + ": must be >= 1");
  return sweep::run_local(run, jobs, point_command);
}

int cmd_reduce(int argc, char** argv) {
  Args args("sweep reduce", argc, argv, {}, {"help"});
  if (args.flag("help")) {
    std::cout << "usage: " << kReduceUsage
              << "\n\nThe Pareto fronts of a sweep's results, as odimo pareto shows them: the table and\n"
                 "OUT/pareto.svg; with several SoC variants, one table and OUT/pareto-<soc>.svg per SoC.\n"
                 "Several folders (e.g. a plan with more lambdas run later) are shown together, SVGs in\n"
                 "the first. Points of each plan without a complete result are listed.\n";
    return 0;
  }
  args.expect_positional(1, 1000, kReduceUsage);
  print_fronts(args.positional(), std::cout);
  return 0;
}

int cmd_sbatch(int argc, char** argv) {
  Args args("sweep sbatch", argc, argv, {"out", "max-parallel", "time", "partition", "account"}, {"help"});
  if (args.flag("help")) {
    std::cout << "usage: " << kSbatchUsage
              << "\n\nPrints a Slurm job-array script: one array task per point of PLAN, each running\n"
                 "`odimo sweep run --index-from-env` (absolute paths, so it can be submitted from\n"
                 "anywhere on the shared file system). Then: sbatch FILE, and odimo sweep reduce OUT.\n";
    return 0;
  }
  args.expect_positional(1, 1, kSbatchUsage);
  const std::string plan_dir = absolute(args.positional()[0]);
  const std::string out = absolute(args.require("out"));
  const proto::SweepPlan plan = sweep::read_plan(plan_dir);
  const int k = args.get_int("max-parallel", 0);
  if (k < 0) throw Error("odimo sweep sbatch: --max-parallel " + std::to_string(k) + ": must be >= 1");
  std::error_code ec;
  fs::create_directories(out + "/logs", ec);  // Slurm opens --output before the script runs
  if (ec) throw Error("odimo sweep sbatch: cannot create " + out + "/logs: " + ec.message());
  const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  sweep::SlurmJob job;
  job.plan_dir = plan_dir, job.out = out, job.max_parallel = k;
  job.time = args.get("time").value_or(""), job.partition = args.get("partition").value_or("");
  job.account = args.get("account").value_or("");
  job.task_command = {ec ? "odimo" : self, "sweep", "run", "--index-from-env", plan_dir, "-o", out};
  std::cout << sweep::slurm_script(job, plan);
  return 0;
}

}  // namespace odimo::cli
