// ADC-aware training (mapper/nn/adc.h): the AdcNode's forward is the AIMC's row-tiled ADC
// result, its backward the stated surrogate (identity inside the ADC range, zero for a
// clipped conversion), the gain follows the calibration rule, noise and the column mismatch
// are seeded, the mismatch is fresh every step and straight-through, the conversions are the
// same at 1 and 2 threads, zero noise is no noise.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "mapper/nn/adc.h"
#include "mapper/nn/layers.h"

using namespace odimo;
using namespace odimo::mapper;

namespace {

constexpr int kShift = 3;  // input codes x * 2^3
constexpr int kH = 5, kCin = 4, kCout = 3, kK = 3;

// A 3x3 conv, 4 -> 3 channels on 5x5 inputs; rows = 18: two input channels per row tile.
struct Fixture {
  Layer layer;
  Activation x;
  std::unique_ptr<AdcNode> node;
  RunContext ctx;
  Scratch<float> scratch;
  Scratch<double> sums;
  std::vector<float> w0;

  // mismatch: a training-time column mismatch (8 columns, 5 % gain, 0.5 LSB offset)
  Fixture(int adc_bits, double noise = 0, uint64_t seed = 1, bool mismatch = false, int batch = 2) {
    layer.name = "conv";
    layer.op = Op::kConv2d;
    layer.kernel = kK;
    layer.stride = 1;
    layer.padding = 1;
    layer.groups = 1;
    layer.out_channels = kCout;
    layer.in = Shape{kCin, kH, kH};
    std::mt19937_64 rng(11);
    Parameter w("conv.weight", {kCout, kK * kK * kCin});
    std::uniform_real_distribution<float> u(-1, 1);
    for (float& v : w.value) v = u(rng);
    w0 = w.value;
    const ChannelLayout cl = ChannelLayout::single_block(w.size(), kCout);
    auto q = std::make_unique<TernaryQuantizer>("conv.wq", cl, w.value.data());
    auto bias = std::make_unique<Parameter>("conv.bias", std::vector<int>{kCout});
    for (int c = 0; c < kCout; ++c) bias->value[c] = 0.1f * float(c);
    auto inner =
        std::make_unique<ConvNode>("conv", false, kCout, kK, 1, 1, 1,
                                   make_quantized_weights(std::move(w), std::move(q)), std::move(bias));
    AdcTraining adc;
    adc.cu.adc_bits = adc_bits;
    adc.cu.tile_rows = 18;
    adc.noise = noise;
    adc.seed = seed;
    if (mismatch) {
      adc.cu.columns = 8;
      adc.cu.column_gain_sigma = 0.05;
      adc.cu.column_offset_sigma_lsb = 0.5;
      adc.mismatch = true;
    }
    node = std::make_unique<AdcNode>(layer, std::move(inner), 0, adc, nullptr, nullptr);
    node->set_network_input_shift(kShift);
    x.resize({batch, kH, kH, kCin});
    for (size_t e = 0; e < x.value.size(); ++e) x.value[e] = float(int(e * 7 % 13)) / (1 << kShift);
    node->inputs = {&x};
    node->need_grad = {true};
    node->accumulate = {false};
    ctx.scratch = &scratch;
    ctx.sums = &sums;
  }
  ConvNode& inner() { return static_cast<ConvNode&>(node->inner()); }
  Parameter& weight() { return inner().weights().weight(); }
  WeightQuantizer& quantizer() { return *inner().weights().quantizers()[0]; }
};

// The row-tiled ADC computed directly: per output element and tile t (input channels
// [2t, 2t+2)), the integer column sum, its ADC code at gain 2^-g, and which clipped.
struct Direct {
  std::vector<double> y;             // bias + s_c/sf * sum_t code_t * 2^g
  std::vector<std::vector<int>> in;  // per tile and element: 1 inside the range
};

Direct direct(Fixture& f, int g, int adc_bits) {
  std::vector<int32_t> codes;
  std::vector<double> scale;
  REQUIRE(f.quantizer().integer_codes(f.weight().value.data(), codes, scale));
  IntegerBehaviour b;
  b.adc_bits = adc_bits;
  const int N = f.x.dims.n;
  Direct d;
  d.y.assign(size_t(N) * kH * kH * kCout, 0.0);
  d.in.assign(2, std::vector<int>(d.y.size(), 1));
  for (int n = 0; n < N; ++n)
    for (int oy = 0; oy < kH; ++oy)
      for (int ox = 0; ox < kH; ++ox)
        for (int c = 0; c < kCout; ++c) {
          const size_t e = ((size_t(n) * kH + oy) * kH + ox) * kCout + c;
          int64_t acc = 0;
          for (int t = 0; t < 2; ++t) {
            int64_t s = 0;
            for (int ky = 0; ky < kK; ++ky)
              for (int kx = 0; kx < kK; ++kx)
                for (int ci = 2 * t; ci < 2 * t + 2; ++ci) {
                  const int iy = oy + ky - 1, ix = ox + kx - 1;
                  if (iy < 0 || ix < 0 || iy >= kH || ix >= kH) continue;
                  const int64_t xc =
                      std::lround(f.x.value[((size_t(n) * kH + iy) * kH + ix) * kCin + ci] * (1 << kShift));
                  s += xc * codes[((ky * kK + kx) * kCin + ci) * kCout + c];
                }
            bool clipped = false;
            acc += adc_convert(double(s), g, b, &clipped) * (int64_t(1) << g);
            d.in[t][e] = !clipped;
          }
          d.y[e] = 0.1 * c + double(acc) * scale[c] / (1 << kShift);
        }
  return d;
}

// The inner node's and the correction's float gradients cancel on clipped conversions.
bool close(double a, double b) {
  return std::fabs(a - b) <= 1e-5 + 1e-4 * std::fabs(b);
}

}  // namespace

