#pragma once
// JSON string text (RFC 8259) for output written by hand rather than through
// protobuf: quotes and backslashes escaped, control characters as \n, \t or \u00XX.
#include <cstdio>
#include <string>

namespace odimo {

// The characters between the quotes: a"b -> a\"b.
inline std::string json_escaped(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += char(ch);
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += char(ch);
    }
  }
  return out;
}

// A quoted JSON string: a"b -> "a\"b".
inline std::string json_string(const std::string& s) {
  return "\"" + json_escaped(s) + "\"";
}

}  // namespace odimo
