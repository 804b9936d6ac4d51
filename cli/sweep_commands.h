#pragma once
// `odimo sweep plan|run|reduce|sbatch`: sweeps spread over processes, MPI ranks or
// Slurm array tasks (argv after the subcommand name).
#include <string>
#include <vector>

namespace odimo::cli::sweep {

int cmd_plan(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_reduce(int argc, char** argv);
int cmd_sbatch(int argc, char** argv);

// The Pareto table(s) and SVG(s) of the results in the OUT folders together (one
// per SoC; SVGs go to the first folder), and each plan's points still missing;
// `odimo pareto` and every sweep end with it.
void reduce(const std::vector<std::string>& outs);

}  // namespace odimo::cli::sweep
