#pragma once
// The analytic cost model of a SoC: per-CU cycles of a layer for real-valued
// numbers of output channels n (with d/dn), combined into layer latency and
// energy. Two families behind one interface (ARCHITECTURE.md "Cost models"):
//  - odimo-compat: the original ODiMO formulas and constants (formulas.h),
//    each CU's from its home (hw/cu/); operators ODiMO does not model cost 0;
//  - calibrated: tile-plan features fitted on simulator traces (calibrated_model.h).
#include <memory>
#include <string>
#include <vector>

#include "hw/cu/odimo_formulas.h"
#include "hw/soc_description.h"
#include "mapper/cost/layer_cost.h"

namespace odimo::cost {

class CostModel {
 public:
  virtual ~CostModel() = default;
  virtual std::string name() const = 0;
  // Cycles of every CU (SoC order) when n[i] output channels of `layer` run on
  // CU i computing operator ops[i] (the layer's own, or a mapping variant).
  virtual std::vector<CuTerm> cu_terms(const Layer& layer, const std::vector<double>& n,
                                       const std::vector<Op>& ops) const = 0;

  // Layer latency and energy for the split n (SoC order). Hard max for
  // reporting; a smooth max (rel_temperature > 0) for the search.
  virtual LayerCost layer_cost(const Layer& layer, const std::vector<double>& n, const std::vector<Op>& ops,
                               double rel_temperature = 0) const;
  // The same with default_ops(layer).
  LayerCost layer_cost(const Layer& layer, const std::vector<double>& n, double rel_temperature = 0) const {
    return layer_cost(layer, n, default_ops(layer), rel_temperature);
  }
  // Per CU: the layer's own operator where the CU runs it, else the depthwise
  // variant of a square conv where the CU runs that (Darkside's DWE).
  std::vector<Op> default_ops(const Layer& layer) const;

  // Cycles of n channels of `layer` on CU `cu` alone.
  CuTerm cu_cycles(const Layer& layer, int cu, double n) const;
  const PowerModel& power() const { return m_power; }
  int cu_count() const { return int(m_power.busy_mw.size()); }

 protected:
  explicit CostModel(const SocDescription& soc);
  PowerModel m_power;
  SocDescription m_soc;
};

// ODiMO's formulas, each CU's chosen by its home (CuModel::odimo_cycles): the
// digital array -> DIANA digital, the AIMC -> DIANA AIMC (array shape and MVM
// time from the SoC file), the cluster and the DWE -> Darkside's, the host -> 0
// (ODiMO does not model the host).
std::unique_ptr<CostModel> make_compat_model(const SocDescription& soc, Flavour flavour = Flavour::kCompat);

}  // namespace odimo::cost
