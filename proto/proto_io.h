#pragma once
// Reading and writing protobuf messages as odimo's users see them: text format
// for human files (errors carry file:line:column), JSON for machine outputs,
// binary for checkpoints. Every write goes to a temporary name, then renames.
#include <google/protobuf/message.h>

#include <filesystem>
#include <string>

namespace odimo {

// Parses a protobuf text-format file; throws Error naming file, line, column
// and the parser's complaint (unknown field, bad value, syntax).
void read_text_proto(const std::string& path, google::protobuf::Message* msg);
// Parses text-format content; `origin` names it in errors.
void parse_text_proto(const std::string& text, const std::string& origin, google::protobuf::Message* msg);

std::string to_text_proto(const google::protobuf::Message& msg);
std::string to_json(const google::protobuf::Message& msg);

// Writes `content` to `path` atomically: to path.tmp.<host>.<pid> (temporary_name), fsync, rename. A short
// write (full disk), a failed fsync or close: Error "<path>: cannot write: <why>", the
// temporary removed and the previous file under `path` intact.
// Through a symlink to its target, refusing non-regular destinations (proto/output_file.h).
void write_file_atomic(const std::string& path, const std::string& content);
void write_text_proto(const std::string& path, const google::protobuf::Message& msg);
void write_json(const std::string& path, const google::protobuf::Message& msg);
void write_binary_proto(const std::string& path, const google::protobuf::Message& msg);
void read_binary_proto(const std::string& path, google::protobuf::Message* msg);

// The whole file; Error naming `path` when it cannot be opened or read, or is a folder (which
// a stream would read as an empty file) or a device (empty, or without end). Every reader of a file odimo is
// given goes through it (or check_readable_file, for a library that opens the file itself).
std::string read_file(const std::string& path);
void check_readable_file(const std::string& path);

// Whether `path` names an existing file or folder; false, never a throw, for a
// name the system refuses (too long, a component that is not a folder).
bool file_exists(const std::filesystem::path& path);

}  // namespace odimo
