#include "mapper/search/search_nodes.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>

#include "mapper/ops/ops_conv_channels.h"
#include "mapper/search/quantization.h"
#include "proto/error.h"

namespace odimo::search {

using mapper::Activation;
using mapper::ChannelLayout;
using mapper::Parameter;
using mapper::RunContext;

MixedWeights::MixedWeights(Parameter w, std::vector<std::unique_ptr<mapper::WeightQuantizer>> quantizers,
                           const ChannelLayout& layout, std::unique_ptr<LayerArch> arch)
    : m_w(std::move(w)), m_q(std::move(quantizers)), m_layout(layout), m_arch(std::move(arch)) {
  const size_t n = m_w.value.size();
  m_wq.assign(m_q.size(), std::vector<float>(n));
  m_dwq.assign(m_q.size(), std::vector<float>(n));
  m_eff.resize(n);
  m_grad.resize(n);
}

const float* MixedWeights::forward() {
  const std::vector<float>& mix = m_arch->mix();  // [option][channel]
  const int C = m_arch->channels();
  std::fill(m_eff.begin(), m_eff.end(), 0.0f);
  for (size_t i = 0; i < m_q.size(); ++i) {
    if (m_q[i])
      m_q[i]->forward(m_w.value.data(), m_wq[i].data());
    else
      m_wq[i] = m_w.value;
    for (int64_t e = 0; e < int64_t(m_eff.size()); ++e)
      m_eff[e] += mix[i * C + m_layout.channel(e)] * m_wq[i][e];
  }
  return m_eff.data();
}

void MixedWeights::backward() {
  const std::vector<float>& mix = m_arch->mix();
  const int C = m_arch->channels();
  m_dmix.assign(mix.size(), 0.0f);
  for (size_t i = 0; i < m_q.size(); ++i) {
    for (int64_t e = 0; e < int64_t(m_grad.size()); ++e) {
      const int c = m_layout.channel(e);
      m_dmix[i * C + c] += m_wq[i][e] * m_grad[e];  // dL/dmix_ic = <Q_i(W)[c], dL/dW_eff[c]>
      m_dwq[i][e] = mix[i * C + c] * m_grad[e];
    }
    if (m_q[i]) {
      m_q[i]->backward(m_w.value.data(), m_dwq[i].data(), m_w.grad.data());
    } else {
      for (size_t e = 0; e < m_grad.size(); ++e) m_w.grad[e] += m_dwq[i][e];
    }
  }
  m_arch->backward_mix(m_dmix);
}

void MixedWeights::weights_loaded() {
  for (auto& q : m_q)
    if (q) q->init(m_w.value.data());
}

void MixedWeights::parameters(std::vector<Parameter*>& out) {
  out.push_back(&m_w);
  for (auto& q : m_q)
    if (q)
      for (Parameter* p : q->parameters()) out.push_back(p);
  out.push_back(&m_arch->alpha());
}

std::vector<mapper::WeightQuantizer*> MixedWeights::quantizers() {
  std::vector<mapper::WeightQuantizer*> out;
  for (auto& q : m_q) out.push_back(q.get());
  return out;
}
int MixedWeights::option_of(int channel) const {
  return m_arch->frozen() ? m_arch->assignment()[channel] : -1;
}

void set_conv_branch_threshold(mapper::Model& model, const std::vector<SearchableLayer>& space,
                               double threshold) {
  for (const SearchableLayer& s : space)
    if (auto* node = dynamic_cast<ThermometricNode*>(model.find_node(s.layer_name)))
      node->set_conv_branch_threshold(threshold);
}

void rederive_idle_quantizers(mapper::Model& model, const std::vector<SearchableLayer>& space,
                              const std::vector<std::vector<int>>& assignment) {
  for (size_t s = 0; s < space.size(); ++s) {
    mapper::Node* node = model.find_node(space[s].layer_name);
    if (auto* adc = dynamic_cast<mapper::AdcNode*>(node)) node = &adc->inner();
    mapper::WeightSource* ws = nullptr;
    if (auto* conv = dynamic_cast<mapper::ConvNode*>(node)) ws = &conv->weights();
    if (auto* linear = dynamic_cast<mapper::LinearNode*>(node)) ws = &linear->weights();
    auto* mixed = dynamic_cast<MixedWeights*>(ws);
    if (!mixed) continue;
    const auto qs = mixed->quantizers();
    for (size_t i = 0; i < qs.size(); ++i) {
      const auto& a = assignment.at(s);
      if (qs[i] && std::find(a.begin(), a.end(), int(i)) == a.end())
        qs[i]->init(mixed->weight().value.data());
    }
  }
}

ThermometricNode::ThermometricNode(const Layer& layer, std::unique_ptr<mapper::Node> conv,
                                   std::unique_ptr<mapper::Node> dw, std::unique_ptr<LayerArch> arch,
                                   std::unique_ptr<Parameter> bias)
    : Node(layer.name),
      m_conv(std::move(conv)),
      m_dw(std::move(dw)),
      m_arch(std::move(arch)),
      m_bias(std::move(bias)) {}

void ThermometricNode::wire_branches() {
  for (mapper::Node* b : {m_conv.get(), m_dw.get()}) {
    b->inputs = inputs;
    b->need_grad = need_grad;
    b->accumulate = accumulate;
  }
  // The depthwise branch adds its input gradient to the conv branch's.
  m_dw->accumulate.assign(inputs.size(), true);
}

void ThermometricNode::forward(const RunContext& ctx) {
  wire_branches();
  const std::vector<float>& mix = m_arch->mix();  // [0][c] = m_c, [1][c] = 1 - m_c
  const int C = m_arch->channels();
  m_kept.clear();
  for (int c = 0; c < C; ++c)
    if (!(mix[c] < m_threshold)) m_kept.push_back(c);
  m_subset = int(m_kept.size()) < C;
  // The mask's straight-through gradient needs the conv output of every channel while the
  // architecture learns (search_nodes.h); otherwise only the kept channels are computed.
  m_conv_all = !m_subset || (ctx.training && m_arch->learning());
  if (m_conv_all)
    m_conv->forward(ctx);
  else
    conv_forward_kept(ctx);
  m_dw->forward(ctx);
  const Activation& b = m_dw->out;
  const Activation& a = m_conv->out;  // every channel, or the kept ones (N,OH,OW,|kept|)
  const int n = m_conv_all ? C : int(m_kept.size());
  out.resize(b.dims);
  for (int64_t p = 0; p < b.dims.size() / C; ++p) {  // NHWC: channels fastest
    const float* ap = a.value.data() + p * n;
    const float* bp = b.value.data() + p * C;
    float* op = out.value.data() + p * C;
    if (m_conv_all)
      for (int c = 0; c < C; ++c)
        op[c] = mix[c] * ap[c] + mix[C + c] * bp[c] + (m_bias ? m_bias->value[c] : 0.0f);
    else {  // the depthwise alone, then the kept channels with their conv term
      for (int c = 0; c < C; ++c) op[c] = mix[C + c] * bp[c] + (m_bias ? m_bias->value[c] : 0.0f);
      for (int i = 0; i < n; ++i) {
        const int c = m_kept[i];
        op[c] = mix[c] * ap[i] + mix[C + c] * bp[c] + (m_bias ? m_bias->value[c] : 0.0f);
      }
    }
  }
}

void ThermometricNode::conv_forward_kept(const RunContext& ctx) {
  auto& conv = static_cast<mapper::ConvNode&>(*m_conv);
  const mapper::ConvGeom g = conv.geometry(inputs[0]->dims.n);
  m_conv->out.resize({g.n, g.oh, g.ow, int(m_kept.size())});  // a full forward's buffer, if one ran
  m_w = conv.weights().forward();
  mapper::conv2d_forward_channels(g, m_kept, inputs[0]->value.data(), m_w, m_conv->out.value.data(),
                                  *ctx.scratch, ctx.threads);
}

void ThermometricNode::backward(const RunContext& ctx) {
  if (!m_subset) return backward_full(ctx);
  const std::vector<float>& mix = m_arch->mix();
  const int C = m_arch->channels(), n = int(m_kept.size());
  Activation& b = m_dw->out;
  Activation& a = m_conv->out;
  const int an = m_conv_all ? C : n;
  const int64_t pixels = b.dims.size() / C;
  float* kept_grad = a.grad.data();  // dL/dy_conv of the kept channels, (N,OH,OW,|kept|)
  m_dmix.assign(size_t(2) * C, 0.0f);
  float* dmix_conv = m_dmix.data();
  float* dmix_dw = m_dmix.data() + C;
  for (int64_t p = 0; p < pixels; ++p) {
    const float* g = out.grad.data() + p * C;
    const float* bv = b.value.data() + p * C;
    float* bg = b.grad.data() + p * C;
    for (int c = 0; c < C; ++c) {
      bg[c] = mix[C + c] * g[c];
      dmix_dw[c] += bv[c] * g[c];
    }
    if (m_bias)
      for (int c = 0; c < C; ++c) m_bias->grad[c] += g[c];
    // dL/dm_c = <y_conv_c - y_dw_c, g_c>: the conv term on every channel whose output was computed
    const float* ap = a.value.data() + p * an;
    if (m_conv_all)
      for (int c = 0; c < C; ++c) dmix_conv[c] += ap[c] * g[c];
    float* kg = kept_grad + p * n;
    for (int i = 0; i < n; ++i) {
      const int c = m_kept[i];
      kg[i] = mix[c] * g[c];
      if (!m_conv_all) dmix_conv[c] += ap[i] * g[c];
    }
  }
  auto& conv = static_cast<mapper::ConvNode&>(*m_conv);
  const mapper::ConvGeom g = conv.geometry(inputs[0]->dims.n);
  const float* w = m_conv_all ? conv.effective_weights() : m_w;
  mapper::conv2d_backward_channels(g, m_kept, inputs[0]->value.data(), w, kept_grad,
                                   need_grad[0] ? inputs[0]->grad.data() : nullptr, accumulate[0],
                                   conv.weights().effective_grad(), *ctx.scratch, ctx.threads);
  conv.weights().backward();
  m_dw->backward(ctx);
  m_arch->backward_mix(m_dmix);
}

void ThermometricNode::backward_full(const RunContext& ctx) {
  const std::vector<float>& mix = m_arch->mix();
  Activation& a = m_conv->out;
  Activation& b = m_dw->out;
  const int C = a.dims.c;
  m_dmix.assign(size_t(2) * C, 0.0f);
  for (int64_t e = 0; e < a.dims.size(); ++e) {
    const int c = int(e % C);
    a.grad[e] = mix[c] * out.grad[e];
    b.grad[e] = mix[C + c] * out.grad[e];
    m_dmix[c] += a.value[e] * out.grad[e];
    m_dmix[C + c] += b.value[e] * out.grad[e];
    if (m_bias) m_bias->grad[c] += out.grad[e];
  }
  m_conv->backward(ctx);
  m_dw->backward(ctx);
  m_arch->backward_mix(m_dmix);
}

void ThermometricNode::weights_loaded() {
  auto& conv = static_cast<mapper::ConvNode&>(*m_conv).weights().weight();    // memory (ky,kx,cin,cout)
  const auto& dw = static_cast<mapper::ConvNode&>(*m_dw).weights().weight();  // memory (ky,kx,C)
  const int64_t C = dw.shape[0], taps = dw.shape[1];
  std::fill(conv.value.begin(), conv.value.end(), 0.0f);
  for (int64_t t = 0; t < taps; ++t)
    for (int64_t c = 0; c < C; ++c) conv.value[(t * C + c) * C + c] = dw.value[t * C + c];
  m_conv->weights_loaded();
  m_dw->weights_loaded();
}

BranchedLayer::Branch ThermometricNode::branch_of(int channel) {
  const bool on_conv = m_arch->assignment()[size_t(channel)] == 0;
  return {on_conv ? m_conv.get() : m_dw.get(), !on_conv};
}

void ThermometricNode::parameters(std::vector<Parameter*>& out) {
  m_conv->parameters(out);
  m_dw->parameters(out);
  if (m_bias) out.push_back(m_bias.get());
  out.push_back(&m_arch->alpha());
}

}  // namespace odimo::search

