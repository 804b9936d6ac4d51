// Conversion of a fake-quantized model to the CUs' integer pipelines (integer_network.h);
// one image through them: integer_run.cpp.
#include "mapper/deploy/integer_network.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "mapper/deploy/integer_kernels.h"
#include "mapper/deploy/weighted_layer.h"
#include "mapper/nn/adc.h"
#include "mapper/search/branched_layer.h"
#include "proto/error.h"

namespace odimo::deploy {

using mapper::ConvNode;
using mapper::LinearNode;
using mapper::Node;

namespace {

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

}  // namespace odimo::deploy
