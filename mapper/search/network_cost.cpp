#include "mapper/search/network_cost.h"

#include <limits>

#include "mapper/cost/cost_report.h"
#include "proto/error.h"

namespace odimo::search {

Target parse_target(const std::string& text) {
  if (text == "latency") return Target::kLatency;
  if (text == "energy") return Target::kEnergy;
  throw Error("--target '" + text + "': expected latency or energy");
}

const char* target_name(Target t) {
  return t == Target::kLatency ? "latency" : "energy";
}

NetworkCost::NetworkCost(const Network& net, const SocDescription& soc, const cost::CostModel& model,
                         std::vector<SearchableLayer> space, Target target)
    : m_net(net), m_soc(soc), m_model(model), m_space(std::move(space)), m_target(target) {
  const ResolvedMapping base = resolve_mapping(net, soc, "");
  std::vector<bool> searched(net.layers.size(), false);
  for (const auto& s : m_space) {
    searched[s.layer] = true;
    std::vector<Op> ops = model.default_ops(net.layers[s.layer]);
    for (size_t i = 0; i < s.cus.size(); ++i)
      if (!s.variants[i].empty()) ops[s.cus[i]] = *op_from_name(s.variants[i]);
    m_ops.push_back(ops);
  }
  for (size_t i = 0; i < net.layers.size(); ++i) {
    if (searched[i] || !base.layers[i].runs()) continue;
    const Layer& l = net.layers[i];
    const cost::LayerCost c = model.layer_cost(l, cost::channels_per_cu(soc, base.layers[i]),
                                               cost::ops_per_cu(model, soc, l, base.layers[i]));
    m_fixed += target == Target::kLatency ? c.cycles : c.energy_uj;
  }
}

double NetworkCost::layer(size_t s, const std::vector<double>& n, double rel_temperature,
                          std::vector<double>* grad) const {
  const SearchableLayer& sl = m_space[s];
  std::vector<double> per_cu(m_soc.soc.cu_size(), 0.0);
  for (size_t i = 0; i < sl.cus.size(); ++i) per_cu[sl.cus[i]] = n[i];
  const cost::LayerCost c = m_model.layer_cost(m_net.layers[sl.layer], per_cu, m_ops[s], rel_temperature);
  const bool lat = m_target == Target::kLatency;
  if (grad) {
    grad->assign(sl.cus.size(), 0.0);
    for (size_t i = 0; i < sl.cus.size(); ++i)
      (*grad)[i] = lat ? c.dcycles_dn[sl.cus[i]] : c.denergy_dn[sl.cus[i]];
  }
  return lat ? c.cycles : c.energy_uj;
}

double NetworkCost::total(const std::vector<std::vector<double>>& n, double rel_temperature) const {
  double r = m_fixed;
  for (size_t s = 0; s < m_space.size(); ++s) r += layer(s, n[s], rel_temperature, nullptr);
  return r;
}

std::vector<double> NetworkCost::counts(const std::vector<int>& assignment, int options) {
  std::vector<double> n(options, 0.0);
  for (int a : assignment) n[a] += 1;
  return n;
}

namespace {

int option_of(const SearchableLayer& s, int cu) {
  for (size_t i = 0; i < s.cus.size(); ++i)
    if (s.cus[i] == cu) return int(i);
  return 0;
}

}  // namespace

std::vector<std::vector<int>> all_on(const std::vector<SearchableLayer>& space, const SocDescription& soc,
                                     const std::string& cu) {
  const int idx = soc.cu_index(cu);
  if (idx < 0) throw Error("unknown CU '" + cu + "' (CUs: " + soc.cu_names() + ")");
  std::vector<std::vector<int>> out;
  for (const auto& s : space) {
    out.push_back(std::vector<int>(s.channels, option_of(s, idx)));  // else its first option
  }
  return out;
}

std::vector<std::vector<int>> policy_assignment(const std::vector<SearchableLayer>& space, const Network& net,
                                                const SocDescription& soc) {
  if (!soc.soc.has_policy())
    throw Error("SoC '" + soc.name() + "' has no deployment policy (field 'policy' of its description)");
  const proto::DeploymentPolicy& p = soc.soc.policy();
  const int main_cu = soc.cu_index(p.cu()), other_cu = soc.cu_index(p.otherwise());
  std::vector<std::vector<int>> out;
  for (size_t i = 0; i < space.size(); ++i) {
    const Layer& l = net.layers[size_t(space[i].layer)];
    const bool caught = (p.first_layer() && i == 0) || (p.last_layer() && i + 1 == space.size()) ||
                        l.in.c < p.min_input_channels();
    out.push_back(std::vector<int>(space[i].channels, option_of(space[i], caught ? other_cu : main_cu)));
  }
  return out;
}

std::vector<std::vector<int>> best_split_per_layer(const NetworkCost& cost, int granularity) {
  std::vector<std::vector<int>> out;
  for (size_t s = 0; s < cost.space().size(); ++s) {
    const int C = cost.space()[s].channels;
    if (cost.space()[s].cus.size() != 2) {  // splits between two CUs only (both shipped SoCs)
      out.push_back(std::vector<int>(C, 0));
      continue;
    }
    int best_k = C;
    double best = std::numeric_limits<double>::infinity();
    for (int k = 0; k <= C; k = (k == C) ? C + 1 : std::min(C, k + granularity)) {
      const double r = cost.layer(s, {double(k), double(C - k)}, 0, nullptr);
      if (r < best) {
        best = r;
        best_k = k;
      }
    }
    std::vector<int> a(C, 1);
    std::fill(a.begin(), a.begin() + best_k, 0);
    out.push_back(a);
  }
  return out;
}

}  // namespace odimo::search
