#pragma once
// A trainable model built from any Network IR graph (no per-network code), the
// tape that records a training forward pass, and how it is fake-quantized.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "mapper/nn/adc.h"
#include "mapper/nn/layers.h"
#include "workloads/network.h"

namespace odimo::mapper {

// PyTorch's default init for conv/linear (kaiming_uniform with a = sqrt(5)):
// weights and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
void init_uniform(std::vector<float>& v, int64_t fan_in, std::mt19937_64& rng);

// How one weighted layer's weights are fake-quantized: the number format of the CU that runs
// it (hw/cu/number_format.h; mapper/search/quantization.h translates a SoC's formats).
struct WeightCoding {
  enum class Scale { kFloat, kPowerOfTwoPerLayer, kPerChannel, kTernaryPerChannel };
  Scale scale = Scale::kFloat;
  int bits = 8;      // signed codes; ternary: 2
  bool adc = false;  // computed behind an ADC: ADC-aware training (ModelOptions::adc) applies to it
};
// The quantizer of a coding (mapper/nn/quantizers.h); null for float weights.
std::unique_ptr<WeightQuantizer> make_weight_quantizer(const WeightCoding& coding, const std::string& name,
                                                       const ChannelLayout& layout, const float* w);

// How a model is fake-quantized while training (odimo-method.md §2): per weighted layer its
// weights' coding, and one coding for the activations every weighted layer reads. The default
// is float. The network input is never fake-quantized: images are 8-bit already and
// normalisation is an affine map a deployment folds into the first layer.
struct Quantization {
  std::string name = "float";                         // as checkpoints and reports name it
  std::function<WeightCoding(const Layer&)> weights;  // null: float weights
  std::optional<PactConfig> activations;              // nullopt: float activations
  WeightCoding weights_of(const Layer& l) const { return weights ? weights(l) : WeightCoding{}; }
};

// Nodes recorded during a training forward pass; backward() runs them in reverse.
class Tape {
 public:
  void record(Node* n) { m_nodes.push_back(n); }
  void backward(const RunContext& ctx);
  void clear() { m_nodes.clear(); }
  size_t size() const { return m_nodes.size(); }

 private:
  std::vector<Node*> m_nodes;
};

// Builds the node of `layer` instead of the default one, or returns null to keep
// the default. The ODiMO search (mapper/search/) puts its relaxations in the
// searchable layers this way. `seed` is the layer's initialisation seed.
using NodeFactory = std::function<std::unique_ptr<Node>(const Layer& layer, uint64_t seed)>;

// Throws Error, before any allocation, when training `net` with `batch` images per
// step cannot fit this machine's memory: parameters with gradients and optimizer
// moments, and the activations of a batch with their gradients (an estimate, the
// lower bound of what Model and a training step allocate).
void check_training_memory(const Network& net, int batch);

struct ModelOptions {
  Quantization quant{};
  uint64_t seed = 1;           // weight initialisation
  int threads = 1;             // images of a batch are split over this many threads
  NodeFactory node_factory{};  // optional
  // ADC-aware training (mapper/nn/adc.h): every layer whose weight coding is behind an ADC
  // gets the ADC of this CU in its forward pass. Call configure_adc once the model is built.
  std::optional<AdcTraining> adc{};
};

class Model {
 public:
  Model(const Network& net, const ModelOptions& options);
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // x: n images (N,H,W,C) in the network's input shape. Training mode uses batch
  // statistics and records every node on `tape` (required then). Returns the logits (N,1,1,K).
  const Activation& forward(const float* x, int n, bool training, Tape* tape);
  // Gradient of the loss w.r.t. the logits of the last forward, to be filled before backward().
  float* logits_grad() { return m_nodes.back()->out.grad.data(); }
  void backward(Tape& tape);
  void zero_grad();

  std::vector<Parameter*> parameters();  // in a fixed order (layers, then their quantizers)
  std::vector<Buffer*> buffers();
  Parameter* find_parameter(const std::string& name);
  Node* find_node(const std::string& name);
  const Network& network() const { return m_net; }
  int classes() const { return m_classes; }
  int threads() const { return m_ctx.threads; }
  void set_threads(int t) { m_ctx.threads = std::max(1, t); }
  const std::vector<std::unique_ptr<Node>>& nodes() const { return m_nodes; }

 private:
  std::unique_ptr<Node> make_node(const Layer& l, uint64_t& rng_state);
  void wire_gradients();

  Network m_net;
  ModelOptions m_options;
  int m_classes = 0;
  Activation m_input;
  std::vector<std::unique_ptr<Node>> m_nodes;  // forward order
  Scratch<float> m_scratch;
  Scratch<double> m_sums;
  RunContext m_ctx;
};

}  // namespace odimo::mapper
