#pragma once
// The analytic cost model of a SoC: per-CU cycles of a layer for a real-valued
// number of output channels n (with d/dn), combined into layer latency and
// energy. Two families behind one interface (DESIGN.md §6):
//  - odimo-compat: the original ODiMO formulas and constants (formulas.h),
//    chosen per CU by its kind; operators ODiMO does not model cost 0;
//  - calibrated: coefficients fitted on simulator traces (added with `odimo calibrate`).
#include <memory>
#include <string>
#include <vector>

#include "hw/soc_description.h"
#include "mapper/cost/formulas.h"
#include "mapper/cost/layer_cost.h"

namespace odimo::cost {

class CostModel {
 public:
  virtual ~CostModel() = default;
  virtual std::string name() const = 0;
  // Cycles of `layer` when n of its output channels run on CU `cu` (SoC order).
  virtual CuTerm cu_cycles(const Layer& layer, int cu, double n) const = 0;

  // n[i]: output channels on CU i (SoC order). Hard max for reporting; the
  // smooth max (rel_temperature > 0) for the search.
  LayerCost layer_cost(const Layer& layer, const std::vector<double>& n, double rel_temperature = 0) const;
  const PowerModel& power() const { return m_power; }
  int cu_count() const { return int(m_power.busy_mw.size()); }

 protected:
  explicit CostModel(const SocDescription& soc);
  PowerModel m_power;
};

// ODiMO's formulas: DIGITAL_ARRAY -> DIANA digital, AIMC -> DIANA AIMC (array
// shape and MVM time from the SoC file), RISCV_CLUSTER -> Darkside cluster,
// DWE -> Darkside DWE, RISCV_HOST -> 0 (ODiMO does not model the host).
std::unique_ptr<CostModel> make_compat_model(const SocDescription& soc, Flavour flavour = Flavour::kCompat);

}  // namespace odimo::cost
