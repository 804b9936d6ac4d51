#pragma once
// Shared by the libFuzzer harnesses (tests/fuzz/README.md): the fuzz input as a
// file the product's own reader opens, and odimo::Error as the expected outcome
// of bad input. Anything else escaping (another exception, a crash, a sanitizer
// report, a leak) is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "proto/error.h"

namespace odimo::fuzz {

// A folder of this process for the input files (removed at exit).
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    std::string t =
        std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/odimo-fuzz-XXXXXX";
    if (!::mkdtemp(t.data())) std::abort();
    static const std::string removed = t;
    std::atexit([] { std::system(("rm -rf '" + removed + "'").c_str()); });
    return t;
  }();
  return dir;
}

// Writes `size` bytes to scratch_dir()/name; returns the path.
inline std::string write_input(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  if (!out) std::abort();
  return path;
}

// Runs `f`; odimo::Error (bad input, reported in one line by the CLI) is fine.
template <class F>
int expect_error_or_success(F&& f) {
  try {
    f();
  } catch (const odimo::Error&) {
  }
  return 0;
}

}  // namespace odimo::fuzz
