// odimo: the command-line entry. Parses the subcommand and dispatches; every
// bad input ends as one clear line on stderr and exit status 2.
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "proto/error.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* help;
};

const Command kCommands[] = {
    {"inspect", odimo::cli::run_inspect, "per-layer shapes, MACs and parameters of a network"},
    {"workloads", odimo::cli::run_workloads, "list the shipped networks (or regenerate their files)"},
};

void usage(std::ostream& out) {
  out << "odimo " ODIMO_VERSION
         " - map DNN layers onto heterogeneous SoCs at training time, check them in SystemC\n\n"
         "usage: odimo COMMAND [options]   (odimo COMMAND --help for details)\n\ncommands:\n";
  for (const auto& c : kCommands)
    out << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.help << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << "odimo " ODIMO_VERSION "\n";
    return 0;
  }
  for (const auto& c : kCommands) {
    if (argv[1] == std::string(c.name)) {
      try {
        return c.run(argc - 2, argv + 2);
      } catch (const odimo::Error& e) {
        std::cerr << "odimo: error: " << e.what() << "\n";
        return 2;
      } catch (const std::exception& e) {
        std::cerr << "odimo: internal error: " << e.what() << "\n";
        return 3;
      }
    }
  }
  std::cerr << "odimo: unknown command '" << argv[1] << "'\n\n";
  usage(std::cerr);
  return 2;
}
