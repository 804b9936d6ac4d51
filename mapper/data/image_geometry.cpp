// Crop boxes and the separable triangle-filter resampler (see image_geometry.h).
#include "mapper/data/image_geometry.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "proto/error.h"

namespace odimo::mapper {
namespace {

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Filter taps of one axis: output i is the sum over k < count[i] of weight[offset[i] + k] times
// source pixel index[offset[i] + k]. Indices outside the image are folded onto the edge pixel
// and zero weights dropped, so the inner loops neither clamp nor test.
struct Taps {
  std::vector<int> count, index;
  std::vector<float> weight;
  std::vector<size_t> offset;
};

Taps make_taps(double start, double length, int out, int size) {
  Taps t;
  const double scale = length / out, support = std::max(scale, 1.0);
  for (int i = 0; i < out; ++i) {
    const double centre = start + (i + 0.5) * scale;
    const int lo = int(std::floor(centre - support)), hi = int(std::ceil(centre + support));
    double sum = 0;
    for (int j = lo; j <= hi; ++j) sum += std::max(0.0, 1 - std::abs(j + 0.5 - centre) / support);
    t.offset.push_back(t.weight.size());
    int n = 0;
    for (int j = lo; j <= hi; ++j) {
      const double wt = std::max(0.0, 1 - std::abs(j + 0.5 - centre) / support);
      if (wt <= 0) continue;
      const int at = std::clamp(j, 0, size - 1);
      if (n && t.index.back() == at) {
        t.weight.back() += float(wt / sum);  // an edge pixel repeated
        continue;
      }
      t.index.push_back(at);
      t.weight.push_back(float(wt / sum));
      ++n;
    }
    t.count.push_back(n);
  }
  return t;
}

// The two passes for C channels: horizontal over the rows the box reads, then vertical.
template <int C>
void resample_channels(const uint8_t* src, int w, const Taps& ty, const Taps& tx, int oh, int ow, bool mirror,
                       float* dst) {
  const int r0 = *std::min_element(ty.index.begin(), ty.index.end());
  const int r1 = *std::max_element(ty.index.begin(), ty.index.end());
  std::vector<float> rows(size_t(r1 - r0 + 1) * ow * C);
  for (int r = r0; r <= r1; ++r) {
    const uint8_t* line = src + int64_t(r) * w * C;
    for (int i = 0; i < ow; ++i) {
      float acc[C] = {};
      const size_t o = tx.offset[i];
      for (int k = 0; k < tx.count[i]; ++k) {
        const float wt = tx.weight[o + k];
        const uint8_t* p = line + int64_t(tx.index[o + k]) * C;
        for (int ch = 0; ch < C; ++ch) acc[ch] += wt * p[ch];
      }
      std::copy(acc, acc + C, &rows[(size_t(r - r0) * ow + i) * C]);
    }
  }
  for (int j = 0; j < oh; ++j) {
    const size_t o = ty.offset[j];
    float* line = dst + int64_t(j) * ow * C;
    for (int i = 0; i < ow; ++i) {
      float acc[C] = {};
      for (int k = 0; k < ty.count[j]; ++k) {
        const float wt = ty.weight[o + k];
        const float* p = &rows[(size_t(ty.index[o + k] - r0) * ow + i) * C];
        for (int ch = 0; ch < C; ++ch) acc[ch] += wt * p[ch];
      }
      float* out = line + int64_t(mirror ? ow - 1 - i : i) * C;
      for (int ch = 0; ch < C; ++ch) out[ch] = std::clamp(acc[ch], 0.0f, 255.0f);
    }
  }
}

}  // namespace

ImageRng::ImageRng(uint64_t seed, int64_t epoch, int64_t index) : m_state(seed) {
  uint64_t s = seed;
  m_state = splitmix(s) ^ uint64_t(epoch) * 0xd1b54a32d192ed03ULL;
  s = m_state;
  m_state = splitmix(s) ^ uint64_t(index) * 0x8cb92ba72f3d8dd7ULL;
  s = m_state;
  m_state = splitmix(s);
}

uint64_t ImageRng::next() {
  return splitmix(m_state);
}
double ImageRng::uniform() {
  return double(next() >> 11) * 0x1.0p-53;
}
int64_t ImageRng::below(int64_t n) {
  return int64_t(next() % uint64_t(n));
}

CropBox centre_box(int h, int w, int oh, int ow) {
  // Scale so that oh x ow covers the image's shorter side; the box is oh x ow over that scale.
  const double scale = std::min(double(h) / oh, double(w) / ow);
  const double bh = oh * scale, bw = ow * scale;
  return {(h - bh) / 2, (w - bw) / 2, bh, bw};
}

CropBox centre_crop(int h, int w, int oh, int ow) {
  return {double((h - oh) / 2), double((w - ow) / 2), double(oh), double(ow)};
}

CropBox random_resized_box(int h, int w, ImageRng& rng) {
  const double area = double(h) * w, lo = std::log(kCropMinRatio), hi = std::log(kCropMaxRatio);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * (kCropMinArea + (kCropMaxArea - kCropMinArea) * rng.uniform());
    const double ratio = std::exp(lo + (hi - lo) * rng.uniform());
    const int cw = int(std::lround(std::sqrt(target * ratio))),
              ch = int(std::lround(std::sqrt(target / ratio)));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      const int y = int(rng.below(h - ch + 1)), x = int(rng.below(w - cw + 1));
      return {double(y), double(x), double(ch), double(cw)};
    }
  }
  const double in_ratio = double(w) / h;
  int cw = w, ch = h;
  if (in_ratio < kCropMinRatio)
    ch = int(std::lround(w / kCropMinRatio));
  else if (in_ratio > kCropMaxRatio)
    cw = int(std::lround(h * kCropMaxRatio));
  return {double((h - ch) / 2), double((w - cw) / 2), double(ch), double(cw)};
}

void resample(const uint8_t* src, int h, int w, int c, const CropBox& box, int oh, int ow, bool mirror,
              float* dst) {
  const Taps ty = make_taps(box.y, box.h, oh, h), tx = make_taps(box.x, box.w, ow, w);
  if (c == 1)
    resample_channels<1>(src, w, ty, tx, oh, ow, mirror, dst);
  else if (c == 3)
    resample_channels<3>(src, w, ty, tx, oh, ow, mirror, dst);
  else
    throw Error("resample: " + std::to_string(c) + " channels (1 or 3 are resampled)");
}

}  // namespace odimo::mapper
