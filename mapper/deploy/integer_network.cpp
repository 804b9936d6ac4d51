// Conversion of a fake-quantized model to the CUs' integer pipelines, and one image
// through them (integer_network.h).
#include "mapper/deploy/integer_network.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "mapper/deploy/integer_kernels.h"
#include "mapper/nn/adc.h"
#include "mapper/search/branched_layer.h"
#include "proto/error.h"

namespace odimo::deploy {

using mapper::ConvNode;
using mapper::LinearNode;
using mapper::Node;

struct IntegerNetwork::Weighted {
  int layer = 0;
  std::string name;
  Layer geom;
  int src = -1;                         // producer layer, -1: the network input
  std::vector<int> order;               // deployment order of the output channels
  std::vector<int> cu;                  // per channel: CU index
  std::vector<uint8_t> depthwise;       // per channel: computes from channel c only
  std::vector<std::vector<int32_t>> w;  // per channel, fan-in codes
  std::vector<OutputStage> stage;       // per channel
  int adc_shift = 0;
  int64_t chunk = 0;  // AIMC: input channels (conv) or inputs (linear) per row tile
  int tiles = 1;
  bool analog = false;
  // The vectorised form (integer_kernels.h), when the layer's numbers fit it (pack()):
  // every channel's weights in patch order, and the dot products one pixel needs, four
  // channels sharing a range of the patch at a time; a channel's sums land in `slot`
  // (one per channel, an AIMC channel one per row tile).
  struct DotBlock {
    int64_t begin = 0, len = 0;  // range of the patch
    int n = 0;
    int64_t w[4] = {0, 0, 0, 0};  // offsets in `packed`
    int slot[4] = {0, 0, 0, 0};
  };
  bool fast = false;
  bool tap_major = false;  // patch order (integer_kernels.h: gather_patch)
  int64_t patch_len = 0;
  std::vector<int16_t> packed;
  std::vector<DotBlock> blocks;
  std::vector<int> slot;     // per channel: its first sum
  std::vector<uint8_t> adc;  // per channel: its sums go through the ADC
  std::vector<int> column;   // per channel: its AIMC column (RunSettings::chip)
  int slots = 0;
};

namespace {

constexpr double kFrac = double(int64_t(1) << kOutputFracBits);

// The branch node and the weight option of channel c of a weighted layer's node.
struct ChannelSource {
  Node* node = nullptr;
  int option = 0;
  bool depthwise = false;
};

ChannelSource channel_source(Node* node, const Layer& l, int c) {
  if (auto* a = dynamic_cast<mapper::AdcNode*>(node)) node = &a->inner();  // ADC-aware training
  if (auto* b = dynamic_cast<search::BranchedLayer*>(node)) {
    const search::BranchedLayer::Branch branch = b->branch_of(c);
    return {branch.node, 0, branch.depthwise};
  }
  mapper::WeightSource* ws = nullptr;
  if (auto* cn = dynamic_cast<ConvNode*>(node)) ws = &cn->weights();
  if (auto* ln = dynamic_cast<LinearNode*>(node)) ws = &ln->weights();
  if (!ws) throw Error("layer '" + l.name + "': the model has no weighted node for it");
  const int opt = ws->option_of(c);
  if (opt < 0) throw Error("layer '" + l.name + "': the channel assignment is not frozen");
  return {node, opt, l.op == Op::kDepthwise};
}

mapper::WeightSource& weights_of(Node* n) {
  if (auto* cn = dynamic_cast<ConvNode*>(n)) return cn->weights();
  return dynamic_cast<LinearNode&>(*n).weights();
}
const mapper::Parameter* bias_of(Node* n) {
  if (auto* cn = dynamic_cast<ConvNode*>(n)) return cn->bias();
  return dynamic_cast<LinearNode&>(*n).bias();
}

// Blocks of up to four channels over one range of the patch (integer_kernels.h).
void add_blocks(IntegerNetwork::Weighted& W, const std::vector<std::pair<int, int64_t>>& chans, int64_t begin,
                int64_t len, int tile) {
  for (size_t k = 0; k < chans.size(); k += 4) {
    IntegerNetwork::Weighted::DotBlock b;
    b.begin = begin, b.len = len;
    for (size_t j = k; j < std::min(chans.size(), k + 4); ++j, ++b.n) {
      b.w[b.n] = chans[j].second;
      b.slot[b.n] = W.slot[chans[j].first] + tile;
    }
    W.blocks.push_back(b);
  }
}

// The vectorised form of a converted layer when its codes and weights fit 16 bits and
// every sum it forms fits 31 (the bound of integer_kernels.h); else it keeps the plain
// 64-bit loops. `analog[c]`: channel c sums per AIMC row tile.
void pack(IntegerNetwork::Weighted& W, const std::vector<bool>& analog, int64_t in_max) {
  const Layer& l = W.geom;
  const bool lin = l.op == Op::kLinear;
  const int64_t taps = lin ? 1 : int64_t(l.kernel) * l.kernel, cin = lin ? l.in.elements() : l.in.c;
  const int C = l.out_channels, groups = l.op == Op::kConv2d ? l.groups : 1;
  const int64_t cin_g = cin / groups;
  int64_t wmax = 0;
  for (const auto& w : W.w)
    for (int32_t v : w) wmax = std::max<int64_t>(wmax, std::abs(int64_t(v)));
  if ((W.analog && groups > 1) || in_max > 32767 || wmax > 32767 ||
      double(cin_g * taps) * double(in_max) * double(wmax) > 2147483647.0)
    return;
  W.fast = true;
  W.patch_len = cin * taps;
  // One range for every channel (a group, one row tile, no depthwise channel): the patch in
  // the weights' own (tap, input channel) order, gathered by contiguous copies.
  W.tap_major = groups == 1 && W.tiles == 1 &&
                std::none_of(W.depthwise.begin(), W.depthwise.end(), [](uint8_t d) { return d; });
  W.slot.assign(C, 0);
  W.adc.assign(analog.begin(), analog.end());
  std::vector<int64_t> at(C);
  for (int c = 0; c < C; ++c) {
    at[c] = int64_t(W.packed.size());
    W.slot[c] = W.slots;
    W.slots += analog[c] ? W.tiles : 1;
    if (W.tap_major) {
      for (int32_t v : W.w[c]) W.packed.push_back(int16_t(v));
      continue;
    }
    const int64_t n = W.depthwise[c] ? 1 : cin_g, t = W.depthwise[c] ? int64_t(W.w[c].size()) : taps;
    for (int64_t ci = 0; ci < n; ++ci)
      for (int64_t tap = 0; tap < t; ++tap) W.packed.push_back(int16_t(W.w[c][tap * n + ci]));
  }
  const int cout_g = C / groups;
  for (int g = 0; g < groups; ++g) {  // digital channels: a group's whole fan-in
    std::vector<std::pair<int, int64_t>> chans;
    for (int c = g * cout_g; c < (g + 1) * cout_g; ++c)
      if (!W.depthwise[c] && !analog[c]) chans.push_back({c, at[c]});
    add_blocks(W, chans, g * cin_g * taps, cin_g * taps, 0);
  }
  for (int t = 0; t < (W.analog ? W.tiles : 0); ++t) {  // AIMC channels: one row tile's inputs
    const int64_t begin = t * W.chunk * taps, end = std::min(cin, (t + 1) * W.chunk) * taps;
    std::vector<std::pair<int, int64_t>> chans;
    for (int c = 0; c < C; ++c)
      if (analog[c]) chans.push_back({c, at[c] + begin});
    add_blocks(W, chans, begin, end - begin, t);
  }
  for (int c = 0; c < C; ++c)  // depthwise channels: their own input channel
    if (W.depthwise[c]) add_blocks(W, {{c, at[c]}}, c * taps, taps, 0);
}

}  // namespace

// Integer codes and scales of every (node, option) a layer uses, computed once.
struct IntegerNetwork::CodeCache {
  std::map<std::pair<Node*, int>, std::pair<std::vector<int32_t>, std::vector<double>>> m;
  const std::pair<std::vector<int32_t>, std::vector<double>>& get(Node* n, int option,
                                                                  const std::string& layer) {
    auto key = std::make_pair(n, option);
    auto it = m.find(key);
    if (it != m.end()) return it->second;
    mapper::WeightSource& ws = weights_of(n);
    auto qs = ws.quantizers();
    auto& slot = m[key];
    if (option >= int(qs.size()) || !qs[option] ||
        !qs[option]->integer_codes(ws.weight().value.data(), slot.first, slot.second))
      throw Error("layer '" + layer + "': float weights cannot be deployed (train with a quantized preset)");
    return slot;
  }
};

IntegerNetwork::IntegerNetwork(mapper::Model& model, const SocDescription& soc,
                               const std::vector<std::vector<int>>& channel_cu,
                               const std::vector<std::vector<int>>& order, int input_shift)
    : m_net(model.network()), m_input_shift(input_shift) {
  convert(model, soc, channel_cu, order);
}
IntegerNetwork::~IntegerNetwork() = default;

void IntegerNetwork::read_scales_and_norms(mapper::Model& model) {
  const size_t L = m_net.layers.size();
  m_sf.assign(L, 0.0);
  m_code_bits.assign(L, 0);
  m_bn_a.assign(L, {});
  m_bn_b.assign(L, {});
  for (size_t i = 0; i < L; ++i) {
    // PACT scales of the weighted layers' inputs.
    if (auto* p = dynamic_cast<mapper::PactNode*>(model.find_node(m_net.layers[i].name + ".aq"))) {
      m_sf[i] = mapper::pact_state(p->clip.value[0], p->config()).sf;
      m_code_bits[i] = p->config().bits;
    }
    const Layer& l = m_net.layers[i];
    if (l.op != Op::kBatchNorm) continue;
    auto* bn = dynamic_cast<mapper::BatchNormNode*>(model.find_node(l.name));
    if (!bn) throw Error("layer '" + l.name + "': the model has no batch norm node for it");
    m_bn_a[i].resize(l.out.c);
    m_bn_b[i].resize(l.out.c);
    for (int c = 0; c < l.out.c; ++c) {
      m_bn_a[i][c] = double(bn->gamma.value[c]) / std::sqrt(double(bn->running_var.value[c]) + 1e-5);
      m_bn_b[i][c] = double(bn->beta.value[c]) - double(bn->running_mean.value[c]) * m_bn_a[i][c];
    }
  }
}

IntegerNetwork::Weighted IntegerNetwork::convert_weighted(size_t i, mapper::Model& model,
                                                          const std::vector<int>& channel_cu,
                                                          const std::vector<int>& order, CodeCache& cache) {
  const Layer& l = m_net.layers[i];
  Weighted W;
  W.layer = int(i);
  W.name = l.name;
  W.geom = l;
  W.src = l.inputs[0];
  const int C = l.out_channels;
  W.order = order;
  if (W.order.empty())
    for (int c = 0; c < C; ++c) W.order.push_back(c);
  if (int(W.order.size()) != C) throw Error("layer '" + l.name + "': the permutation does not cover it");
  const double sx = W.src == kNetworkInput ? std::ldexp(1.0, -m_input_shift) : 1.0 / m_sf[W.src];
  if (W.src != kNetworkInput && m_sf[W.src] <= 0)
    throw Error("layer '" + l.name + "': its input is not quantized (train with a quantized preset)");
  // Batch norm folded into the output stage when it is the layer's only consumer.
  int bn = -1;
  if (m_net.consumers[i].size() == 1 && m_net.layers[m_net.consumers[i][0]].op == Op::kBatchNorm)
    bn = m_net.consumers[i][0];
  if (int(channel_cu.size()) != C) throw Error("layer '" + l.name + "': the mapping does not cover it");
  Node* node = model.find_node(l.name);
  W.cu = channel_cu;
  W.depthwise.resize(C);
  W.w.resize(C);
  W.stage.resize(C);
  const int groups = l.op == Op::kConv2d ? l.groups : 1;
  for (int c = 0; c < C; ++c) {
    const ChannelSource s = channel_source(node, l, c);
    const auto& [codes, scales] = cache.get(s.node, s.option, l.name);
    W.depthwise[c] = s.depthwise;
    const int64_t fan = s.depthwise ? int64_t(l.kernel) * l.kernel : int64_t(codes.size()) / C * groups;
    const int g_out = s.depthwise ? C : C / groups;
    const int64_t block = int64_t(codes.size()) / (s.depthwise ? 1 : groups);
    const int64_t fan_g = s.depthwise ? fan : fan / groups;
    W.w[c].resize(fan_g);
    for (int64_t k = 0; k < fan_g; ++k) W.w[c][k] = codes[(c / g_out) * block + k * g_out + c % g_out];
    double scale = sx * scales[c], b = 0;
    if (const mapper::Parameter* bp = bias_of(s.node)) b = bp->value[c];
    if (bn >= 0) {
      b = b * m_bn_a[bn][c] + m_bn_b[bn][c];
      scale *= m_bn_a[bn][c];
    }
    W.stage[c] = OutputStage::make(scale, b, false);
  }
  if (bn >= 0) m_folded_into[bn] = int(m_weighted.size());
  return W;
}

void IntegerNetwork::check_and_tile(Weighted& W, const SocDescription& soc,
                                    std::vector<bool>& behaviour_done) {
  const Layer& l = m_net.layers[size_t(W.layer)];
  FieldCheck at{soc.origin};
  for (size_t c = 0; c < W.cu.size(); ++c) {
    const int cu = W.cu[c];
    if (!behaviour_done[cu]) {
      m_behaviour[cu] = soc.unit(cu).integer_behaviour(at, "cu[" + std::to_string(cu) + "]");
      behaviour_done[cu] = true;
    }
    const IntegerBehaviour& b = m_behaviour[cu];
    const int64_t wmax = b.weight_bits <= 2 ? 1 : (int64_t(1) << (b.weight_bits - 1)) - 1;
    for (int32_t v : W.w[c])
      if (std::abs(int64_t(v)) > wmax)
        throw Error("layer '" + l.name + "': weight code " + std::to_string(v) + " does not fit " +
                    m_cu_names[cu] + "'s " + std::to_string(b.weight_bits) + "-bit weights");
    const int in_bits = W.src == kNetworkInput ? 8 : m_code_bits[W.src];
    const double worst = double(W.w[c].size()) * double((int64_t(1) << in_bits) - 1) * double(wmax);
    if (!b.analog() && worst > double(b.accumulator_max()))
      throw Error("layer '" + l.name + "': a " + std::to_string(b.accumulator_bits) + "-bit accumulator of " +
                  m_cu_names[cu] + " can overflow (fan-in " + std::to_string(W.w[c].size()) + ")");
    if (b.analog()) {
      W.analog = true;
      const bool lin = l.op == Op::kLinear;
      const int64_t taps = lin ? 1 : int64_t(l.kernel) * l.kernel;
      const int64_t cin = lin ? l.in.elements() : l.in.c;
      W.chunk = b.tile_inputs(taps);
      W.tiles = int((cin + W.chunk - 1) / W.chunk);
    }
  }
}

void IntegerNetwork::convert(mapper::Model& model, const SocDescription& soc,
                             const std::vector<std::vector<int>>& channel_cu,
                             const std::vector<std::vector<int>>& order) {
  const size_t L = m_net.layers.size();
  for (size_t u = 0; u < soc.units.size(); ++u) {
    m_cu_names.push_back(soc.unit(int(u)).name());
    m_behaviour.push_back(IntegerBehaviour{});
  }
  std::vector<bool> behaviour_done(soc.units.size(), false);
  m_weighted_of.assign(L, -1);
  m_folded_into.assign(L, -1);
  read_scales_and_norms(model);
  CodeCache cache;
  for (size_t i = 0; i < L; ++i) {
    if (!m_net.layers[i].has_weights()) continue;
    Weighted W = convert_weighted(i, model, channel_cu[i], order[i], cache);
    check_and_tile(W, soc, behaviour_done);
    const int C = int(W.cu.size());
    std::vector<bool> analog(C);
    for (int c = 0; c < C; ++c) analog[c] = !W.depthwise[c] && m_behaviour[W.cu[c]].analog();
    W.column.assign(C, 0);
    int next = 0;
    for (int c : W.order)
      if (analog[c]) W.column[c] = next++;
    pack(W, analog, W.src == kNetworkInput ? 128 : (int64_t(1) << m_code_bits[W.src]) - 1);
    m_weighted_of[i] = int(m_weighted.size());
    m_weighted.push_back(std::move(W));
  }
}

int IntegerNetwork::weighted_count() const {
  return int(m_weighted.size());
}
const std::string& IntegerNetwork::weighted_name(int w) const {
  return m_weighted[w].name;
}
bool IntegerNetwork::weighted_analog(int w) const {
  return m_weighted[w].analog;
}
bool IntegerNetwork::vectorised(int w) const {
  return m_weighted[w].fast;
}
int IntegerNetwork::row_tiles(int w) const {
  return m_weighted[w].analog ? m_weighted[w].tiles : 0;
}
int64_t IntegerNetwork::adc_max(int w) const {
  for (int cu : m_weighted[w].cu)
    if (m_behaviour[cu].analog()) return m_behaviour[cu].adc_max();
  return 0;
}
IntegerBehaviour IntegerNetwork::analog_behaviour() const {
  for (const Weighted& W : m_weighted)
    for (int cu : W.cu)
      if (m_behaviour[cu].analog()) return m_behaviour[cu];
  IntegerBehaviour none;
  none.adc_bits = 0;
  return none;
}
std::vector<ColumnMismatch> IntegerNetwork::chip_instance(uint64_t seed, uint64_t chip) const {
  std::vector<ColumnMismatch> out;
  for (size_t cu = 0; cu < m_behaviour.size(); ++cu)
    out.push_back(draw_column_mismatch(m_behaviour[cu], seed, chip, int(cu)));
  return out;
}
int IntegerNetwork::adc_shift(int w) const {
  return m_weighted[w].adc_shift;
}
void IntegerNetwork::set_adc_shift(int w, int shift) {
  m_weighted[w].adc_shift = shift;
}
std::string IntegerNetwork::weighted_cus(int w) const {
  std::map<int, int> n;
  for (int cu : m_weighted[w].cu) ++n[cu];
  std::string s;
  for (auto [cu, k] : n) s += (s.empty() ? "" : " ") + m_cu_names[cu] + ":" + std::to_string(k);
  return s;
}

struct ImageRun {
  const RunSettings& s;
  std::mt19937_64 rng;
  std::normal_distribution<double> normal{0.0, 1.0};
};

namespace {

// The mismatch of CU `cu`'s columns in the run's chip instance (null: none).
const ColumnMismatch* mismatch_of(const RunSettings& s, int cu) {
  if (!s.chip || s.ideal_adc || (*s.chip)[size_t(cu)].empty()) return nullptr;
  return &(*s.chip)[size_t(cu)];
}

// Column sums of one AIMC channel (on `column`) at one pixel, through the column's mismatch,
// the read noise and the ADC (hw/cu/analog_nonideality.h), added digitally.
template <class Sum>
int64_t analog_accumulate(const Sum* tile_sums, int tiles, int shift, const IntegerBehaviour& b,
                          const ColumnMismatch* mismatch, int column, ImageRun& r, LayerCounters& k) {
  int64_t acc = 0;
  const bool noisy = !r.s.aimc_noise.none() && !r.s.ideal_adc;
  const double sigma = noisy ? std::ldexp(r.s.aimc_noise.sigma_lsb(b.adc_bits), shift) : 0.0;
  const double lsb = std::ldexp(1.0, shift);
  for (int t = 0; t < tiles; ++t) {
    const int64_t s = tile_sums[t];
    k.max_column_sum = std::max(k.max_column_sum, std::fabs(double(s)));
    if (r.s.ideal_adc) {
      acc += s;
      continue;
    }
    bool clipped = false;
    int64_t code = 0;
    if (noisy || mismatch) {
      const double v = mismatch ? mismatch->apply(double(s), column, lsb) : double(s);
      code = adc_convert(noisy ? v + sigma * r.normal(r.rng) : v, shift, b, &clipped);
    } else {
      code = adc_convert_exact(s, shift, b, &clipped);
    }
    acc += code * (int64_t(1) << shift);
    ++k.conversions;
    k.clipped += clipped;
  }
  return acc;
}

}  // namespace

Trace IntegerNetwork::run(const float* x, const RunSettings& s, uint64_t image) const {
  const size_t L = m_net.layers.size();
  Trace t;
  t.codes.assign(L + 1, {});
  t.counters.assign(m_weighted.size(), {});
  ImageRun r{s, std::mt19937_64(s.noise_seed * 0x9E3779B97F4A7C15ull + image), {}};
  std::vector<std::vector<int64_t>> val(L);
  std::vector<std::vector<int64_t>> codes(L + 1);
  auto input_codes = [&](int src) -> const std::vector<int64_t>& {
    const size_t slot = src == kNetworkInput ? L : size_t(src);
    if (!codes[slot].empty()) return codes[slot];
    std::vector<int64_t>& out = codes[slot];
    if (src == kNetworkInput) {
      const int64_t n = m_net.input.elements();
      out.resize(n);
      for (int64_t e = 0; e < n; ++e)
        out[e] = std::clamp<int64_t>(std::llround(std::ldexp(double(x[e]), m_input_shift)), -128, 127);
    } else {
      const Requantiser q = Requantiser::make(m_sf[src], m_code_bits[src]);
      out.resize(val[src].size());
      for (size_t e = 0; e < out.size(); ++e) out[e] = q.apply(val[src][e]);
    }
    if (s.keep_codes) t.codes[slot] = out;
    return out;
  };
  for (size_t i = 0; i < L; ++i) {
    const Layer& l = m_net.layers[i];
    const auto in = [&](int k) -> const std::vector<int64_t>& { return val[l.inputs[k]]; };
    std::vector<int64_t>& y = val[i];
    if (m_weighted_of[i] >= 0) {
      const Weighted& W = m_weighted[m_weighted_of[i]];
      run_weighted(W, input_codes(W.src), y, r, t.counters[m_weighted_of[i]]);
      continue;
    }
    switch (l.op) {
      case Op::kBatchNorm:
        if (m_folded_into[i] >= 0) {
          y = in(0);
        } else {
          y = in(0);
          const int C = l.out.c;
          for (size_t e = 0; e < y.size(); ++e)
            y[e] = std::llround(double(y[e]) * m_bn_a[i][e % C] + m_bn_b[i][e % C] * kFrac);
        }
        break;
      case Op::kRelu:
        y = in(0);
        for (auto& v : y) v = std::max<int64_t>(v, 0);
        break;
      case Op::kRelu6:
        y = in(0);
        for (auto& v : y) v = std::clamp<int64_t>(v, 0, int64_t(6) << kOutputFracBits);
        break;
      case Op::kAdd:
        y = in(0);
        for (size_t k = 1; k < l.inputs.size(); ++k)
          for (size_t e = 0; e < y.size(); ++e) y[e] += in(int(k))[e];
        break;
      case Op::kFlatten:
        y = in(0);
        break;
      case Op::kAvgPool:
      case Op::kMaxPool:
      case Op::kGlobalAvgPool:
        pool(l, in(0), y);
        break;
      default:
        throw Error("layer '" + l.name + "': op " + op_name(l.op) + " has no integer form");
    }
  }
  t.logits.resize(val[L - 1].size());
  for (size_t k = 0; k < t.logits.size(); ++k) t.logits[k] = double(val[L - 1][k]) / kFrac;
  return t;
}

void IntegerNetwork::pool(const Layer& l, const std::vector<int64_t>& x, std::vector<int64_t>& y) const {
  const int H = l.in.h, Wd = l.in.w, C = l.in.c;
  if (l.op == Op::kGlobalAvgPool) {
    y.assign(C, 0);
    for (int c = 0; c < C; ++c) {
      int64_t sum = 0;
      for (int p = 0; p < H * Wd; ++p) sum += x[int64_t(p) * C + c];
      y[c] = std::llround(double(sum) / double(H * Wd));
    }
    return;
  }
  const int oh = l.out.h, ow = l.out.w, k = l.kernel;
  y.assign(int64_t(oh) * ow * C, 0);
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox)
      for (int c = 0; c < C; ++c) {
        int64_t sum = 0, best = INT64_MIN;
        for (int ky = 0; ky < k; ++ky)
          for (int kx = 0; kx < k; ++kx) {
            const int iy = oy * l.stride - l.padding + ky, ix = ox * l.stride - l.padding + kx;
            if (iy < 0 || ix < 0 || iy >= H || ix >= Wd) continue;
            const int64_t v = x[(int64_t(iy) * Wd + ix) * C + c];
            sum += v;
            best = std::max(best, v);
          }
        // avgpool counts the padding (PyTorch's count_include_pad, mapper/ops/ops_misc.h)
        y[(int64_t(oy) * ow + ox) * C + c] =
            l.op == Op::kMaxPool ? best : std::llround(double(sum) / double(k * k));
      }
}