namespace odimo::search {
namespace {

using mapper::init_uniform;  // PyTorch's default conv/linear init, as mapper::Model's layers

Parameter make_weights(const std::string& name, int channels, int64_t fan_in, std::mt19937_64& rng) {
  Parameter w(name, {channels, int(fan_in)});
  init_uniform(w.value, fan_in, rng);
  return w;
}

std::unique_ptr<mapper::WeightSource> quantized(const SocDescription& soc, int cu, Parameter w,
                                                const std::string& name) {
  const ChannelLayout cl = ChannelLayout::single_block(w.size(), w.shape[0]);
  auto q = quantizer_for(soc, cu, name, cl, w.value.data());
  return q ? mapper::make_quantized_weights(std::move(w), std::move(q))
           : mapper::make_float_weights(std::move(w));
}

std::unique_ptr<mapper::Node> channel_softmax_node(const SocDescription& soc, const Layer& l,
                                                   const SearchableLayer& s, bool compat,
                                                   std::mt19937_64& rng, LayerArch** arch_out) {
  const int C = l.out_channels;
  const int64_t fan_in = l.weights_per_channel();
  Parameter w = make_weights(l.name + ".weight", C, fan_in, rng);
  std::unique_ptr<Parameter> bias;
  if (l.bias) {
    bias = std::make_unique<Parameter>(l.name + ".bias", std::vector<int>{C});
    init_uniform(bias->value, fan_in, rng);
  }
  const int groups = l.op == Op::kConv2d ? l.groups : 1;
  const ChannelLayout cl{w.size(), C, w.size() / groups, C / groups};
  std::vector<std::unique_ptr<mapper::WeightQuantizer>> qs;
  for (int cu : s.cus)
    qs.push_back(quantizer_for(soc, cu, l.name + "." + soc.soc.cu(cu).name() + ".wq", cl, w.value.data()));
  auto arch = std::make_unique<LayerArch>(s, l.name, compat);
  *arch_out = arch.get();
  auto src = std::make_unique<MixedWeights>(std::move(w), std::move(qs), cl, std::move(arch));
  if (l.op == Op::kLinear)
    return std::make_unique<mapper::LinearNode>(l.name, C, std::move(src), std::move(bias));
  return std::make_unique<mapper::ConvNode>(l.name, false, C, l.kernel, l.stride, l.padding, l.groups,
                                            std::move(src), std::move(bias));
}

// The channel-softmax layer with the ADC on its option on a CU with an ADC (mapper/nn/adc.h), or
// `node` as it is when the layer has no such option or that CU cannot run it.
std::unique_ptr<mapper::Node> with_adc(const SocDescription& soc, const Layer& l, const SearchableLayer& s,
                                       const mapper::AdcTraining& adc, LayerArch* arch,
                                       std::unique_ptr<mapper::Node> node) {
  if (!(l.op == Op::kLinear || (l.op == Op::kConv2d && l.groups == 1))) return node;
  for (size_t i = 0; i < s.cus.size(); ++i) {
    if (!soc.unit(s.cus[i]).number_format().adc) continue;
    mapper::AdcTraining a = adc;
    a.cu =
        soc.unit(s.cus[i]).integer_behaviour(FieldCheck{soc.origin}, "cu[" + std::to_string(s.cus[i]) + "]");
    const int opt = int(i), C = l.out_channels;
    auto mix = [arch, opt, C]() { return arch->mix().data() + size_t(opt) * C; };
    auto add = [arch, opt, C](const std::vector<float>& d) {
      std::vector<float> dmix(arch->mix().size(), 0.0f);
      std::copy(d.begin(), d.end(), dmix.begin() + size_t(opt) * C);
      arch->backward_mix(dmix);
    };
    return std::make_unique<mapper::AdcNode>(l, std::move(node), opt, a, mix, add);
  }
  return node;
}

std::unique_ptr<mapper::Node> thermometric_node(const SocDescription& soc, const Layer& l,
                                                const SearchableLayer& s, bool compat, std::mt19937_64& rng,
                                                LayerArch** arch_out) {
  const int C = l.out_channels;
  Parameter wc = make_weights(l.name + ".conv.weight", C, int64_t(l.in.c) * l.kernel * l.kernel, rng);
  Parameter wd = make_weights(l.name + ".weight", C, int64_t(l.kernel) * l.kernel, rng);
  auto conv = std::make_unique<mapper::ConvNode>(l.name + ".conv", false, C, l.kernel, l.stride, l.padding, 1,
                                                 quantized(soc, s.cus[0], std::move(wc), l.name + ".conv.wq"),
                                                 nullptr);
  auto dw =
      std::make_unique<mapper::ConvNode>(l.name + ".dw", true, C, l.kernel, l.stride, l.padding, C,
                                         quantized(soc, s.cus[1], std::move(wd), l.name + ".wq"), nullptr);
  std::unique_ptr<Parameter> bias;
  if (l.bias) {  // drawn after the weights: a bias-free layer's weights do not change
    bias = std::make_unique<Parameter>(l.name + ".bias", std::vector<int>{C});
    init_uniform(bias->value, int64_t(l.kernel) * l.kernel, rng);
  }
  auto arch = std::make_unique<LayerArch>(s, l.name, compat);
  *arch_out = arch.get();
  return std::make_unique<ThermometricNode>(l, std::move(conv), std::move(dw), std::move(arch),
                                            std::move(bias));
}

}  // namespace

mapper::NodeFactory search_node_factory(const SocDescription& soc, const std::vector<SearchableLayer>& space,
                                        bool compat, std::vector<LayerArch*>* archs,
                                        const mapper::AdcTraining* adc) {
  archs->assign(space.size(), nullptr);
  std::optional<mapper::AdcTraining> a;
  if (adc) a = *adc;
  return [&soc, space, compat, archs, a](const Layer& l, uint64_t seed) -> std::unique_ptr<mapper::Node> {
    for (size_t s = 0; s < space.size(); ++s) {
      if (l.name != space[s].layer_name) continue;
      std::mt19937_64 rng(seed);
      if (space[s].relaxation == Relaxation::kThermometric)
        return thermometric_node(soc, l, space[s], compat, rng, &(*archs)[s]);
      auto node = channel_softmax_node(soc, l, space[s], compat, rng, &(*archs)[s]);
      return a ? with_adc(soc, l, space[s], *a, (*archs)[s], std::move(node)) : std::move(node);
    }
    return nullptr;
  };
}

}  // namespace odimo::search
