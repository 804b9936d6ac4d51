// Forward and backward of conv, grouped conv, depthwise, batch norm, linear and a
// small residual block against PyTorch 1.13 (float64), from torch_reference.txt
// (regenerate with make_torch_reference.py; CI needs no torch).
#include <doctest/doctest.h>

#include "grad_check.h"
#include "mapper/nn/model.h"
#include "mapper/ops/ops_conv.h"
#include "mapper/ops/ops_misc.h"
#include "mapper/ops/ops_norm.h"

namespace odimo::mapper {
namespace {

using test::torch_ref;
using V = std::vector<double>;

void check_close(const std::string& what, const V& got, const V& want, double tol) {
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (std::fabs(got[i] - want[i]) > tol * (1 + std::fabs(want[i])) && ++bad <= 3)
      MESSAGE(what << "[" << i << "] " << got[i] << " vs torch " << want[i]);
  CHECK_MESSAGE(bad == 0, what << ": " << bad << " values differ from PyTorch");
}

void conv_case(const std::string& c, const ConvGeom& g, bool depthwise, bool bias) {
  const V &x = torch_ref(c + ".x"), &w = torch_ref(c + ".w"), &dy = torch_ref(c + ".dy");
  V y(torch_ref(c + ".y").size()), dx(x.size()), dw(w.size()), db(bias ? g.cout : 0);
  Scratch<double> s;
  const double* b = bias ? torch_ref(c + ".b").data() : nullptr;
  if (depthwise) {
    depthwise_forward(g, x.data(), w.data(), b, y.data(), 2);
    depthwise_backward(g, x.data(), w.data(), dy.data(), dx.data(), false, dw.data(),
                       bias ? db.data() : nullptr, s, 2);
  } else {
    conv2d_forward(g, x.data(), w.data(), b, y.data(), s, 2);
    conv2d_backward(g, x.data(), w.data(), dy.data(), dx.data(), false, dw.data(), bias ? db.data() : nullptr,
                    s, 2);
  }
  check_close(c + ".y", y, torch_ref(c + ".y"), 1e-12);
  check_close(c + ".dx", dx, torch_ref(c + ".dx"), 1e-12);
  check_close(c + ".dw", dw, torch_ref(c + ".dw"), 1e-12);
  if (bias) check_close(c + ".db", db, torch_ref(c + ".db"), 1e-12);
}

TEST_CASE("torch reference: conv2d 3x3 stride 2 padding 1 with bias") {
  conv_case("conv", ConvGeom::make(2, 5, 5, 3, 4, 3, 2, 1, 1), false, true);
}
TEST_CASE("torch reference: grouped conv2d") {
  conv_case("gconv", ConvGeom::make(2, 4, 4, 4, 6, 3, 1, 1, 2), false, false);
}
TEST_CASE("torch reference: depthwise 3x3 stride 2") {
  conv_case("depthwise", ConvGeom::make(2, 5, 5, 3, 3, 3, 2, 1, 3), true, true);
}

TEST_CASE("torch reference: batch norm in training mode, running statistics") {
  BatchNormGeom g;
  g.n = 3, g.rows = 3 * 3 * 3, g.channels = 3;
  const V &x = torch_ref("batchnorm.x"), &dy = torch_ref("batchnorm.dy");
  V y(x.size()), dx(x.size()), dg(3), db(3), rm(3, 0.0), rv(3, 1.0);
  BatchNormCache<double> cache;
  Scratch<double> s;
  batchnorm_train_forward(g, x.data(), torch_ref("batchnorm.gamma").data(),
                          torch_ref("batchnorm.beta").data(), y.data(), cache, rm.data(), rv.data(), s, 2);
  batchnorm_train_backward(g, x.data(), torch_ref("batchnorm.gamma").data(), dy.data(), cache, dx.data(),
                           false, dg.data(), db.data(), s, 2);
  check_close("bn.y", y, torch_ref("batchnorm.y"), 1e-12);
  check_close("bn.dx", dx, torch_ref("batchnorm.dx"), 1e-11);
  check_close("bn.dgamma", dg, torch_ref("batchnorm.dgamma"), 1e-12);
  check_close("bn.dbeta", db, torch_ref("batchnorm.dbeta"), 1e-12);
  check_close("bn.running_mean", rm, torch_ref("batchnorm.running_mean"), 1e-12);
  check_close("bn.running_var", rv, torch_ref("batchnorm.running_var"), 1e-12);
}

TEST_CASE("torch reference: linear") {
  const V &x = torch_ref("linear.x"), &w = torch_ref("linear.w"), &b = torch_ref("linear.b"),
          &dy = torch_ref("linear.dy");
  V y(12), dx(x.size()), dw(w.size()), db(4);
  linear_forward(3, 5, 4, x.data(), w.data(), b.data(), y.data());
  linear_backward(3, 5, 4, x.data(), w.data(), dy.data(), dx.data(), false, dw.data(), db.data());
  check_close("linear.y", y, torch_ref("linear.y"), 1e-12);
  check_close("linear.dx", dx, torch_ref("linear.dx"), 1e-12);
  check_close("linear.dw", dw, torch_ref("linear.dw"), 1e-12);
  check_close("linear.db", db, torch_ref("linear.db"), 1e-12);
}

// The whole float32 model path (graph from the IR, tape, accumulation at the
// residual fork, 2 threads) against PyTorch: float32 tolerances.
TEST_CASE("torch reference: residual block built from the Network IR, forward and all gradients") {
  Model model(load_network(std::string(ODIMO_MAPPER_TEST_DIR) + "/resblock.pbtxt"), ModelOptions{{}, 1, 2});
  for (Parameter* p : model.parameters()) {
    const V& v = torch_ref("resblock." + p->name);
    REQUIRE(v.size() == p->value.size());
    std::copy(v.begin(), v.end(), p->value.begin());
  }
  const V& xd = torch_ref("resblock.x");
  std::vector<float> x(xd.begin(), xd.end());
  std::vector<int> labels;
  for (double l : torch_ref("resblock.labels")) labels.push_back(int(l));
  Tape tape;
  const Activation& logits = model.forward(x.data(), 2, true, &tape);
  check_close("logits", V(logits.value.begin(), logits.value.end()), torch_ref("resblock.logits"), 1e-5);
  const double loss =
      softmax_cross_entropy(2, 3, logits.value.data(), labels.data(), model.logits_grad(), nullptr);
  CHECK(loss == doctest::Approx(torch_ref("resblock.loss")[0]).epsilon(1e-5));
  model.zero_grad();
  model.backward(tape);
  for (Parameter* p : model.parameters())
    check_close("grad " + p->name, V(p->grad.begin(), p->grad.end()), torch_ref("resblock.grad." + p->name),
                2e-4);
}

}  // namespace
}  // namespace odimo::mapper
