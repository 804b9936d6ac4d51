#pragma once
// Energy composition, once for the simulator (sim/) and the calibrated cost
// model (mapper/cost/) (hw/README.md "Energy"; ARCHITECTURE.md "Energy"):
//
//   E_layer = shared_power * T + sum over every CU i of
//             [busy_power_i * B_i + idle_power_i * (T - B_i)] + memory energy
//
// T the layer time, B_i the busy cycles of CU i (0 for a CU without a share).
// With DIANA's numbers this is ODiMO's P_S*T + (P_D-P_S)*t_D + (P_A-P_S)*t_A.
// Memory energy of a CU's plan: its kind's CuModel::memory_pj.
// mapper/cost/layer_cost.h holds the same rule with its gradient for the search.
#include "hw/soc_description.h"
#include "hw/tiling.h"

namespace odimo {

// mW over `cycles` at `clock_mhz`, in pJ (mW * us = nJ).
inline double power_pj(double mw, double cycles, double clock_mhz) {
  return mw * cycles / clock_mhz * 1000.0;
}

// busy_power * busy + idle_power * (T - busy), busy clamped to [0, T] (pJ).
double cu_power_pj(const SocDescription& soc, const proto::ComputeUnit& cu, double busy_cycles, double T);

// Off-chip traffic of a layer (hw/layer_plan.h): in = off-chip read + L2 write,
// out = L2 read + off-chip write (pJ). 0 without an off-chip memory.
double off_chip_pj(const SocDescription& soc, int64_t in_bytes, int64_t out_bytes);

}  // namespace odimo
