#pragma once
// A mapped network's predicted latency and energy as a Report
// (proto/report.proto), laid out exactly like the simulator's.
#include <string>

#include "hw/mapping.h"
#include "mapper/cost/cost_model.h"
#include "proto/report.pb.h"

namespace odimo::cost {

proto::Report predict_network(const Network& net, const SocDescription& soc, const ResolvedMapping& mapping,
                              const CostModel& model, const std::string& tool_version);

// Channels per CU (SoC order) of one resolved layer.
std::vector<double> channels_per_cu(const SocDescription& soc, const LayerSplit& split);
// Operator per CU (SoC order): each share's own (variants included), the model's default elsewhere.
std::vector<Op> ops_per_cu(const CostModel& model, const SocDescription& soc, const Layer& layer,
                           const LayerSplit& split);

}  // namespace odimo::cost
