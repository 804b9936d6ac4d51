// Quantizers against their definitions (odimo-method.md §2) and their *stated*
// surrogate gradients (quantizers.h): straight-through ops have no finite
// difference to check against, so the test pins the documented rule.
#include <doctest/doctest.h>

#include <cmath>

#include "mapper/nn/quantizers.h"

namespace odimo::mapper {
namespace {

TEST_CASE("int8 power-of-two quantizer: scale init, grid, clipping, surrogate gradient") {
  std::vector<float> w = {0.3f, -0.7f, 0.05f, 0.69f};
  PowerOfTwoQuantizer q("l", ChannelLayout::single_block(4, 2), w.data());
  // init s_param = 2^floor(log2(2 * 0.7)) = 1
  CHECK(q.scale() == 1.0f);
  std::vector<float> wq(4);
  q.forward(w.data(), wq.data());
  for (size_t i = 0; i < 4; ++i) {
    CHECK(wq[i] == doctest::Approx(std::nearbyint(127 * w[i]) / 127.0f));
    CHECK(std::fabs(wq[i] * 127 - std::nearbyint(wq[i] * 127)) < 1e-4);  // on the int8 grid
  }
  // A learned s_param of 0.6 floors to s = 0.5: |w| >= 0.5 clips.
  q.parameters()[0]->value[0] = 0.6f;
  CHECK(q.scale() == 0.5f);
  q.forward(w.data(), wq.data());
  CHECK(wq[1] == -0.5f);
  CHECK(wq[3] == 0.5f);
  const std::vector<float> dwq = {1.0f, 2.0f, 3.0f, 4.0f};
  std::vector<float> dw(4, 0.0f);
  q.parameters()[0]->grad[0] = 0;
  q.backward(w.data(), dwq.data(), dw.data());
  CHECK(dw == std::vector<float>{1.0f, 0.0f, 3.0f, 0.0f});       // 1[|w| < s]
  CHECK(q.parameters()[0]->grad[0] == doctest::Approx(-2 + 4));  // sum dwq * sign(w) where clipped
}

TEST_CASE("ternary quantizer: per-channel scales, values, surrogate gradient") {
  // Two channels, col-major [2, 3]: element i belongs to channel i % 2.
  std::vector<float> w = {0.3f, 1.2f, -0.9f, -1.2f, 2.5f, 0.2f};  // no ties: round() is half-to-even
  TernaryQuantizer q("l", ChannelLayout::single_block(6, 2), w.data());
  Parameter& p = *q.parameters()[0];
  REQUIRE(p.value.size() == 2);
  // init: 0.86148 * rms of the channel
  const double rms0 = std::sqrt((0.09 + 0.81 + 6.25) / 3);
  CHECK(std::exp(p.value[0]) == doctest::Approx(0.86148 * rms0).epsilon(1e-5));
  p.value = {std::log(1.0f), std::log(2.0f)};
  std::vector<float> wq(6);
  q.forward(w.data(), wq.data());
  CHECK(wq == std::vector<float>{0.0f, 2.0f, -1.0f, -2.0f, 1.0f, 0.0f});
  const std::vector<float> dwq(6, 1.0f);
  std::vector<float> dw(6, 0.0f);
  p.grad = {0, 0};
  q.backward(w.data(), dwq.data(), dw.data());
  // channel 0 (s = 1): 0.3 inside -> s*(round(0.3)-0.3) = -0.3; -0.9 inside -> (-1+0.9) = -0.1; 2.5 outside
  // -> +1
  CHECK(p.grad[0] == doctest::Approx(-0.3 - 0.1 + 1.0));
  // channel 1 (s = 2): 1.2 -> 2*(1-0.6) = 0.8; -1.2 -> 2*(-1+0.6) = -0.8; 0.2 -> 2*(0-0.1) = -0.2
  CHECK(p.grad[1] == doctest::Approx(0.8 - 0.8 - 0.2));
  CHECK(dw == std::vector<float>{1, 1, 1, 1, 0, 1});  // zero only where clipped (2.5 > s = 1)
}

TEST_CASE("ternary quantizer: grouped-conv channel layout") {
  // 2 groups of 2 channels, blocks of 4 elements: channel(i) = (i/4)*2 + i%2.
  const ChannelLayout cl{8, 4, 4, 2};
  CHECK(cl.channel(0) == 0);
  CHECK(cl.channel(3) == 1);
  CHECK(cl.channel(4) == 2);
  CHECK(cl.channel(7) == 3);
}

TEST_CASE("int8 per-channel quantizer: max maps to 127, identity gradient") {
  std::vector<float> w = {0.5f, -0.1f, 0.25f, 0.2f};  // channel 0: 0.5, 0.25; channel 1: -0.1, 0.2
  PerChannelQuantizer q(ChannelLayout::single_block(4, 2));
  std::vector<float> wq(4), dw(4, 0.0f);
  q.forward(w.data(), wq.data());
  CHECK(wq[0] == doctest::Approx(0.5f));
  CHECK(wq[3] == doctest::Approx(0.2f));
  CHECK(wq[2] == doctest::Approx(std::nearbyint(0.25f / (0.5f / 127)) * 0.5f / 127));
  CHECK(wq[1] == doctest::Approx(std::nearbyint(-0.1f / (0.2f / 127)) * 0.2f / 127));
  const std::vector<float> d = {1, 2, 3, 4};
  q.backward(w.data(), d.data(), dw.data());
  CHECK(dw == d);
}

TEST_CASE("4-bit quantizers: codes in [-7, 7], the grid of s / 7") {
  const std::vector<float> w = {0.3f, -0.7f, 0.05f, 0.69f};
  std::vector<int32_t> codes;
  std::vector<double> scale;
  PowerOfTwoQuantizer pow2("l", ChannelLayout::single_block(4, 2), w.data(), 4);
  CHECK(pow2.kind() == "int4-pow2");
  REQUIRE(pow2.integer_codes(w.data(), codes, scale));
  CHECK(codes == std::vector<int32_t>{2, -5, 0, 5});  // round(7 * w) at s = 1
  CHECK(scale == std::vector<double>{1.0 / 7, 1.0 / 7});
  std::vector<float> wq(4);
  pow2.forward(w.data(), wq.data());
  for (size_t i = 0; i < 4; ++i) CHECK(wq[i] == doctest::Approx(codes[i] / 7.0));
  PerChannelQuantizer channel(ChannelLayout::single_block(4, 2), 4);
  CHECK(channel.kind() == "int4-per-channel");
  REQUIRE(channel.integer_codes(w.data(), codes, scale));
  CHECK(codes == std::vector<int32_t>{7, -7, 1, 7});  // element i in channel i % 2: max 0.3 and 0.7
  CHECK(scale[0] == doctest::Approx(0.3 / 7));
}

TEST_CASE("PACT 7-bit power-of-two: grid, clip and surrogate gradient") {
  PactConfig c;  // 7 bits, pow2, clip 6
  // 127 / 6 = 21.2 -> sf = 16, alpha_eff = 127 / 16 = 7.9375
  const PactState s = pact_state(6.0f, c);
  CHECK(s.sf == 16.0f);
  CHECK(s.alpha_eff == doctest::Approx(7.9375));
  const std::vector<float> x = {-1.0f, 0.1f, 3.33f, 7.9f, 9.0f};
  std::vector<float> y(5), dx(5);
  pact_forward(c, 6.0f, x.data(), y.data(), 5);
  CHECK(y[0] == 0.0f);
  CHECK(y[1] == 0.0625f);     // floor(1.6) / 16
  CHECK(y[2] == 53.0f / 16);  // floor(53.28) / 16
  CHECK(y[4] == doctest::Approx(7.9375));
  const std::vector<float> dy = {1, 2, 3, 4, 5};
  const double dalpha = pact_backward(c, 6.0f, x.data(), dy.data(), dx.data(), false, 5);
  CHECK(dx == std::vector<float>{0, 2, 3, 4, 0});  // 1[0 <= x < alpha_eff]
  CHECK(dalpha == 5.0);                            // sum of dy where x >= alpha_eff
}

TEST_CASE("PACT 8-bit without power-of-two rounding") {
  PactConfig c;
  c.bits = 8, c.pow2 = false;
  const PactState s = pact_state(5.1f, c);
  CHECK(s.sf == doctest::Approx(255 / 5.1));
  CHECK(s.alpha_eff == doctest::Approx(5.1));
}

}  // namespace
}  // namespace odimo::mapper
