#pragma once
// The AIMC's analog non-idealities, as `odimo deploy` (mapper/deploy/) and the ADC-aware
// training (mapper/nn/adc.h) apply them to each column sum s before the ADC
// (hw/cu/integer_behaviour.h: adc_convert):
//
//   v = s * (1 + gain_j) + offset_j * 2^g + N(0, (sigma_lsb * 2^g)^2)
//
// with 2^-g the layer's ADC gain (so 2^g is one ADC LSB in column-sum units), j the
// column the channel occupies, and
//  - read noise: a fresh Gaussian per conversion, sigma given by the user (ReadNoise) as a
//    fraction of the ADC full scale FS = 2^(adc_bits-1) LSB (the largest code magnitude:
//    32 LSB on DIANA's 6-bit ADC, so 0.05 is 1.6 LSB) or as a count of LSBs ("1lsb");
//  - static mismatch (ColumnMismatch): a relative gain error and an offset in LSB per
//    column, drawn once per chip instance from the AIMC's SoC-file parameters
//    (IntegerBehaviour::column_gain_sigma, column_offset_sigma_lsb); the same seed and
//    chip index draw the same chip, and a chip keeps its mismatch for every inference.
// The order (analog errors, then the ADC rounds and clips) is aihwkit's and ASiM's.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hw/cu/integer_behaviour.h"

namespace odimo {

// The largest read noise an option or spec field accepts: 10 full scales (as before LSB
// units existed), or 1024 LSB. assumption: beyond either, every conversion is noise.
inline constexpr double kMaxNoiseFraction = 10;
inline constexpr double kMaxNoiseLsb = 1024;
// The most chip instances one deployment draws (`odimo deploy --chips`, a sweep's deploy_chips).
// assumption: 1000 instances pin the spread far tighter than a front needs, at 1000x the time.
inline constexpr int kMaxChips = 1000;

// Read noise sigma as the user gave it: a fraction of the ADC full scale, or LSBs.
struct ReadNoise {
  double value = 0;
  bool in_lsb = false;

  ReadNoise() = default;
  ReadNoise(double fraction_of_full_scale) : value(fraction_of_full_scale) {}  // NOLINT: implicit
  static ReadNoise lsb(double count) {
    ReadNoise n(count);
    n.in_lsb = true;
    return n;
  }
  bool none() const { return !(value > 0); }
  // sigma in LSBs of an ADC of `adc_bits` bits (exact: a power-of-two scaling).
  double sigma_lsb(int adc_bits) const { return in_lsb ? value : value * std::ldexp(1.0, adc_bits - 1); }
  // sigma as a fraction of that ADC's full scale.
  double fraction(int adc_bits) const { return in_lsb ? value * std::ldexp(1.0, 1 - adc_bits) : value; }
  // As the user writes it: "0.05" or "1lsb" (as << prints it, or more digits if that would
  // not read back the same value).
  std::string text() const {
    for (int digits = 6;; ++digits) {  // as << prints it, more digits when that does not read back
      std::ostringstream s;
      s.precision(digits);
      s << value;
      if (digits >= 17 || std::strtod(s.str().c_str(), nullptr) == value)
        return s.str() + (in_lsb ? "lsb" : "");
    }
  }
  bool operator==(const ReadNoise& o) const { return value == o.value && in_lsb == o.in_lsb; }
};

// Parses `text` ("0.05", "1lsb", "0.5LSB") for the option or field `what`; Error naming
// `what` and the value on a negative, non-finite, too large or unreadable value.
ReadNoise parse_read_noise(const std::string& what, const std::string& text);
// As configuration descriptions print it: the value, then "lsb" when in LSBs.
inline std::ostream& operator<<(std::ostream& os, const ReadNoise& n) {
  return os << n.value << (n.in_lsb ? "lsb" : "");
}

// One chip instance's static mismatch of one analog CU's columns.
struct ColumnMismatch {
  std::vector<double> gain;        // relative gain error of column j
  std::vector<double> offset_lsb;  // offset of column j, in ADC LSBs
  bool empty() const { return gain.empty(); }
  // The column sum `s` of column `column` (wrapped into the array) as the ADC sees it,
  // one LSB being `lsb` column-sum units.
  double apply(double s, int64_t column, double lsb) const {
    const size_t j = size_t(column) % gain.size();
    return s * (1.0 + gain[j]) + offset_lsb[j] * lsb;
  }
};

// A seed of its own for chip instance `chip` of the run seeded by `seed` (splitmix64).
inline uint64_t chip_seed(uint64_t seed, uint64_t chip) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (chip + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Draws the columns of CU `unit` (SoC order) of chip instance `chip` of the run seeded by
// `seed`: per column of `b` (b.columns), gain ~ N(0, b.column_gain_sigma), offset ~
// N(0, b.column_offset_sigma_lsb). Empty when `b` is digital or states no mismatch.
// (Inline: the training engine draws a fresh instance every step, mapper/nn/adc.h.)
inline ColumnMismatch draw_column_mismatch(const IntegerBehaviour& b, uint64_t seed, uint64_t chip,
                                           int unit) {
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
