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

// Traffic between the off-chip memory and L2 of a layer that does not fit L2.
// Rule (assumption, first order): when the layer's input, output and weights
// (8 bits per weight, 32-bit bias) together exceed L2 and the SoC names an
// `off_chip` memory, all three stream through L2 — input and weights in, output
// out, each byte once — on one off-chip DMA channel running beside the CUs (L2
// staged with double buffers, as DORY does at the L3 level): the layer takes at
// least the transfer time, and the transfers occupy the L2 port like any other.
struct OffChipTraffic {
  int64_t in_bytes = 0;   // off-chip -> L2 (bytes)
  int64_t out_bytes = 0;  // L2 -> off-chip (bytes)
  bool any() const { return in_bytes + out_bytes > 0; }
};
OffChipTraffic off_chip_traffic(const SocDescription& soc, const Layer& layer);
// First-order time of that traffic on an idle L2 port: per direction the DMA setup
// and the off-chip first-word latency, plus bytes at the off-chip port width (cycles).
double off_chip_cycles(const SocDescription& soc, const OffChipTraffic& traffic);
// Bytes a layer keeps in L2 while it runs: input + output + weights (8-bit, 32-bit bias).
int64_t layer_l2_bytes(const Layer& layer);

// Bytes of `cu`'s L1 one share may use when `sharing` CUs of the layer use that L1;
// 0 for a CU that works in L2.
int64_t l1_budget(const SocDescription& soc, const proto::ComputeUnit& cu, int sharing);

// Plans `shares` of `layer`; `name` (the job's) labels errors. Throws Error when a
// CU cannot run its share, a CU has two shares or none of the channels, or a tile cannot fit.
LayerPlan plan_layer(const SocDescription& soc, const Layer& layer, const std::vector<CuShare>& shares,
                     const std::string& name);

}  // namespace odimo
