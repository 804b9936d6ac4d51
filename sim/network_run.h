#pragma once
// Runs a mapped network on the virtual SoC and builds the report
// (proto/report.proto): per layer and per CU cycles, stalls, bytes, energy;
// fused and view layers are listed with 0 cycles and a note.
#include <string>

#include "hw/mapping.h"
#include "proto/report.pb.h"
#include "sim/simulator.h"
#include "workloads/network.h"

namespace odimo::sim {

proto::Report simulate_network(Simulator& simulator, const Network& net, const ResolvedMapping& mapping,
                               const std::string& tool_version);

}  // namespace odimo::sim
