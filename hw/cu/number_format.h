#pragma once
// The numbers a CU computes with, as its home states them (CuModel::number_format): the
// format the training engine fake-quantizes a layer's weights to when this CU runs it, the
// activation codes it reads, and whether its sums pass through an ADC. The search maps a
// format to a quantizer without knowing the kind (mapper/search/quantization.h).
//
// In a SoC file the format is the CU's `format` block (proto/soc.proto NumericFormat);
// `format.quantizer` names the weight coding:
//   "int<N>-pow2"         N-bit signed codes, one power-of-two scale per layer; the CU
//                         requantises by a shift, so the activations it reads have
//                         power-of-two scales too (DIANA's digital array: "int8-pow2");
//   "int<N>-per-channel"  N-bit signed codes, one scale per output channel (max |w| / (2^(N-1) - 1));
//   "ternary"             {-1, 0, 1} with a learned scale per output channel (DIANA's AIMC);
//   "float" or ""         not quantized.
// N is 2..16 and equals `format.weight_bits` when that is given.
#include <string>

namespace odimo {

struct NumberFormat {
  enum class WeightScale { kFloat, kPowerOfTwoPerLayer, kPerChannel, kTernaryPerChannel };
  WeightScale weight_scale = WeightScale::kFloat;
  int weight_bits = 8;                // signed codes in [-(2^(b-1) - 1), 2^(b-1) - 1]; ternary: 2
  int activation_bits = 8;            // unsigned codes of the inputs it reads (0: not stated)
  bool shift_requantisation = false;  // activation scales must be powers of two
  bool adc = false;                   // every column sum passes through a signed ADC ...
  int adc_bits = 0;                   // ... this wide (0: not stated)
};

// Parses a `format.quantizer` value (above) into `f`'s weight coding; false if it names none.
bool parse_weight_coding(const std::string& quantizer, NumberFormat* f);

}  // namespace odimo
