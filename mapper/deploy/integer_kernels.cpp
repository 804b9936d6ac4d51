// The integer network's vectorisable inner loops (integer_kernels.h).
#include "mapper/deploy/integer_kernels.h"

#include <algorithm>

namespace odimo::deploy {

void gather_patch(const Layer& l, const std::vector<int64_t>& x, int oy, int ox, bool tap_major,
                  int16_t* patch) {
  if (l.op == Op::kLinear) {
    for (size_t e = 0; e < x.size(); ++e) patch[e] = int16_t(x[e]);
    return;
  }
  const int K = l.kernel, taps = K * K, cin = l.in.c;
  for (int ky = 0; ky < K; ++ky)
    for (int kx = 0; kx < K; ++kx) {
      const int iy = oy * l.stride - l.padding + ky, ix = ox * l.stride - l.padding + kx;
      const int tap = ky * K + kx;
      const bool outside = iy < 0 || ix < 0 || iy >= l.in.h || ix >= l.in.w;
      if (tap_major) {
        int16_t* dst = patch + int64_t(tap) * cin;
        if (outside) {
          std::fill(dst, dst + cin, int16_t(0));
        } else {
          const int64_t* px = &x[(int64_t(iy) * l.in.w + ix) * cin];
          for (int ci = 0; ci < cin; ++ci) dst[ci] = int16_t(px[ci]);
        }
        continue;
      }
      if (outside) {
        for (int ci = 0; ci < cin; ++ci) patch[int64_t(ci) * taps + tap] = 0;
        continue;
      }
      const int64_t* px = &x[(int64_t(iy) * l.in.w + ix) * cin];
      for (int ci = 0; ci < cin; ++ci) patch[int64_t(ci) * taps + tap] = int16_t(px[ci]);
    }
}

// The products are formed in 32 bits from 16-bit operands (the widening multiply-add the
// compiler maps to pmaddwd); the bounds of integer_kernels.h keep every sum exact.
int32_t dot16(const int16_t* a, const int16_t* b, int64_t n) {
  int32_t acc = 0;
  for (int64_t i = 0; i < n; ++i) acc += int32_t(a[i]) * int32_t(b[i]);
  return acc;
}

void dot16x4(const int16_t* a, const int16_t* const b[4], int64_t n, int32_t out[4]) {
  const int16_t *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = a[i];
    s0 += v * b0[i];
    s1 += v * b1[i];
    s2 += v * b2[i];
    s3 += v * b3[i];
  }
  out[0] = s0, out[1] = s1, out[2] = s2, out[3] = s3;
}

}  // namespace odimo::deploy
