#include "validation/validate.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "mapper/cost/cost_report.h"
#include "proto/error.h"
#include "sim/network_run.h"

namespace odimo::validation {
namespace {

// 64-bit LCG (Knuth MMIX): the same random splits on every platform.
uint64_t next(uint64_t& s) {
  s = s * 6364136223846793005ull + 1442695040888963407ull;
  return s >> 33;
}

// Which accelerators (non-host CUs) can run `l`, and with which variant.
std::vector<proto::CuChannels> able(const SocDescription& soc, const Layer& l) {
  std::vector<proto::CuChannels> out;
  for (const auto& unit : soc.units) {
    Op op = l.op;
    if (unit->is_host() || !unit->runnable_op(l, &op)) continue;
    proto::CuChannels c;
    c.set_cu(unit->name());
    if (op != l.op) c.set_variant(op_name(op));
    out.push_back(c);
  }
  // The default CU first: on contiguous-split SoCs it holds the first channels.
  std::stable_sort(out.begin(), out.end(),
                   [&](const auto& a, const auto& b) { return soc.cu_index(a.cu()) < soc.cu_index(b.cu()); });
  return out;
}

// k channels on the first capable CU, the rest on the second.
ResolvedMapping split_mapping(const Network& net, const SocDescription& soc, const std::string& spec,
                              const std::function<int(const Layer&)>& first_share) {
  proto::Mapping m;
  for (const Layer& l : net.layers) {
    if (!l.has_weights()) continue;
    const auto cus = able(soc, l);
    if (cus.size() < 2) continue;
    const int n = l.out.c, k = std::clamp(first_share(l), 0, n);
    auto* lm = m.add_layer();
    lm->set_layer(l.name);
    if (k > 0) {
      auto* a = lm->add_split();
      *a = cus[0];
      a->set_first(0);
      a->set_count(k);
    }
    if (k < n) {
      auto* b = lm->add_split();
      *b = cus[1];
      b->set_first(k);
      b->set_count(n - k);
    }
  }
  ResolvedMapping r = resolve_mapping(net, soc, m, spec);
  r.spec = spec;
  return r;
}

}  // namespace

double rel_error(double predicted, double simulated) {
  return std::abs(predicted - simulated) / std::max(1e-12, std::abs(simulated));
}

std::vector<PointCheck> check_points(const SocDescription& soc, const std::vector<SuitePoint>& points,
                                     const std::vector<sim::JobResult>& results,
                                     const cost::CostModel& calibrated, const cost::CostModel& compat) {
  std::vector<PointCheck> out;
  for (size_t p = 0; p < points.size(); ++p) {
    const SuitePoint& pt = points[p];
    const auto n = cost::channels_per_cu(soc, pt.split);
    const auto ops = cost::ops_per_cu(calibrated, soc, pt.layer, pt.split);
    const cost::LayerCost cal = calibrated.layer_cost(pt.layer, n, ops),
                          cmp = compat.layer_cost(pt.layer, n, ops);
    PointCheck c;
    c.name = pt.name;
    c.group = (pt.cus == 1 ? pt.split.shares[0].cu : std::string("split")) + "/" + op_name(pt.layer.op);
    c.holdout = pt.holdout;
    c.sim_cycles = double(results[p].cycles);
    c.sim_energy_uj = results[p].energy_pj * 1e-6;
    c.cal_cycles = cal.cycles;
    c.cal_energy_uj = cal.energy_uj;
    c.compat_cycles = cmp.cycles;
    c.compat_energy_uj = cmp.energy_uj;
    out.push_back(c);
  }
  return out;
}

std::vector<ResolvedMapping> validation_mappings(const Network& net, const SocDescription& soc,
                                                 int random_splits) {
  std::vector<ResolvedMapping> out;
  for (const auto& cu : soc.soc.cu())
    if (!soc.unit(cu.name()).is_host()) out.push_back(resolve_mapping(net, soc, "all:" + cu.name()));
  out.push_back(split_mapping(net, soc, "balanced", [](const Layer& l) { return l.out.c / 2; }));
  for (int s = 1; s <= random_splits; ++s) {
    uint64_t state = 0x9e3779b97f4a7c15ull * uint64_t(s);
    out.push_back(split_mapping(net, soc, "random:" + std::to_string(s),
                                [&](const Layer& l) { return int(next(state) % uint64_t(l.out.c + 1)); }));
  }
  return out;
}

NetworkCheck check_network(sim::Simulator& simulator, const Network& net, const ResolvedMapping& mapping,
                           const cost::CostModel& calibrated, const cost::CostModel& compat) {
  const SocDescription& soc = simulator.soc();
  const proto::Report sim = sim::simulate_network(simulator, net, mapping, "");
  const proto::Report cal = cost::predict_network(net, soc, mapping, calibrated, "");
  const proto::Report cmp = cost::predict_network(net, soc, mapping, compat, "");
  NetworkCheck c;
  c.network = net.name;
  c.mapping = mapping.spec;
  c.sim_cycles = double(sim.total().cycles());
  c.sim_energy_uj = sim.total().energy_uj();
  c.cal_cycles = double(cal.total().cycles());
  c.cal_energy_uj = cal.total().energy_uj();
  c.compat_cycles = double(cmp.total().cycles());
  c.compat_energy_uj = cmp.total().energy_uj();
  return c;
}

}  // namespace odimo::validation
