// proto/json_string.h: the one JSON string escaper (odimo inspect --json, Perfetto traces).
#include <doctest/doctest.h>

#include "proto/json_string.h"

TEST_CASE("json_string escapes quotes, backslashes and control characters") {
  CHECK(odimo::json_string("plain") == "\"plain\"");
  CHECK(odimo::json_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(odimo::json_string("l1\nl2\tx") == "\"l1\\nl2\\tx\"");
  CHECK(odimo::json_escaped(std::string("\x01", 1)) == "\\u0001");
  CHECK(odimo::json_escaped("caf\xc3\xa9") == "caf\xc3\xa9");  // UTF-8 passes through
}
