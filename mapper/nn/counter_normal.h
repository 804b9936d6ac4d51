#pragma once
// Standard normal draws that are a pure function of (key, index): draw i of a stream does not
// depend on which draws were taken before it, so a loop over the indices can be split over
// any number of threads and give the same numbers (the training-time read noise of
// mapper/nn/adc.h draws one per column sum and row tile this way).
//
// Uniform bits: word j of draw i is the i-th output of SplitMix64 (Steele, Lea & Flood, "Fast
// splittable pseudorandom number generators", OOPSLA 2014; the output mix with the constants of
// Vigna's reference splitmix64.c) seeded with stream key k_j = mix(key + (j + 1) * gamma):
//   word(j, i) = mix(k_j + (i + 1) * gamma),  gamma = 0x9E3779B97F4A7C15.
// Normal: the ziggurat method with 128 layers (Marsaglia & Tsang, "The ziggurat method for
// generating random variables", J. Statistical Software 5(8), 2000, whose r and layer area v
// are used here), each draw using words j = 0, 1, ... in turn: a layer i and a sign from the
// low 8 bits of a word, a uniform u from its high 53, x = u * x_i; x is accepted at once when
// it lies below the next layer's edge (about 99 % of the draws: one word), else tested in the
// wedge with a second word, or (base layer) drawn from the tail beyond r by Marsaglia's
// method given in the same paper.
#include <array>
#include <cmath>
#include <cstdint>

namespace odimo::mapper {

inline uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The ziggurat's layers of f(x) = exp(-x^2/2): layer i (0..127) is the box [0, edge[i]) x
// [f(edge[i]), f(edge[i+1])) of area v; layer 0 is the base box of width v / f(r), its part
// beyond r standing for the tail. Built once (normal_ziggurat()).
struct NormalZiggurat {
  static constexpr int kLayers = 128;
  static constexpr double kR = 3.442619855899;          // the base layer's edge r
  static constexpr double kArea = 9.91256303526217e-3;  // v, each layer's area
  std::array<double, kLayers + 1> edge{};               // edge[0] = v / f(r), edge[1] = r, edge[128] = 0
  std::array<double, kLayers + 1> f{};                  // f(edge[i])
  std::array<double, kLayers> scale{};                  // edge[i] * 2^-53: u * edge[i] from the 53 bits
};
const NormalZiggurat& normal_ziggurat();

class CounterNormal {
 public:
  explicit CounterNormal(uint64_t key) : m_z(normal_ziggurat()), m_key(key) {
    for (int j = 0; j < kCachedStreams; ++j) m_stream[j] = stream(j);
  }
  // N(0, 1) draw `index` of the stream.
  double operator()(uint64_t index) const {
    const uint64_t h = word(0, index);
    const int i = int(h & (NormalZiggurat::kLayers - 1));
    const double x = double(int64_t(h >> 11)) * m_z.scale[i];  // signed: a cheaper conversion, exact
    if (x < m_z.edge[i + 1]) return (h & 0x80) ? -x : x;       // inside the next layer's edge
    return slow(index, i, x, (h & 0x80) != 0);
  }

 private:
  static constexpr int kCachedStreams = 4;
  static constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;
  uint64_t stream(int j) const { return splitmix64_mix(m_key + uint64_t(j + 1) * kGamma); }
  uint64_t word(int j, uint64_t index) const {
    return splitmix64_mix((j < kCachedStreams ? m_stream[j] : stream(j)) + (index + 1) * kGamma);
  }
  // A uniform in (0, 1] from the 53 high bits of word j.
  double open_uniform(int j, uint64_t index) const {
    return double(int64_t(word(j, index) >> 11) + 1) * 0x1p-53;
  }
  double slow(uint64_t index, int i, double x, bool negative) const;

  const NormalZiggurat& m_z;
  uint64_t m_key;
  uint64_t m_stream[kCachedStreams];
};

}  // namespace odimo::mapper
