#pragma once
// `odimo sweep plan|run|reduce|sbatch`: sweeps spread over processes, MPI ranks or
// Slurm array tasks (argv after the subcommand name).
namespace odimo::cli::sweep {

int cmd_plan(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_reduce(int argc, char** argv);
int cmd_sbatch(int argc, char** argv);

}  // namespace odimo::cli::sweep
