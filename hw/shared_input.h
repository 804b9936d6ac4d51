#pragma once
// CUs of one layer that share an L1 and each need the whole input resident read
// one copy of it: the first loads it, the others' first tiles move no input
// bytes and wait for it. Pure plan arithmetic, used by the simulator (sim/) and
// by the calibrated cost model (mapper/cost/) so that both see the same traffic.
#include <vector>

#include "hw/mapping.h"
#include "hw/tiling.h"

namespace odimo {

// Adjusts `plans` (parallel to `shares`) in place. Returns, per share, the index
// of the share whose input load it waits for, or -1 (it loads its own, or is the loader).
std::vector<int> share_inputs(const SocDescription& soc, const Layer& layer,
                              const std::vector<CuShare>& shares, std::vector<JobPlan>& plans);

}  // namespace odimo
