#include "cli/sweep_commands.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/args.h"
#include "cli/pareto.h"
#include "cli/sweep_plan.h"
#include "cli/sweep_run.h"
#include "cli/table.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::cli::sweep {
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

// A word for the shell: single-quoted unless it is plainly safe.
std::string quoted(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:") ==
                        std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

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
  const proto::SweepSpec spec = read_spec(spec_path);
  const auto points = expand(spec);
  write_plan(dir, spec, points);
  proto::SweepPlan plan;
  plan.set_points(int(points.size()));
  Table t({"index", "file", "point", "kind", "seed"}, {true, false, false, false, true});
  for (const auto& p : points)
    t.add({std::to_string(p.index()), point_name(plan, p.index()) + ".pbtxt", p.label(), p.kind(),
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
  if (args.flag("mpi")) require_mpi();
  const Run run = open_run(args.positional()[0], args.require("out"));
  if (auto i = args.get("index")) return run_here(run, parse_index(*i, "--index"));
  if (from_env) {
    const std::string var = args.get("index-var").value_or("SLURM_ARRAY_TASK_ID");
    const char* v = std::getenv(var.c_str());
    if (!v) throw Error("odimo sweep run: --index-from-env: $" + var + " is not set (is this a job-array task?)");
    return run_here(run, parse_index(v, "$" + var));
  }
  if (args.flag("mpi")) return run_mpi(run);
  const int jobs = args.get_int("jobs", 1);
  if (jobs < 1) throw Error("odimo sweep run: --jobs " + std::to_string(jobs) + ": must be >= 1");
  return run_local(run, jobs);
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
  reduce(args.positional());
  return 0;
}

void reduce(const std::vector<std::string>& outs) {
  std::map<std::string, std::vector<SweepPoint>> by_soc;
  std::vector<std::string> missing;
  for (const auto& out : outs) {
    if (fs::exists(out + "/plan.pbtxt")) {
      proto::SweepPlan plan;
      read_text_proto(out + "/plan.pbtxt", &plan);
      std::vector<std::string> m;
      for (int i = 0; i < plan.points(); ++i)
        if (!point_complete(out + "/" + point_name(plan, i))) m.push_back(point_name(plan, i));
      if (!m.empty()) {
        std::string line = out + ": " + std::to_string(m.size()) + " of " + std::to_string(plan.points()) +
                           " points have no complete result yet:";
        for (const auto& x : m) line += " " + x;
        missing.push_back(line);
      }
    }
    for (auto& p : read_sweep(out)) by_soc[p.report.soc()].push_back(p);
  }
  const std::string& first = outs.front();
  for (auto& [soc, pts] : by_soc) {
    mark_fronts(pts);
    if (by_soc.size() > 1) std::cout << "== " << soc << "\n";
    show_fronts(pts, first + (by_soc.size() > 1 ? "/pareto-" + soc + ".svg" : "/pareto.svg"), std::cout);
    if (by_soc.size() > 1) std::cout << "\n";
  }
  if (!missing.empty()) std::cout << "\n";
  for (const auto& line : missing) std::cout << line << "\n";
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
  const proto::SweepPlan plan = read_plan(plan_dir);
  const int k = args.get_int("max-parallel", 0);
  if (k < 0) throw Error("odimo sweep sbatch: --max-parallel " + std::to_string(k) + ": must be >= 1");
  std::error_code ec;
  fs::create_directories(out + "/logs", ec);  // Slurm opens --output before the script runs
  if (ec) throw Error("odimo sweep sbatch: cannot create " + out + "/logs: " + ec.message());
  const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  std::cout << "#!/bin/bash\n"
            << "# " << plan.points() << " points of " << plan_dir << " (sweep '" << plan.spec().name()
            << "'), written by odimo sweep sbatch.\n"
            << "#SBATCH --job-name=odimo-" << plan.spec().name() << "\n"
            << "#SBATCH --array=0-" << plan.points() - 1 << (k > 0 ? "%" + std::to_string(k) : "") << "\n"
            << "#SBATCH --ntasks=1\n"
            << "#SBATCH --cpus-per-task=" << plan.spec().threads() << "\n"
            << "#SBATCH --output=" << out << "/logs/slurm-%A_%a.out\n";
  if (auto t = args.get("time")) std::cout << "#SBATCH --time=" << *t << "\n";
  if (auto p = args.get("partition")) std::cout << "#SBATCH --partition=" << *p << "\n";
  if (auto a = args.get("account")) std::cout << "#SBATCH --account=" << *a << "\n";
  std::cout << "set -euo pipefail\n"
            << "mkdir -p " << quoted(out + "/logs") << "\n"
            << "# Seeds come from the point, so a requeued or repeated task gives the same bytes;\n"
            << "# a task whose point is already complete exits at once.\n"
            << quoted(ec ? "odimo" : self) << " sweep run --index-from-env " << quoted(plan_dir) << " -o "
            << quoted(out) << "\n"
            << "# when every task is done: odimo sweep reduce " << out << "\n";
  return 0;
}

}  // namespace odimo::cli::sweep
