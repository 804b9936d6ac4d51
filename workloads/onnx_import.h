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
// naming the file, the node and its op type. Weights are not imported here.
#include <map>
#include <string>
#include <vector>

#include "proto/network.pb.h"

namespace odimo {

class Network;

struct OnnxImport {
  proto::Network net;
  // per layer name: the output shape the file records (value_info or a graph
  // output), batch dimension dropped; absent when the file records none
  std::map<std::string, std::vector<int64_t>> recorded;
};

// Reads `path` (errors name the file and the node).
OnnxImport import_onnx(const std::string& path);

// Throws when a layer of `net` (built from `imported`) has another shape than the file records.
void check_recorded_shapes(const OnnxImport& imported, const Network& net, const std::string& path);

}  // namespace odimo