TEST_CASE("ADC node: forward equals the row-tiled ADC, gain calibrated on the batch") {
  Fixture f(4);  // a 4-bit ADC [-8, 7]: some conversions clip
  f.ctx.training = true;
  f.node->forward(f.ctx);
  const int g = f.node->shift();
  CHECK(f.node->row_tiles() == 2);
  CHECK(g >= 0);
  const Direct d = direct(f, g, 4);
  for (size_t e = 0; e < d.y.size(); ++e)
    REQUIRE(f.node->out.value[e] == doctest::Approx(d.y[e]).epsilon(1e-5));
  // Eval mode keeps the stored gain; at gain 0 many conversions clip.
  std::vector<Buffer*> bufs;
  f.node->buffers(bufs);
  REQUIRE(bufs[0]->name == "conv.adc_shift");
  CHECK(bufs[0]->value[0] == float(g));
  bufs[0]->value[0] = 0.0f;
  f.ctx.training = false;
  f.node->forward(f.ctx);
  CHECK(f.node->shift() == 0);
  CHECK(f.node->clipped() > 0);
  const Direct d0 = direct(f, 0, 4);
  for (size_t e = 0; e < d0.y.size(); ++e)
    REQUIRE(f.node->out.value[e] == doctest::Approx(d0.y[e]).epsilon(1e-5));
}

TEST_CASE("ADC node: stated surrogate, identity inside the range and zero for a clipped conversion") {
  Fixture f(4);
  std::vector<Buffer*> bufs;
  f.node->buffers(bufs);
  bufs[0]->value[0] = 0.0f;  // gain 1: clipping
  f.node->forward(f.ctx);
  REQUIRE(f.node->clipped() > 0);
  const Direct d = direct(f, 0, 4);
  int inside = 0;
  for (const auto& t : d.in)
    for (int v : t) inside += v;
  CHECK(inside > 0);  // both kinds of conversion occur
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> u(-1, 1);
  for (float& g : f.node->out.grad) g = u(rng);
  f.x.grad.assign(f.x.value.size(), 0.0f);
  f.weight().grad.assign(f.weight().value.size(), 0.0f);
  f.node->backward(f.ctx);
  // Expected: dy/dx and dy/dwq of y = b + sum_t 1[inside_t] * conv_t(x, wq) (wq = s_c * code).
  std::vector<int32_t> codes;
  std::vector<double> scale;
  f.quantizer().integer_codes(f.weight().value.data(), codes, scale);
  std::vector<double> dx(f.x.value.size(), 0.0), dwq(codes.size(), 0.0);
  const int N = f.x.dims.n;
  for (int n = 0; n < N; ++n)
    for (int oy = 0; oy < kH; ++oy)
      for (int ox = 0; ox < kH; ++ox)
        for (int c = 0; c < kCout; ++c) {
          const size_t e = ((size_t(n) * kH + oy) * kH + ox) * kCout + c;
          for (int ky = 0; ky < kK; ++ky)
            for (int kx = 0; kx < kK; ++kx)
              for (int ci = 0; ci < kCin; ++ci) {
                const int iy = oy + ky - 1, ix = ox + kx - 1;
                if (iy < 0 || ix < 0 || iy >= kH || ix >= kH || !d.in[ci / 2][e]) continue;
                const size_t xi = ((size_t(n) * kH + iy) * kH + ix) * kCin + ci;
                const size_t wi = size_t((ky * kK + kx) * kCin + ci) * kCout + c;
                dx[xi] += double(f.node->out.grad[e]) * codes[wi] * scale[c];
                dwq[wi] += double(f.node->out.grad[e]) * f.x.value[xi];
              }
        }
  for (size_t i = 0; i < dx.size(); ++i) REQUIRE(close(f.x.grad[i], dx[i]));
  // The weights: the ternary quantizer's own surrogate applied to dL/dwq.
  std::vector<float> dwq_f(dwq.begin(), dwq.end()), want(codes.size(), 0.0f);
  f.quantizer().backward(f.weight().value.data(), dwq_f.data(), want.data());
  for (size_t i = 0; i < want.size(); ++i) REQUIRE(close(f.weight().grad[i], want[i]));
}

