#pragma once
// `odimo sweep plan|run|reduce|sbatch`: sweeps spread over processes, MPI ranks or
// Slurm array tasks (argv after the subcommand name).
#include <string>
#include <vector>

#include "mapper/sweep/run.h"

namespace odimo::cli {

int cmd_plan(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_reduce(int argc, char** argv);
int cmd_sbatch(int argc, char** argv);

// How this program runs one sweep point: `odimo search ARGS` in this process, or
// `odimo sweep run --index I PLAN --out OUT` as a child process.
int search_here(const std::vector<std::string>& search_args);
std::vector<std::string> point_command(const sweep::Run& run, int index);

}  // namespace odimo::cli
