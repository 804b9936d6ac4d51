// Counter-based standard normal draws (counter_normal.h).
#include "mapper/nn/counter_normal.h"

namespace odimo::mapper {

namespace {

// Edges from the top of the base layer up: edge[i+1] solves edge[i] (f(edge[i+1]) - f(edge[i])) = v.
NormalZiggurat build_ziggurat() {
  NormalZiggurat z;
  const double r = NormalZiggurat::kR, v = NormalZiggurat::kArea;
  z.edge[1] = r;
  z.f[1] = std::exp(-0.5 * r * r);
  z.edge[0] = v / z.f[1];
  z.f[0] = 0;  // the base layer reaches down to 0
  for (int i = 1; i < NormalZiggurat::kLayers - 1; ++i) {
    z.edge[i + 1] = std::sqrt(-2.0 * std::log(v / z.edge[i] + z.f[i]));
    z.f[i + 1] = std::exp(-0.5 * z.edge[i + 1] * z.edge[i + 1]);
  }
  z.edge[NormalZiggurat::kLayers] = 0;
  z.f[NormalZiggurat::kLayers] = 1;
  for (int i = 0; i < NormalZiggurat::kLayers; ++i) z.scale[i] = z.edge[i] * 0x1p-53;
  return z;
}

}  // namespace

const NormalZiggurat& normal_ziggurat() {
  static const NormalZiggurat z = build_ziggurat();
  return z;
}

// The draws outside the layers' sure parts: the tail (layer 0) or the wedge test, then new
// attempts; word j counts up from 1, so the draw stays a function of (key, index).
double CounterNormal::slow(uint64_t index, int i, double x, bool negative) const {
  for (int j = 1;;) {
    if (i == 0) {  // beyond r: a = -ln(u1)/r, b = -ln(u2), accepted when 2b >= a^2; x = r + a
      double a = 0, b = 0;
      do {
        a = -std::log(open_uniform(j++, index)) / NormalZiggurat::kR;
        b = -std::log(open_uniform(j++, index));
      } while (2 * b < a * a);
      return negative ? -(NormalZiggurat::kR + a) : NormalZiggurat::kR + a;
    }
    const double y = m_z.f[i] + open_uniform(j++, index) * (m_z.f[i + 1] - m_z.f[i]);
    if (y < std::exp(-0.5 * x * x)) return negative ? -x : x;  // under the curve in the wedge
    const uint64_t h = word(j++, index);                       // rejected: a new attempt
    i = int(h & (NormalZiggurat::kLayers - 1));
    x = double(int64_t(h >> 11)) * m_z.scale[i];
    negative = (h & 0x80) != 0;
    if (x < m_z.edge[i + 1]) return negative ? -x : x;
  }
}

}  // namespace odimo::mapper
