// The direct NHWC conv kernels (ops_conv_direct.h): central-difference gradient checks
// in double on geometries that take the direct path (Cout a multiple of 16, Cin <= 32),
// and float agreement with the im2col + GEMM path on ResNet-like shapes.
#include <doctest/doctest.h>

#include <cmath>

#include "grad_check.h"
#include "mapper/ops/ops_conv.h"
#include "mapper/ops/ops_conv_direct.h"

namespace odimo::mapper {
namespace {

using test::check_gradient;
using test::dot;
using test::random_vector;
using V = std::vector<double>;

void check_direct_gradient(const ConvGeom& g, bool bias, int threads) {
  REQUIRE(direct_conv_applies(g));
  std::mt19937_64 rng(5);
  V x = random_vector(size_t(g.n) * g.h * g.w * g.cin, rng), w = random_vector(size_t(g.weights()), rng);
  V b = random_vector(bias ? g.cout : 0, rng), dy = random_vector(size_t(g.n) * g.oh * g.ow * g.cout, rng);
  Scratch<double> s;
  V y(dy.size());
  auto loss = [&] {
    conv2d_forward(g, x.data(), w.data(), bias ? b.data() : nullptr, y.data(), s, threads);
    return dot(dy, y);
  };
  V dx(x.size()), dw(w.size()), db(b.size());
  conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), false, dw.data(), bias ? db.data() : nullptr,
                  s, threads);
  check_gradient("dx", x, dx, loss);
  check_gradient("dw", w, dw, loss);
  if (bias) check_gradient("db", b, db, loss);
}

TEST_CASE("direct conv gradient: 3x3 stride 1, 16 -> 16 with bias, 2 threads (direct dx)") {
  const ConvGeom g = ConvGeom::make(2, 5, 7, 16, 16, 3, 1, 1, 1);
  CHECK(direct_conv_data_applies(g));
  check_direct_gradient(g, true, 2);
}
TEST_CASE("direct conv gradient: 3x3 stride 2, 16 -> 32 (dx by col2im)") {
  const ConvGeom g = ConvGeom::make(2, 5, 6, 16, 32, 3, 2, 1, 1);
  CHECK(!direct_conv_data_applies(g));
  check_direct_gradient(g, false, 1);
}
TEST_CASE("direct conv gradient: more than 6 full rows and interior columns (balanced and vertical tiles)") {
  check_direct_gradient(ConvGeom::make(1, 15, 9, 16, 16, 3, 1, 1, 1), false,
                        1);  // 13 rows: 5,4,4; 7 cols: 4,3
  check_direct_gradient(ConvGeom::make(1, 16, 15, 16, 16, 3, 2, 1, 1), false, 1);  // stride 2: 7 full rows
}
TEST_CASE("direct conv gradient: 3x3 stem, 1 -> 16, and 5x5 without padding") {
  check_direct_gradient(ConvGeom::make(2, 6, 5, 1, 16, 3, 1, 1, 1), false, 2);
  check_direct_gradient(ConvGeom::make(1, 7, 8, 16, 16, 5, 1, 0, 1), false, 1);
}

// Float: the direct path against im2col + GEMM (same math, other summation order).
void compare_paths(ConvGeom g, bool accumulate) {
  std::mt19937_64 rng(9);
  auto rnd = [&](size_t n) {
    const V v = random_vector(n, rng);
    return std::vector<float>(v.begin(), v.end());
  };
  const std::vector<float> x = rnd(size_t(g.n) * g.h * g.w * g.cin), w = rnd(size_t(g.weights())),
                           dy = rnd(size_t(g.n) * g.oh * g.ow * g.cout), dx0 = rnd(x.size());
  Scratch<float> s;
  std::vector<float> y[2], dx[2], dw[2];
  for (int direct = 0; direct < 2; ++direct) {
    g.allow_direct = direct;
    REQUIRE(direct_conv_applies(g) == bool(direct));
    y[direct].resize(dy.size()), dw[direct].resize(w.size()), dx[direct] = dx0;
    conv2d_forward(g, x.data(), w.data(), (const float*)nullptr, y[direct].data(), s, 2);
    conv2d_backward(g, x.data(), w.data(), dy.data(), dx[direct].data(), accumulate, dw[direct].data(),
                    (float*)nullptr, s, 2);
  }
  auto close = [](const std::vector<float>& a, const std::vector<float>& b, const char* what) {
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
    CHECK_MESSAGE(worst < 2e-4, what << ": worst difference " << worst);
  };
  close(y[0], y[1], "y"), close(dx[0], dx[1], "dx"), close(dw[0], dw[1], "dw");
}

TEST_CASE("direct conv (float) equals im2col + GEMM on ResNet-8/20 shapes") {
  compare_paths(ConvGeom::make(5, 28, 28, 16, 16, 3, 1, 1, 1), false);
  compare_paths(ConvGeom::make(5, 28, 28, 16, 32, 3, 2, 1, 1), true);
  compare_paths(ConvGeom::make(4, 14, 14, 32, 32, 3, 1, 1, 1), true);
  compare_paths(ConvGeom::make(4, 28, 28, 1, 16, 3, 1, 1, 1), false);
  compare_paths(ConvGeom::make(3, 14, 14, 32, 64, 3, 2, 1, 1), false);  // ResNet-20's third stage entry
  compare_paths(ConvGeom::make(2, 15, 13, 16, 16, 3, 1, 1, 1), true);   // odd sizes
}

}  // namespace
}  // namespace odimo::mapper
