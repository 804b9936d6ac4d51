#include "hw/cu/analog_nonideality.h"

#include <cmath>
#include <random>

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

uint64_t chip_seed(uint64_t seed, uint64_t chip) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (chip + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

ColumnMismatch draw_column_mismatch(const IntegerBehaviour& b, uint64_t seed, uint64_t chip, int unit) {
  ColumnMismatch m;
  if (!b.analog() || b.columns <= 0 || (b.column_gain_sigma <= 0 && b.column_offset_sigma_lsb <= 0)) return m;
  std::mt19937_64 rng(chip_seed(chip_seed(seed, chip), uint64_t(unit)));
  std::normal_distribution<double> normal(0.0, 1.0);
  m.gain.resize(size_t(b.columns));
  m.offset_lsb.resize(size_t(b.columns));
  for (int64_t j = 0; j < b.columns; ++j) {  // gain then offset, column by column
    m.gain[j] = b.column_gain_sigma * normal(rng);
    m.offset_lsb[j] = b.column_offset_sigma_lsb * normal(rng);
  }
  return m;
}

}  // namespace odimo
