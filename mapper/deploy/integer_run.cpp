// One image through the integer network (integer_network.h): the network input as int8
// codes, each weighted layer's channels on their CUs (AIMC: row-tile column sums through
// the mismatch, the read noise and the ADC), the fixed-point glue between them.
#include <algorithm>
#include <cmath>
#include <random>

#include "mapper/deploy/integer_kernels.h"
#include "mapper/deploy/integer_network.h"
#include "mapper/deploy/weighted_layer.h"
#include "proto/error.h"

namespace odimo::deploy {

namespace {

constexpr double kFrac = double(int64_t(1) << kOutputFracBits);  // fixed-point values: 2^-24

}  // namespace

struct ImageRun {
  const RunSettings& s;
  std::mt19937_64 rng;  // the read noise
  std::normal_distribution<double> normal{0.0, 1.0};
  const float* x = nullptr;                  // the normalised (H,W,C) image
  std::vector<std::vector<int64_t>> values;  // by layer: its output, fixed point (2^-24)
  std::vector<std::vector<int64_t>> codes;   // by producer ([layers]: the input): its consumers' codes
};

namespace {

// The mismatch of CU `cu`'s columns in the run's chip instance (null: none).
const ColumnMismatch* mismatch_of(const RunSettings& s, int cu) {
  if (!s.chip || s.ideal_adc || (*s.chip)[size_t(cu)].empty()) return nullptr;
  return &(*s.chip)[size_t(cu)];
}

// Column sums of one AIMC channel (on `column`) at one pixel, through the column's mismatch,
// the read noise and the ADC (hw/cu/analog_nonideality.h), added digitally.
template <class Sum>
int64_t analog_accumulate(const Sum* tile_sums, int tiles, int shift, const IntegerBehaviour& b,
                          const ColumnMismatch* mismatch, int column, ImageRun& r, LayerCounters& k) {
  int64_t acc = 0;
  const bool noisy = !r.s.aimc_noise.none() && !r.s.ideal_adc;
  const double sigma = noisy ? std::ldexp(r.s.aimc_noise.sigma_lsb(b.adc_bits), shift) : 0.0;
  const double lsb = std::ldexp(1.0, shift);
  for (int t = 0; t < tiles; ++t) {
    const int64_t s = tile_sums[t];
    k.max_column_sum = std::max(k.max_column_sum, std::fabs(double(s)));
    if (r.s.ideal_adc) {
      acc += s;
      continue;
    }
    bool clipped = false;
    int64_t code = 0;
    if (noisy || mismatch) {
      const double v = mismatch ? mismatch->apply(double(s), column, lsb) : double(s);
      code = adc_convert(noisy ? v + sigma * r.normal(r.rng) : v, shift, b, &clipped);
    } else {
      code = adc_convert_exact(s, shift, b, &clipped);
    }
    acc += code * (int64_t(1) << shift);
    ++k.conversions;
    k.clipped += clipped;
  }
  return acc;
}

}  // namespace

// The input codes weighted consumers of `src` read (kNetworkInput: the int8 image, else the
// producer's value requantised by its consumers' PACT), made once per image.
const std::vector<int64_t>& IntegerNetwork::input_codes(int src, ImageRun& r, Trace& t) const {
  const size_t slot = src == kNetworkInput ? m_net.layers.size() : size_t(src);
  std::vector<int64_t>& out = r.codes[slot];
  if (!out.empty()) return out;
  if (src == kNetworkInput) {
    const int64_t n = m_net.input.elements();
    out.resize(n);
    for (int64_t e = 0; e < n; ++e)
      out[e] = std::clamp<int64_t>(std::llround(std::ldexp(double(r.x[e]), m_input_shift)), -128, 127);
  } else {
    const Requantiser q = Requantiser::make(m_sf[src], m_code_bits[src]);
    const std::vector<int64_t>& v = r.values[src];
    out.resize(v.size());
    for (size_t e = 0; e < out.size(); ++e) out[e] = q.apply(v[e]);
  }
  if (r.s.keep_codes) t.codes[slot] = out;
  return out;
}

// A layer between weighted layers (batch norm not folded, relu, relu6, add, flatten, pools) on
// fixed-point values.
void IntegerNetwork::run_glue(size_t i, ImageRun& r) const {
  const Layer& l = m_net.layers[i];
  const auto in = [&](int k) -> const std::vector<int64_t>& { return r.values[l.inputs[k]]; };
  std::vector<int64_t>& y = r.values[i];
  switch (l.op) {
    case Op::kBatchNorm:
      y = in(0);
      if (m_folded_into[i] < 0) {
        const int C = l.out.c;
        for (size_t e = 0; e < y.size(); ++e)
          y[e] = std::llround(double(y[e]) * m_bn_a[i][e % C] + m_bn_b[i][e % C] * kFrac);
      }
      break;
    case Op::kRelu:
      y = in(0);
      for (auto& v : y) v = std::max<int64_t>(v, 0);
      break;
    case Op::kRelu6:
      y = in(0);
      for (auto& v : y) v = std::clamp<int64_t>(v, 0, int64_t(6) << kOutputFracBits);
      break;
    case Op::kAdd:
      y = in(0);
      for (size_t k = 1; k < l.inputs.size(); ++k)
        for (size_t e = 0; e < y.size(); ++e) y[e] += in(int(k))[e];
      break;
    case Op::kFlatten:
      y = in(0);
      break;
    case Op::kAvgPool:
    case Op::kMaxPool:
    case Op::kGlobalAvgPool:
      pool(l, in(0), y);
      break;
    default:
      throw Error("layer '" + l.name + "': op " + op_name(l.op) + " has no integer form");
  }
}

Trace IntegerNetwork::run(const float* x, const RunSettings& s, uint64_t image) const {
  const size_t L = m_net.layers.size();
  Trace t;
  t.codes.assign(L + 1, {});
  t.counters.assign(m_weighted.size(), {});
  ImageRun r{s, std::mt19937_64(s.noise_seed * 0x9E3779B97F4A7C15ull + image), {}, x, {}, {}};
  r.values.resize(L);
  r.codes.resize(L + 1);
  for (size_t i = 0; i < L; ++i) {
    if (m_weighted_of[i] < 0) {
      run_glue(i, r);
      continue;
    }
    const Weighted& W = m_weighted[m_weighted_of[i]];
    run_weighted(W, input_codes(W.src, r, t), r.values[i], r, t.counters[m_weighted_of[i]]);
  }
  const std::vector<int64_t>& last = r.values[L - 1];
  t.logits.resize(last.size());
  for (size_t k = 0; k < t.logits.size(); ++k) t.logits[k] = double(last[k]) / kFrac;
  return t;
}

void IntegerNetwork::pool(const Layer& l, const std::vector<int64_t>& x, std::vector<int64_t>& y) const {
  const int H = l.in.h, Wd = l.in.w, C = l.in.c;
  if (l.op == Op::kGlobalAvgPool) {
    y.assign(C, 0);
    for (int c = 0; c < C; ++c) {
      int64_t sum = 0;
      for (int p = 0; p < H * Wd; ++p) sum += x[int64_t(p) * C + c];
      y[c] = std::llround(double(sum) / double(H * Wd));
    }
    return;
  }
  const int oh = l.out.h, ow = l.out.w, k = l.kernel;
  y.assign(int64_t(oh) * ow * C, 0);
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox)
      for (int c = 0; c < C; ++c) {
        int64_t sum = 0, best = INT64_MIN;
        for (int ky = 0; ky < k; ++ky)
          for (int kx = 0; kx < k; ++kx) {
            const int iy = oy * l.stride - l.padding + ky, ix = ox * l.stride - l.padding + kx;
            if (iy < 0 || ix < 0 || iy >= H || ix >= Wd) continue;
            const int64_t v = x[(int64_t(iy) * Wd + ix) * C + c];
            sum += v;
            best = std::max(best, v);
          }
        // avgpool counts the padding (PyTorch's count_include_pad, mapper/ops/ops_misc.h)
        y[(int64_t(oy) * ow + ox) * C + c] =
            l.op == Op::kMaxPool ? best : std::llround(double(sum) / double(k * k));
      }
}

