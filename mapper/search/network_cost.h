#pragma once
// The network cost the search regularises with (odimo-method.md §4): the sum
// over layers of each layer's latency (or energy) under the cost model, for
// real-valued channel counts on the searchable layers, with dR/dn; the other
// layers keep their fixed mapping and add a constant.
#include <vector>

#include "hw/mapping.h"
#include "mapper/cost/cost_model.h"
#include "mapper/search/search_space.h"

namespace odimo::search {

enum class Target { kLatency, kEnergy };
Target parse_target(const std::string& text);
const char* target_name(Target t);

class NetworkCost {
 public:
  // `base`: the mapping of every layer outside the search space (the SoC default).
  NetworkCost(const Network& net, const SocDescription& soc, const cost::CostModel& model,
              std::vector<SearchableLayer> space, Target target);

  const std::vector<SearchableLayer>& space() const { return m_space; }
  Target target() const { return m_target; }
  // Cost of the layers outside the search space (cycles or uJ).
  double fixed() const { return m_fixed; }
  // Cost of searchable layer s with n[i] channels on option i; dR/dn into *grad
  // when given. rel_temperature > 0: smooth max (search); 0: hard max (reporting).
  double layer(size_t s, const std::vector<double>& n, double rel_temperature,
               std::vector<double>* grad) const;
  // fixed() + sum of layer().
  double total(const std::vector<std::vector<double>>& n, double rel_temperature) const;
  // Channel counts per option of a discrete assignment (option index per channel).
  static std::vector<double> counts(const std::vector<int>& assignment, int options);

 private:
  const Network& m_net;
  const SocDescription& m_soc;
  const cost::CostModel& m_model;
  std::vector<SearchableLayer> m_space;
  Target m_target;
  double m_fixed = 0;
  std::vector<std::vector<Op>> m_ops;  // per searchable layer, per CU of the SoC
};

// Baseline assignments (odimo-method.md §8.2), option index per channel per searchable layer:
// everything on option `option` where the layer offers it;
std::vector<std::vector<int>> all_on(const std::vector<SearchableLayer>& space, const SocDescription& soc,
                                     const std::string& cu);
// the SoC's own deployment rule (`policy` in its description: first/last layer and
// layers with few input channels on one CU, the rest on another); throws when the
// SoC has none. A layer that does not offer the chosen CU keeps its first option.
std::vector<std::vector<int>> policy_assignment(const std::vector<SearchableLayer>& space, const Network& net,
                                                const SocDescription& soc);
// per layer the contiguous split (first k channels on option 0, k a multiple of
// `granularity` or C) with the lowest cost alone. With the odimo-compat model and
// the latency target this is ODiMO's "min-latency" heuristic; with the calibrated
// model it is our greedy baseline.
std::vector<std::vector<int>> best_split_per_layer(const NetworkCost& cost, int granularity);

}  // namespace odimo::search
