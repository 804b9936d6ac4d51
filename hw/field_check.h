#pragma once
// Messages for a bad field of a description file, one style everywhere:
//   "<origin>: field '<path>': value <v> <what>"
// (e.g. "diana.pbtxt: field 'cu[2].aimc.rows': value 0 must be > 0").
#include <sstream>
#include <string>

#include "proto/error.h"

namespace odimo {

struct FieldCheck {
  const std::string& origin;

  [[noreturn]] void fail(const std::string& field, const std::string& value, const std::string& what) const {
    throw Error(origin + ": field '" + field + "': value " + value + " " + what);
  }
  // Every number of a description is finite and at most kLargest: nothing a
  // model multiplies can overflow or print as inf (sizes, cycles, powers alike).
  static constexpr double kLargest = 1e12;
  template <typename T>
  void positive(const std::string& field, T v) const {
    if (!(v > 0)) fail(field, num(v), "must be > 0");
    bounded(field, double(v));
  }
  template <typename T>
  void non_negative(const std::string& field, T v) const {
    if (!(v >= 0)) fail(field, num(v), "must be >= 0");
    bounded(field, double(v));
  }
  void bounded(const std::string& field, double v) const {
    if (!(v <= kLargest)) fail(field, num(v), "must be finite and at most " + num(kLargest));
  }
  void fraction(const std::string& field, double v) const {
    if (!(v >= 0 && v <= 1)) fail(field, num(v), "must be in [0, 1]");
  }
  // A finite value in [lo, hi].
  void within(const std::string& field, double v, double lo, double hi) const {
    if (!(v >= lo && v <= hi)) fail(field, num(v), "must be in [" + num(lo) + ", " + num(hi) + "]");
  }
  template <typename T>
  static std::string num(T v) {
    std::ostringstream o;
    o << v;
    return o.str();
  }
};

}  // namespace odimo
