// Quantizer forward passes and their surrogate gradients (see quantizers.h).
#include "mapper/nn/quantizers.h"

#include <algorithm>
#include <cmath>

namespace odimo::mapper {
namespace {

float pow2_floor(double v) {
  return float(std::exp2(std::floor(std::log2(std::max(v, 1e-30)))));
}
float sign(float v) {
  return v > 0 ? 1.0f : (v < 0 ? -1.0f : 0.0f);
}

}  // namespace

Parameter::Parameter(std::string n, std::vector<int> s, ParamGroup g, bool d)
    : name(std::move(n)), shape(std::move(s)), group(g), decay(d) {
  int64_t size = 1;
  for (int v : shape) size *= v;
  value.assign(size, 0.0f);
  grad.assign(size, 0.0f);
}

PowerOfTwoQuantizer::PowerOfTwoQuantizer(const std::string& name, const ChannelLayout& layout, const float* w,
                                         int bits)
    : m_layout(layout),
      m_scale(name + ".wq.scale", {1}, ParamGroup::kQuantizer, false),
      m_bits(bits),
      m_levels(float((1 << (bits - 1)) - 1)) {
  init(w);
}
void PowerOfTwoQuantizer::init(const float* w) {
  float m = 0;
  for (int64_t i = 0; i < m_layout.size; ++i) m = std::max(m, std::fabs(w[i]));
  m_scale.value[0] = pow2_floor(2.0 * std::max(m, 1e-8f));
}
float PowerOfTwoQuantizer::scale() const {
  return pow2_floor(m_scale.value[0]);
}

void PowerOfTwoQuantizer::forward(const float* w, float* wq) {
  const float s = scale();
  for (int64_t i = 0; i < m_layout.size; ++i)
    wq[i] = s * std::nearbyint(m_levels * std::clamp(w[i] / s, -1.0f, 1.0f)) / m_levels;
}
void PowerOfTwoQuantizer::backward(const float* w, const float* dwq, float* dw) {
  const float s = scale();
  double ds = 0;
  for (int64_t i = 0; i < m_layout.size; ++i) {
    if (std::fabs(w[i]) < s)
      dw[i] += dwq[i];
    else
      ds += double(dwq[i]) * sign(w[i]);
  }
  m_scale.grad[0] += float(ds);
}

TernaryQuantizer::TernaryQuantizer(const std::string& name, const ChannelLayout& layout, const float* w)
    : m_layout(layout),
      m_log_scale(name + ".wq.log_scale", {layout.channels}, ParamGroup::kQuantizer, false) {
  init(w);
}
void TernaryQuantizer::init(const float* w) {
  const ChannelLayout& layout = m_layout;
  std::vector<double> sq(layout.channels, 0.0), count(layout.channels, 0.0);
  for (int64_t i = 0; i < layout.size; ++i) {
    sq[layout.channel(i)] += double(w[i]) * w[i];
    count[layout.channel(i)] += 1;
  }
  // -2 * Phi^-1(1/3) = 0.86148: thresholds at +-s/2 split N(0, sigma) into thirds.
  for (int c = 0; c < layout.channels; ++c)
    m_log_scale.value[c] = float(std::log(0.86148 * std::max(std::sqrt(sq[c] / count[c]), 1e-8)));
}
void TernaryQuantizer::forward(const float* w, float* wq) {
  for (int64_t i = 0; i < m_layout.size; ++i) {
    const float s = std::exp(m_log_scale.value[m_layout.channel(i)]);
    wq[i] = s * std::nearbyint(std::clamp(w[i] / s, -1.0f, 1.0f));
  }
}
void TernaryQuantizer::backward(const float* w, const float* dwq, float* dw) {
  std::vector<double> dp(m_layout.channels, 0.0);
  for (int64_t i = 0; i < m_layout.size; ++i) {
    const int c = m_layout.channel(i);
    const float s = std::exp(m_log_scale.value[c]);
    const float r = w[i] / s;
    if (std::fabs(r) < 1.0f) {
      dw[i] += dwq[i];
      dp[c] += double(dwq[i]) * s * (std::nearbyint(r) - r);
    } else {
      dp[c] += double(dwq[i]) * s * sign(w[i]);
    }
  }
  for (int c = 0; c < m_layout.channels; ++c) m_log_scale.grad[c] += float(dp[c]);
}

void PerChannelQuantizer::forward(const float* w, float* wq) {
  m_scale.assign(m_layout.channels, 0.0f);
  for (int64_t i = 0; i < m_layout.size; ++i)
    m_scale[m_layout.channel(i)] = std::max(m_scale[m_layout.channel(i)], std::fabs(w[i]));
  for (float& s : m_scale) s = std::max(s, 1e-12f) / m_levels;
  for (int64_t i = 0; i < m_layout.size; ++i) {
    const float s = m_scale[m_layout.channel(i)];
    wq[i] = s * std::nearbyint(w[i] / s);
  }
}
void PerChannelQuantizer::backward(const float*, const float* dwq, float* dw) {
  for (int64_t i = 0; i < m_layout.size; ++i) dw[i] += dwq[i];
}

bool PowerOfTwoQuantizer::integer_codes(const float* w, std::vector<int32_t>& codes,
                                        std::vector<double>& scale) {
  const float s = this->scale();
  codes.resize(m_layout.size);
  for (int64_t i = 0; i < m_layout.size; ++i)
    codes[i] = int32_t(std::nearbyint(m_levels * std::clamp(w[i] / s, -1.0f, 1.0f)));
  scale.assign(m_layout.channels, double(s) / double(m_levels));
  return true;
}
bool TernaryQuantizer::integer_codes(const float* w, std::vector<int32_t>& codes,
                                     std::vector<double>& scale) {
  codes.resize(m_layout.size);
  scale.resize(m_layout.channels);
  for (int c = 0; c < m_layout.channels; ++c) scale[c] = double(std::exp(m_log_scale.value[c]));
  for (int64_t i = 0; i < m_layout.size; ++i) {
    const float s = std::exp(m_log_scale.value[m_layout.channel(i)]);
    codes[i] = int32_t(std::nearbyint(std::clamp(w[i] / s, -1.0f, 1.0f)));
  }
  return true;
}
bool PerChannelQuantizer::integer_codes(const float* w, std::vector<int32_t>& codes,
                                        std::vector<double>& scale) {
  std::vector<float> wq(m_layout.size);
  forward(w, wq.data());  // sets m_scale
  codes.resize(m_layout.size);
  for (int64_t i = 0; i < m_layout.size; ++i)
    codes[i] = int32_t(std::nearbyint(w[i] / m_scale[m_layout.channel(i)]));
  scale.assign(m_scale.begin(), m_scale.end());
  return true;
}

PactState pact_state(float alpha, const PactConfig& c) {
  const double levels = std::exp2(c.bits) - 1;
  const double a = std::max(double(alpha), 1e-6);
  PactState s;
  s.sf = c.pow2 ? pow2_floor(levels / a) : float(levels / a);
  s.alpha_eff = float(levels / s.sf);
  return s;
}
void pact_forward(const PactConfig& c, float alpha, const float* x, float* y, int64_t count) {
  const PactState s = pact_state(alpha, c);
  for (int64_t i = 0; i < count; ++i) y[i] = std::floor(std::clamp(x[i], 0.0f, s.alpha_eff) * s.sf) / s.sf;
}
double pact_backward(const PactConfig& c, float alpha, const float* x, const float* dy, float* dx,
                     bool accumulate, int64_t count) {
  const PactState s = pact_state(alpha, c);
  double dalpha = 0;
  for (int64_t i = 0; i < count; ++i) {
    const bool pass = x[i] >= 0 && x[i] < s.alpha_eff;
    if (x[i] >= s.alpha_eff) dalpha += dy[i];
    const float g = pass ? dy[i] : 0.0f;
    dx[i] = accumulate ? dx[i] + g : g;
  }
  return dalpha;
}

}  // namespace odimo::mapper
