// odimo sweep: one process per lambda and per baseline, resumable; odimo pareto DIR:
// the table and the SVG of a sweep; odimo demo: the README's main job.
#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cli/args.h"
#include "cli/pareto.h"
#include "cli/process.h"
#include "cli/registry.h"
#include "cli/search_common.h"
#include "cli/sweep_commands.h"
#include "cli/sweep_plan.h"
#include "cli/table.h"
#include "hw/soc_description.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::cli {
namespace {

constexpr const char* kSweepUsage =
    "odimo sweep --soc SOC --net NET --dataset D --lambdas a,b,c --out DIR [--target latency|energy]\n"
    "            [--epochs W,S,F] [--baselines all,greedy,minlat|none] [--jobs N] [search options]\n"
    "       odimo sweep plan SPEC -o PLAN | run PLAN -o OUT [--jobs N|--index I|--index-from-env|--mpi]\n"
    "       odimo sweep reduce OUT | sbatch PLAN -o OUT";

struct Point {
  std::string name;               // folder under DIR
  std::vector<std::string> args;  // odimo search arguments
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ','))
    if (!part.empty()) out.push_back(part);
  return out;
}

// Runs `points` (each `odimo search ... --out DIR/name`) with at most `jobs`
// processes at once; output of each goes to DIR/name.log. Returns the failures.
std::vector<std::string> run_points(const std::string& dir, const std::vector<Point>& points, int jobs) {
  std::map<pid_t, std::string> running;
  std::vector<std::string> failed;
  auto reap = [&]() {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid <= 0) return;
    const std::string name = running[pid];
    running.erase(pid);
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::cout << (ok ? "  done   " : "  FAILED ") << name << (ok ? "" : " (see " + dir + "/" + name + ".log)")
              << "\n"
              << std::flush;
    if (!ok) failed.push_back(name);
  };
  for (const Point& p : points) {
    const std::string out = dir + "/" + p.name;
    if (sweep::point_complete(out)) {
      std::cout << "  skip   " << p.name << " (complete result exists)\n";
      continue;
    }
    while (int(running.size()) >= jobs) reap();
    std::vector<std::string> args = {"search"};
    args.insert(args.end(), p.args.begin(), p.args.end());
    args.insert(args.end(), {"--out", out});  // per-epoch lines go to the point's log
    running[spawn_self(args, out + ".log")] = p.name;
    std::cout << "  start  " << p.name << "\n" << std::flush;
  }
  while (!running.empty()) reap();
  return failed;
}

void write_pareto(const std::string& dir) { show_fronts(read_sweep(dir), dir + "/pareto.svg", std::cout); }

struct SweepSpec {
  std::string soc, net, dataset, target = "latency", out;
  std::vector<std::string> lambdas, baselines;
  std::vector<int> epochs = {1, 2, 1};
  int jobs = 1;
  std::vector<std::string> pass;  // options passed to every point
};

int run_sweep_spec(const SweepSpec& s) {
  const SocDescription soc = load_soc(s.soc);
  std::error_code ec;
  std::filesystem::create_directories(s.out, ec);
  if (ec) throw Error("odimo sweep: --out " + s.out + ": cannot create the folder: " + ec.message());
  const std::vector<std::string> common = {"--soc",     s.soc,     "--net",    s.net,
                                           "--dataset", s.dataset, "--target", s.target};
  std::vector<Point> points;
  const std::string e =
      std::to_string(s.epochs[0]) + "," + std::to_string(s.epochs[1]) + "," + std::to_string(s.epochs[2]);
  // Baselines get the same training budget as a search point, all of it with the mapping fixed.
  const std::string eb = "0,0," + std::to_string(s.epochs[0] + s.epochs[1] + s.epochs[2]);
  for (const auto& l : s.lambdas) {
    Point p{"lambda-" + l, common};
    p.args.insert(p.args.end(), {"--lambda", l, "--epochs", e});
    p.args.insert(p.args.end(), s.pass.begin(), s.pass.end());
    points.push_back(p);
  }
  for (std::string b : s.baselines) {
    std::vector<std::string> specs;
    if (b == "all")
      for (const auto& cu : soc.soc.cu())
        if (cu.kind() != proto::RISCV_HOST) specs.push_back("all:" + cu.name());
    if (b != "all") specs.push_back(b);
    for (const auto& spec : specs) {
      std::string name = "baseline-" + spec;
      std::replace(name.begin(), name.end(), ':', '-');
      Point p{name, common};
      p.args.insert(p.args.end(), {"--baseline", spec, "--epochs", eb});
      p.args.insert(p.args.end(), s.pass.begin(), s.pass.end());
      points.push_back(p);
    }
  }
  std::cout << "odimo sweep: " << points.size() << " points in " << s.out << ", " << s.jobs << " at a time\n";
  const auto failed = run_points(s.out, points, s.jobs);
  std::cout << "\n";
  write_pareto(s.out);
  if (!failed.empty()) {
    std::cout << failed.size() << " point(s) failed; rerun the same command to retry them\n";
    return 1;
  }
  return 0;
}

