#pragma once
// How one layer's shares are planned, once for the simulator (sim/) and the
// calibrated cost model (mapper/cost/), so both see the same tiles and traffic:
//  - every CU must be able to run its share's operator (CuModel::can_run);
//  - the L1 budget: each L1 is divided equally among the CUs of the layer using it;
//  - the shared-input rule: CUs of one layer that share an L1 and each need the
//    whole input resident read one copy of it — the first loads it, the others'
//    first tiles move no input bytes and wait for it (DIANA's activation memory).
// Pure plan arithmetic, no SystemC.
#include <cstdint>
#include <vector>

#include "hw/mapping.h"
#include "hw/tiling.h"

namespace odimo {

struct LayerPlan {
  std::vector<JobPlan> plans;  // parallel to the shares
  // per share, the index of the share whose input load it waits for, or -1
  // (it loads its own input, or it is the loader)
  std::vector<int> waits_for;
};

// Bytes of `cu`'s L1 one share may use when `sharing` CUs of the layer use that L1;
// 0 for a CU that works in L2.
int64_t l1_budget(const SocDescription& soc, const proto::ComputeUnit& cu, int sharing);

// Plans `shares` of `layer`; `name` (the job's) labels errors. Throws Error when a
// CU cannot run its share, a CU has two shares or none of the channels, or a tile cannot fit.
LayerPlan plan_layer(const SocDescription& soc, const Layer& layer, const std::vector<CuShare>& shares,
                     const std::string& name);

}  // namespace odimo
