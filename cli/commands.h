#pragma once
// Every odimo subcommand: argv after the subcommand name in, exit status out.
// Bad input throws odimo::Error; main() prints it and exits 2.
namespace odimo::cli {

int run_inspect(int argc, char** argv);
int run_workloads(int argc, char** argv);

}  // namespace odimo::cli
