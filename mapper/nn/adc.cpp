// The AIMC's ADC in the training engine (adc.h).
#include "mapper/nn/adc.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "mapper/nn/model.h"
#include "proto/error.h"

namespace odimo::mapper {

AdcNode::AdcNode(const Layer& layer, std::unique_ptr<Node> inner, int option, const AdcTraining& adc,
                 MixRow mix, AddMixGrad add_mix_grad)
    : Node(layer.name),
      m_layer(layer),
      m_inner(std::move(inner)),
      m_option(option),
      m_adc(adc),
      m_mix(std::move(mix)),
      m_add_mix_grad(std::move(add_mix_grad)),
      m_linear(layer.op == Op::kLinear),
      m_shift{layer.name + ".adc_shift", {-1.0f}},
      m_column_max{layer.name + ".adc_column_max", {0.0f, 0.0f}} {
  if (!adc.cu.analog()) throw Error("layer '" + layer.name + "': ADC-aware training needs a CU with an ADC");
  if (!m_linear && (layer.op != Op::kConv2d || layer.groups != 1))
    throw Error("layer '" + layer.name + "': the AIMC runs only ungrouped convolutions and linear layers");
  const int64_t taps = m_linear ? 1 : int64_t(layer.kernel) * layer.kernel;
  const int64_t cin = m_linear ? layer.in.elements() : layer.in.c;
  m_chunk = adc.cu.tile_inputs(taps);
  m_tiles = int((cin + m_chunk - 1) / m_chunk);
}

void AdcNode::buffers(std::vector<Buffer*>& out) {
  m_inner->buffers(out);
  out.push_back(&m_shift);
  out.push_back(&m_column_max);
}

WeightQuantizer& AdcNode::quantizer() {
  WeightSource& ws =
      m_linear ? static_cast<LinearNode&>(*m_inner).weights() : static_cast<ConvNode&>(*m_inner).weights();
  auto qs = ws.quantizers();
  if (m_option >= int(qs.size()) || !qs[m_option])
    throw Error("layer '" + name + "': its option behind the ADC has float weights (no integer codes)");
  return *qs[m_option];
}

// n_t = sf * conv(x, codes of tile t), rounded (exact for integer codes).
void AdcNode::tile_sums(const RunContext& ctx, float sf) {
  WeightSource& ws =
      m_linear ? static_cast<LinearNode&>(*m_inner).weights() : static_cast<ConvNode&>(*m_inner).weights();
  if (!quantizer().integer_codes(ws.weight().value.data(), m_codes, m_scale))
    throw Error("layer '" + name + "': no integer codes");
  const int C = m_layer.out_channels;
  const int64_t cin = m_linear ? m_layer.in.elements() : m_layer.in.c;
  m_tile_w.assign(m_tiles, std::vector<float>(m_codes.size(), 0.0f));
  for (size_t e = 0; e < m_codes.size(); ++e) {
    const int64_t ci = (int64_t(e) / C) % cin;  // memory (ky, kx, cin, cout) / (in, out)
    m_tile_w[ci / m_chunk][e] = float(m_codes[e]);
  }
  const Activation& x = *inputs[0];
  // The network input reaches the AIMC as int8 codes round(x * 2^k) (the integer network's
  // input): the ADC converts their sums, the correction removes the unrounded ones.
  std::vector<float> rounded;
  if (!m_pact) {
    rounded.resize(x.value.size());
    for (size_t e = 0; e < rounded.size(); ++e)
      rounded[e] = std::clamp(std::nearbyint(x.value[e] * sf), -128.0f, 127.0f) / sf;
  }
  m_sum.resize(m_tiles);
  m_raw.resize(m_pact ? 0 : m_tiles);
  for (int t = 0; t < m_tiles; ++t) {
    m_sum[t].resize(m_inner->out.value.size());
    conv_with_codes(ctx, m_pact ? x.value.data() : rounded.data(), t, m_sum[t]);
    for (float& v : m_sum[t]) v = std::nearbyint(v * sf);  // n_t: exact, a sum of integer codes
    if (!m_pact) {
      m_raw[t].resize(m_sum[t].size());
      conv_with_codes(ctx, x.value.data(), t, m_raw[t]);
    }
  }
}

void AdcNode::conv_with_codes(const RunContext& ctx, const float* x, int t, std::vector<float>& y) {
  const Dims& d = inputs[0]->dims;
  const int C = m_layer.out_channels;
  if (m_linear) {
    linear_forward(d.n, int(d.image()), C, x, m_tile_w[t].data(), (const float*)nullptr, y.data());
  } else {
    const ConvGeom g =
        ConvGeom::make(d.n, d.h, d.w, d.c, C, m_layer.kernel, m_layer.stride, m_layer.padding, 1);
    conv2d_forward(g, x, m_tile_w[t].data(), (const float*)nullptr, y.data(), *ctx.scratch, ctx.threads);
  }
}

int AdcNode::choose_shift(const RunContext& ctx, const float* mix) {
  const int C = m_layer.out_channels;
  double batch_max = 0;
  for (int t = 0; t < m_tiles; ++t)
    for (size_t e = 0, c = 0; e < m_sum[t].size(); ++e, c = c + 1 == size_t(C) ? 0 : c + 1)
      if (!mix || mix[c] > 0) batch_max = std::max(batch_max, double(std::fabs(m_sum[t][e])));
  if (!ctx.training)
    return m_shift.value[0] >= 0 ? int(m_shift.value[0]) : adc_shift_for(batch_max, m_adc.cu.adc_max());
  float& running = m_column_max.value[0];
  float& steps = m_column_max.value[1];
  running = steps == 0 ? float(batch_max) : 0.9f * running + 0.1f * float(batch_max);
  steps += 1;
  m_shift.value[0] = float(adc_shift_for(running, m_adc.cu.adc_max()));
  return int(m_shift.value[0]);
}

void AdcNode::forward(const RunContext& ctx) {
  m_inner->inputs = inputs;
  m_inner->need_grad = need_grad;
  m_inner->accumulate = accumulate;
  m_inner->forward(ctx);
  out.resize(m_inner->out.dims);
  std::copy(m_inner->out.value.begin(), m_inner->out.value.end(), out.value.begin());
  float sf = std::ldexp(1.0f, m_input_shift);
  if (m_pact) sf = pact_state(m_pact->clip.value[0], m_pact->config()).sf;
  tile_sums(ctx, sf);
  const float* mix = m_mix ? m_mix() : nullptr;
  const int g = choose_shift(ctx, mix);
  const bool noisy = ctx.training && !m_adc.noise.none();
  std::mt19937_64 rng(m_adc.seed * 0x9E3779B97F4A7C15ull + uint64_t(m_column_max.value[1]));
  std::normal_distribution<double> normal(0.0, 1.0);
  const double sigma = std::ldexp(m_adc.noise.sigma_lsb(m_adc.cu.adc_bits), g);  // column-sum units
  const ColumnMismatch chip = ctx.training && m_adc.mismatch ? step_chip() : ColumnMismatch{};
  const int C = m_layer.out_channels;
  const size_t E = out.value.size();
  m_delta.assign(E, 0.0f);
  m_clip.assign(size_t(m_tiles) * E, 0);
  m_clipped_count = 0;
  const double step = std::ldexp(1.0, g), gain = 1.0 / step;
  for (size_t e = 0, c = 0; e < E; ++e, c = c + 1 == size_t(C) ? 0 : c + 1) {  // NHWC: c = e % C
    const float m = mix ? mix[c] : 1.0f;
    if (m == 0) continue;
    double delta = 0;
    for (int t = 0; t < m_tiles; ++t) {
      const double n = m_sum[t][e];
      const double s = chip.empty() ? n : chip.apply(n, int64_t(c), step);
      const double v = noisy ? s + sigma * normal(rng) : s;
      const double inner_sum = m_pact ? n : double(m_raw[t][e]) * sf;  // what the inner node summed
      bool clipped = false;
      delta += double(adc_convert_gain(v, gain, m_adc.cu, &clipped)) * step - inner_sum;
      m_clip[size_t(t) * E + e] = clipped;
      m_clipped_count += clipped;
    }
    m_delta[e] = float(delta * m_scale[c] / sf);
    out.value[e] += m * m_delta[e];
  }
}

ColumnMismatch AdcNode::step_chip() const {
  uint64_t layer = 1469598103934665603ull;  // FNV-1a of the layer's name: a stream per layer
  for (char ch : m_layer.name) layer = (layer ^ uint8_t(ch)) * 1099511628211ull;
  return draw_column_mismatch(m_adc.cu, m_adc.seed, uint64_t(m_column_max.value[1]), int(layer % 1000003));
}

void AdcNode::backward(const RunContext& ctx) {
  std::copy(out.grad.begin(), out.grad.end(), m_inner->out.grad.begin());
  m_inner->backward(ctx);
  const float* mix = m_mix ? m_mix() : nullptr;
  const int C = m_layer.out_channels;
  const size_t E = out.value.size();
  if (m_add_mix_grad) {
    std::vector<float> dmix(C, 0.0f);
    for (size_t e = 0; e < E; ++e) dmix[e % C] += m_delta[e] * out.grad[e];
    m_add_mix_grad(dmix);
  }
  if (m_clipped_count == 0) return;  // the surrogate's gradient of the correction is 0
  std::vector<float> du(E);
  for (int t = 0; t < m_tiles; ++t) {
    for (size_t e = 0; e < E; ++e) {
      const int c = int(e % C);
      du[e] = m_clip[size_t(t) * E + e] ? -(mix ? mix[c] : 1.0f) * float(m_scale[c]) * out.grad[e] : 0.0f;
    }
    tile_backward(ctx, t, du);
  }
}

// du = dL/du_t of one tile -> input gradient (added) and weight gradient through the
// ternary quantizer's surrogate (u_t = conv(x, wq / s_c) restricted to the tile).
void AdcNode::tile_backward(const RunContext& ctx, int t, const std::vector<float>& du) {
  const Activation& x = *inputs[0];
  const int C = m_layer.out_channels;
  float* dx = need_grad[0] ? inputs[0]->grad.data() : nullptr;
  std::vector<float> dcodes(m_codes.size());
  if (m_linear) {
    linear_backward(x.dims.n, int(x.dims.image()), C, x.value.data(), m_tile_w[t].data(), du.data(), dx, true,
                    dcodes.data(), (float*)nullptr);
  } else {
    const ConvGeom g = ConvGeom::make(x.dims.n, x.dims.h, x.dims.w, x.dims.c, C, m_layer.kernel,
                                      m_layer.stride, m_layer.padding, 1);
    conv2d_backward(g, x.value.data(), m_tile_w[t].data(), du.data(), dx, true, dcodes.data(),
                    (float*)nullptr, *ctx.scratch, ctx.threads);
  }
  WeightSource& ws =
      m_linear ? static_cast<LinearNode&>(*m_inner).weights() : static_cast<ConvNode&>(*m_inner).weights();
  const int64_t cin = m_linear ? m_layer.in.elements() : m_layer.in.c;
  std::vector<float> dwq(m_codes.size(), 0.0f);
  for (size_t e = 0; e < m_codes.size(); ++e)
    if ((int64_t(e) / C) % cin / m_chunk == t) dwq[e] = dcodes[e] / float(m_scale[e % C]);
  quantizer().backward(ws.weight().value.data(), dwq.data(), ws.weight().grad.data());
}

std::vector<AdcNode*> adc_nodes(Model& model) {
  std::vector<AdcNode*> out;
  for (const auto& n : model.nodes())
    if (auto* a = dynamic_cast<AdcNode*>(n.get())) out.push_back(a);
  return out;
}

void configure_adc(Model& model, int input_shift) {
  std::vector<AdcNode*> nodes = adc_nodes(model);
  for (AdcNode* a : nodes) {
    a->set_network_input_shift(input_shift);
    const PactNode* pact = nullptr;
    for (const auto& n : model.nodes())
      if (auto* p = dynamic_cast<const PactNode*>(n.get());
          p && !a->inputs.empty() && &p->out == a->inputs[0])
        pact = p;
    a->set_input_pact(pact);
  }
}

}  // namespace odimo::mapper
