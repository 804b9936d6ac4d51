#pragma once
// Combining per-CU cycles into a layer's latency and energy, with gradients
// with respect to each CU's channel count.
//
// Energy (ARCHITECTURE.md "Energy"; mapper/search/odimo-method.md §4.1/§4.2), one form for both SoCs:
//   E = sum_i busy_i * t_i + sum_i idle_i * (T - t_i) + shared * T,   T = layer latency
// DIANA in ODiMO: busy_D = P_D - P_S, busy_A = P_A - P_S, shared = P_S = P_D + P_A - P_hyb,
// idle = 0 (exactly ODiMO's P_hyb/P_A/P_D formula). Darkside: busy = 168/118, idle = 1.32, shared = 0.
#include <vector>

#include "hw/cu/odimo_formulas.h"

namespace odimo::cost {

struct PowerModel {
  std::vector<double> busy_mw;  // per CU, while it computes (mW)
  std::vector<double> idle_mw;  // per CU, while the layer runs and it does not (mW)
  double shared_mw = 0;         // while the layer runs at all (mW)
  double clock_mhz = 260;
};

struct LayerCost {
  double cycles = 0;               // layer latency T (cycles)
  double energy_uj = 0;            // layer energy (uJ)
  std::vector<double> cu_cycles;   // t_i
  std::vector<double> dcycles_dn;  // dT/dn_i
  std::vector<double> denergy_dn;  // dE/dn_i (uJ per channel)
};

// T = max_i t_i; the gradient flows to the slowest CU only.
LayerCost combine_max(const std::vector<CuTerm>& terms, const PowerModel& power);

// T = sum_i s_i t_i with s = softmax(t / tau), tau = rel_temperature * max_i t_i:
// a max whose sharpness is scaled to the layer's own cost, so small and large
// layers alike see a max (rel_temperature ~ 0.05) rather than a mean.
LayerCost combine_smooth(const std::vector<CuTerm>& terms, const PowerModel& power, double rel_temperature);

}  // namespace odimo::cost
