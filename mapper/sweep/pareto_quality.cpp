#include "mapper/sweep/pareto_quality.h"

#include <algorithm>

namespace odimo::sweep {

Reference reference_point(const std::vector<ResultPoint>& pts, bool energy_axis) {
  Reference r{1, 0};
  for (const auto& p : pts)
    r.accuracy = std::min(r.accuracy, p.acc.mean), r.cost = std::max(r.cost, p.cost(energy_axis));
  r.accuracy = std::max(0.0, r.accuracy - 0.01);
  r.cost *= 1.1;
  return r;
}

double hypervolume(std::vector<std::pair<double, double>> pts, const Reference& ref) {
  // By cost, then the more accurate first: each point adds the strip of accuracy it
  // gains over every cheaper point, times the cost it saves against the reference.
  std::sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first > b.first);
  });
  double area = 0, best = ref.accuracy;
  for (const auto& [acc, cost] : pts) {
    if (cost >= ref.cost || acc <= best) continue;
    area += (acc - best) * (ref.cost - cost);
    best = acc;
  }
  return area;
}

bool is_heuristic(const ResultPoint& p) {
  return !p.is_search() && p.label.rfind("all:", 0) != 0;
}

Quality pareto_quality(const std::vector<ResultPoint>& pts, bool energy_axis) {
  Quality q;
  q.ref = reference_point(pts, energy_axis);
  std::vector<std::pair<double, double>> search, baselines;
  for (const auto& p : pts)
    (p.is_search() ? search : baselines).emplace_back(p.acc.mean, p.cost(energy_axis));
  q.search = hypervolume(search, q.ref);
  q.baselines = hypervolume(baselines, q.ref);
  for (const auto& b : pts) {
    if (b.is_search()) continue;
    const ResultPoint* by = nullptr;
    for (const auto& s : pts) {
      if (!s.is_search()) continue;
      const double sa = s.acc.mean, ba = b.acc.mean, sc = s.cost(energy_axis), bc = b.cost(energy_axis);
      if (sa >= ba && sc <= bc && (sa > ba || sc < bc) && (!by || sa > by->acc.mean)) by = &s;
    }
    q.dominated_by.emplace_back(&b, by);
  }
  return q;
}

}  // namespace odimo::sweep
