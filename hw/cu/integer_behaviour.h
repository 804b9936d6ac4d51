#pragma once
// How a CU computes in integers: the numbers `odimo deploy` (mapper/deploy/) runs a
// mapped network with, bit-true. Each CU home answers CuModel::integer_behaviour()
// from its SoC-file fields; the arithmetic shared by every CU (the output stage's
// per-channel scale + shift, the activation requantisation, the AIMC's ADC) lives here
// so that the deployment and the ADC-aware training use one formula.
//
// Pipeline of one output channel of a weighted layer (conv, depthwise, linear):
//   inputs   unsigned `input_bits` codes x (the consumer's PACT: x = floor(clamp(v, 0, a) * sf));
//            the network input is signed 8-bit (see mapper/deploy/README.md);
//   weights  signed codes w: int8 in [-127, 127], or ternary {-1, 0, 1};
//   MAC      digital CUs: acc = sum x*w exactly, |acc| < 2^(accumulator_bits - 1) checked;
//            AIMC: per row tile t (at most `rows` unrolled C*FY*FX inputs, the simulator's
//            tile plan, hw/cu/aimc_macro.cpp) the column sum s_t is converted by the ADC,
//            adc_t = clamp(round(s_t / 2^g), -2^(b-1), 2^(b-1) - 1), with a per-layer
//            power-of-two gain 2^-g chosen at deployment; acc = sum_t adc_t * 2^g (digital
//            accumulation of the tiles' ADC outputs, `accumulator_bits` wide);
//   output   y = (acc * m_c) >> e_c + b_c: per-channel multiplier and shift (batch norm,
//            weight and input scales folded), a fixed-point value with kOutputFracBits
//            fractional bits; optional ReLU; the consumer's requantisation to
//            `output_bits` codes floors (an arithmetic right shift when its scale is a
//            power of two, as DIANA's shift requantisation).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace odimo {

struct IntegerBehaviour {
  int weight_bits = 8;        // signed weight codes; 2 = ternary {-1, 0, 1}
  int input_bits = 8;         // unsigned activation codes in [0, 2^b - 1]
  int output_bits = 8;        // unsigned codes the output stage produces
  int accumulator_bits = 32;  // signed MAC (or ADC-output) accumulator
  int adc_bits = 0;           // 0: a digital sum; else the AIMC's signed ADC per column
  int64_t tile_rows = 0;      // AIMC: inputs (rows) one ADC conversion sums; 0: no row tiling
  // AIMC: the array's columns and the spread of their static mismatch, drawn per chip
  // instance (hw/cu/analog_nonideality.h); 0: none.
  int64_t columns = 0;
  double column_gain_sigma = 0;        // relative gain error per column (sigma)
  double column_offset_sigma_lsb = 0;  // offset per column, in ADC LSBs (sigma)
  bool analog() const { return adc_bits > 0; }
  int64_t adc_max() const { return (int64_t(1) << (adc_bits - 1)) - 1; }  // 31 for 6 bits
  int64_t adc_min() const { return -(int64_t(1) << (adc_bits - 1)); }     // -32
  int64_t accumulator_max() const { return (int64_t(1) << (accumulator_bits - 1)) - 1; }
  // The row tile plan (hw/cu/aimc_macro.cpp: `rows` rows per conversion): a conv with
  // `taps` = k*k unrolled weights per input channel sums floor(rows / taps) input
  // channels (a linear layer, taps 1: `rows` inputs) per ADC conversion.
  int64_t tile_inputs(int64_t taps) const {
    return std::max<int64_t>(1, tile_rows / std::max<int64_t>(1, taps));
  }
};

// The ADC gain calibration of `odimo deploy` and of the ADC-aware training: the smallest
// shift g >= 0 whose range (largest code `adc_max`, IntegerBehaviour::adc_max) holds a
// column sum of magnitude `max_column_sum`.
inline int adc_shift_for(double max_column_sum, int64_t adc_max) {
  int g = 0;
  while (g < 40 && max_column_sum > (double(adc_max) + 0.5) * std::ldexp(1.0, g)) ++g;
  return g;
}

// assumption: the ADC rounds to nearest (half up) before clipping; the chip's
// rounding mode is not in the sources read (hw/provenance.md).
// Returns the ADC code of `column_sum` (real: noise may be added) at gain 2^-shift;
// *clipped is set when the code hit the range's ends from outside it.
// adc_convert with the gain given as the factor 2^-shift (exact: a power of two), for a
// loop over many conversions at one gain.
inline int64_t adc_convert_gain(double column_sum, double gain, const IntegerBehaviour& b, bool* clipped) {
  const double v = std::floor(column_sum * gain + 0.5);
  const bool lo = v<double(b.adc_min()), hi = v> double(b.adc_max());
  if (clipped) *clipped = lo || hi;
  return lo ? b.adc_min() : hi ? b.adc_max() : int64_t(v);
}
inline int64_t adc_convert(double column_sum, int shift, const IntegerBehaviour& b, bool* clipped) {
  return adc_convert_gain(column_sum, std::ldexp(1.0, -shift), b, clipped);
}

// Fractional bits of the fixed-point values between layers (output stage -> glue ->
// the next requantisation). assumption: wider than the chip's 8-bit element-wise path,
// so residual adds and pools are exact to 2^-24 (mapper/deploy/README.md).
inline constexpr int kOutputFracBits = 24;

// y = value of acc * scale + bias in units of 2^-kOutputFracBits, computed as the
// output stage does: scale = m * 2^-e with a 31-bit mantissa m, floor shift.
struct OutputStage {
  int64_t multiplier = 0;  // m in [2^30, 2^31) (or 0 for a zero scale)
  int shift = 0;           // e - kOutputFracBits (>= 0: right shift, floor)
  int64_t bias = 0;        // in units of 2^-kOutputFracBits
  bool relu = false;

  static OutputStage make(double scale, double bias, bool relu) {
    OutputStage s;
    s.relu = relu;
    s.bias = std::llround(std::ldexp(bias, kOutputFracBits));
    if (scale == 0) return s;
    int e2 = 0;
    const double frac = std::frexp(scale, &e2);  // scale = frac * 2^e2, frac in [0.5, 1)
    s.multiplier = std::llround(std::ldexp(frac, 31));
    s.shift = 31 - e2 - kOutputFracBits;
    return s;
  }
  int64_t apply(int64_t acc) const {
    const __int128 p = __int128(acc) * multiplier;
    const __int128 q = shift >= 0 ? (p >> shift) : p * (__int128(1) << -shift);  // >> floors (arithmetic)
    int64_t y = int64_t(q) + bias;
    return relu && y < 0 ? 0 : y;
  }
};

// The requantisation of a fixed-point value to an unsigned `bits` code with scale sf
// (code = floor(clamp(v, 0, (2^bits - 1) / sf) * sf)), as mapper::pact_forward does.
struct Requantiser {
  int64_t multiplier = 0;  // sf = multiplier * 2^-(shift + kOutputFracBits)... see make()
  int shift = 0;
  int64_t max_code = 127;

  static Requantiser make(double sf, int bits) {
    Requantiser r;
    r.max_code = (int64_t(1) << bits) - 1;
    int e2 = 0;
    const double frac = std::frexp(sf, &e2);
    r.multiplier = std::llround(std::ldexp(frac, 31));  // exact for a power of two
    r.shift = 31 - e2 + kOutputFracBits;
    return r;
  }
  int64_t apply(int64_t value) const {
    if (value <= 0) return 0;
    const __int128 q = (__int128(value) * multiplier) >> shift;
    return q > max_code ? max_code : int64_t(q);
  }
};

}  // namespace odimo
