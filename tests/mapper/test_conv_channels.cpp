// The channel-subset conv (ops_conv_channels.h): central-difference gradients in double, and
// equality with the full conv on the channels it computes (its backward: the full conv's with
// dy zero on the others).
#include <doctest/doctest.h>

#include <random>

#include "grad_check.h"
#include "mapper/ops/ops_conv_channels.h"

namespace odimo::mapper {
namespace {

using test::check_gradient;
using test::dot;
using test::random_vector;
using V = std::vector<double>;

void check_channels(const ConvGeom& g, const std::vector<int>& channels, int threads) {
  std::mt19937_64 rng(11);
  const int n = int(channels.size());
  V x = random_vector(size_t(g.n) * g.h * g.w * g.cin, rng);
  V w = random_vector(size_t(g.weights()), rng);
  V dy = random_vector(size_t(g.n) * g.oh * g.ow * n, rng);
  Scratch<double> s;
  V y(dy.size());
  auto loss = [&] {
    conv2d_forward_channels(g, channels, x.data(), w.data(), y.data(), s, threads);
    return dot(dy, y);
  };
  V dx(x.size()), dw(w.size(), 7.0);  // dw is written, also where no channel is computed
  conv2d_backward_channels(g, channels, x.data(), w.data(), dy.data(), dx.data(), false, dw.data(), s,
                           threads);
  check_gradient("dx", x, dx, loss);
  check_gradient("dw", w, dw, loss);

  // The full conv: the same outputs on `channels`, the same gradients with dy zero elsewhere.
  const int64_t pixels = int64_t(g.n) * g.oh * g.ow;
  V y_full(size_t(pixels) * g.cout), dy_full(y_full.size(), 0.0), dx_full(x.size()), dw_full(w.size());
  conv2d_forward(g, x.data(), w.data(), static_cast<const double*>(nullptr), y_full.data(), s, threads);
  loss();
  for (int64_t p = 0; p < pixels; ++p)
    for (int i = 0; i < n; ++i) {
      CHECK(y[size_t(p * n + i)] == doctest::Approx(y_full[size_t(p * g.cout + channels[i])]).epsilon(1e-12));
      dy_full[size_t(p * g.cout + channels[i])] = dy[size_t(p * n + i)];
    }
  conv2d_backward(g, x.data(), w.data(), dy_full.data(), dx_full.data(), false, dw_full.data(),
                  static_cast<double*>(nullptr), s, threads);
  for (size_t e = 0; e < dx.size(); ++e) CHECK(dx[e] == doctest::Approx(dx_full[e]).epsilon(1e-12));
  for (size_t e = 0; e < dw.size(); ++e) CHECK(dw[e] == doctest::Approx(dw_full[e]).epsilon(1e-12));
}

TEST_CASE("channel-subset conv: gradients and the full conv's values, 3x3 padding 1") {
  const ConvGeom g = ConvGeom::make(2, 5, 5, 6, 6, 3, 1, 1, 1);
  check_channels(g, {0, 1, 2}, 1);  // a prefix (the thermometric split)
  check_channels(g, {1, 4}, 2);     // any subset, 2 threads
  check_channels(g, {0, 1, 2, 3, 4, 5}, 1);
}

TEST_CASE("channel-subset conv: no channel computed gives zero gradients") {
  const ConvGeom g = ConvGeom::make(1, 4, 4, 3, 3, 3, 1, 1, 1);
  std::mt19937_64 rng(5);
  V x = random_vector(size_t(16 * 3), rng), w = random_vector(size_t(g.weights()), rng);
  V dx(x.size(), 1.0), dw(w.size(), 1.0);
  Scratch<double> s;
  conv2d_backward_channels(g, {}, x.data(), w.data(), static_cast<const double*>(nullptr), dx.data(), true,
                           dw.data(), s, 1);
  for (double v : dx) CHECK(v == 1.0);  // accumulate: nothing added
  for (double v : dw) CHECK(v == 0.0);
  conv2d_backward_channels(g, {}, x.data(), w.data(), static_cast<const double*>(nullptr), dx.data(), false,
                           dw.data(), s, 1);
  for (double v : dx) CHECK(v == 0.0);
}

}  // namespace
}  // namespace odimo::mapper
