// The search's architecture parameters: softmax relaxation gradients (finite
// differences), the thermometric mask and its stated straight-through gradient,
// discretisation, and the search space read from the SoC files.
#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include "mapper/search/arch.h"
#include "mapper/train/optim.h"

using namespace odimo;
using namespace odimo::search;

namespace {

SearchableLayer layer(Relaxation r, int channels) {
  SearchableLayer s;
  s.relaxation = r;
  s.cus = {1, 2};
  s.variants = {"", ""};
  s.channels = channels;
  return s;
}

// L = sum_ic w_ic * mix_ic with fixed weights: a smooth function of alpha.
double loss(LayerArch& a, const std::vector<float>& w) {
  const auto& m = a.mix();
  double l = 0;
  for (size_t e = 0; e < m.size(); ++e) l += double(w[e]) * m[e];
  return l;
}

}  // namespace

TEST_CASE("channel softmax: mix sums to 1 per channel, gradient matches central differences") {
  LayerArch a(layer(Relaxation::kChannelSoftmax, 5), "l", false);
  a.set_temperature(0.7);
  for (size_t e = 0; e < a.alpha().value.size(); ++e) a.alpha().value[e] = float(0.3 * std::sin(1.7 * e));
  const std::vector<float> w = {0.5f, -1.f, 2.f, 0.1f, 0.3f, -0.2f, 0.9f, 1.5f, -0.7f, 0.4f};
  const auto& m = a.mix();
  for (int c = 0; c < 5; ++c) CHECK(m[c] + m[5 + c] == doctest::Approx(1.0));
  std::fill(a.alpha().grad.begin(), a.alpha().grad.end(), 0.0f);
  a.mix();
  a.backward_mix(w);
  for (size_t e = 0; e < a.alpha().value.size(); ++e) {
    CAPTURE(e);
    const float keep = a.alpha().value[e];
    const float h = 1e-3f;
    a.alpha().value[e] = keep + h;
    const double up = loss(a, w);
    a.alpha().value[e] = keep - h;
    const double dn = loss(a, w);
    a.alpha().value[e] = keep;
    CHECK(a.alpha().grad[e] == doctest::Approx((up - dn) / (2 * h)).epsilon(2e-3));
  }
}

TEST_CASE("channel softmax: cost gradient moves expected channels toward the cheaper option") {
  LayerArch a(layer(Relaxation::kChannelSoftmax, 8), "l", false);
  const double before = a.expected_channels()[1];
  CHECK(before == doctest::Approx(4.0));  // equal logits: half each
  std::fill(a.alpha().grad.begin(), a.alpha().grad.end(), 0.0f);
  a.add_cost_gradient({10.0, 1.0}, 1.0);  // option 0 ten times dearer per channel
  for (size_t e = 0; e < a.alpha().value.size(); ++e) a.alpha().value[e] -= 0.5f * a.alpha().grad[e];
  CHECK(a.expected_channels()[1] > before);
}

TEST_CASE("thermometric: 'half' init, mask from theta, stated straight-through gradient") {
  LayerArch a(layer(Relaxation::kThermometric, 6), "l", false);
  CHECK(a.expected_channels() == std::vector<double>{3, 3});  // alpha = 1,1,1,0,0,0
  CHECK(a.assignment() == std::vector<int>{0, 0, 0, 1, 1, 1});
  // Stated surrogate: dL/dalpha_j = sign(alpha_j) * sum_{c<=j} (dL/dm0_c - dL/dm1_c), sign(0) = +1.
  std::vector<float> dmix(12, 0.0f);
  for (int c = 0; c < 6; ++c) dmix[c] = float(c + 1);  // dL/dm_c = c + 1, second option 0
  std::fill(a.alpha().grad.begin(), a.alpha().grad.end(), 0.0f);
  a.mix();
  a.backward_mix(dmix);
  double prefix = 0;
  for (int j = 0; j < 6; ++j) {
    prefix += j + 1;
    CHECK(a.alpha().grad[j] == doctest::Approx(prefix));
  }
  // --compat keeps the original's d|a|/da = 0 at a = 0: the zero entries never move.
  LayerArch c(layer(Relaxation::kThermometric, 6), "l", true);
  std::fill(c.alpha().grad.begin(), c.alpha().grad.end(), 0.0f);
  c.mix();
  c.backward_mix(dmix);
  CHECK(c.alpha().grad[4] == 0.0f);
  CHECK(c.alpha().grad[1] != 0.0f);
}

TEST_CASE("thermometric under Adam: a cost that prefers option 1 only ever lowers k") {
  // Adam normalises steps, so every entry moves by about lr whatever its gradient's
  // size; without the projection the zero entries jitter around 0 and their |alpha|
  // raises theta. With it, k falls monotonically to 0.
  for (bool project : {true, false}) {
    CAPTURE(project);
    LayerArch a(layer(Relaxation::kThermometric, 64), "l", false);
    std::array<mapper::GroupHyper, mapper::kParamGroups> h{};
    h[int(mapper::ParamGroup::kArchitecture)].lr = 0.05;
    mapper::Optimizer adam(mapper::OptimizerKind::kAdam, {&a.alpha()}, h);
    double k = a.expected_channels()[0], k_max = k;
    for (int step = 0; step < 60; ++step) {
      std::fill(a.alpha().grad.begin(), a.alpha().grad.end(), 0.0f);
      a.add_cost_gradient({1.0, 0.0}, 1.0);  // each channel on option 0 costs 1, on option 1 nothing
      adam.step(1.0);
      if (project) a.project();
      const double now = a.expected_channels()[0];
      k_max = std::max(k_max, now);
      if (project) CHECK(now <= k);
      k = now;
    }
    if (project) CHECK(k == 0.0);
    if (!project) CHECK(k_max > 32.0);  // the failure the projection removes: k rose above its start
  }
}

TEST_CASE("force, freeze and assignment round-trip") {
  for (Relaxation r : {Relaxation::kChannelSoftmax, Relaxation::kThermometric}) {
    LayerArch a(layer(r, 7), "l", false);
    const std::vector<int> want = r == Relaxation::kThermometric ? std::vector<int>{0, 0, 1, 1, 1, 1, 1}
                                                                 : std::vector<int>{1, 0, 1, 1, 0, 0, 1};
    a.force(want);
    CHECK(a.assignment() == want);
    a.freeze();
    const auto& m = a.mix();
    for (int c = 0; c < 7; ++c) CHECK(m[size_t(want[c]) * 7 + c] == 1.0f);
    std::fill(a.alpha().grad.begin(), a.alpha().grad.end(), 0.0f);
    a.add_cost_gradient({1.0, 2.0}, 1.0);
    for (float g : a.alpha().grad) CHECK(g == 0.0f);  // frozen: no architecture gradient
  }
}
