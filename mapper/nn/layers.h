#pragma once
// Layer nodes of the autograd graph: each wraps one kernel pair from ops_*.h,
// owns its output activation (value + gradient, reused across steps) and its
// parameters. Model (model.h) builds them from the Network IR; Tape replays
// their backward passes in reverse order.
#include <memory>
#include <string>
#include <vector>

#include "mapper/nn/quantizers.h"
#include "mapper/ops/ops_conv.h"
#include "mapper/ops/ops_misc.h"
#include "mapper/ops/ops_norm.h"

namespace odimo::mapper {

struct RunContext {
  int threads = 1;
  bool training = false;
  Scratch<float>* scratch = nullptr;
  Scratch<double>* sums = nullptr;
};

class Node {
 public:
  explicit Node(std::string n) : name(std::move(n)) {}
  virtual ~Node() = default;
  // Reads inputs[k]->value, resizes and writes out.value; caches what backward needs.
  virtual void forward(const RunContext& ctx) = 0;
  // Reads out.grad; writes (or, where accumulate[k], adds) inputs[k]->grad where
  // need_grad[k]; adds parameter gradients.
  virtual void backward(const RunContext& ctx) = 0;
  virtual void parameters(std::vector<Parameter*>&) {}
  virtual void buffers(std::vector<Buffer*>&) {}
  // Called once pretrained weights were written into the parameters (mapper/train/initial_weights.h):
  // re-derives what was initialised from the weights (quantizer scales, the search's branches).
  virtual void weights_loaded() {}

  std::string name;
  std::vector<Activation*> inputs;
  std::vector<bool> need_grad;   // false for the network input
  std::vector<bool> accumulate;  // another consumer already wrote inputs[k]->grad
  Activation out;
};

// The weights a conv or linear layer computes with. Float weights, fake-quantized
// weights, and a per-output-channel softmax mix of several quantized
// versions of one float tensor all fit behind this interface.
class WeightSource {
 public:
  virtual ~WeightSource() = default;
  virtual const float* forward() = 0;   // effective weights for this step
  virtual float* effective_grad() = 0;  // the kernel writes dL/d(effective) here
  virtual void backward() = 0;          // effective_grad -> parameter gradients (+=)
  virtual void parameters(std::vector<Parameter*>& out) = 0;
  virtual Parameter& weight() = 0;  // the float master weights
  virtual void weights_loaded() {}  // the master weights were replaced: re-initialise the quantizers
  // The quantizers behind the effective weights (odimo deploy): one per option, null
  // for a float option; option_of(c) is the option output channel c uses (-1: mixed).
  virtual std::vector<WeightQuantizer*> quantizers() { return {}; }
  virtual int option_of(int channel) const { return 0; }
};

std::unique_ptr<WeightSource> make_float_weights(Parameter w);
std::unique_ptr<WeightSource> make_quantized_weights(Parameter w, std::unique_ptr<WeightQuantizer> q);

// Conv2d with groups (im2col + GEMM) or depthwise (direct), optional bias.
class ConvNode : public Node {
 public:
  ConvNode(std::string n, bool depthwise, int cout, int k, int stride, int pad, int groups,
           std::unique_ptr<WeightSource> w, std::unique_ptr<Parameter> bias);
  void forward(const RunContext& ctx) override;
  void backward(const RunContext& ctx) override;
  void parameters(std::vector<Parameter*>& out) override;
  void weights_loaded() override { m_weights->weights_loaded(); }
  WeightSource& weights() { return *m_weights; }
  const Parameter* bias() const { return m_bias.get(); }
  ConvGeom geometry(int n) const;
  const float* effective_weights() const { return m_w; }  // of the last forward

 private:
  bool m_depthwise;
  int m_cout, m_k, m_stride, m_pad, m_groups;
  std::unique_ptr<WeightSource> m_weights;
  std::unique_ptr<Parameter> m_bias;
  const float* m_w = nullptr;  // effective weights of the last forward
};

class LinearNode : public Node {
 public:
  LinearNode(std::string n, int out, std::unique_ptr<WeightSource> w, std::unique_ptr<Parameter> bias);
  void forward(const RunContext& ctx) override;
  void backward(const RunContext& ctx) override;
  void parameters(std::vector<Parameter*>& out) override;
  void weights_loaded() override { m_weights->weights_loaded(); }
  WeightSource& weights() { return *m_weights; }
  const Parameter* bias() const { return m_bias.get(); }

 private:
  int m_out;
  std::unique_ptr<WeightSource> m_weights;
  std::unique_ptr<Parameter> m_bias;
  const float* m_w = nullptr;
};

class BatchNormNode : public Node {
 public:
  BatchNormNode(std::string n, int channels);
  void forward(const RunContext& ctx) override;
  void backward(const RunContext& ctx) override;
  void parameters(std::vector<Parameter*>& out) override;
  void buffers(std::vector<Buffer*>& out) override;
  Parameter gamma, beta;
  Buffer running_mean, running_var;
  bool fused_relu = false;  // out = max(bn(x), 0): the model folded the following ReLU in
  // running = (1 - momentum) running + momentum batch, in training mode
  static constexpr double kTrainingMomentum = 0.1;
  double momentum = kTrainingMomentum;

 private:
  BatchNormGeom geom(const Dims& d) const;
  BatchNormCache<float> m_cache;
};

// relu, relu6, add (any number of inputs), flatten.
class PointwiseNode : public Node {
 public:
  enum Kind { kRelu, kRelu6, kAdd, kFlatten };
  PointwiseNode(std::string n, Kind kind) : Node(std::move(n)), m_kind(kind) {}
  void forward(const RunContext& ctx) override;
  void backward(const RunContext& ctx) override;
  Kind kind() const { return m_kind; }
  bool fused_relu = false;  // add only: out = max(sum, 0), the following ReLU folded in

 private:
  Kind m_kind;
};

// avgpool, maxpool, globalavgpool.
class PoolNode : public Node {
 public:
  enum Kind { kAvg, kMax, kGlobalAvg };
  PoolNode(std::string n, Kind kind, int k, int stride, int pad)
      : Node(std::move(n)), m_kind(kind), m_k(k), m_stride(stride), m_pad(pad) {}
  void forward(const RunContext& ctx) override;
  void backward(const RunContext& ctx) override;

 private:
  PoolGeom geom() const;
  Kind m_kind;
  int m_k, m_stride, m_pad;
  std::vector<int32_t> m_argmax;
};

// PACT fake-quantization of an activation with a learned clip (quantizers.h).
class PactNode : public Node {
 public:
  PactNode(std::string n, const PactConfig& c);
  void forward(const RunContext& ctx) override;
  void backward(const RunContext& ctx) override;
  void parameters(std::vector<Parameter*>& out) override { out.push_back(&clip); }
  const PactConfig& config() const { return m_config; }
  Parameter clip;

 private:
  PactConfig m_config;
};

}  // namespace odimo::mapper
