// The AIMC's ADC in the training engine (adc.h).
#include "mapper/nn/adc.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "mapper/nn/counter_normal.h"
#include "mapper/nn/model.h"
#include "mapper/tensor/tensor.h"
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
  uint64_t h = 1469598103934665603ull;  // FNV-1a of the layer's name: a stream per layer
  for (char ch : layer.name) h = (h ^ uint8_t(ch)) * 1099511628211ull;
  m_layer_stream = h % kLayerStreams;
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
  const size_t C = size_t(m_layer.out_channels), E = m_sum.empty() ? 0 : m_sum[0].size();
  const int threads = std::max(1, ctx.threads);
  std::vector<double> maxima(size_t(threads), 0.0);  // per thread's elements: a max, in any order the same
  auto share_max = [&](int th) {
    const size_t begin = E * th / threads, end = E * (th + 1) / threads;
    double most = 0;
    for (const std::vector<float>& sum : m_sum)
      for (size_t e = begin, c = begin % C; e < end; ++e, c = c + 1 == C ? 0 : c + 1)
        if (!mix || mix[c] > 0) most = std::max(most, double(std::fabs(sum[e])));
    maxima[th] = most;
  };
  for_each_thread(threads, share_max, int64_t(E) * m_tiles);
  const double batch_max = *std::max_element(maxima.begin(), maxima.end());
  if (!ctx.training)
    return m_shift.value[0] >= 0 ? int(m_shift.value[0]) : adc_shift_for(batch_max, m_adc.cu.adc_max());
  float& running = m_column_max.value[0];
  float& steps = m_column_max.value[1];
  running = steps == 0 ? float(batch_max) : 0.9f * running + 0.1f * float(batch_max);
  steps += 1;
  m_shift.value[0] = float(adc_shift_for(running, m_adc.cu.adc_max()));
  return int(m_shift.value[0]);
}

// One forward's constants of the conversion loop.
struct AdcNode::Conversion {
  const float* mix = nullptr;         // mix_c (null: 1)
  double sf = 1, step = 1, gain = 1;  // the input's scale; 2^g, one ADC LSB in column-sum units; 2^-g
  std::vector<double> chip_gain, chip_offset;  // per channel: 1 + gain_c, offset_c 2^g (empty: no mismatch)
  std::optional<CounterNormal> normal;         // the read noise's draws (none: no noise)
  double sigma = 0;                            // the read noise in column-sum units
};

void AdcNode::forward(const RunContext& ctx) {
  m_inner->inputs = inputs;
  m_inner->need_grad = need_grad;
  m_inner->accumulate = accumulate;
  m_inner->forward(ctx);
  out.resize(m_inner->out.dims);
  std::copy(m_inner->out.value.begin(), m_inner->out.value.end(), out.value.begin());
  Conversion k;
  k.sf = std::ldexp(1.0f, m_input_shift);
  if (m_pact) k.sf = pact_state(m_pact->clip.value[0], m_pact->config()).sf;
  tile_sums(ctx, float(k.sf));
  k.mix = m_mix ? m_mix() : nullptr;
  const int g = choose_shift(ctx, k.mix);
  k.step = std::ldexp(1.0, g);
  k.gain = 1.0 / k.step;
  const uint64_t step_seed = chip_seed(m_adc.seed, uint64_t(m_column_max.value[1]));
  if (ctx.training && !m_adc.noise.none()) {
    k.normal.emplace(chip_seed(step_seed, kLayerStreams + m_layer_stream));  // not the mismatch's seed
    k.sigma = std::ldexp(m_adc.noise.sigma_lsb(m_adc.cu.adc_bits), g);
  }
  if (ctx.training && m_adc.mismatch) {
    const ColumnMismatch chip =
        draw_column_mismatch(m_adc.cu, m_adc.seed, uint64_t(m_column_max.value[1]), int(m_layer_stream));
    for (int c = 0; c < m_layer.out_channels && !chip.empty(); ++c) {
      const size_t j = size_t(c) % chip.gain.size();  // channel c on column c
      k.chip_gain.push_back(1.0 + chip.gain[j]);
      k.chip_offset.push_back(chip.offset_lsb[j] * k.step);
    }
  }
  const size_t E = out.value.size();
  m_delta.resize(E);
  m_clip.resize(size_t(m_tiles) * E);
  const int threads = std::max(1, ctx.threads);
  std::vector<int64_t> clipped(size_t(threads), 0);
  for_each_thread(
      threads, [&](int th) { clipped[th] = convert(k, E * th / threads, E * (th + 1) / threads); },
      int64_t(E) * m_tiles);
  m_clipped_count = std::accumulate(clipped.begin(), clipped.end(), int64_t(0));
}

// Converts elements [begin, end) of every tile (their m_clip and m_delta, added to out) and
// returns how many conversions clipped. Every draw is a function of (e, t): any split of the
// elements gives the same bits. Members are read into locals first: the byte stores to m_clip
// may alias any member, which the compiler would otherwise reload after each of them.
int64_t AdcNode::convert(const Conversion& k, size_t begin, size_t end) {
  const size_t C = size_t(m_layer.out_channels), E = out.value.size(), T = size_t(m_tiles);
  std::vector<const float*> sum(T), raw(T, nullptr);  // per tile: n_t; the unrounded sums (network input)
  for (size_t t = 0; t < T; ++t) {
    sum[t] = m_sum[t].data();
    if (!m_pact) raw[t] = m_raw[t].data();
  }
  const IntegerBehaviour cu = m_adc.cu;
  uint8_t* const clip = m_clip.data();
  float* const delta_out = m_delta.data();
  float* const y = out.value.data();
  const double* const scale = m_scale.data();
  const float* const mix = k.mix;
  const double sf = k.sf, step = k.step, gain = k.gain, sigma = k.sigma;
  const double* const chip_gain = k.chip_gain.empty() ? nullptr : k.chip_gain.data();
  const double* const chip_offset = k.chip_offset.data();
  const CounterNormal* const normal = k.normal ? &*k.normal : nullptr;
  int64_t clipped_count = 0;
  for (size_t e = begin, c = begin % C; e < end; ++e, c = c + 1 == C ? 0 : c + 1) {  // NHWC: c = e % C
    const float m = mix ? mix[c] : 1.0f;
    if (m == 0) {
      delta_out[e] = 0;
      for (size_t t = 0; t < T; ++t) clip[t * E + e] = 0;
      continue;
    }
    double delta = 0;
    for (size_t t = 0; t < T; ++t) {
      const double n = sum[t][e];
      double v = chip_gain ? n * chip_gain[c] + chip_offset[c] : n;
      if (normal) v += sigma * (*normal)(uint64_t(e * T + t));
      const double inner_sum = raw[t] ? double(raw[t][e]) * sf : n;  // what the inner node summed
      bool clipped = false;
      delta += double(adc_convert_gain(v, gain, cu, &clipped)) * step - inner_sum;
      clip[t * E + e] = clipped;
      clipped_count += clipped;
    }
    delta_out[e] = float(delta * scale[c] / sf);
    y[e] += m * delta_out[e];
  }
  return clipped_count;
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
