#pragma once
// Running a sweep plan: one point in this process (`--index i`, Slurm arrays), all
// points locally (`--jobs N`), or spread over MPI ranks (`--mpi`). Every mode runs a
// point the same way, so results are byte-identical whichever mode ran them.
#include <sys/types.h>

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "proto/sweep.pb.h"

namespace odimo::sweep {

struct Run {
  std::string plan_dir, out;
  proto::SweepPlan plan;
  std::vector<std::string> labels;          // per point, e.g. "lambda=0.5"
  std::vector<int> init_from;               // per point, its pretraining point or -1
  std::string name(int index) const;        // "point-007"
  std::string title(int index) const;       // "point-007 (lambda=0.5)"
  std::string result_dir(int index) const;  // OUT/point-007
  std::string log(int index) const;         // OUT/logs/point-007.log
  bool pretraining(int index) const;        // other points start from this one
  // Nothing left to run (plan.h: point_complete). A pretraining point whose checkpoint is
  // absent (reference results keep reports only) is complete unless a point that still has
  // to run starts from it; then it is recomputed, deterministically, from scratch.
  bool complete(int index) const;
};

// Reads the plan and every point (a broken plan stops here, before any work);
// creates OUT and OUT/logs and copies the plan there (an OUT that holds another
// plan's results is an error).
Run open_run(const std::string& plan_dir, const std::string& out);

// How the program (cli/) runs one point in this process.
struct PointRunner {
  // `odimo search` of a point's configuration into the folder `out`, resumed (a killed point
  // continues from its last epoch), then replayed; exit status out.
  std::function<int(const proto::SearchConfig& config, const std::string& out)> search;
  // `odimo <command> ARGS`: "train" (a pretraining point, its arguments from the point file plus
  // --out DIR --resume) and "deploy" (deploy_step.h); exit status out.
  std::function<int(const std::string& command, const std::vector<std::string>& args)> command;
};
// The arguments (argv[1..]) that make this executable run point `index` of `run`
// alone, e.g. `sweep run --index 7 PLAN --out OUT`. Supplied by the program (cli/).
using PointCommand = std::function<std::vector<std::string>(const Run& run, int index)>;

// The point in this process: its search + replay (or its pretraining) into
// OUT/point-NNN. Returns the search's status (0 also when a complete result already
// exists, left untouched). A point starting from a pretraining point that is not
// complete is an Error naming it (array tasks depend on it: `sweep sbatch`).
int run_here(const Run& run, int index, const PointRunner& runner);

// Starts this executable with `command(run, index)` as a child process logging to OUT/logs.
pid_t start_child(const Run& run, int index, const PointCommand& command);

enum class Outcome { kComputed, kSkipped, kFailed };
struct Tally {
  std::vector<std::string> computed, skipped, failed;
  void add(const Run& run, int index, Outcome o, std::ostream& out);
  // "computed 5, skipped 1, failed 0" plus the failed points' logs; returns the
  // exit status (1 when any point failed). `hint`: say that reduce comes next.
  int summary(const Run& run, std::ostream& out, bool hint) const;
};

// Every point, `jobs` child processes at a time; complete points are skipped; a
// point starts only once its pretraining point is done (and fails if that failed).
int run_local(const Run& run, int jobs, const PointCommand& command, bool hint = true);

// Rank 0 first runs the pretraining points (all ranks wait at a barrier), then hands
// out point indices on request and runs points itself; a failed point is reported
// and the others go on. Without MPI in the build: an Error saying so.
int run_mpi(const Run& run, const PointCommand& command);
// Throws the "built without MPI" Error when it is so; call before any work.
void require_mpi();

}  // namespace odimo::sweep
