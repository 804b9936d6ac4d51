#pragma once
// Subcommands register themselves: each cli/<command>.cpp defines one
// `static const Registration` and main() lists and dispatches what is there.
#include <vector>

namespace odimo::cli {

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);  // argv after the subcommand name
  const char* help;                   // one line for `odimo --help`
  int order;                          // position in the listing
};

std::vector<Command>& commands();

struct Registration {
  explicit Registration(Command c) { commands().push_back(c); }
};

}  // namespace odimo::cli
