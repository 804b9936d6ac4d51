#include "mapper/cost/cost_model.h"

namespace odimo::cost {
namespace {

// ODiMO's formulas, each CU's from its home (CuModel::odimo_cycles).
class CompatModel : public CostModel {
 public:
  CompatModel(const SocDescription& soc, Flavour flavour) : CostModel(soc), m_flavour(flavour) {}
  std::string name() const override { return "odimo-compat"; }

  std::vector<CuTerm> cu_terms(const Layer& layer, const std::vector<double>& n,
                               const std::vector<Op>& ops) const override {
    std::vector<CuTerm> t(cu_count());
    for (int i = 0; i < cu_count() && i < int(n.size()); ++i) t[i] = one(layer, i, n[i], ops.at(i));
    return t;
  }

 private:
  CuTerm one(const Layer& layer, int cu, double n, Op op) const {
    if (!layer.has_weights() || n <= 0) return {};
    Geometry g = Geometry::of(layer);
    if (op != layer.op) {  // a mapping variant: standard conv or depthwise over the same shapes
      g.op = op;
      g.groups = op == Op::kDepthwise ? g.c_in : 1;
    }
    return m_soc.unit(cu).odimo_cycles(m_soc, g, n, m_flavour);
  }

  Flavour m_flavour;
};

}  // namespace

CostModel::CostModel(const SocDescription& soc) : m_soc(soc) {
  m_power.clock_mhz = soc.clock_mhz();
  m_power.shared_mw = soc.soc.shared_power_mw();
  for (const auto& cu : soc.soc.cu()) {
    m_power.busy_mw.push_back(cu.busy_power_mw());
    m_power.idle_mw.push_back(cu.idle_power_mw());
  }
}

CuTerm CostModel::cu_cycles(const Layer& layer, int cu, double n) const {
  std::vector<double> ns(cu_count(), 0.0);
  ns.at(cu) = n;
  return cu_terms(layer, ns, default_ops(layer))[cu];
}

std::vector<Op> CostModel::default_ops(const Layer& layer) const {
  std::vector<Op> ops;
  for (const auto& unit : m_soc.units) {
    Op op = layer.op;
    ops.push_back(unit->runnable_op(layer, &op) ? op : layer.op);
  }
  return ops;
}

LayerCost CostModel::layer_cost(const Layer& layer, const std::vector<double>& n, const std::vector<Op>& ops,
                                double rel_temperature) const {
  const std::vector<CuTerm> terms = cu_terms(layer, n, ops);
  return rel_temperature > 0 ? combine_smooth(terms, m_power, rel_temperature) : combine_max(terms, m_power);
}

std::unique_ptr<CostModel> make_compat_model(const SocDescription& soc, Flavour flavour) {
  return std::make_unique<CompatModel>(soc, flavour);
}

}  // namespace odimo::cost
