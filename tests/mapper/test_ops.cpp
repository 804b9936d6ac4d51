// One gradient test per op: central differences in double, per-op tolerances,
// kinks avoided explicitly (inputs kept away from ReLU's 0 and 6, pool ties).
#include <doctest/doctest.h>

#include <Eigen/Core>
#include "grad_check.h"

#include "mapper/ops/eigen_blocking.h"
#include "mapper/ops/ops_conv.h"
#include "mapper/ops/ops_misc.h"
#include "mapper/ops/ops_norm.h"

namespace odimo::mapper {
namespace {

using test::check_gradient;
using test::dot;
using test::random_vector;
using V = std::vector<double>;

// Checks dx, dw, db of a conv/depthwise geometry, with `threads` shares.
void check_conv(const ConvGeom& g, bool depthwise, bool bias, int threads) {
  std::mt19937_64 rng(7);
  V x = random_vector(size_t(g.n) * g.h * g.w * g.cin, rng);
  V w = random_vector(depthwise ? size_t(g.k) * g.k * g.cin : size_t(g.weights()), rng);
  V b = random_vector(bias ? g.cout : 0, rng);
  V dy = random_vector(size_t(g.n) * g.oh * g.ow * g.cout, rng);
  Scratch<double> s;
  V y(dy.size());
  auto loss = [&] {
    if (depthwise)
      depthwise_forward(g, x.data(), w.data(), bias ? b.data() : nullptr, y.data(), threads);
    else
      conv2d_forward(g, x.data(), w.data(), bias ? b.data() : nullptr, y.data(), s, threads);
    return dot(dy, y);
  };
  V dx(x.size()), dw(w.size()), db(b.size());
  if (depthwise)
    depthwise_backward(g, x.data(), w.data(), dy.data(), dx.data(), false, dw.data(),
                       bias ? db.data() : nullptr, s, threads);
  else
    conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), false, dw.data(), bias ? db.data() : nullptr,
                    s, threads);
  check_gradient("dx", x, dx, loss);
  check_gradient("dw", w, dw, loss);
  if (bias) check_gradient("db", b, db, loss);
}

TEST_CASE("conv2d gradient: 3x3 stride 2 padding 1 with bias, 2 threads") {
  check_conv(ConvGeom::make(3, 5, 6, 3, 4, 3, 2, 1, 1), false, true, 2);
}
TEST_CASE("conv2d gradient: grouped (2 groups), stride 1") {
  check_conv(ConvGeom::make(2, 4, 4, 4, 6, 3, 1, 1, 2), false, false, 1);
}
TEST_CASE("conv2d gradient: 1x1 pointwise fast path and 1x1 stride 2") {
  check_conv(ConvGeom::make(2, 3, 3, 3, 5, 1, 1, 0, 1), false, true, 2);
  check_conv(ConvGeom::make(2, 5, 5, 3, 4, 1, 2, 0, 1), false, false, 2);
}
TEST_CASE("depthwise gradient: 3x3 stride 1 and stride 2") {
  check_conv(ConvGeom::make(2, 5, 5, 3, 3, 3, 1, 1, 3), true, true, 2);
  check_conv(ConvGeom::make(2, 6, 6, 4, 4, 3, 2, 1, 4), true, false, 1);
}

TEST_CASE("conv2d backward with accumulate adds to dx") {
  const ConvGeom g = ConvGeom::make(2, 4, 4, 2, 3, 3, 1, 1, 1);
  std::mt19937_64 rng(3);
  V x = random_vector(2 * 16 * 2, rng), w = random_vector(g.weights(), rng),
    dy = random_vector(2 * 16 * 3, rng);
  V dx0(x.size()), dx1(x.size(), 1.0), dw(w.size());
  Scratch<double> s;
  conv2d_backward(g, x.data(), w.data(), dy.data(), dx0.data(), false, dw.data(), (double*)nullptr, s, 1);
  conv2d_backward(g, x.data(), w.data(), dy.data(), dx1.data(), true, dw.data(), (double*)nullptr, s, 1);
  for (size_t i = 0; i < x.size(); ++i) CHECK(dx1[i] == doctest::Approx(dx0[i] + 1.0).epsilon(1e-12));
}

