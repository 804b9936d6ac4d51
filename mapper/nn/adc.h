#pragma once
// ADC-aware training: DIANA's AIMC converts each column sum of a row tile
// through a signed `adc_bits` ADC at a per-layer power-of-two gain 2^-g, and the
// tiles' ADC outputs are added digitally (hw/cu/integer_behaviour.h has the formula,
// adc_convert; `odimo deploy` runs it bit-true). AdcNode puts the same conversion in
// the training engine's AIMC branch of a conv or linear layer.
//
// Forward, per output element e of channel c and row tile t (the tile plan of
// IntegerBehaviour::tile_inputs, the one the integer network and the simulator use):
//   n_t  = the tile's integer column sum: sum over the tile's inputs of input code x sf
//          times ternary code (exact in float; the network input's codes are its int8
//          codes round(x * 2^input_shift), as the integer network's);
//   a_t  = adc_convert(n_t [+ noise], g)                  (clamp(round(n_t/2^g), lo, hi))
//   y    = inner(x)[e] + mix_c * sum_t (a_t * 2^g - n_t) * s_c / sf
// where inner is the layer's ordinary node (its weights mix every CU's quantized copy,
// the AIMC's with weight mix_c; `odimo train --quant diana-aimc` has mix_c = 1), s_c the channel's
// ternary scale and sf the input's PACT scale. The output is therefore exactly the
// AIMC's integer result (scaled), plus the other CUs' share.
//
// Stated surrogate (as for a clamp, rounding straight-through): da_t*2^g/dn_t = 1 while
// the conversion is inside the range, 0 when it clipped. So the correction's gradient
// w.r.t. the inputs and weights is -mix_c * dy on clipped conversions and 0 elsewhere,
// i.e. the layer's total gradient through a clipped conversion is 0; dy/dmix_c gets
// sum_t (a_t 2^g - n_t) s_c/sf * dy on top of the inner node's. The correction's
// explicit dependence on s_c and sf is not differentiated (those scales learn through
// the inner node only); the noise is additive (gradient 1).
//
// Gain g: in training mode, the largest |n_t| of the batch (channels with mix_c > 0)
// updates a running value R = 0.9 R + 0.1 max (the first batch sets R; momentum 0.1 as
// batch norm's running statistics: an assumption), and g = adc_shift_for(R), deploy's
// calibration rule; eval mode uses the stored g. R and g are buffers `<layer>.adc_column_max`
// and `<layer>.adc_shift` (the one `odimo deploy` reads, so trained and deployed agree).
//
// Training-time noise (optional): N(0, (sigma_lsb * 2^g)^2) on every n_t, sigma given as a
// fraction of the ADC full scale or in LSBs (hw/cu/analog_nonideality.h), as `odimo deploy
// --aimc-noise`. The draw of tile t's conversion of element e is a function of (seed, step,
// layer, e, t) (mapper/nn/counter_normal.h), the step counted in the adc_column_max buffer,
// so runs and resumes are deterministic and the conversions split over the threads give the
// same bits at any thread count.
//
// Training-time mismatch (optional, `mismatch`): every training step draws a fresh chip
// instance's column gain and offset (hw/cu/analog_nonideality.h: draw_column_mismatch with
// the CU's column_gain_sigma and column_offset_sigma_lsb, seeded by (seed, step, layer)), and
// n_t of channel c is converted as n_t (1 + gain_c) + offset_c 2^g (+ noise): channel c on
// column c (the deployed column depends on the deployment order; the draws are alike for
// every column). Straight-through, as the noise: the surrogate above is unchanged, i.e. the
// gain error is not differentiated (d(a_t 2^g)/dn_t = 1 inside the range, 0 when clipped).
// Eval mode has neither noise nor mismatch.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/cu/analog_nonideality.h"
#include "hw/cu/integer_behaviour.h"
#include "mapper/nn/layers.h"
#include "workloads/network.h"

