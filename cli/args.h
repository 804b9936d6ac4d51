#pragma once
// Command-line parsing for odimo's subcommands: "--name value", "--name=value",
// boolean "--flag" and positionals. Unknown options are errors, never ignored.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace odimo::cli {

class Args {
 public:
  // `valued`: options that take a value; `flags`: options that do not.
  Args(const std::string& command, int argc, char** argv, const std::set<std::string>& valued,
       const std::set<std::string>& flags);

  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> get(const std::string& name) const;
  // All values of an option given several times (e.g. --net a --net b).
  std::vector<std::string> all(const std::string& name) const;
  std::string require(const std::string& name) const;
  int get_int(const std::string& name, int fallback) const;
  double get_double(const std::string& name, double fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }
  const std::string& command() const { return command_; }
  // Throws unless there are between min and max positionals.
  void expect_positional(size_t min, size_t max, const std::string& usage) const;

 private:
  std::string command_;
  std::multimap<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace odimo::cli
