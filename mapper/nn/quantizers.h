#pragma once
// Fake quantizers with straight-through gradients (mapper/search/odimo-method.md §2).
// Each maps a float tensor to its quantized value in the forward pass; the
// backward pass implements the *stated* surrogate gradient, documented per class.
#include <memory>
#include <string>
#include <vector>

#include "mapper/tensor/tensor.h"

namespace odimo::mapper {

class WeightQuantizer {
 public:
  virtual ~WeightQuantizer() = default;
  virtual std::string kind() const = 0;
  // wq = Q(w); caches what backward needs.
  virtual void forward(const float* w, float* wq) = 0;
  // dw += surrogate dQ/dw * dwq; adds the quantizer's own parameter gradients.
  virtual void backward(const float* w, const float* dwq, float* dw) = 0;
  virtual std::vector<Parameter*> parameters() { return {}; }
  // Re-derives the quantizer's initial parameters from weights `w` (after pretrained
  // weights were loaded, mapper/train/initial_weights.h); the constructors do the same.
  virtual void init(const float* /*w*/) {}
  // The integer form (odimo deploy): codes[i] and per-channel scales with
  // Q(w)[i] = scale[channel(i)] * codes[i]; false for a quantizer without one.
  virtual bool integer_codes(const float* w, std::vector<int32_t>& codes, std::vector<double>& scale) {
    return false;
  }
};

// Signed `bits`-bit codes with one power-of-two scale per layer (DIANA's digital array: 8 bits),
// with q = 2^(bits-1) - 1 (127 for 8 bits):
//   s = 2^floor(log2 s_param),  wq = s * round(q * clamp(w/s, -1, 1)) / q,
//   init s_param = 2^floor(log2(2 max|w|)).
// Surrogate: round and floor(log2) are identity (STE), so dwq/dw = 1[|w| < s] and
// dwq/ds_param = sign(w) * 1[|w| >= s]  (the clamp's exact derivative).
class PowerOfTwoQuantizer : public WeightQuantizer {
 public:
  PowerOfTwoQuantizer(const std::string& name, const ChannelLayout& layout, const float* w, int bits = 8);
  std::string kind() const override { return "int" + std::to_string(m_bits) + "-pow2"; }
  void forward(const float* w, float* wq) override;
  void backward(const float* w, const float* dwq, float* dw) override;
  bool integer_codes(const float* w, std::vector<int32_t>& codes, std::vector<double>& scale) override;
  std::vector<Parameter*> parameters() override { return {&m_scale}; }
  void init(const float* w) override;
  float scale() const;  // the effective power-of-two s

 private:
  ChannelLayout m_layout;
  Parameter m_scale;  // s_param, (1)
  int m_bits;
  float m_levels;  // q
};

// Ternary with a learned per-output-channel scale s_c = exp(p_c):
//   wq = s_c * round(clamp(w/s_c, -1, 1)) in {-s_c, 0, s_c}.
// Init: s_c = 0.8615 * rms(w_c), making -1/0/+1 equiprobable for Gaussian weights
// (p = ln(-2 Phi^-1(1/3) sigma), odimo-method.md §2.1).
// Surrogate (round = identity): inside |w| < s: dwq/dw = 1, dwq/dp = s*(round(w/s) - w/s);
// outside: dwq/dw = 0, dwq/dp = s*sign(w).
class TernaryQuantizer : public WeightQuantizer {
 public:
  TernaryQuantizer(const std::string& name, const ChannelLayout& layout, const float* w);
  std::string kind() const override { return "ternary"; }
  void forward(const float* w, float* wq) override;
  void backward(const float* w, const float* dwq, float* dw) override;
  bool integer_codes(const float* w, std::vector<int32_t>& codes, std::vector<double>& scale) override;
  std::vector<Parameter*> parameters() override { return {&m_log_scale}; }
  void init(const float* w) override;

 private:
  ChannelLayout m_layout;
  Parameter m_log_scale;  // p, (channels)
};

// Signed `bits`-bit codes, symmetric per output channel (Darkside: 8 bits) with
// s_c = max|w_c| / (2^(bits-1) - 1) (not learned): wq = s_c * round(w / s_c).
// Surrogate: identity (nothing is clipped).
class PerChannelQuantizer : public WeightQuantizer {
 public:
  explicit PerChannelQuantizer(const ChannelLayout& layout, int bits = 8)
      : m_layout(layout), m_bits(bits), m_levels(float((1 << (bits - 1)) - 1)) {}
  std::string kind() const override { return "int" + std::to_string(m_bits) + "-per-channel"; }
  void forward(const float* w, float* wq) override;
  void backward(const float* w, const float* dwq, float* dw) override;
  bool integer_codes(const float* w, std::vector<int32_t>& codes, std::vector<double>& scale) override;

 private:
  ChannelLayout m_layout;
  int m_bits;
  float m_levels;  // 2^(bits-1) - 1
  std::vector<float> m_scale;
};

// PACT activation quantizer (Choi et al. 2018) with a learned clip alpha, unsigned `bits`:
//   levels n = 2^bits - 1; sf = n / alpha, rounded down to a power of two when pow2
//   (DIANA's shift requantisation), alpha_eff = n / sf; y = floor(clamp(x, 0, alpha_eff) * sf) / sf.
// Surrogate: dy/dx = 1[0 <= x < alpha_eff]; dy/dalpha = 1[x >= alpha_eff] (floor and the
// power-of-two rounding are identity).
struct PactConfig {
  int bits = 7;
  bool pow2 = true;
  float init_clip = 6.0f;
};
struct PactState {
  float alpha_eff = 0, sf = 0;
};
PactState pact_state(float alpha, const PactConfig& c);
// x, y, dx over `count` values; dalpha is the summed surrogate gradient.
void pact_forward(const PactConfig& c, float alpha, const float* x, float* y, int64_t count);
double pact_backward(const PactConfig& c, float alpha, const float* x, const float* dy, float* dx,
                     bool accumulate, int64_t count);

}  // namespace odimo::mapper
