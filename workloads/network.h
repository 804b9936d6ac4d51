#pragma once
// The Network IR: a validated DAG of layers with every shape inferred.
// Built from a network .pbtxt (proto/network.proto); layers are kept in a
// topological order so that consumers can simply iterate.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/network.pb.h"

namespace odimo {

enum class Op {
  kConv2d,
  kDepthwise,
  kLinear,
  kAdd,
  kAvgPool,
  kMaxPool,
  kGlobalAvgPool,
  kRelu,
  kRelu6,
  kBatchNorm,
  kFlatten,
};

const char* op_name(Op op);
std::optional<Op> op_from_name(const std::string& name);
// "conv2d, depthwise, ..." for error messages.
std::string all_op_names();

// Activation shape of one sample (channels, rows, columns).
struct Shape {
  int c = 0;
  int h = 0;
  int w = 0;
  int64_t elements() const { return int64_t(c) * h * w; }
  std::string str() const;  // "16x28x28"
  bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w; }
  bool operator!=(const Shape& o) const { return !(*this == o); }
};
// Parses "CxHxW" (e.g. "1x28x28"); throws Error naming `what` on bad text.
Shape parse_shape(const std::string& text, const std::string& what);

// Index of the network input in Layer::inputs.
constexpr int kNetworkInput = -1;

struct Layer {
  std::string name;
  Op op = Op::kRelu;
  std::vector<int> inputs;  // indices into Network::layers, or kNetworkInput
  int out_channels = 0;     // resolved (depthwise default filled in)
  int kernel = 1;           // square kernel side (pixels); 1 for non-windowed ops
  int stride = 1;
  int padding = 0;
  int groups = 1;  // conv2d groups; in_channels for depthwise
  bool bias = false;

  Shape in;  // shape of the first input
  Shape out;
  int64_t macs = 0;       // multiply-accumulates per sample (conv and linear only)
  int64_t params = 0;     // trainable parameters (weights, bias, BN scale and shift)
  int64_t in_bytes = 0;   // input activations at 8 bits (bytes, all inputs)
  int64_t out_bytes = 0;  // output activations at 8 bits (bytes)

  bool has_weights() const { return op == Op::kConv2d || op == Op::kDepthwise || op == Op::kLinear; }
  // Weights per output channel (C/groups * k * k for conv, in-features for linear).
  int64_t weights_per_channel() const;
};

class Network {
 public:
  std::string name;
  std::string origin;  // file the network came from (for messages)
  Shape input;
  int classes = 0;
  std::vector<Layer> layers;                // topological order
  std::vector<std::vector<int>> consumers;  // consumers[i]: layers reading layer i

  // Index of the layer called `name`, or -1.
  int find(const std::string& name) const;
  int64_t total_macs() const;
  int64_t total_params() const;
};

// Validates `net`, orders it topologically and infers every shape. `origin`
// names the source in errors; `input` overrides net.input() when given.
Network build_network(const proto::Network& net, const std::string& origin,
                      std::optional<Shape> input = std::nullopt);

// Reads a network .pbtxt. `spec` is a path, or the name of a shipped workload
// ("resnet20" -> <workloads dir>/resnet20.pbtxt).
Network load_network(const std::string& spec, std::optional<Shape> input = std::nullopt);

// Where shipped workloads live: $ODIMO_WORKLOADS, else the source tree's workloads/.
std::string workloads_dir();
// Names of the shipped workloads (file stems, sorted).
std::vector<std::string> shipped_workloads();

}  // namespace odimo
