#pragma once
// The integer network `odimo deploy` runs: a fake-quantized model of the training
// engine (mapper::Model, search relaxations frozen to the mapping) converted to the
// integer pipelines of the CUs it is mapped on (hw/cu/integer_behaviour.h).
//
//  - weighted layers (conv, depthwise, linear, Darkside's conv-vs-depthwise block):
//    each output channel is computed by its CU: integer weight codes of that CU's
//    quantizer, unsigned input codes of the consumer's PACT quantizer, exact integer
//    MACs (AIMC: per row tile column sums through the ADC, added digitally), then the
//    output stage (per-channel multiplier + shift with the batch norm that follows
//    folded in) into a fixed-point value (2^-24);
//  - the glue between weighted layers (relu, relu6, add, pools, flatten, a batch norm
//    not after a weighted layer) works on those fixed-point values;
//  - a weighted layer's input is the producer's value requantised by the PACT of the
//    training engine (floor, unsigned, power-of-two scale on DIANA); the network input
//    is int8: round(x * 2^input_shift) of the normalised image.
// Channels are computed in the mapping's deployment order (each CU's channels
// contiguous) and scattered back to the network's channel order.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hw/cu/analog_nonideality.h"
#include "hw/cu/integer_behaviour.h"
#include "hw/soc_description.h"
#include "mapper/nn/model.h"

namespace odimo::deploy {

struct LayerCounters {
  int64_t conversions = 0, clipped = 0;
  double max_column_sum = 0;  // |column sum| before the ADC (calibration)
};

// What one image run leaves behind: logits, and per network layer the input codes a
// weighted consumer saw (empty where none).
struct Trace {
  std::vector<double> logits;
  std::vector<std::vector<int64_t>> codes;  // by producer layer; [layers] = the network input
  std::vector<LayerCounters> counters;      // by weighted layer (weighted() order)
};

struct RunSettings {
  ReadNoise aimc_noise;     // Gaussian read noise on each column sum (hw/cu/analog_nonideality.h)
  uint64_t noise_seed = 0;  // per image: the caller mixes in the image index
  // A chip instance's column mismatch by CU index (IntegerNetwork::chip_instance); null:
  // none. A channel's column is its place among its layer's AIMC channels in deployment
  // order (each layer's AIMC channels side by side from column 0, wrapped at the array's width).
  const std::vector<ColumnMismatch>* chip = nullptr;
  bool ideal_adc = false;  // calibration: no clip, gain 1, column sums recorded
  bool keep_codes = false;
  bool plain_loops = false;  // tests: the plain 64-bit loops instead of integer_kernels.h
};

struct ImageRun;  // per-image state (integer_run.cpp)

class IntegerNetwork {
 public:
  // `channel_cu[layer][c]`: CU index (SoC order) of output channel c of each weighted
  // layer (empty for other layers); `order[layer]`: the deployment permutation.
  IntegerNetwork(mapper::Model& model, const SocDescription& soc,
                 const std::vector<std::vector<int>>& channel_cu, const std::vector<std::vector<int>>& order,
                 int input_shift);
  ~IntegerNetwork();
  IntegerNetwork(const IntegerNetwork&) = delete;
  IntegerNetwork& operator=(const IntegerNetwork&) = delete;

  // One image: x is the normalised (H,W,C) float image the training engine sees.
  Trace run(const float* x, const RunSettings& s, uint64_t image) const;

  struct Weighted;  // one converted weighted layer (weighted_layer.h)
  int weighted_count() const;
  const std::string& weighted_name(int w) const;
  std::string weighted_cus(int w) const;  // "digital:12 aimc:4"
  bool weighted_analog(int w) const;
  int row_tiles(int w) const;
  bool vectorised(int w) const;  // computed with integer_kernels.h (else the plain loops)
  int adc_shift(int w) const;
  void set_adc_shift(int w, int shift);
  int input_shift() const { return m_input_shift; }
  int64_t adc_max(int w) const;  // largest ADC code of the layer's analog CU
  // The integer behaviour of the first analog CU the network uses (adc_bits 0: none).
  IntegerBehaviour analog_behaviour() const;
  // Chip instance `chip` of the run seeded by `seed`: every analog CU's column mismatch
  // (hw/cu/analog_nonideality.h: draw_column_mismatch), by CU index.
  std::vector<ColumnMismatch> chip_instance(uint64_t seed, uint64_t chip) const;

 private:
  void convert(mapper::Model& model, const SocDescription& soc,
               const std::vector<std::vector<int>>& channel_cu, const std::vector<std::vector<int>>& order);
  // convert()'s steps: the PACT scales and batch norms of every layer; one weighted layer's
  // codes and output stages (channels in `order`, batch norm folded where it may be); each
  // CU's integer behaviour and the checks that the layer's channels fit it.
  struct CodeCache;  // integer codes of each (node, option), computed once (integer_network.cpp)
  void read_scales_and_norms(mapper::Model& model);
  Weighted convert_weighted(size_t layer, mapper::Model& model, const std::vector<int>& channel_cu,
                            const std::vector<int>& order, CodeCache& cache);
  void check_and_tile(Weighted& w, const SocDescription& soc, std::vector<bool>& behaviour_done);
  // run()'s steps: the codes a weighted layer reads, a layer between weighted layers, a weighted
  // layer (integer_kernels.h when it fits, else the plain 64-bit loops).
  const std::vector<int64_t>& input_codes(int src, ImageRun& r, Trace& t) const;
  void run_glue(size_t layer, ImageRun& r) const;
  void run_weighted(const Weighted& w, const std::vector<int64_t>& x, std::vector<int64_t>& y, ImageRun& r,
                    LayerCounters& k) const;
  void run_weighted_fast(const Weighted& w, const std::vector<int64_t>& x, std::vector<int64_t>& y,
                         ImageRun& r, LayerCounters& k) const;
  void run_weighted_plain(const Weighted& w, const std::vector<int64_t>& x, std::vector<int64_t>& y,
                          ImageRun& r, LayerCounters& k) const;
  void pool(const Layer& l, const std::vector<int64_t>& x, std::vector<int64_t>& y) const;

  const Network m_net;
  int m_input_shift;
  std::vector<Weighted> m_weighted;
  std::vector<int> m_weighted_of;  // network layer -> index in m_weighted or -1
  std::vector<int> m_folded_into;  // batch-norm layer -> weighted layer that folded it, or -1
  std::vector<double> m_sf;        // producer -> PACT scale of its consumers (0: none)
  std::vector<int> m_code_bits;    // producer -> PACT bits
  std::vector<std::string> m_cu_names;
  std::vector<IntegerBehaviour> m_behaviour;  // by CU index
  // Unfolded batch norms: y = x * a + b per channel.
  std::vector<std::vector<double>> m_bn_a, m_bn_b;
};

}  // namespace odimo::deploy
