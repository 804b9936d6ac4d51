// Imported ONNX networks with their weights (mapper/train/initial_weights.h) against PyTorch:
// NAME.io.txt holds fixed input images and PyTorch 1.13's outputs (eval, float32), written
// with the .onnx by tests/workloads/make_onnx.py; CI needs no torch.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "mapper/nn/model.h"
#include "mapper/train/checkpoint.h"
#include "mapper/train/initial_weights.h"
#include "proto/error.h"

namespace odimo::mapper {
namespace {

const std::string kOnnxDir = ODIMO_ONNX_TEST_DIR;

struct Io {
  std::vector<int> input_shape, output_shape;  // (N, C, H, W), (N, K)
  std::vector<float> input, output;
};

void read_tensor(std::istream& in, const std::string& name, std::vector<int>& shape, std::vector<float>& v) {
  std::string line;
  while (std::getline(in, line) && line.rfind('#', 0) == 0) {
  }
  std::istringstream head(line);
  std::string got;
  head >> got;
  REQUIRE(got == name);
  int64_t n = 1;
  for (int d; head >> d;) shape.push_back(d), n *= d;
  REQUIRE(std::getline(in, line));
  std::istringstream values(line);
  for (float x; values >> x;) v.push_back(x);
  REQUIRE(int64_t(v.size()) == n);
}

Io read_io(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, path << ": cannot open");
  Io io;
  read_tensor(in, "input", io.input_shape, io.input);
  read_tensor(in, "output", io.output_shape, io.output);
  return io;
}

// NCHW -> the mapper's NHWC.
std::vector<float> to_nhwc(const std::vector<float>& x, const std::vector<int>& s) {
  const int N = s[0], C = s[1], HW = s[2] * s[3];
  std::vector<float> out(x.size());
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int p = 0; p < HW; ++p) out[(int64_t(n) * HW + p) * C + c] = x[(int64_t(n) * C + c) * HW + p];
  return out;
}

double max_abs_diff_to_torch(const std::string& name) {
  const std::string path = kOnnxDir + "/" + name + ".onnx";
  const Network net = load_network(path);
  Model model(net, ModelOptions{});
  load_initial_weights(path, model);
  const Io io = read_io(kOnnxDir + "/" + name + ".io.txt");
  const std::vector<float> x = to_nhwc(io.input, io.input_shape);
  const Activation& y = model.forward(x.data(), io.input_shape[0], false, nullptr);
  REQUIRE(y.value.size() == io.output.size());
  double worst = 0;
  for (size_t i = 0; i < y.value.size(); ++i)
    worst = std::max(worst, std::fabs(double(y.value[i]) - io.output[i]));
  return worst;
}

}  // namespace

// Covers conv OIHW -> (ky,kx,cin,cout) per group (grouped and depthwise), batch norm kept (with
// eps 1e-3 folded into running_var) or folded by the exporter into the conv bias, the NCHW ->
// NHWC permutation of a Gemm after a spatial flatten, Gemm transB 0 and 1, MatMul + Add.
TEST_CASE("ONNX weights: the imported networks give PyTorch's outputs within 1e-4") {
  for (const char* name : {"small-residual", "small-mobile", "small-weights"}) {
    const double d = max_abs_diff_to_torch(name);
    MESSAGE(std::string(name) << ": max |odimo - PyTorch| = " << d);
    CHECK(d < 1e-4);
  }
}

TEST_CASE("ONNX weights: a file of another network is refused, naming the missing tensor") {
  Model model(load_network("tiny"), ModelOptions{});
  CHECK_THROWS_WITH_AS(load_initial_weights(kOnnxDir + "/small-mobile.onnx", model),
                       doctest::Contains("tensor 'conv1.weight': missing"), Error);
}

TEST_CASE("Weights files: a non-finite value or a negative running variance is refused, naming the tensor") {
  const std::string path = kOnnxDir + "/small-weights.onnx";
  const OnnxImport clean = import_onnx(path);
  const Network net = build_network(clean.net, path);
  OnnxImport bad = clean;
  OnnxLayerWeights* bn = nullptr;
  for (auto& [layer, w] : bad.weights)
    if (w.tensors.size() == 4) bn = &w;
  REQUIRE(bn);
  bn->tensors[0].values[1] = std::nanf("");
  const std::string scale = "tensor '" + bn->tensors[0].name + "' (scale of layer";
  CHECK_THROWS_WITH_AS(onnx_weights(bad, net, path), doctest::Contains(scale.c_str()), Error);
  CHECK_THROWS_WITH_AS(onnx_weights(bad, net, path),
                       doctest::Contains(": value nan at index 1: expected a finite number"), Error);
  bad = clean;
  for (auto& [layer, w] : bad.weights)
    if (w.tensors.size() == 4) bn = &w;
  bn->tensors[3].values[0] = -0.5f;
  const std::string var = bn->tensors[3].name + "' (var of layer";
  CHECK_THROWS_WITH_AS(onnx_weights(bad, net, path), doctest::Contains(var.c_str()), Error);
  CHECK_THROWS_WITH_AS(onnx_weights(bad, net, path),
                       doctest::Contains("value -0.5 at index 0: expected a finite variance >= 0"), Error);
  bad = clean;
  for (auto& [layer, w] : bad.weights)
    if (w.tensors.size() != 4) bn = &w;
  bn->tensors[0].values[2] = INFINITY;
  CHECK_THROWS_WITH_AS(onnx_weights(bad, net, path), doctest::Contains("value inf at index 2"), Error);

  // The same check in the loader of checkpoints and W.pb files, for every part of the file.
  proto::Checkpoint ckpt = onnx_weights(clean, net, path);
  const std::string file = "nonfinite-weights.pb";
  save_checkpoint(file, ckpt);
  CHECK_NOTHROW(load_checkpoint(file));
  for (auto& t : *ckpt.mutable_buffers())
    if (t.name().find(".running_var") != std::string::npos) t.set_values(0, std::nanf(""));
  save_checkpoint(file, ckpt);
  CHECK_THROWS_WITH_AS(load_checkpoint(file), doctest::Contains("nonfinite-weights.pb: buffer tensor '"),
                       Error);
  ckpt = onnx_weights(clean, net, path);
  put_tensor(ckpt.mutable_optimizer_first(), "conv1.weight", {1}, {-INFINITY});
  save_checkpoint(file, ckpt);
  CHECK_THROWS_WITH_AS(
      load_checkpoint(file),
      "nonfinite-weights.pb: optimizer tensor 'conv1.weight': value -inf at index 0: expected a "
      "finite number",
      Error);
  std::remove(file.c_str());
}

}  // namespace odimo::mapper
