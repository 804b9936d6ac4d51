#include "mapper/search/quantization.h"

#include <algorithm>

namespace odimo::search {

mapper::WeightCoding weight_coding(const NumberFormat& f) {
  using Scale = mapper::WeightCoding::Scale;
  mapper::WeightCoding c;
  c.bits = f.weight_bits;
  c.adc = f.adc;
  switch (f.weight_scale) {
    case NumberFormat::WeightScale::kFloat:
      c.scale = Scale::kFloat;
      break;
    case NumberFormat::WeightScale::kPowerOfTwoPerLayer:
      c.scale = Scale::kPowerOfTwoPerLayer;
      break;
    case NumberFormat::WeightScale::kPerChannel:
      c.scale = Scale::kPerChannel;
      break;
    case NumberFormat::WeightScale::kTernaryPerChannel:
      c.scale = Scale::kTernaryPerChannel;
      break;
  }
  return c;
}

mapper::PactConfig activation_coding(const SocDescription& soc) {
  mapper::PactConfig c;
  c.bits = 0;
  c.pow2 = false;
  c.init_clip = 6.0f;  // ODiMO's init for hidden activations
  for (const auto& unit : soc.units) {
    const NumberFormat f = unit->number_format();
    if (f.activation_bits > 0) c.bits = c.bits ? std::min(c.bits, f.activation_bits) : f.activation_bits;
    c.pow2 = c.pow2 || f.shift_requantisation;
  }
  if (c.bits == 0) c.bits = 8;  // assumption: 8-bit activations when no CU states its width
  return c;
}

int cu_running(const SocDescription& soc, const Layer& layer, int cu) {
  if (soc.unit(cu).can_run(layer, layer.op)) return cu;
  for (const std::string& f : soc.soc.fallback())
    if (soc.unit(f).can_run(layer, layer.op)) return soc.cu_index(f);
  return soc.cu_index(soc.soc.default_cu());
}

mapper::Quantization quantization_on(const SocDescription& soc, int cu, const std::string& name) {
  mapper::Quantization q;
  q.name = name;
  q.activations = activation_coding(soc);
  auto on = std::make_shared<const SocDescription>(soc);  // the quantization may outlive `soc`
  q.weights = [on, cu](const Layer& l) {
    return weight_coding(on->unit(cu_running(*on, l, cu)).number_format());
  };
  return q;
}

std::unique_ptr<mapper::WeightQuantizer> quantizer_for(const SocDescription& soc, int cu,
                                                       const std::string& name,
                                                       const mapper::ChannelLayout& layout, const float* w) {
  return mapper::make_weight_quantizer(weight_coding(soc.unit(cu).number_format()), name, layout, w);
}

}  // namespace odimo::search
