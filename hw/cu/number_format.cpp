#include "hw/cu/number_format.h"

#include <string>

namespace odimo {
namespace {

// "int<N><suffix>" with N in 2..16: N, else 0.
int int_bits(const std::string& q, const std::string& suffix) {
  if (q.size() <= 3 + suffix.size() || q.compare(0, 3, "int") != 0 ||
      q.compare(q.size() - suffix.size(), suffix.size(), suffix) != 0)
    return 0;
  const std::string digits = q.substr(3, q.size() - 3 - suffix.size());
  if (digits.empty() || digits.size() > 2 || digits.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  const int n = std::stoi(digits);
  return n >= 2 && n <= 16 ? n : 0;
}

}  // namespace

bool parse_weight_coding(const std::string& quantizer, NumberFormat* f) {
  using Scale = NumberFormat::WeightScale;
  if (quantizer.empty() || quantizer == "float") {
    f->weight_scale = Scale::kFloat;
    return true;
  }
  if (quantizer == "ternary") {
    f->weight_scale = Scale::kTernaryPerChannel;
    f->weight_bits = 2;
    return true;
  }
  if (const int n = int_bits(quantizer, "-pow2")) {
    f->weight_scale = Scale::kPowerOfTwoPerLayer;
    f->weight_bits = n;
    f->shift_requantisation = true;
    return true;
  }
  if (const int n = int_bits(quantizer, "-per-channel")) {
    f->weight_scale = Scale::kPerChannel;
    f->weight_bits = n;
    return true;
  }
  return false;
}

}  // namespace odimo