int run_sweep(int argc, char** argv) {
  if (argc > 0) {
    const std::string sub = argv[0];
    if (sub == "plan") return sweep::cmd_plan(argc - 1, argv + 1);
    if (sub == "run") return sweep::cmd_run(argc - 1, argv + 1);
    if (sub == "reduce") return sweep::cmd_reduce(argc - 1, argv + 1);
    if (sub == "sbatch") return sweep::cmd_sbatch(argc - 1, argv + 1);
  }
  const std::set<std::string> passed = {"input", "batch",   "steps-per-epoch", "threads",    "seed",
                                        "lr",    "arch-lr", "model",           "calibration"};
  std::set<std::string> valued = {"soc",    "net",    "dataset",   "lambdas", "out",
                                  "target", "epochs", "baselines", "jobs"};
  valued.insert(passed.begin(), passed.end());
  Args args("sweep", argc, argv, valued, {"help", "compat"});
  if (args.flag("help")) {
    std::cout << "usage: " << kSweepUsage
              << "\n\nOne `odimo search` per lambda and per baseline (all on each CU, greedy per-layer\n"
                 "split on the cost model, ODiMO's min-latency heuristic), each in its own process,\n"
                 "--jobs at a time, written to DIR/<point>/ atomically. A point whose complete result\n"
                 "exists is skipped, so a killed sweep resumes where it stopped. Ends with odimo pareto.\n\n"
                 "Across machines: `sweep plan` expands a spec file (lambdas x SoC variants x seeds,\n"
                 "see workloads/sweeps/) into numbered points; `sweep run` runs them locally, one by\n"
                 "index (Slurm arrays: --index-from-env) or over MPI ranks (--mpi); `sweep reduce`\n"
                 "shows the Pareto fronts; `sweep sbatch` prints a Slurm array script. Each has --help.\n";
    return 0;
  }
  args.expect_positional(0, 0, kSweepUsage);
  SweepSpec s;
  s.soc = args.require("soc");
  s.net = args.require("net");
  s.dataset = args.get("dataset").value_or("fashion-mnist");
  s.target = args.get("target").value_or("latency");
  s.out = args.require("out");
  s.lambdas = split_list(args.require("lambdas"));
  for (const auto& l : s.lambdas) {
    char* end = nullptr;
    if (std::strtod(l.c_str(), &end) < 0 || *end)
      throw Error("odimo sweep: --lambdas: '" + l + "' is not a number >= 0");
  }
  const std::string b = args.get("baselines").value_or("all,greedy,minlat");
  if (b != "none") s.baselines = split_list(b);
  if (auto e = args.get("epochs")) {
    s.epochs.clear();
    for (const auto& x : split_list(*e)) s.epochs.push_back(std::atoi(x.c_str()));
    if (s.epochs.size() != 3 || s.epochs[2] < 1)
      throw Error("odimo sweep: --epochs '" + *e + "': expected W,S,F");
  }
  s.jobs = args.get_int("jobs", 1);
  if (s.jobs < 1) throw Error("odimo sweep: --jobs must be >= 1");
  for (const auto& o : passed)
    if (auto v = args.get(o)) s.pass.insert(s.pass.end(), {"--" + o, *v});
  if (args.flag("compat")) s.pass.push_back("--compat");
  return run_sweep_spec(s);
}

int run_pareto(int argc, char** argv) {
  Args args("pareto", argc, argv, {}, {"help"});
  if (args.flag("help")) {
    std::cout << "usage: odimo pareto DIR\n\nThe points of a sweep (DIR/*/report.json): accuracy, simulated "
                 "latency and\n"
                 "energy, Pareto fronts; writes DIR/pareto.svg.\n";
    return 0;
  }
  args.expect_positional(1, 1, "odimo pareto DIR");
  write_pareto(args.positional()[0]);
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
  SweepSpec s;
  s.soc = "diana";
  s.net = "resnet8";
  s.dataset = "fashion-mnist";
  s.out = args.get("out").value_or("odimo-demo");
  s.lambdas = split_list(args.get("lambdas").value_or("0.1,0.5,2"));
  s.baselines = {"all", "greedy", "minlat"};
  s.jobs = args.get_int("jobs", 2);
  if (s.jobs < 1) throw Error("odimo demo: --jobs must be >= 1");
  if (auto e = args.get("epochs")) {
    s.epochs.clear();
    for (const auto& x : split_list(*e)) s.epochs.push_back(std::atoi(x.c_str()));
    if (s.epochs.size() != 3 || s.epochs[2] < 1)
      throw Error("odimo demo: --epochs '" + *e + "': expected W,S,F");
  } else {
    s.epochs = {1, 1, 1};
  }
  s.pass = {"--threads", std::to_string(std::max(1, 2 / s.jobs))};
  // 150 steps of 128 images per epoch keep the whole demo within about 10 minutes on 2 cores.
  s.pass.insert(s.pass.end(), {"--steps-per-epoch", args.get("steps-per-epoch").value_or("150")});
  std::cout << "odimo demo: ResNet-8 / Fashion-MNIST / DIANA, lambdas "
            << args.get("lambdas").value_or("0.1,0.5,2")
            << ", baselines all:digital, all:aimc, greedy, minlat\n";
  return run_sweep_spec(s);
}

}  // namespace

static const Registration kSweep({"sweep", run_sweep, "a lambda sweep plus baselines, resumable", 72});
static const Registration kPareto({"pareto", run_pareto, "table and SVG of a sweep's Pareto fronts", 73});
static const Registration kDemo({"demo", run_demo, "the main job: map ResNet-8 onto DIANA while training",
                                 5});

}  // namespace odimo::cli