TEST_CASE("batchnorm (training) gradient of x, gamma, beta") {
  std::mt19937_64 rng(11);
  BatchNormGeom g;
  g.n = 3, g.rows = 3 * 2 * 2, g.channels = 3;
  V x = random_vector(g.rows * 3, rng, -2, 2), gamma = random_vector(3, rng, 0.5, 1.5),
    beta = random_vector(3, rng);
  V dy = random_vector(x.size(), rng), y(x.size());
  BatchNormCache<double> cache;
  Scratch<double> s;
  auto loss = [&] {
    batchnorm_train_forward(g, x.data(), gamma.data(), beta.data(), y.data(), cache, (double*)nullptr,
                            (double*)nullptr, s, 2);
    return dot(dy, y);
  };
  loss();
  V dx(x.size()), dg(3), db(3);
  batchnorm_train_backward(g, x.data(), gamma.data(), dy.data(), cache, dx.data(), false, dg.data(),
                           db.data(), s, 2);
  // BN's dx is a difference of similar terms: slightly looser than the conv tolerance.
  check_gradient("dx", x, dx, loss, 1e-6, 1e-5);
  check_gradient("dgamma", gamma, dg, loss);
  check_gradient("dbeta", beta, db, loss);
  SUBCASE("with the following ReLU fused in") {
    loss();
    int clipped = 0;
    for (double v : y) {
      REQUIRE(std::fabs(v) > 1e-4);  // no pre-activation sits on the ReLU's kink
      clipped += v < 0;
    }
    CHECK(clipped > 0);
    g.relu = true;
    loss();
    batchnorm_train_backward(g, x.data(), gamma.data(), dy.data(), cache, dx.data(), false, dg.data(),
                             db.data(), s, 2);
    check_gradient("dx (relu)", x, dx, loss, 1e-6, 1e-5);
    check_gradient("dgamma (relu)", gamma, dg, loss);
  }
}

TEST_CASE("relu and relu6 gradients away from their kinks") {
  std::mt19937_64 rng(5);
  V x = random_vector(40, rng, -8, 8);
  for (double& v : x)  // keep every input >= 0.05 away from 0 and 6
    if (std::fabs(v) < 0.05 || std::fabs(v - 6) < 0.05) v += 0.2;
  const Flat f{4, 10};
  V dy = random_vector(40, rng), y(40), dx(40);
  auto relu_loss = [&] {
    relu_forward(f, x.data(), y.data(), 2);
    return dot(dy, y);
  };
  relu_loss();
  relu_backward(f, y.data(), dy.data(), dx.data(), false, 2);
  check_gradient("relu", x, dx, relu_loss);
  auto relu6_loss = [&] {
    relu6_forward(f, x.data(), y.data(), 2);
    return dot(dy, y);
  };
  relu6_backward(f, x.data(), dy.data(), dx.data(), false, 2);
  check_gradient("relu6", x, dx, relu6_loss);
}

TEST_CASE("add with fused relu: relu_backward_pair equals relu_backward per input, and its gradient") {
  std::mt19937_64 rng(7);
  const Flat f{3, 16};
  V a = random_vector(48, rng, -2, 2), b = random_vector(48, rng, -2, 2), dy = random_vector(48, rng), y(48);
  for (size_t i = 0; i < a.size(); ++i)  // keep a + b >= 0.05 away from the kink
    if (std::fabs(a[i] + b[i]) < 0.05) a[i] += 0.2;
  auto loss = [&] {
    add_relu_forward(f, a.data(), b.data(), y.data(), 2);
    return dot(dy, y);
  };
  loss();
  const V old0 = random_vector(48, rng), old1 = random_vector(48, rng);
  for (int acc = 0; acc < 4; ++acc) {
    V p0 = old0, p1 = old1, q0 = old0, q1 = old1;
    relu_backward_pair(f, y.data(), dy.data(), p0.data(), bool(acc & 1), p1.data(), bool(acc & 2), 2);
    relu_backward(f, y.data(), dy.data(), q0.data(), bool(acc & 1), 2);
    relu_backward(f, y.data(), dy.data(), q1.data(), bool(acc & 2), 2);
    CHECK(p0 == q0);
    CHECK(p1 == q1);
  }
  V da(48), db(48);
  relu_backward_pair(f, y.data(), dy.data(), da.data(), false, db.data(), false, 2);
  check_gradient("a", a, da, loss);
  check_gradient("b", b, db, loss);
}

TEST_CASE("add and flatten (grad_pass) gradients, with accumulation") {
  std::mt19937_64 rng(9);
  const Flat f{2, 6};
  V a = random_vector(12, rng), b = random_vector(12, rng), dy = random_vector(12, rng), y(12);
  auto loss = [&] {
    add_forward(f, a.data(), b.data(), y.data(), false, 1);
    return dot(dy, y);
  };
  V da(12), db(12, 0.5);
  grad_pass(f, dy.data(), da.data(), false, 1);
  check_gradient("add.a", a, da, loss);
  grad_pass(f, dy.data(), db.data(), true, 1);
  for (size_t i = 0; i < 12; ++i) CHECK(db[i] == doctest::Approx(dy[i] + 0.5));
}

