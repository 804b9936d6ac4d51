#include "cli/args.h"

#include <cstdlib>

#include "proto/error.h"

namespace odimo::cli {

Args::Args(const std::string& command, int argc, char** argv, const std::set<std::string>& valued,
           const std::set<std::string>& flags)
    : command_(command) {
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-o" && valued.count("out")) a = "--out";  // the usual short form
    if (a.rfind("--", 0) != 0 || a == "--") {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (valued.count(name)) {
      if (!value) {
        if (i + 1 >= argc) throw Error("odimo " + command_ + ": option --" + name + " needs a value");
        value = argv[++i];
      }
      values_.emplace(name, *value);
    } else if (flags.count(name)) {
      if (value) throw Error("odimo " + command_ + ": option --" + name + " takes no value");
      flags_.insert(name);
    } else {
      throw Error("odimo " + command_ + ": unknown option --" + name + " (see odimo " + command_ +
                  " --help)");
    }
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto range = values_.equal_range(name);
  if (range.first == range.second) return std::nullopt;
  return std::prev(range.second)->second;  // the last one given wins
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  auto range = values_.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

std::string Args::require(const std::string& name) const {
  auto v = get(name);
  if (!v) throw Error("odimo " + command_ + ": missing required option --" + name);
  return *v;
}

int Args::get_int(const std::string& name, int fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  char* end = nullptr;
  long x = std::strtol(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || x < -2147483647L || x > 2147483647L) {
    throw Error("odimo " + command_ + ": option --" + name + ": '" + *v + "' is not an integer");
  }
  return int(x);
}

double Args::get_double(const std::string& name, double fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  char* end = nullptr;
  double x = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0') {
    throw Error("odimo " + command_ + ": option --" + name + ": '" + *v + "' is not a number");
  }
  return x;
}

void Args::expect_positional(size_t min, size_t max, const std::string& usage) const {
  if (positional_.size() < min || positional_.size() > max) {
    throw Error("odimo " + command_ + ": expected " +
                (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)) +
                " argument(s), got " + std::to_string(positional_.size()) + "\nusage: " + usage);
  }
}

}  // namespace odimo::cli
