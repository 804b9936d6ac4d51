// odimo: the command-line entry. Finds the subcommand and hands it to its parser
// (cli/command_line.h); every bad input ends as one clear line on stderr and exit
// status 2.
#include <algorithm>
#include <cstring>
#include <iostream>
#include <string>

#include "cli/command_line.h"
#include "cli/registry.h"

namespace {

using odimo::cli::commands;

void usage(std::ostream& out) {
  out << "odimo " ODIMO_VERSION
         " - map DNN layers onto heterogeneous SoCs at training time, check them in SystemC\n\n"
         "usage: odimo COMMAND [options]   (odimo help COMMAND or odimo COMMAND --help for details)\n\n"
         "commands:\n";
  for (const auto& c : commands())
    out << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.help << "\n";
}

int unknown_command(const std::string& who, const std::string& name) {
  std::cerr << who << ": error: unknown " << (name.rfind('-', 0) == 0 ? "option" : "command") << " '"
            << odimo::cli::one_line(name) << "' (see odimo --help)\n";
  return 2;
}

// odimo help [COMMAND [SUBCOMMAND...]]
int help(int argc, char** argv) {
  if (argc < 3) {
    usage(std::cout);
    return 0;
  }
  const auto* c = odimo::cli::find_command(argv[2]);
  if (!c) return unknown_command("odimo help", argv[2]);
  return odimo::cli::print_help(*c, std::vector<std::string>(argv + 3, argv + argc), std::cout);
}

}  // namespace

namespace odimo::cli {
std::vector<Command>& commands() {
  static std::vector<Command> all;
  return all;
}
const Command* find_command(const std::string& name) {
  for (const auto& c : commands())
    if (name == c.name) return &c;
  return nullptr;
}
}  // namespace odimo::cli

int main(int argc, char** argv) {
  std::sort(commands().begin(), commands().end(),
            [](const auto& a, const auto& b) { return a.order < b.order; });
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  const std::string first = argv[1];
  if (first == "--help" || first == "-h") {
    usage(std::cout);
    return 0;
  }
  if (first == "--version") {
    std::cout << "odimo " ODIMO_VERSION "\n";
    return 0;
  }
  if (first == "help") return help(argc, argv);
  const auto* c = odimo::cli::find_command(first);
  if (!c) return unknown_command("odimo", first);
  return odimo::cli::run_command(*c, std::vector<std::string>(argv + 2, argv + argc));
}