TEST_CASE("avgpool, maxpool and global average pool gradients") {
  std::mt19937_64 rng(13);
  for (auto [k, s, p] : {std::tuple{2, 2, 0}, std::tuple{3, 2, 1}}) {
    const PoolGeom g = PoolGeom::make(2, 5, 5, 3, k, s, p);
    V x = random_vector(2 * 25 * 3, rng);
    // Max pool: distinct values spaced >= 1e-3 apart, so eps = 1e-6 never changes an argmax.
    for (size_t i = 0; i < x.size(); ++i) x[i] = double((i * 37) % x.size()) * 1e-3;
    V dy = random_vector(size_t(g.n) * g.oh * g.ow * g.c, rng), y(dy.size()), dx(x.size());
    std::vector<int32_t> arg(dy.size());
    auto avg = [&] {
      avgpool_forward(g, x.data(), y.data(), 2);
      return dot(dy, y);
    };
    avgpool_backward(g, dy.data(), dx.data(), false, 2);
    check_gradient("avgpool", x, dx, avg);
    auto mx = [&] {
      maxpool_forward(g, x.data(), y.data(), arg.data(), 2);
      return dot(dy, y);
    };
    mx();
    maxpool_backward(g, arg.data(), dy.data(), dx.data(), false, 2);
    check_gradient("maxpool", x, dx, mx);
  }
  V x = random_vector(2 * 9 * 4, rng), dy = random_vector(8, rng), y(8), dx(x.size());
  auto gap = [&] {
    global_avgpool_forward(2, 9, 4, x.data(), y.data(), 2);
    return dot(dy, y);
  };
  global_avgpool_backward(2, 9, 4, dy.data(), dx.data(), false, 2);
  check_gradient("gap", x, dx, gap);
}

TEST_CASE("linear gradient of x, w, b") {
  std::mt19937_64 rng(17);
  const int n = 3, in = 5, out = 4;
  V x = random_vector(n * in, rng), w = random_vector(in * out, rng), b = random_vector(out, rng);
  V dy = random_vector(n * out, rng), y(n * out), dx(x.size()), dw(w.size()), db(out);
  auto loss = [&] {
    linear_forward(n, in, out, x.data(), w.data(), b.data(), y.data());
    return dot(dy, y);
  };
  linear_backward(n, in, out, x.data(), w.data(), dy.data(), dx.data(), false, dw.data(), db.data());
  check_gradient("dx", x, dx, loss);
  check_gradient("dw", w, dw, loss);
  check_gradient("db", b, db, loss);
}

TEST_CASE("softmax cross-entropy gradient and accuracy count") {
  std::mt19937_64 rng(19);
  const int n = 4, k = 5;
  V z = random_vector(n * k, rng, -3, 3), dz(z.size());
  const int labels[n] = {0, 4, 2, 2};
  int correct = -1;
  const double l0 = softmax_cross_entropy(n, k, z.data(), labels, dz.data(), &correct);
  CHECK(l0 > 0);
  CHECK(correct >= 0);
  auto loss = [&] { return softmax_cross_entropy(n, k, z.data(), labels, (double*)nullptr, nullptr); };
  check_gradient("dlogits", z, dz, loss);
  // Uniform logits: loss = ln K exactly.
  V flat(k, 0.3);
  const int one = 1;
  CHECK(softmax_cross_entropy(1, k, flat.data(), &one, (double*)nullptr, nullptr) ==
        doctest::Approx(std::log(k)));
}

}  // namespace
}  // namespace odimo::mapper

namespace odimo::mapper {
namespace {

TEST_CASE("batch norm folded into the preceding conv gives the same eval output") {
  const ConvGeom g = ConvGeom::make(2, 5, 5, 3, 4, 3, 1, 1, 1);
  std::mt19937_64 rng(23);
  auto rnd = [&](size_t n, float lo, float hi) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
  };
  std::vector<float> x = rnd(2 * 25 * 3, -1, 1), w = rnd(g.weights(), -1, 1), bias = rnd(4, -1, 1);
  std::vector<float> gamma = rnd(4, 0.5, 1.5), beta = rnd(4, -1, 1), mean = rnd(4, -1, 1),
                     var = rnd(4, 0.2, 2);
  std::vector<float> y(2 * 25 * 4), bn(y.size()), folded(y.size());
  Scratch<float> s;
  conv2d_forward(g, x.data(), w.data(), bias.data(), y.data(), s, 1);
  BatchNormGeom bg;
  bg.n = 2, bg.rows = 50, bg.channels = 4;
  batchnorm_eval_forward(bg, y.data(), gamma.data(), beta.data(), mean.data(), var.data(), bn.data(), 1);
  fold_batchnorm(w, bias, ChannelLayout::single_block(g.weights(), 4), gamma, beta, mean, var);
  conv2d_forward(g, x.data(), w.data(), bias.data(), folded.data(), s, 1);
  for (size_t i = 0; i < y.size(); ++i) CHECK(folded[i] == doctest::Approx(bn[i]).epsilon(1e-5));
}

}  // namespace
}  // namespace odimo::mapper

TEST_CASE("Eigen's product blocking is fixed, not taken from this CPU's caches") {
  // Any program linking the kernels has set them before main (mapper/ops/eigen_blocking.h).
  CHECK(Eigen::l1CacheSize() == odimo::mapper::kEigenL1Bytes);
  CHECK(Eigen::l2CacheSize() == odimo::mapper::kEigenL2Bytes);
  CHECK(Eigen::l3CacheSize() == odimo::mapper::kEigenL3Bytes);
}