void IntegerNetwork::run_weighted(const Weighted& W, const std::vector<int64_t>& x, std::vector<int64_t>& y,
                                  ImageRun& run, LayerCounters& k) const {
  if (W.fast && !run.s.plain_loops)
    run_weighted_fast(W, x, y, run, k);
  else
    run_weighted_plain(W, x, y, run, k);
}

// The same integers as run_weighted_plain (integer_kernels.h): per pixel every dot product
// first, then the channels in deployment order (the order the noise is drawn in).
void IntegerNetwork::run_weighted_fast(const Weighted& W, const std::vector<int64_t>& x,
                                       std::vector<int64_t>& y, ImageRun& run, LayerCounters& k) const {
  const Layer& l = W.geom;
  const bool lin = l.op == Op::kLinear;
  const int oh = lin ? 1 : l.out.h, ow = lin ? 1 : l.out.w, C = l.out_channels;
  std::vector<int16_t> patch(size_t(W.patch_len));
  std::vector<int32_t> sums(size_t(W.slots));
  y.assign(int64_t(oh) * ow * C, 0);
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox) {
      gather_patch(l, x, oy, ox, W.tap_major, patch.data());
      for (const Weighted::DotBlock& b : W.blocks) {
        const int16_t* a = patch.data() + b.begin;
        if (b.n == 4) {
          const int16_t* w[4] = {&W.packed[b.w[0]], &W.packed[b.w[1]], &W.packed[b.w[2]], &W.packed[b.w[3]]};
          int32_t out[4];
          dot16x4(a, w, b.len, out);
          for (int j = 0; j < 4; ++j) sums[b.slot[j]] = out[j];
        } else {
          for (int j = 0; j < b.n; ++j) sums[b.slot[j]] = dot16(a, &W.packed[b.w[j]], b.len);
        }
      }
      for (int c : W.order) {
        int64_t acc = sums[W.slot[c]];
        if (W.adc[c])
          acc = analog_accumulate(&sums[W.slot[c]], W.tiles, W.adc_shift, m_behaviour[W.cu[c]],
                                  mismatch_of(run.s, W.cu[c]), W.column[c], run, k);
        y[(int64_t(oy) * ow + ox) * C + c] = apply_output(W.stage[c], acc);
      }
    }
}

