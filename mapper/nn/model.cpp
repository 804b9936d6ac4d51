// Model construction from the Network IR, forward/backward through the tape.
#include "mapper/nn/model.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "proto/error.h"

namespace odimo::mapper {

void init_uniform(std::vector<float>& v, int64_t fan_in, std::mt19937_64& rng) {
  const float bound = float(1.0 / std::sqrt(double(std::max<int64_t>(1, fan_in))));
  std::uniform_real_distribution<float> u(-bound, bound);
  for (float& x : v) x = u(rng);
}

namespace {

// A ReLU that is the only consumer of a batch norm or of a two-input add is folded
// into it (one pass less each way); returns the node that absorbed it, or null.
Node* fusable_relu(const Network& net, size_t i, const std::vector<Node*>& node_of) {
  const Layer& l = net.layers[i];
  if (l.op != Op::kRelu || l.inputs.size() != 1 || l.inputs[0] == kNetworkInput) return nullptr;
  const int j = l.inputs[0];
  if (net.consumers[j].size() != 1) return nullptr;
  if (auto* bn = dynamic_cast<BatchNormNode*>(node_of[j]); bn && !bn->fused_relu) {
    bn->fused_relu = true;
    return bn;
  }
  auto* add = dynamic_cast<PointwiseNode*>(node_of[j]);
  if (add && add->kind() == PointwiseNode::kAdd && !add->fused_relu && net.layers[j].inputs.size() == 2) {
    add->fused_relu = true;
    return add;
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<WeightQuantizer> make_weight_quantizer(const WeightCoding& coding, const std::string& name,
                                                       const ChannelLayout& layout, const float* w) {
  switch (coding.scale) {
    case WeightCoding::Scale::kPowerOfTwoPerLayer:
      return std::make_unique<PowerOfTwoQuantizer>(name, layout, w, coding.bits);
    case WeightCoding::Scale::kTernaryPerChannel:
      return std::make_unique<TernaryQuantizer>(name, layout, w);
    case WeightCoding::Scale::kPerChannel:
      return std::make_unique<PerChannelQuantizer>(layout, coding.bits);
    case WeightCoding::Scale::kFloat:
      break;
  }
  return nullptr;
}

void Tape::backward(const RunContext& ctx) {
  for (auto it = m_nodes.rbegin(); it != m_nodes.rend(); ++it) (*it)->backward(ctx);
  m_nodes.clear();
}

void check_training_memory(const Network& net, int batch) {
  double params = 0, activations = 0;
  for (const Layer& l : net.layers) {
    params += double(l.params);
    activations += double(l.out.elements());
  }
  // float32: parameters x (value, gradient, two moments); activations x (value, gradient).
  const double bytes = 4.0 * (4 * params + 2 * activations * std::max(1, batch));
  const double memory = double(::sysconf(_SC_PHYS_PAGES)) * double(::sysconf(_SC_PAGESIZE));
  if (memory > 0 && bytes > memory) {
    std::ostringstream m;
    m.precision(3);
    m << net.origin << ": training " << net.name << " needs at least " << bytes / 1e9 << " GB (" << params
      << " parameters, activations of " << batch << " images) but this machine has " << memory / 1e9
      << " GB: a smaller network or --batch";
    throw Error(m.str());
  }
}

Model::Model(const Network& net, const ModelOptions& options) : m_net(net), m_options(options) {
  // The per-thread scratch is sized for kMaxThreads (mapper/tensor/tensor.h): more would index past it.
  if (options.threads < 1 || options.threads > kMaxThreads)
    throw Error("threads: " + std::to_string(options.threads) + ": expected 1.." +
                std::to_string(kMaxThreads));
  m_ctx.threads = options.threads;
  m_ctx.scratch = &m_scratch;
  m_ctx.sums = &m_sums;
  if (net.layers.empty()) throw Error(net.origin + ": network has no layers");
  std::mt19937_64 rng(options.seed);
  std::vector<Activation*> produced(net.layers.size(), nullptr);
  std::map<int, Activation*> quantized;  // producer -> its PACT output (shared by consumers)
  const auto& pact = options.quant.activations;
  std::vector<Node*> node_of(net.layers.size(), nullptr);
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    uint64_t seed = rng();
    if (Node* into = fusable_relu(net, i, node_of)) {
      produced[i] = &into->out;
      node_of[i] = into;
      continue;
    }
    auto node = make_node(l, seed);
    node_of[i] = node.get();
    for (int src : l.inputs) {
      Activation* a = src == kNetworkInput ? &m_input : produced[src];
      if (pact && l.has_weights() && src != kNetworkInput) {
        if (!quantized.count(src)) {
          auto q = std::make_unique<PactNode>(net.layers[src].name + ".aq", *pact);
          q->inputs = {a};
          quantized[src] = &q->out;
          m_nodes.push_back(std::move(q));
        }
        a = quantized[src];
      }
      node->inputs.push_back(a);
    }
    produced[i] = &node->out;
    m_nodes.push_back(std::move(node));
  }
  const Layer& last = net.layers.back();
  if (!net.consumers.back().empty() || last.out.h != 1 || last.out.w != 1)
    throw Error(net.origin + ": the last layer '" + last.name +
                "' must produce the class scores (Cx1x1), not " + last.out.str());
  m_classes = last.out.c;
  wire_gradients();
}

std::unique_ptr<Node> Model::make_node(const Layer& l, uint64_t& seed) {
  if (m_options.node_factory)
    if (auto node = m_options.node_factory(l, seed)) return node;
  std::mt19937_64 rng(seed);
  if (l.has_weights()) {
    const bool linear = l.op == Op::kLinear;
    const int fan_in = int(l.weights_per_channel());
    Parameter w(l.name + ".weight", {l.out_channels, fan_in});
    init_uniform(w.value, fan_in, rng);
    std::unique_ptr<Parameter> bias;
    if (l.bias) {
      bias = std::make_unique<Parameter>(l.name + ".bias", std::vector<int>{l.out_channels});
      init_uniform(bias->value, fan_in, rng);
    }
    const int groups = l.op == Op::kConv2d ? l.groups : 1;
    const ChannelLayout cl{w.size(), l.out_channels, w.size() / groups, l.out_channels / groups};
    const WeightCoding coding = m_options.quant.weights_of(l);
    auto q = make_weight_quantizer(coding, l.name, cl, w.value.data());
    auto src = q ? make_quantized_weights(std::move(w), std::move(q)) : make_float_weights(std::move(w));
    const bool analog = m_options.adc && coding.adc;
    if (linear) {
      auto node = std::make_unique<LinearNode>(l.name, l.out_channels, std::move(src), std::move(bias));
      if (!analog) return node;
      return std::make_unique<AdcNode>(l, std::move(node), 0, *m_options.adc, nullptr, nullptr);
    }
    if (l.op == Op::kDepthwise && l.out_channels != l.in.c)
      throw Error(m_net.origin + ": depthwise layer '" + l.name +
                  "' with a channel multiplier is not supported");
    auto node = std::make_unique<ConvNode>(l.name, l.op == Op::kDepthwise, l.out_channels, l.kernel, l.stride,
                                           l.padding, l.groups, std::move(src), std::move(bias));
    if (!analog) return node;
    return std::make_unique<AdcNode>(l, std::move(node), 0, *m_options.adc, nullptr, nullptr);
  }
  switch (l.op) {
    case Op::kBatchNorm:
      return std::make_unique<BatchNormNode>(l.name, l.in.c);
    case Op::kRelu:
      return std::make_unique<PointwiseNode>(l.name, PointwiseNode::kRelu);
    case Op::kRelu6:
      return std::make_unique<PointwiseNode>(l.name, PointwiseNode::kRelu6);
    case Op::kAdd:
      return std::make_unique<PointwiseNode>(l.name, PointwiseNode::kAdd);
    case Op::kFlatten:
      return std::make_unique<PointwiseNode>(l.name, PointwiseNode::kFlatten);
    case Op::kAvgPool:
      return std::make_unique<PoolNode>(l.name, PoolNode::kAvg, l.kernel, l.stride, l.padding);
    case Op::kMaxPool:
      return std::make_unique<PoolNode>(l.name, PoolNode::kMax, l.kernel, l.stride, l.padding);
    case Op::kGlobalAvgPool:
      return std::make_unique<PoolNode>(l.name, PoolNode::kGlobalAvg, 1, 1, 0);
    default:
      throw Error(m_net.origin + ": layer '" + l.name + "': op " + op_name(l.op) + " cannot be trained");
  }
}

// Backward visits nodes in reverse: the first visitor of an activation writes
// its gradient, later ones add to it. The network input needs no gradient.
void Model::wire_gradients() {
  std::set<const Activation*> written;
  for (auto it = m_nodes.rbegin(); it != m_nodes.rend(); ++it) {
    Node& n = **it;
    n.need_grad.assign(n.inputs.size(), true);
    n.accumulate.assign(n.inputs.size(), false);
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      n.need_grad[k] = n.inputs[k] != &m_input;
      n.accumulate[k] = written.count(n.inputs[k]) > 0;
      written.insert(n.inputs[k]);
    }
  }
}

const Activation& Model::forward(const float* x, int n, bool training, Tape* tape) {
  if (training && !tape) throw Error("Model::forward: training needs a tape");
  m_input.dims = {n, m_net.input.h, m_net.input.w, m_net.input.c};
  m_input.value.assign(x, x + m_input.dims.size());
  m_ctx.training = training;
  for (auto& node : m_nodes) {
    node->forward(m_ctx);
    if (tape) tape->record(node.get());
  }
  return m_nodes.back()->out;
}

void Model::backward(Tape& tape) {
  m_ctx.training = true;
  tape.backward(m_ctx);
}

void Model::zero_grad() {
  for (Parameter* p : parameters()) std::fill(p->grad.begin(), p->grad.end(), 0.0f);
}

std::vector<Parameter*> Model::parameters() {
  std::vector<Parameter*> out;
  for (auto& n : m_nodes) n->parameters(out);
  return out;
}
std::vector<Buffer*> Model::buffers() {
  std::vector<Buffer*> out;
  for (auto& n : m_nodes) n->buffers(out);
  return out;
}
Parameter* Model::find_parameter(const std::string& name) {
  for (Parameter* p : parameters())
    if (p->name == name) return p;
  return nullptr;
}
Node* Model::find_node(const std::string& name) {
  for (auto& n : m_nodes)
    if (n->name == name) return n.get();
  return nullptr;
}

}  // namespace odimo::mapper
