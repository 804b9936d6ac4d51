#pragma once
// How good a sweep's search front is, in numbers: the hypervolume (area dominated
// up to a reference point) of the search points and of the baselines, and for each
// baseline the search point that dominates it.
#include <utility>
#include <vector>

#include "mapper/sweep/pareto.h"

namespace odimo::sweep {

// The reference point of both hypervolumes on one axis: accuracy 1 point below the
// least accurate point (at least 0), cost 1.1 x the most expensive point (means).
struct Reference {
  double accuracy = 0;  // 0..1
  double cost = 0;      // us or uJ
};
Reference reference_point(const std::vector<ResultPoint>& points, bool energy_axis);

// The area (accuracy 0..1 x cost) dominated by `points` (accuracy, cost) and
// bounded by `ref`: higher accuracy and lower cost are better. Points not
// better than `ref` on both add nothing.
double hypervolume(std::vector<std::pair<double, double>> points, const Reference& ref);

// A baseline other than all:CU (greedy, minlat, policy, ...).
bool is_heuristic(const ResultPoint& p);

struct Quality {
  Reference ref;
  double search = 0, baselines = 0;  // hypervolumes
  // Every baseline with the search point dominating it (the most accurate one), or null.
  std::vector<std::pair<const ResultPoint*, const ResultPoint*>> dominated_by;
};
Quality pareto_quality(const std::vector<ResultPoint>& points, bool energy_axis);

}  // namespace odimo::sweep
