// Crop boxes and the separable triangle-filter resampler (see image_geometry.h).
#include "mapper/image_geometry.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace odimo::mapper {
namespace {

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Filter taps of one axis: output i reads source pixels first[i] .. first[i]+count[i]-1.
struct Taps {
  std::vector<int> first, count;
  std::vector<float> weight;  // count[i] weights of output i at offset[i]
  std::vector<size_t> offset;
};

Taps make_taps(double start, double length, int out) {
  Taps t;
  const double scale = length / out, support = std::max(scale, 1.0);
  for (int i = 0; i < out; ++i) {
    const double centre = start + (i + 0.5) * scale;
    const int lo = int(std::floor(centre - support)), hi = int(std::ceil(centre + support));
    std::vector<double> w;
    double sum = 0;
    for (int j = lo; j <= hi; ++j) {
      w.push_back(std::max(0.0, 1 - std::abs(j + 0.5 - centre) / support));
      sum += w.back();
    }
    t.first.push_back(lo);
    t.count.push_back(int(w.size()));
    t.offset.push_back(t.weight.size());
    for (double v : w) t.weight.push_back(float(v / sum));
  }
  return t;
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
  const Taps ty = make_taps(box.y, box.h, oh), tx = make_taps(box.x, box.w, ow);
  const int r0 = std::clamp(ty.first.front(), 0, h - 1);
  const int r1 = std::clamp(ty.first.back() + ty.count.back() - 1, 0, h - 1);
  std::vector<float> rows(size_t(r1 - r0 + 1) * ow * c);  // horizontal pass over the rows the box reads
  for (int r = r0; r <= r1; ++r) {
    const uint8_t* line = src + int64_t(r) * w * c;
    for (int i = 0; i < ow; ++i) {
      float* out = &rows[(size_t(r - r0) * ow + i) * c];
      std::fill(out, out + c, 0.0f);
      for (int k = 0; k < tx.count[i]; ++k) {
        const float wt = tx.weight[tx.offset[i] + k];
        const uint8_t* p = line + int64_t(std::clamp(tx.first[i] + k, 0, w - 1)) * c;
        for (int ch = 0; ch < c; ++ch) out[ch] += wt * p[ch];
      }
    }
  }
  for (int j = 0; j < oh; ++j)
    for (int i = 0; i < ow; ++i) {
      float* out = dst + (int64_t(j) * ow + (mirror ? ow - 1 - i : i)) * c;
      std::fill(out, out + c, 0.0f);
      for (int k = 0; k < ty.count[j]; ++k) {
        const float wt = ty.weight[ty.offset[j] + k];
        const float* p = &rows[(size_t(std::clamp(ty.first[j] + k, 0, h - 1) - r0) * ow + i) * c];
        for (int ch = 0; ch < c; ++ch) out[ch] += wt * p[ch];
      }
      for (int ch = 0; ch < c; ++ch) out[ch] = std::clamp(out[ch], 0.0f, 255.0f);
    }
}

}  // namespace odimo::mapper
