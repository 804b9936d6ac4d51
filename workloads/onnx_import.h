#pragma once
// ONNX models (what torch.onnx.export writes, opsets 11-17) as odimo networks.
// The graph is walked node by node into proto::Network layers; build_network
// then infers and checks every shape, and the shapes the file records
// (value_info, graph outputs) are cross-checked against ours.
//
// Mapped: Conv (groups -> conv2d or depthwise; pads, strides; dilation 1 only),
// BatchNormalization, Relu, Clip 0..6 (relu6; bounds as inputs or attributes),
// Add, MaxPool, AveragePool, GlobalAveragePool, ReduceMean over H and W,
// Flatten (axis 1), a Reshape that flattens to (N, -1), Gemm (transA 0, alpha and
// beta 1, either transB), MatMul (+ an Add of a constant bias), Identity,
// Constant; a symbolic (dynamic) batch dimension. Anything else is an Error
// naming the file, the node and its op type. The initializers of every layer with
// weights are kept as the file has them (ONNX layout); mapper/train/initial_weights.h
// converts them to the training engine's layout.
#include <map>
#include <string>
#include <vector>

#include "proto/network.pb.h"

namespace odimo {

class Network;

// One initializer as the file stores it (row-major, ONNX dimension order).
struct OnnxTensor {
  std::string name;  // the tensor's name in the file
  std::vector<int64_t> dims;
  std::vector<float> values;  // empty when the file has none (export_params=False)
  bool has_values = false;
};

// Where a layer's parameters come from: conv/linear weight [+ bias]; batchnorm scale, B, mean, var.
struct OnnxLayerWeights {
  std::string node;  // the ONNX node (for messages)
  std::vector<OnnxTensor> tensors;
  bool in_out = false;    // linear: the weight is (in, out) (MatMul, Gemm transB 0), else (out, in)
  double epsilon = 1e-5;  // batchnorm
};

struct OnnxImport {
  proto::Network net;
  std::map<std::string, OnnxLayerWeights> weights;  // per layer name
  // per layer name: the output shape the file records (value_info or a graph
  // output), batch dimension dropped; absent when the file records none
  std::map<std::string, std::vector<int64_t>> recorded;
};

// Reads `path` (errors name the file and the node).
OnnxImport import_onnx(const std::string& path);

// Throws when a layer of `net` (built from `imported`) has another shape than the file records.
void check_recorded_shapes(const OnnxImport& imported, const Network& net, const std::string& path);

}  // namespace odimo
