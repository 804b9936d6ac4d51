#include "mapper/search/arch.h"

#include <algorithm>
#include <cmath>

namespace odimo::search {
namespace {

std::vector<int> shape_of(const SearchableLayer& l) {
  if (l.relaxation == Relaxation::kThermometric) return {l.channels};
  return {int(l.cus.size()), l.channels};
}

// sign with the chosen value at 0 (the original's PyTorch |x| has gradient 0 there).
double sign(double x, bool compat) {
  return x > 0 ? 1.0 : x < 0 ? -1.0 : (compat ? 0.0 : 1.0);
}

}  // namespace

LayerArch::LayerArch(const SearchableLayer& layer, const std::string& name, bool compat)
    : m_layer(layer),
      m_compat(compat),
      m_alpha(name + ".alpha", shape_of(layer), mapper::ParamGroup::kArchitecture, false) {
  const int C = layer.channels;
  if (layer.relaxation == Relaxation::kThermometric) {
    // 'half' init (odimo-method.md §4.2): alpha_c = 1 for c < C/2, else 0, so that
    // theta puts the first half on the first option. Without --compat the zero
    // entries can move (sign(0) = +1).
    for (int c = 0; c < C; ++c) m_alpha.value[c] = c < C / 2 ? 1.0f : 0.0f;
  } else {
    std::fill(m_alpha.value.begin(), m_alpha.value.end(), 0.01f);  // ODiMO: every logit 0.01
  }
}

std::vector<double> LayerArch::thermo_theta() const {
  const int C = m_layer.channels;
  std::vector<double> theta(C);
  double acc = 0;
  for (int c = C - 1; c >= 0; --c) theta[c] = acc += std::abs(m_alpha.value[c]);
  return theta;
}

const std::vector<float>& LayerArch::mix() {
  const int C = m_layer.channels, K = options();
  m_mix.assign(size_t(K) * C, 0.0f);
  if (m_frozen) {
    for (int c = 0; c < C; ++c) m_mix[size_t(m_frozen_assignment[c]) * C + c] = 1.0f;
    return m_mix;
  }
  if (m_layer.relaxation == Relaxation::kThermometric) {
    const auto theta = thermo_theta();
    for (int c = 0; c < C; ++c) {
      const float m = theta[c] > 0.5 ? 1.0f : 0.0f;
      m_mix[c] = m;
      m_mix[size_t(C) + c] = 1.0f - m;
    }
    return m_mix;
  }
  for (int c = 0; c < C; ++c) {
    double top = -1e300, z = 0;
    for (int i = 0; i < K; ++i) top = std::max(top, double(m_alpha.value[size_t(i) * C + c]) / m_temperature);
    for (int i = 0; i < K; ++i)
      z += m_mix[size_t(i) * C + c] = float(std::exp(m_alpha.value[size_t(i) * C + c] / m_temperature - top));
    for (int i = 0; i < K; ++i) m_mix[size_t(i) * C + c] = float(m_mix[size_t(i) * C + c] / z);
  }
  return m_mix;
}

std::vector<double> LayerArch::expected_channels() {
  const int C = m_layer.channels, K = options();
  const auto& s = mix();
  std::vector<double> n(K, 0.0);
  for (int i = 0; i < K; ++i)
    for (int c = 0; c < C; ++c) n[i] += s[size_t(i) * C + c];
  return n;
}

void LayerArch::backward_mix(const std::vector<float>& dmix) {
  if (m_frozen) return;
  m_dmix_sum.resize(dmix.size(), 0.0);
  for (size_t e = 0; e < dmix.size(); ++e) m_dmix_sum[e] += double(dmix[e]);
  ++m_dmix_count;
  alpha_backward(dmix);
}

void LayerArch::reset_switch_statistics() {
  m_dmix_sum.clear();
  m_dmix_count = 0;
}

std::vector<double> LayerArch::mean_mix_gradient() const {
  std::vector<double> mean(size_t(options()) * m_layer.channels, 0.0);
  if (m_dmix_count == 0) return mean;
  for (size_t e = 0; e < mean.size() && e < m_dmix_sum.size(); ++e)
    mean[e] = m_dmix_sum[e] / double(m_dmix_count);
  return mean;
}

void LayerArch::alpha_backward(const std::vector<float>& dmix) {
  const int C = m_layer.channels, K = options();
  if (m_layer.relaxation == Relaxation::kThermometric) {
    // y_c = m_c*a + (1-m_c)*b: dL/dm_c = dmix[0][c] - dmix[1][c]; STE dm/dtheta = 1;
    // dtheta_c/dalpha_j = sign(alpha_j) for j >= c  =>  dL/dalpha_j = sign * sum_{c<=j} dL/dm_c.
    double prefix = 0;
    for (int j = 0; j < C; ++j) {
      prefix += double(dmix[j]) - double(dmix[size_t(C) + j]);
      m_alpha.grad[j] += float(sign(m_alpha.value[j], m_compat) * prefix);
    }
    return;
  }
  // softmax over options per channel: dL/dalpha_jc = s_jc (g_jc - sum_i s_ic g_ic) / T
  for (int c = 0; c < C; ++c) {
    double dot = 0;
    for (int i = 0; i < K; ++i) dot += double(m_mix[size_t(i) * C + c]) * dmix[size_t(i) * C + c];
    for (int j = 0; j < K; ++j) {
      const size_t e = size_t(j) * C + c;
      m_alpha.grad[e] += float(m_mix[e] * (dmix[e] - dot) / m_temperature);
    }
  }
}

void LayerArch::add_cost_gradient(const std::vector<double>& dR_dn, double scale) {
  if (m_frozen) return;
  const int C = m_layer.channels, K = options();
  // n_i = sum_c mix_ic, so dR/dmix_ic = dR/dn_i for every channel.
  std::vector<float> dmix(size_t(K) * C);
  for (int i = 0; i < K; ++i)
    for (int c = 0; c < C; ++c) dmix[size_t(i) * C + c] = float(scale * dR_dn[i]);
  mix();                 // refresh the cached probabilities the backward reads
  alpha_backward(dmix);  // not in the switch statistics: those are the training loss's alone
}

void LayerArch::project() {
  if (m_frozen || m_compat || m_layer.relaxation != Relaxation::kThermometric) return;
  for (float& a : m_alpha.value) a = std::max(a, 0.0f);
}

std::vector<int> LayerArch::assignment() const {
  if (m_frozen) return m_frozen_assignment;
  const int C = m_layer.channels, K = options();
  std::vector<int> a(C, 0);
  if (m_layer.relaxation == Relaxation::kThermometric) {
    const auto theta = thermo_theta();
    for (int c = 0; c < C; ++c) a[c] = theta[c] > 0.5 ? 0 : 1;
    return a;
  }
  for (int c = 0; c < C; ++c)
    for (int i = 1; i < K; ++i)
      if (m_alpha.value[size_t(i) * C + c] > m_alpha.value[size_t(a[c]) * C + c]) a[c] = i;
  return a;
}

void LayerArch::freeze() {
  m_frozen_assignment = assignment();
  m_frozen = true;
}

void LayerArch::force(const std::vector<int>& a) {
  const int C = m_layer.channels, K = options();
  m_frozen = false;
  if (m_layer.relaxation == Relaxation::kThermometric) {
    int k = 0;
    while (k < C && a[k] == 0) ++k;  // the first k channels on option 0
    std::fill(m_alpha.value.begin(), m_alpha.value.end(), 0.0f);
    if (k > 0) m_alpha.value[k - 1] = 1.0f;  // theta_c = 1 for c < k, 0 after
    return;
  }
  for (int c = 0; c < C; ++c)
    for (int i = 0; i < K; ++i) m_alpha.value[size_t(i) * C + c] = i == a[c] ? 1.0f : 0.0f;
}

}  // namespace odimo::search
