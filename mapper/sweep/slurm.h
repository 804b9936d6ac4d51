#pragma once
// A Slurm job-array script for a sweep plan: one array task per point.
#include <string>
#include <vector>

#include "proto/sweep.pb.h"

namespace odimo::sweep {

struct SlurmJob {
  std::string plan_dir, out;             // absolute: the script may be submitted from anywhere
  int max_parallel = 0;                  // tasks at a time (0: no limit)
  std::string time, partition, account;  // #SBATCH lines when not empty
  // One array task's command, which reads its point index from $SLURM_ARRAY_TASK_ID
  // (e.g. {"/usr/bin/odimo", "sweep", "run", "--index-from-env", PLAN, "-o", OUT}).
  std::vector<std::string> task_command;
};

// The script's text (bash, #SBATCH header, `set -euo pipefail`). With `pretraining`
// points (numbered first, 0..P-1), the script's array is those points, and its task 0
// submits the array of the other points with --dependency=afterok on this job (once:
// a marker in OUT/logs stops a requeued task from submitting it again).
// Values of #SBATCH lines (--out, --time, --partition, --account, the sweep's name) are
// refused (Error) when they hold a character other than letters, digits and /._-+=:,@%;
// every word of a command is quoted for the shell.
std::string slurm_script(const SlurmJob& job, const proto::SweepPlan& plan, int pretraining = 0);

// A word for the shell: single-quoted unless it is plainly safe.
std::string shell_quoted(const std::string& word);

}  // namespace odimo::sweep
