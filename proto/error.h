#pragma once
// The one error type odimo throws for bad input: the CLI prints what() and exits 2.
#include <stdexcept>
#include <string>

namespace odimo {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace odimo