void IntegerNetwork::run_weighted(const Weighted& W, const std::vector<int64_t>& x, std::vector<int64_t>& y,
                                  ImageRun& run, LayerCounters& k) const {
  if (W.fast && !run.s.plain_loops)
    run_weighted_fast(W, x, y, run, k);
  else
    run_weighted_plain(W, x, y, run, k);
}

// The same integers as run_weighted_plain (integer_kernels.h): per pixel every dot product
// first, then the channels in deployment order (the order the noise is drawn in).
void IntegerNetwork::run_weighted_fast(const Weighted& W, const std::vector<int64_t>& x,
                                       std::vector<int64_t>& y, ImageRun& run, LayerCounters& k) const {
  const Layer& l = W.geom;
  const bool lin = l.op == Op::kLinear;
  const int oh = lin ? 1 : l.out.h, ow = lin ? 1 : l.out.w, C = l.out_channels;
  std::vector<int16_t> patch(size_t(W.patch_len));
  std::vector<int32_t> sums(size_t(W.slots));
  y.assign(int64_t(oh) * ow * C, 0);
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox) {
      gather_patch(l, x, oy, ox, W.tap_major, patch.data());
      for (const Weighted::DotBlock& b : W.blocks) {
        const int16_t* a = patch.data() + b.begin;
        if (b.n == 4) {
          const int16_t* w[4] = {&W.packed[b.w[0]], &W.packed[b.w[1]], &W.packed[b.w[2]], &W.packed[b.w[3]]};
          int32_t out[4];
          dot16x4(a, w, b.len, out);
          for (int j = 0; j < 4; ++j) sums[b.slot[j]] = out[j];
        } else {
          for (int j = 0; j < b.n; ++j) sums[b.slot[j]] = dot16(a, &W.packed[b.w[j]], b.len);
        }
      }
      for (int c : W.order) {
        int64_t acc = sums[W.slot[c]];
        if (W.adc[c])
          acc = analog_accumulate(&sums[W.slot[c]], W.tiles, W.adc_shift, m_behaviour[W.cu[c]],
                                  mismatch_of(run.s, W.cu[c]), W.column[c], run, k);
        y[(int64_t(oy) * ow + ox) * C + c] = apply_output(W.stage[c], acc);
      }
    }
}

