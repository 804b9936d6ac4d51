#pragma once
// Output destinations: where a write to a path really lands (through symlinks),
// and the checks every command runs on its outputs before its work starts, so
// that a bad destination is one line and exit 2, never a finished run lost.
#include <string>
#include <vector>

namespace odimo {

// The file a write to `path` replaces: `path` with every symlink followed (the
// last one may dangle: then its target is created). Throws Error on a loop.
std::string output_target(const std::string& path);

// Throws Error unless a write to `path` can succeed: an existing destination
// must be a regular file (not a FIFO, device, socket or directory), and its
// folder must exist and be writable. `option` names the flag in the message.
void check_output_file(const std::string& path, const std::string& option);

// A folder a command writes into (created when the work is done): an existing
// one must be a writable directory; otherwise its nearest existing ancestor.
void check_output_dir(const std::string& dir, const std::string& option);

struct OutputFile {
  std::string option;  // "--report"
  std::string path;    // empty: not asked for
};

// check_output_file on each given output, and no two naming the same file.
void check_output_files(const std::vector<OutputFile>& outputs);

}  // namespace odimo
