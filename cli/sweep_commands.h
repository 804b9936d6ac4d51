#pragma once
// `odimo sweep plan|run|reduce|sbatch`: sweeps spread over processes, MPI ranks or
// Slurm array tasks (mapper/sweep), declared on their subcommand's parser.
#include <string>
#include <vector>

#include "cli/registry.h"
#include "mapper/sweep/run.h"

namespace odimo::cli {

Action define_sweep_plan(CLI::App& app);
Action define_sweep_run(CLI::App& app);
Action define_sweep_reduce(CLI::App& app);  // also `odimo pareto`
Action define_sweep_sbatch(CLI::App& app);

// --accuracy trained|deployed of odimo pareto and odimo sweep reduce (cli/pareto_print.h).
void add_accuracy_option(CLI::App& app, std::string& accuracy);

// How this program runs one sweep point: its search configuration (or `odimo train|deploy
// ARGS`) in this process, or `odimo sweep run --index I PLAN --out OUT` as a child process.
sweep::PointRunner point_runner();
std::vector<std::string> point_command(const sweep::Run& run, int index);

}  // namespace odimo::cli
