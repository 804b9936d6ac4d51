#pragma once
// The integer network's inner loops (integer_run.cpp), written so that the compiler
// vectorises them: 16-bit codes, 32-bit sums. Used when a layer's codes and weights fit
// 16 bits and every sum it forms provably fits 31 bits (IntegerNetwork checks both when it
// converts the layer); the sums are then the same integers as the plain 64-bit loops'.
#include <cstdint>
#include <vector>

#include "hw/cu/integer_behaviour.h"
#include "workloads/network.h"

namespace odimo::deploy {

// The fan-in of output pixel (oy, ox) of conv/depthwise/linear layer `l`, zero outside the
// image, input-channel major: patch[ci * taps + tap], taps = kernel * kernel (1 for a linear
// layer, whose fan-in is its whole input) — in this order a group's inputs and an AIMC row
// tile's inputs (whole input channels) are contiguous ranges of the patch — or, `tap_major`,
// patch[tap * C + ci], the weights' own order, for a layer whose every channel reads it all.
void gather_patch(const Layer& l, const std::vector<int64_t>& x, int oy, int ox, bool tap_major,
                  int16_t* patch);

// sum_i a[i] * b[i] over n terms, in 32 bits: the caller guarantees |sum| < 2^31 and
// every partial sum too (|a|, |b| <= 2^15 - 1 and n * max|a| * max|b| < 2^31).
int32_t dot16(const int16_t* a, const int16_t* b, int64_t n);

// Four dot products sharing `a` (four output channels at one pixel): out[j] = a . b[j].
void dot16x4(const int16_t* a, const int16_t* const b[4], int64_t n, int32_t out[4]);

// s.apply(acc) (hw/cu/integer_behaviour.h) in 64 bits when the product cannot overflow them
// (|acc| < 2^32, multiplier < 2^31): the same value, without the 128-bit arithmetic.
inline int64_t apply_output(const OutputStage& s, int64_t acc) {
  if (s.shift < 0 || s.shift > 62 || acc >= (int64_t(1) << 32) || acc <= -(int64_t(1) << 32))
    return s.apply(acc);
  const int64_t y = ((acc * s.multiplier) >> s.shift) + s.bias;  // >> floors (arithmetic)
  return s.relu && y < 0 ? 0 : y;
}

// adc_convert (hw/cu/integer_behaviour.h) of an integer column sum without noise, in
// integers: rounding s / 2^g half up is floor((s + 2^(g-1)) / 2^g), an arithmetic right
// shift; the same code and clip flag for every |s| < 2^52 (tests/deploy/).
inline int64_t adc_convert_exact(int64_t s, int shift, const IntegerBehaviour& b, bool* clipped) {
  const int64_t v = shift > 0 ? (s + (int64_t(1) << (shift - 1))) >> shift : s;
  const bool lo = v<b.adc_min(), hi = v> b.adc_max();
  *clipped = lo || hi;
  return lo ? b.adc_min() : hi ? b.adc_max() : v;
}

}  // namespace odimo::deploy
