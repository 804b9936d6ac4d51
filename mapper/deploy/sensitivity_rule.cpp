// The sensitivity baseline's ranking and greedy conversion (sensitivity.h), on any evaluator.
#include <algorithm>
#include <numeric>

#include "mapper/deploy/sensitivity.h"

namespace odimo::deploy {

std::vector<int> rank_by_macs(const std::vector<SensitivityCandidate>& candidates) {
  std::vector<int> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return candidates[a].macs > candidates[b].macs; });
  return order;
}

std::vector<int> rank_by_accuracy(const std::vector<double>& alone_accuracy) {
  std::vector<int> order(alone_accuracy.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return alone_accuracy[a] > alone_accuracy[b]; });
  return order;
}

SensitivityResult convert_greedily(int candidates, const std::vector<int>& order, double reference,
                                   double threshold_points, const SensitivityEvaluator& evaluate) {
  SensitivityResult r;
  r.analog.assign(size_t(candidates), false);
  r.accuracy = reference;
  for (int c : order) {
    std::vector<bool> trial = r.analog;
    trial.at(size_t(c)) = true;
    SensitivityStep step;
    step.candidate = c;
    step.accuracy = evaluate(trial);
    step.kept = 100 * (reference - step.accuracy) <= threshold_points + 1e-9;
    if (step.kept) {
      r.analog = trial;
      r.accuracy = step.accuracy;
    }
    r.steps.push_back(step);
  }
  return r;
}

}  // namespace odimo::deploy
