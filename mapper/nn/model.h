#pragma once
// A trainable model built from any Network IR graph (no per-network code), the
// tape that records a training forward pass, and the quantization presets.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mapper/nn/adc.h"
#include "mapper/nn/layers.h"
#include "workloads/network.h"

namespace odimo::mapper {

// How weights and activations are fake-quantized while training (odimo-method.md §2).
//   float          no quantization;
//   diana-digital  every conv/linear int8 with a per-layer power-of-two scale, 7-bit PACT inputs;
//   diana-aimc     every conv/linear ternary with learned per-channel scales (the AIMC), except
//                  depthwise layers, which DIANA can only run on the digital array (int8);
//                  7-bit PACT inputs;
//   darkside-int8  int8 per-output-channel weights, 8-bit PACT inputs (no power-of-two rounding).
// The network input is never fake-quantized: images are 8-bit already and normalisation is
// an affine map a deployment folds into the first layer.
enum class QuantPreset { kFloat, kDianaDigital, kDianaAimc, kDarksideInt8 };
QuantPreset parse_quant_preset(const std::string& text);
const char* quant_preset_name(QuantPreset p);
std::string all_quant_presets();

enum class WeightFormat { kFloat, kInt8Pow2Layer, kTernaryChannel, kInt8Channel };
WeightFormat weight_format(QuantPreset p, const Layer& layer);
std::optional<PactConfig> activation_format(QuantPreset p);

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
  QuantPreset quant = QuantPreset::kFloat;
  uint64_t seed = 1;           // weight initialisation
  int threads = 1;             // images of a batch are split over this many threads
  NodeFactory node_factory{};  // optional
  // ADC-aware training (mapper/nn/adc.h): every layer the preset makes ternary (the AIMC's)
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