void IntegerNetwork::run_weighted_plain(const Weighted& W, const std::vector<int64_t>& x,
                                        std::vector<int64_t>& y, ImageRun& run, LayerCounters& k) const {
  const Layer& l = W.geom;
  const int C = l.out_channels;
  const bool lin = l.op == Op::kLinear;
  const int oh = lin ? 1 : l.out.h, ow = lin ? 1 : l.out.w, K = lin ? 1 : l.kernel;
  const int Cin = lin ? int(l.in.elements()) : l.in.c;
  const int groups = l.op == Op::kConv2d ? l.groups : 1;
  const int cin_g = Cin / groups, cout_g = C / groups;
  std::vector<int64_t> patch(int64_t(K) * K * Cin);
  std::vector<int64_t> tile_sums(std::max(1, W.tiles));
  y.assign(int64_t(oh) * ow * C, 0);
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox) {
      if (lin) {
        std::copy(x.begin(), x.end(), patch.begin());
      } else {
        for (int ky = 0; ky < K; ++ky)
          for (int kx = 0; kx < K; ++kx) {
            const int iy = oy * l.stride - l.padding + ky, ix = ox * l.stride - l.padding + kx;
            const bool inside = iy >= 0 && ix >= 0 && iy < l.in.h && ix < l.in.w;
            int64_t* p = &patch[(int64_t(ky) * K + kx) * Cin];
            for (int ci = 0; ci < Cin; ++ci) p[ci] = inside ? x[(int64_t(iy) * l.in.w + ix) * Cin + ci] : 0;
          }
      }
      for (int c : W.order) {
        const std::vector<int32_t>& w = W.w[c];
        const IntegerBehaviour& b = m_behaviour[W.cu[c]];
        int64_t acc = 0;
        if (W.depthwise[c]) {
          for (int tap = 0; tap < K * K; ++tap) acc += patch[int64_t(tap) * Cin + c] * w[tap];
        } else if (b.analog()) {
          std::fill(tile_sums.begin(), tile_sums.end(), 0);
          for (int tap = 0; tap < K * K; ++tap)
            for (int ci = 0; ci < Cin; ++ci)
              tile_sums[ci / W.chunk] += patch[int64_t(tap) * Cin + ci] * w[int64_t(tap) * Cin + ci];
          acc = analog_accumulate(tile_sums.data(), int(tile_sums.size()), W.adc_shift, b,
                                  mismatch_of(run.s, W.cu[c]), W.column[c], run, k);
        } else {
          const int g = c / cout_g;
          for (int tap = 0; tap < K * K; ++tap) {
            const int64_t* p = &patch[int64_t(tap) * Cin + int64_t(g) * cin_g];
            const int32_t* wr = &w[int64_t(tap) * cin_g];
            for (int ci = 0; ci < cin_g; ++ci) acc += p[ci] * wr[ci];
          }
        }
        y[(int64_t(oy) * ow + ox) * C + c] = W.stage[c].apply(acc);
      }
    }
}

}  // namespace odimo::deploy
