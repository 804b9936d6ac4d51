#include "proto/proto_io.h"

#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "proto/error.h"
#include "proto/output_file.h"

namespace odimo {
namespace {

// Collects the first parse error with its position (protobuf counts from 0).
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (m_message.empty()) {
      m_line = line + 1;
      m_column = column + 1;
      m_message = message;
    }
  }
  void AddWarning(int, int, const std::string&) override {}
  std::string where(const std::string& origin) const {
    return origin + ":" + std::to_string(m_line) + ":" + std::to_string(m_column) + ": " + m_message;
  }
  bool empty() const { return m_message.empty(); }

 private:
  int m_line = 0;
  int m_column = 0;
  std::string m_message;
};

}  // namespace

bool file_exists(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

void check_readable_file(const std::string& path) {
  // A device reads as empty (/dev/null) or without end (/dev/zero); a FIFO is kept (<(...)).
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // opening says why
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a folder: expected a file");
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode))
    throw Error(path + ": is " +
                (S_ISCHR(st.st_mode)   ? "a character device"
                 : S_ISBLK(st.st_mode) ? "a block device"
                                       : "a socket") +
                ": expected a file");
}

std::string read_file(const std::string& path) {
  check_readable_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(path + ": read error");
  return ss.str();
}

void parse_text_proto(const std::string& text, const std::string& origin, google::protobuf::Message* msg) {
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, msg)) {
    throw Error(errors.empty() ? origin + ": cannot parse as " + msg->GetTypeName() : errors.where(origin));
  }
}

void read_text_proto(const std::string& path, google::protobuf::Message* msg) {
  parse_text_proto(read_file(path), path, msg);
}

std::string to_text_proto(const google::protobuf::Message& msg) {
  std::string out;
  google::protobuf::TextFormat::PrintToString(msg, &out);
  return out;
}

namespace {

// Map entries sorted by key: protobuf's default serialisation iterates maps in an
// order that differs between processes, and outputs must be byte-identical.
std::string deterministic_bytes(const google::protobuf::Message& msg) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!msg.SerializeToCodedStream(&coded)) throw Error("cannot serialise " + msg.GetTypeName());
  }
  return bytes;
}

}  // namespace

std::string to_json(const google::protobuf::Message& msg) {
  google::protobuf::util::JsonPrintOptions opt;
  opt.add_whitespace = true;
  opt.preserve_proto_field_names = true;
  opt.always_print_primitive_fields = true;
  static const std::unique_ptr<google::protobuf::util::TypeResolver> resolver(
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          "type.googleapis.com", google::protobuf::DescriptorPool::generated_pool()));
  std::string out;
  // Through the deterministic wire form, so that map keys come out sorted.
  auto status = google::protobuf::util::BinaryToJsonString(
      resolver.get(), "type.googleapis.com/" + msg.GetDescriptor()->full_name(), deterministic_bytes(msg),
      &out, opt);
  if (!status.ok()) throw Error("cannot write JSON: " + status.ToString());
  return out;
}

namespace {

// Writes all of `content` to a new file `tmp`, flushed to the disk; returns 0 or the errno
// of the first failure (a short write, e.g. a full disk, fsync or close).
int write_whole_file(const std::string& tmp, const std::string& content) {
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return errno;
  int err = 0;
  for (size_t done = 0; done < content.size() && !err;) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n > 0)
      done += size_t(n);
    else if (n == 0)
      err = ENOSPC;  // no progress: the file system takes no more
    else if (errno != EINTR)
      err = errno;
  }
  if (!err && ::fsync(fd) != 0 && errno != EINVAL) err = errno;  // EINVAL: no fsync here (pipes)
  if (::close(fd) != 0 && !err && errno != EINTR) err = errno;
  return err;
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& content) {
  // Through a symlink to its target (the temporary name in the target's folder);
  // FIFOs, devices and directories are refused, never replaced by a regular file.
  check_output_file(path, "");
  const std::string target = output_target(path);
  // Host and pid: array tasks on different nodes of a shared file system may share a pid.
  const std::string tmp = temporary_name(target);
  // Nothing of a failed write stays behind: the temporary is removed, the previous file
  // under `path` is untouched.
  if (const int err = write_whole_file(tmp, content)) {
    ::unlink(tmp.c_str());
    throw Error(path + ": cannot write: " + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error(path + ": cannot rename into place: " + why);
  }
}

void write_text_proto(const std::string& path, const google::protobuf::Message& msg) {
  write_file_atomic(path, to_text_proto(msg));
}

void write_json(const std::string& path, const google::protobuf::Message& msg) {
  write_file_atomic(path, to_json(msg));
}

void write_binary_proto(const std::string& path, const google::protobuf::Message& msg) {
  write_file_atomic(path, deterministic_bytes(msg));
}

void read_binary_proto(const std::string& path, google::protobuf::Message* msg) {
  const std::string bytes = read_file(path);
  if (!msg->ParseFromString(bytes)) {
    throw Error(path + ": not a valid " + msg->GetTypeName() + " (truncated or corrupt)");
  }
}

}  // namespace odimo
