#include "proto/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>

#include "proto/error.h"

namespace odimo {
namespace fs = std::filesystem;
namespace {

std::string where(const std::string& path, const std::string& option) {
  return path + ": " + (option.empty() ? std::string() : option + ": ");
}

const char* kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

std::string folder_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

// Throws unless `dir` is an existing, writable directory.
void check_writable_dir(const std::string& dir, const std::string& what) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    throw Error(what + "folder " + dir + " does not exist (" + std::strerror(errno) + ")");
  if (!S_ISDIR(st.st_mode)) throw Error(what + dir + " is " + kind(st.st_mode) + ", expected a folder");
  if (st.st_nlink == 0)
    throw Error(what + "folder " + dir + " has been deleted" +
                (dir == "." ? " (the working directory)" : ""));
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw Error(what + "folder " + dir + " is not writable (" + std::strerror(errno) + ")");
}

// The longest file name the file system holding `dir` takes.
size_t name_max(const std::string& dir) {
  const long n = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  return n > 0 ? size_t(n) : size_t(NAME_MAX);
}

}  // namespace

std::string absolute_path(const std::string& path) {
  std::error_code ec;
  const fs::path a = fs::absolute(path, ec);
  if (ec)
    throw Error(path + ": cannot tell where this is: " + ec.message() +
                " (was the working directory deleted?)");
  return a.lexically_normal().string();
}

std::string temporary_name(const std::string& target) {
  char host[65] = "host";
  ::gethostname(host, sizeof host - 1);
  host[sizeof host - 1] = '\0';
  const std::string suffix = ".tmp." + std::string(host) + "." + std::to_string(::getpid());
  const fs::path t(target);
  std::string name = t.filename().string();
  const size_t limit = name_max(folder_of(target));
  if (name.size() + suffix.size() > limit) {
    char hash[20];
    std::snprintf(hash, sizeof hash, ".%016zx", std::hash<std::string>{}(name));
    const size_t keep = limit > suffix.size() + 17 ? limit - suffix.size() - 17 : 0;
    name = name.substr(0, keep) + hash;
  }
  return (t.parent_path() / (name + suffix)).string();
}

std::string output_target(const std::string& path) {
  std::string p = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    std::string target(size_t(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
    const ssize_t n = ::readlink(p.c_str(), target.data(), target.size());
    if (n < 0) throw Error(path + ": cannot read the symlink: " + std::strerror(errno));
    target.resize(size_t(n));
    p = fs::path(target).is_absolute() ? target : (fs::path(folder_of(p)) / target).string();
  }
  throw Error(path + ": too many levels of symbolic links");
}

void check_output_file(const std::string& path, const std::string& option) {
  const std::string what = where(path, option);
  if (path.empty()) throw Error((option.empty() ? "output" : option) + ": an empty file name");
  const std::string target = output_target(path);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw Error(what + (target == path ? "" : "(-> " + target + ") ") + "is " + kind(st.st_mode) +
                ": odimo writes outputs to regular files only");
  check_writable_dir(folder_of(target), what);
  const std::string name = fs::path(target).filename().string();
  const size_t limit = name_max(folder_of(target));
  if (name.size() > limit)
    throw Error(what + "the file name is " + std::to_string(name.size()) +
                " bytes: its file system takes at most " + std::to_string(limit));
}

void check_output_dir(const std::string& dir, const std::string& option) {
  const std::string what = where(dir, option);
  if (dir.empty()) throw Error(option + ": an empty folder name");
  fs::path p = fs::path(dir);
  std::error_code ec;
  while (!p.empty() && !fs::exists(fs::symlink_status(p, ec)) && p.has_relative_path() &&
         p != p.parent_path())
    p = p.parent_path();
  const std::string existing = p.empty() ? "." : p.string();
  check_writable_dir(existing, what);
  const size_t limit = name_max(existing);
  for (const fs::path& part : fs::path(dir))
    if (part.string().size() > limit)
      throw Error(what + "the folder name " + part.string().substr(0, 16) + "... is " +
                  std::to_string(part.string().size()) + " bytes: its file system takes at most " +
                  std::to_string(limit));
}

namespace {

// Where `path` really is: symlinks followed (in the last component by
// output_target, in folders by weakly_canonical), absolute and normalised.
fs::path resolved(const std::string& path) {
  std::error_code ec;
  const fs::path target = absolute_path(output_target(path));
  const fs::path canonical = fs::weakly_canonical(target, ec);
  return ec ? target : canonical;
}

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return a == b || fs::equivalent(a, b, ec);
}

bool is_existing_file(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

}  // namespace

void check_not_inputs(const std::vector<OutputFile>& outputs, const std::vector<InputFile>& inputs) {
  for (const InputFile& in : inputs) {
    if (!is_existing_file(in.path)) continue;
    const fs::path input = resolved(in.path);
    for (const OutputFile& o : outputs)
      if (!o.path.empty() && same_file(resolved(o.path), input))
        throw Error(o.path + ": " + o.option + " is the same file as " + in.option + " " + in.path +
                    ": odimo does not write over its inputs; choose another output");
  }
}

OutputFolderGuard::OutputFolderGuard(const std::string& dir) : exceptions_(std::uncaught_exceptions()) {
  std::error_code ec;
  fs::path start = fs::path(dir).lexically_normal();
  if (start.filename().empty()) start = start.parent_path();  // "a/b/"
  for (fs::path p = start; !p.empty() && p.has_relative_path(); p = p.parent_path()) {
    if (fs::exists(fs::symlink_status(p, ec))) break;
    created_.push_back(p.string());
    if (p == p.parent_path()) break;
  }
}

OutputFolderGuard::~OutputFolderGuard() {
  if (std::uncaught_exceptions() <= exceptions_) return;
  for (const std::string& d : created_)
    if (::rmdir(d.c_str()) != 0) break;  // not empty (or not there): keep it and its parents
}

void check_output_files(const std::vector<OutputFile>& outputs, const std::vector<InputFile>& inputs) {
  std::vector<std::pair<const OutputFile*, fs::path>> seen;
  for (const OutputFile& o : outputs) {
    if (o.path.empty()) continue;
    check_output_file(o.path, o.option);
    const fs::path target = absolute_path(output_target(o.path));
    for (const auto& [other, t] : seen) {
      std::error_code ec;
      if (t == target || fs::equivalent(t, target, ec))
        throw Error(o.path + ": " + other->option + " and " + o.option +
                    " name the same file: give each output its own file");
    }
    seen.emplace_back(&o, target);
  }
  check_not_inputs(outputs, inputs);
}

}  // namespace odimo
