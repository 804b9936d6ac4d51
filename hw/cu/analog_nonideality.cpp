#include "hw/cu/analog_nonideality.h"

#include <cmath>

#include "proto/error.h"

namespace odimo {
namespace {

std::string shortest(double v) {
  return ReadNoise(v).text();
}

bool ends_with_lsb(const std::string& t) {
  if (t.size() < 3) return false;
  const std::string tail = t.substr(t.size() - 3);
  return (tail[0] == 'l' || tail[0] == 'L') && (tail[1] == 's' || tail[1] == 'S') &&
         (tail[2] == 'b' || tail[2] == 'B');
}

}  // namespace

ReadNoise parse_read_noise(const std::string& what, const std::string& text) {
  const bool lsb = ends_with_lsb(text);
  const std::string number = lsb ? text.substr(0, text.size() - 3) : text;
  const double hi = lsb ? kMaxNoiseLsb : kMaxNoiseFraction;
  char* end = nullptr;
  const double v = number.empty() ? 0 : std::strtod(number.c_str(), &end);
  const bool read =
      !number.empty() && end && *end == '\0' && !std::isspace(static_cast<unsigned char>(number[0]));
  if (!read || !(v >= 0 && v <= hi))
    throw Error(what + ": '" + text + "': expected a noise sigma: a fraction of the ADC full scale in [0, " +
                shortest(kMaxNoiseFraction) + "] or NLSB, N ADC LSBs in [0, " + shortest(kMaxNoiseLsb) +
                "] (e.g. 0.05, 1lsb)");
  return lsb ? ReadNoise::lsb(v) : ReadNoise(v);
}

}  // namespace odimo
