#include "mapper/search/refine.h"

#include <algorithm>
#include <numeric>

#include "proto/error.h"

namespace odimo::search {

SplitChoice refine_split(const std::vector<int>& order, int learned, const std::vector<double>& switch_loss,
                         const std::function<double(int)>& layer_cost, double weight) {
  const int C = int(order.size());
  if (learned < 0 || learned > C || int(switch_loss.size()) != C)
    throw Error("refine_split: inconsistent sizes");
  SplitChoice best{learned, learned, 0, 0, learned, 0, 0, 0};
  const double base = layer_cost(learned);
  double best_j = 0;  // a split replaces the learned one only below J = 0
  // Candidates by increasing distance from the learned split (ties: the closest, then the
  // smaller k'); the moved channels' estimated loss change accumulates on each side.
  double down = 0, up = 0;  // channels order[k', learned) leaving option 0; order[learned, k') leaving 1
  for (int d = 1; d <= std::max(learned, C - learned); ++d) {
    for (int k : {learned - d, learned + d}) {
      if (k < 0 || k > C) continue;
      double& moved = k < learned ? down : up;
      moved += switch_loss[size_t(order[size_t(k < learned ? k : k - 1)])];
      const double dr = layer_cost(k) - base;
      if (!(dr < 0)) continue;
      const double j = weight * dr + std::max(0.0, moved);
      if (j < best_j) best_j = j, best = {learned, k, dr, moved, k, 0, 0, dr};
    }
  }
  return best;
}

std::vector<int> split_assignment(const std::vector<int>& order, int k) {
  std::vector<int> a(order.size(), 1);
  for (int i = 0; i < k; ++i) a[size_t(order[size_t(i)])] = 0;
  return a;
}

std::vector<int> preference_order(const LayerArch& arch) {
  const int C = arch.channels();
  std::vector<int> order(static_cast<size_t>(C));
  std::iota(order.begin(), order.end(), 0);
  if (arch.layer().relaxation == Relaxation::kThermometric) return order;  // the contiguous prefix
  const std::vector<float>& alpha = arch.alpha().value;
  auto pref = [&](int c) { return double(alpha[size_t(c)]) - double(alpha[size_t(C + c)]); };
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return pref(x) > pref(y); });
  return order;
}

std::vector<double> switch_losses(const LayerArch& arch) {
  const int C = arch.channels();
  const std::vector<double> g = arch.mean_mix_gradient();  // [option][channel]
  const std::vector<int> a = arch.assignment();
  std::vector<double> loss(static_cast<size_t>(C));
  for (int c = 0; c < C; ++c) {
    const int own = a[size_t(c)], other = 1 - own;
    loss[size_t(c)] = g[size_t(other) * C + c] - g[size_t(own) * C + c];
  }
  return loss;
}

Refinement refine_mapping(const NetworkCost& cost, const std::vector<LayerArch*>& archs, double weight,
                          const Probe& probe) {
  Refinement out;
  std::vector<std::vector<int>> orders(archs.size());
  for (size_t s = 0; s < archs.size(); ++s) {
    const LayerArch& arch = *archs[s];
    std::vector<int> a = arch.assignment();
    const int k = int(std::count(a.begin(), a.end(), 0));
    out.assignments.push_back(a);
    if (arch.options() != 2) {  // both shipped SoCs split between two CUs
      out.layers.push_back({k, k, 0, 0, k, 0, 0, 0});
      continue;
    }
    const int C = arch.channels();
    orders[s] = preference_order(arch);
    auto layer_cost = [&](int k0) { return cost.layer(s, {double(k0), double(C - k0)}, 0, nullptr); };
    out.layers.push_back(refine_split(orders[s], k, switch_losses(arch), layer_cost, weight));
  }
  Measurement base = probe ? probe() : Measurement{};
  for (size_t s = 0; s < archs.size(); ++s) {
    SplitChoice& c = out.layers[s];
    if (c.proposed == c.learned) continue;
    const std::vector<int> proposal = split_assignment(orders[s], c.proposed);
    if (probe) {
      const std::vector<float> learned_alpha = archs[s]->alpha().value;
      archs[s]->force(proposal);
      const Measurement m = probe();
      c.measured_change = m.loss - base.loss;
      c.measured_accuracy_change = m.accuracy - base.accuracy;
      if (!(weight * c.proposed_cost_change + std::max(0.0, c.measured_change) < 0)) {
        archs[s]->alpha().value = learned_alpha;
        c.refined = c.learned, c.cost_change = 0;  // refused: the learned split stays
        continue;
      }
      base = m;  // the next layers are measured on top of this split
    }
    out.assignments[s] = proposal;
  }
  return out;
}

}  // namespace odimo::search
