// odimo: the command-line entry. Parses the subcommand and dispatches; every
// bad input ends as one clear line on stderr and exit status 2.
#include <algorithm>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "cli/registry.h"
#include "proto/error.h"

namespace {

using odimo::cli::commands;

void usage(std::ostream& out) {
  out << "odimo " ODIMO_VERSION
         " - map DNN layers onto heterogeneous SoCs at training time, check them in SystemC\n\n"
         "usage: odimo COMMAND [options]   (odimo COMMAND --help for details)\n\ncommands:\n";
  for (const auto& c : commands())
    out << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.help << "\n";
}

}  // namespace

namespace odimo::cli {
std::vector<Command>& commands() {
  static std::vector<Command> all;
  return all;
}
}  // namespace odimo::cli

int main(int argc, char** argv) {
  std::sort(commands().begin(), commands().end(),
            [](const auto& a, const auto& b) { return a.order < b.order; });
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << "odimo " ODIMO_VERSION "\n";
    return 0;
  }
  for (const auto& c : commands()) {
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