namespace odimo::mapper {

class Model;

struct AdcTraining {
  IntegerBehaviour cu;  // the AIMC's: adc_bits, tile_rows
  ReadNoise noise;      // training-time read noise (none: 0)
  uint64_t seed = 1;
  bool mismatch = false;  // training-time column mismatch, a fresh chip instance per step (below)
};

class AdcNode : public Node {
 public:
  using MixRow = std::function<const float*()>;  // mix_c of the AIMC option, per channel; null: 1
  using AddMixGrad = std::function<void(const std::vector<float>&)>;  // dL/dmix_c, per channel
  // `inner`: the layer's ConvNode (ungrouped) or LinearNode; `option`: the AIMC's index in
  // its weight source's quantizers() (one with integer codes: ternary on DIANA's AIMC).
  AdcNode(const Layer& layer, std::unique_ptr<Node> inner, int option, const AdcTraining& adc, MixRow mix,
          AddMixGrad add_mix_grad);
  void forward(const RunContext& ctx) override;
  void backward(const RunContext& ctx) override;
  void parameters(std::vector<Parameter*>& out) override { m_inner->parameters(out); }
  void buffers(std::vector<Buffer*>& out) override;
  void weights_loaded() override { m_inner->weights_loaded(); }
  Node& inner() { return *m_inner; }
  // sf of the network input's codes (2^input_shift), for a layer fed by the network input.
  void set_network_input_shift(int shift) { m_input_shift = shift; }
  // The PACT quantizer of the layer's input (null: the network input).
  void set_input_pact(const PactNode* p) { m_pact = p; }
  int row_tiles() const { return m_tiles; }
  int shift() const { return int(m_shift.value[0]); }
  int64_t clipped() const { return m_clipped_count; }  // conversions clipped by the last forward
  // Per output element, the last forward's correction sum_t (a_t 2^g - n_t) s_c / sf (0 where mix_c = 0).
  const std::vector<float>& correction() const { return m_delta; }

 private:
  struct Tiles;
  void tile_sums(const RunContext& ctx, float sf);
  void conv_with_codes(const RunContext& ctx, const float* x, int t, std::vector<float>& y);
  void tile_backward(const RunContext& ctx, int t, const std::vector<float>& du);
  int choose_shift(const RunContext& ctx, const float* mix);
  struct Conversion;
  int64_t convert(const Conversion& k, size_t begin, size_t end);
  WeightQuantizer& quantizer();

  Layer m_layer;
  std::unique_ptr<Node> m_inner;
  int m_option;
  AdcTraining m_adc;
  MixRow m_mix;
  AddMixGrad m_add_mix_grad;
  int m_input_shift = 0;
  const PactNode* m_pact = nullptr;
  bool m_linear;
  int64_t m_chunk = 1;  // inputs (linear) or input channels (conv) per row tile
  int m_tiles = 1;
  static constexpr uint64_t kLayerStreams = 1000003;  // the layer's stream: its name's hash modulo this
  uint64_t m_layer_stream = 0;
  Buffer m_shift, m_column_max;  // {g}; {R, steps}
  std::vector<int32_t> m_codes;
  std::vector<double> m_scale;
  std::vector<std::vector<float>> m_tile_w;  // per tile: the ternary codes of its inputs, 0 elsewhere
  std::vector<std::vector<float>> m_sum;     // per tile: n_t, the integer column sums
  std::vector<std::vector<float>> m_raw;     // network input only: the same of the unrounded input
  std::vector<uint8_t> m_clip;               // per tile and element: the conversion clipped
  std::vector<float> m_delta;                // per element: sum_t (a_t 2^g - n_t) s_c / sf
  int64_t m_clipped_count = 0;
};

// Every AdcNode of `model`.
std::vector<AdcNode*> adc_nodes(Model& model);
// Connects every AdcNode of `model` to the PACT quantizer of its input (or the network
// input's int8 shift, int8_input_shift of mapper/data/data.h): to be called once the model is built.
void configure_adc(Model& model, int input_shift);

}  // namespace odimo::mapper
