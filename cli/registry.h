#pragma once
// Subcommands register themselves: each cli/cmd_<command>.cpp defines one
// `static const Registration`; main() lists them, builds the chosen one's parser
// (cli/command_line.h) and runs it.
#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace odimo::cli {

// What runs a command once its command line is parsed; returns the exit status.
using Action = std::function<int()>;

struct Command {
  const char* name;
  const char* help;  // one line for `odimo --help`
  int order;         // position in the listing
  // Declares the command's options, positionals and subcommands on `app` (named
  // "odimo NAME"), bound to an option struct that the returned action owns.
  Action (*define)(CLI::App& app);
};

std::vector<Command>& commands();
const Command* find_command(const std::string& name);

struct Registration {
  explicit Registration(Command c) { commands().push_back(c); }
};

}  // namespace odimo::cli