void IntegerNetwork::run_weighted_plain(const Weighted& W, const std::vector<int64_t>& x,
                                        std::vector<int64_t>& y, ImageRun& run, LayerCounters& k) const {
  const Layer& l = W.geom;
  const int C = l.out_channels;
  const bool lin = l.op == Op::kLinear;
  const int oh = lin ? 1 : l.out.h, ow = lin ? 1 : l.out.w, K = lin ? 1 : l.kernel;
  const int Cin = lin ? int(l.in.elements()) : l.in.c;
  const int groups = l.op == Op::kConv2d ? l.groups : 1;
  const int cin_g = Cin / groups, cout_g = C / groups;
  std::vector<int64_t> patch(int64_t(K) * K * Cin);
  std::vector<int64_t> tile_sums(std::max(1, W.tiles));
  y.assign(int64_t(oh) * ow * C, 0);
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox) {
      if (lin) {
        std::copy(x.begin(), x.end(), patch.begin());
      } else {
        for (int ky = 0; ky < K; ++ky)
          for (int kx = 0; kx < K; ++kx) {
            const int iy = oy * l.stride - l.padding + ky, ix = ox * l.stride - l.padding + kx;
            const bool inside = iy >= 0 && ix >= 0 && iy < l.in.h && ix < l.in.w;
            int64_t* p = &patch[(int64_t(ky) * K + kx) * Cin];
            for (int ci = 0; ci < Cin; ++ci) p[ci] = inside ? x[(int64_t(iy) * l.in.w + ix) * Cin + ci] : 0;
          }
      }
      for (int c : W.order) {
        const std::vector<int32_t>& w = W.w[c];
        const IntegerBehaviour& b = m_behaviour[W.cu[c]];
        int64_t acc = 0;
        if (W.depthwise[c]) {
          for (int tap = 0; tap < K * K; ++tap) acc += patch[int64_t(tap) * Cin + c] * w[tap];
        } else if (b.analog()) {
          std::fill(tile_sums.begin(), tile_sums.end(), 0);
          for (int tap = 0; tap < K * K; ++tap)
            for (int ci = 0; ci < Cin; ++ci)
              tile_sums[ci / W.chunk] += patch[int64_t(tap) * Cin + ci] * w[int64_t(tap) * Cin + ci];
          acc = analog_accumulate(tile_sums.data(), int(tile_sums.size()), W.adc_shift, b,
                                  mismatch_of(run.s, W.cu[c]), W.column[c], run, k);
        } else {
          const int g = c / cout_g;
          for (int tap = 0; tap < K * K; ++tap) {
            const int64_t* p = &patch[int64_t(tap) * Cin + int64_t(g) * cin_g];
            const int32_t* wr = &w[int64_t(tap) * cin_g];
            for (int ci = 0; ci < cin_g; ++ci) acc += p[ci] * wr[ci];
          }
        }
        y[(int64_t(oy) * ow + ox) * C + c] = W.stage[c].apply(acc);
      }
    }
}

}  // namespace odimo::deploy
