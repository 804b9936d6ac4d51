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
// must be a regular file (not a FIFO, device, socket or directory), its name no
// longer than its file system allows, and its folder must exist (not deleted,
// e.g. a working directory removed under the command) and be writable. `option`
// names the flag in the message.
void check_output_file(const std::string& path, const std::string& option);

// `path` made absolute and normalised; Error (not an exception of the library) when
// it is relative and the working directory is gone.
std::string absolute_path(const std::string& path);

// The temporary name a write to `target` goes through before its rename
// (target.tmp.<host>.<pid>), in the same folder; cut, with a hash of the whole
// name, to fit the file system's limit on a name's length when `target`'s is long.
std::string temporary_name(const std::string& target);

// A folder a command writes into (created when the work is done): an existing
// one must be a writable directory; otherwise its nearest existing ancestor. No
// name on the way may be longer than the file system allows.
void check_output_dir(const std::string& dir, const std::string& option);

// A file a command writes or reads, and the option that names it.
struct OutputFile {
  std::string option;  // "--report"
  std::string path;    // empty: not asked for
};
using InputFile = OutputFile;

// check_output_file on each given output, no two naming the same file, and none
// the same file as one of `inputs` (check_not_inputs).
void check_output_files(const std::vector<OutputFile>& outputs, const std::vector<InputFile>& inputs = {});

// Throws Error if an output would overwrite one of the command's inputs: the same
// file (inode) through symlinks and hard links, or the same path once symlinks and
// "."/".." are resolved. Inputs that are not existing files (shipped names such as
// "diana", empty options) are skipped. For outputs inside a folder that may not
// exist yet (DIR/report.json) this is the whole check; check_output_dir the folder.
void check_not_inputs(const std::vector<OutputFile>& outputs, const std::vector<InputFile>& inputs);

// Removes, when the command fails (leaves its scope by an exception), the folders
// on the way to `dir` that did not exist when it was constructed and are empty
// then: a rejected command leaves no empty output folder behind. Never removes
// a file or a folder with anything in it (rmdir).
class OutputFolderGuard {
 public:
  explicit OutputFolderGuard(const std::string& dir);
  ~OutputFolderGuard();
  OutputFolderGuard(const OutputFolderGuard&) = delete;
  OutputFolderGuard& operator=(const OutputFolderGuard&) = delete;

 private:
  std::vector<std::string> created_;  // deepest first: the folders that did not exist
  int exceptions_;
};

}  // namespace odimo
