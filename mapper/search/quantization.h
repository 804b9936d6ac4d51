#pragma once
// A SoC's number formats as the training engine's quantization (mapper/nn/model.h). Each CU's
// format comes from its home (CuModel::number_format, hw/cu/number_format.h): a new kind of
// CU with a format of its own needs no change here, nor anywhere else in mapper/.
#include <memory>
#include <optional>
#include <string>

#include "hw/soc_description.h"
#include "mapper/nn/model.h"

namespace odimo::search {

// The coding of a format's weights (behind an ADC when the format has one).
mapper::WeightCoding weight_coding(const NumberFormat& f);

// The activation codes every weighted layer of a network on `soc` reads (one PACT per producer,
// shared by whichever CUs consume it): the narrowest `activation_bits` any CU states (8 when none
// does: assumption), power-of-two scales when any CU requantises by a shift.
mapper::PactConfig activation_coding(const SocDescription& soc);

// The CU a whole-layer mapping to `cu` puts `layer` on (hw/mapping.h): `cu` when it can run it,
// else the first of the SoC's fallback CUs that can (else the default CU).
int cu_running(const SocDescription& soc, const Layer& layer, int cu);

// The quantization of a network whose weighted layers run on CU `cu` of `soc` (cu_running),
// named `name` in checkpoints and reports.
mapper::Quantization quantization_on(const SocDescription& soc, int cu, const std::string& name);

// The quantizer of the weights of CU `cu` of `soc`; null when its format is float.
std::unique_ptr<mapper::WeightQuantizer> quantizer_for(const SocDescription& soc, int cu,
                                                       const std::string& name,
                                                       const mapper::ChannelLayout& layout, const float* w);

}  // namespace odimo::search