TEST_CASE("ADC node: a range nothing reaches leaves the layer's values and gradients as without it") {
  Fixture f(16);
  f.ctx.training = true;
  f.node->forward(f.ctx);
  CHECK(f.node->shift() == 0);
  CHECK(f.node->clipped() == 0);
  std::vector<float> y = f.node->out.value;
  for (size_t e = 0; e < y.size(); ++e) CHECK(y[e] == doctest::Approx(f.inner().out.value[e]).epsilon(1e-5));
  for (float& g : f.node->out.grad) g = 1.0f;
  f.x.grad.assign(f.x.value.size(), 0.0f);
  f.node->backward(f.ctx);
  const std::vector<float> with = f.x.grad;
  f.x.grad.assign(f.x.value.size(), 0.0f);
  f.inner().backward(f.ctx);  // inner alone, same dy
  CHECK(with == f.x.grad);
}

TEST_CASE("ADC node: training-time noise is seeded, off in eval mode") {
  auto run = [](uint64_t seed, bool training) {
    Fixture f(6, 0.1, seed);
    f.ctx.training = training;
    f.node->forward(f.ctx);
    return f.node->out.value;
  };
  CHECK(run(1, true) == run(1, true));
  CHECK(run(1, true) != run(2, true));
  CHECK(run(1, false) == run(2, false));
}

TEST_CASE("ADC node: training-time column mismatch is seeded, fresh every step, off in eval mode") {
  auto run = [](uint64_t seed, bool training, bool mismatch, int steps) {
    Fixture f(6, 0, seed, mismatch);
    f.ctx.training = training;
    for (int s = 0; s < steps; ++s) f.node->forward(f.ctx);
    return f.node->out.value;
  };
  CHECK(run(1, true, true, 1) == run(1, true, true, 1));
  CHECK(run(1, true, true, 1) != run(2, true, true, 1));
  CHECK(run(1, true, true, 1) != run(1, true, false, 1));
  // the same batch, so the same gain, at the next step: another chip instance
  CHECK(run(1, true, true, 2) != run(1, true, true, 1));
  CHECK(run(1, true, false, 2) == run(1, true, false, 1));  // without it: nothing changes
  CHECK(run(1, false, true, 1) == run(1, false, false, 1));
}

TEST_CASE("ADC node: the column mismatch is straight-through (the gradient as without it)") {
  Fixture f(16, 0, 1, true);
  f.ctx.training = true;
  f.node->forward(f.ctx);
  REQUIRE(f.node->shift() == 0);
  REQUIRE(f.node->clipped() == 0);
  int moved = 0;
  for (size_t e = 0; e < f.node->out.value.size(); ++e)
    moved += std::fabs(f.node->out.value[e] - f.inner().out.value[e]) > 1e-6f;
  CHECK(moved > 0);  // the mismatch changes the values ...
  for (float& g : f.node->out.grad) g = 1.0f;
  f.x.grad.assign(f.x.value.size(), 0.0f);
  f.weight().grad.assign(f.weight().value.size(), 0.0f);
  f.node->backward(f.ctx);
  const std::vector<float> dx = f.x.grad, dw = f.weight().grad;
  f.x.grad.assign(f.x.value.size(), 0.0f);
  f.weight().grad.assign(f.weight().value.size(), 0.0f);
  f.inner().backward(f.ctx);  // ... not the gradients: the inner node alone, same dy
  CHECK(dx == f.x.grad);
  CHECK(dw == f.weight().grad);
}

TEST_CASE("ADC node: the same conversions at 1 and 2 threads, with and without noise and mismatch") {
  // 480 images: 480 x 75 elements x 2 tiles, above the work the thread pool is used for. The
  // inner node's float convolution may round differently at another thread count; the ADC's
  // correction (integer column sums in, their conversions out) may not.
  auto run = [](int threads, double noise, bool mismatch) {
    Fixture f(4, noise, 3, mismatch, 480);
    f.ctx.training = true;
    f.ctx.threads = threads;
    std::vector<float> correction;
    std::vector<int64_t> clipped;
    for (int step = 0; step < 2; ++step) {  // two steps: two draws of the noise and the chip
      f.node->forward(f.ctx);
      correction.insert(correction.end(), f.node->correction().begin(), f.node->correction().end());
      clipped.push_back(f.node->clipped());
    }
    return std::make_pair(correction, clipped);
  };
  CHECK(run(1, 0, false) == run(2, 0, false));
  const auto noisy = run(1, 0.1, false);
  CHECK(noisy.second[0] > 0);  // the noise pushes some conversions out of the range
  CHECK(noisy == run(2, 0.1, false));
  CHECK(run(1, 0.1, true) == run(2, 0.1, true));
  CHECK(noisy != run(1, 0, false));
}

TEST_CASE("ADC node: zero noise leaves the conversion as without noise") {
  Fixture quiet(4, 0.0), without(4);
  quiet.ctx.training = without.ctx.training = true;
  quiet.node->forward(quiet.ctx);
  without.node->forward(without.ctx);
  CHECK(quiet.node->out.value == without.node->out.value);
  const Direct d = direct(quiet, quiet.node->shift(), 4);
  for (size_t e = 0; e < d.y.size(); ++e)
    REQUIRE(quiet.node->out.value[e] == doctest::Approx(d.y[e]).epsilon(1e-5));
}
