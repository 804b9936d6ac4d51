#pragma once
// odimo's command lines on CLI11: one parser per command (and per subcommand of
// `odimo sweep`), every option declared once with its default and its help. Every
// mistake ends as one line `odimo CMD: error: ...` on stderr and exit status 2.
#include <CLI/CLI.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "cli/registry.h"
#include "hw/cu/analog_nonideality.h"

namespace odimo::cli {

// Settings of every odimo parser: defaults shown in --help, the last of a repeated
// option wins, unknown arguments kept so that run_command can name them.
void configure(CLI::App& app);

// `text` as one line of an error message: line breaks and other control characters (e.g. in
// a file name) written as escapes (\n, \r, \xNN).
std::string one_line(const std::string& text);

// The range of a floating-point option: a finite number in [lo, hi]; NaN, ±inf
// and 1e308 are refused in one line naming the option, the value and the range.
// Every FLOAT option of every command carries one (run_command checks it).
CLI::Validator finite_range(double lo, double hi);

// An option taking a read noise sigma (hw/cu/analog_nonideality.h): a fraction of the ADC
// full scale or NLSB ("1lsb"); a bad value is one line naming the option (exit 2).
CLI::Option* add_noise_option(CLI::App& app, const std::string& name, ReadNoise& noise,
                              const std::string& help);

// The largest thread or process count an option or a sweep spec may ask for
// (mapper/tensor/thread_pool.h: kMaxThreads); counts are checked as 1..kMaxThreads.
CLI::Validator count_range(int lo, int hi);

// Parses `args` (after the command's name) with the command's parser and runs its
// action; --help prints the help of the (sub)command it follows. Returns the exit
// status: the action's, 0 for help, 2 for bad input, 3 for an internal error.
int run_command(const Command& command, const std::vector<std::string>& args);

// `odimo help CMD [SUB]`: the help of a command or of one of its subcommands.
int print_help(const Command& command, const std::vector<std::string>& subcommands, std::ostream& out);

}  // namespace odimo::cli
