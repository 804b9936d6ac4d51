// The sensitivity baseline's rule (mapper/deploy/sensitivity.h) on fake evaluators: the two
// rankings, the greedy conversion's threshold, what a more tolerant threshold changes, and
// determinism.
#include <doctest/doctest.h>

#include <random>

#include "mapper/deploy/sensitivity.h"

using namespace odimo;
using namespace odimo::deploy;

namespace {

// Accuracy = reference - the sum of each analog candidate's cost (points / 100).
SensitivityEvaluator additive(double reference, const std::vector<double>& cost_points,
                              int* calls = nullptr) {
  return [=](const std::vector<bool>& analog) {
    if (calls) ++*calls;
    double a = reference;
    for (size_t i = 0; i < analog.size(); ++i)
      if (analog[i]) a -= cost_points[i] / 100;
    return a;
  };
}

int kept_count(const SensitivityResult& r) {
  int n = 0;
  for (bool a : r.analog) n += a;
  return n;
}

}  // namespace

TEST_CASE("sensitivity ranking: by MACs largest first, by measured accuracy least sensitive first") {
  const std::vector<SensitivityCandidate> c = {{"a", 10}, {"b", 40}, {"c", 10}, {"d", 90}};
  CHECK(rank_by_macs(c) == std::vector<int>{3, 1, 0, 2});  // ties (a, c) in network order
  CHECK(rank_by_accuracy({0.80, 0.91, 0.91, 0.75}) == std::vector<int>{1, 2, 0, 3});
  CHECK(rank_by_macs({}).empty());
}

TEST_CASE("sensitivity conversion: a layer is kept exactly when the drop stays within the threshold") {
  const double ref = 0.9;
  const std::vector<double> cost = {0.4, 2.0, 0.5, 0.3};  // points
  int calls = 0;
  const SensitivityResult r = convert_greedily(4, {0, 1, 2, 3}, ref, 1.0, additive(ref, cost, &calls));
  CHECK(calls == 4);  // one evaluation per candidate
  REQUIRE(r.steps.size() == 4);
  CHECK(r.steps[0].kept);        // -0.4
  CHECK_FALSE(r.steps[1].kept);  // -2.4
  CHECK(r.steps[2].kept);        // -0.9
  CHECK_FALSE(r.steps[3].kept);  // -1.2
  CHECK(r.analog == std::vector<bool>{true, false, true, false});
  CHECK(r.accuracy == doctest::Approx(ref - 0.009));
  CHECK(r.steps[3].accuracy == doctest::Approx(ref - 0.012));
  // A drop of exactly the threshold is kept, whatever the floating-point rounding of 0.9 - 0.01.
  const SensitivityResult edge = convert_greedily(1, {0}, ref, 1.0, additive(ref, {1.0}));
  CHECK(edge.steps[0].kept);
  // Threshold 0: only conversions that cost nothing (or gain).
  const SensitivityResult none = convert_greedily(3, {0, 1, 2}, ref, 0.0, additive(ref, {0.1, -0.2, 0.0}));
  CHECK(none.analog == std::vector<bool>{false, true, true});
  // Nothing kept: the reference accuracy stands.
  CHECK(convert_greedily(2, {1, 0}, ref, 1.0, additive(ref, {5, 5})).accuracy == ref);
}

TEST_CASE(
    "sensitivity conversion: every kept set is within the threshold; a more tolerant one converts more") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> pts(-0.2, 3.0);
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 2 + int(rng() % 7);
    std::vector<double> cost(static_cast<size_t>(n));
    for (double& c : cost) c = pts(rng);
    const auto eval = additive(0.85, cost);
    std::vector<SensitivityCandidate> cands;
    for (int i = 0; i < n; ++i) cands.push_back({"l" + std::to_string(i), int64_t(rng() % 1000)});
    std::vector<double> alone;
    for (int i = 0; i < n; ++i) {
      std::vector<bool> one(size_t(n), false);
      one[size_t(i)] = true;
      alone.push_back(eval(one));
    }
    const auto by_macs = rank_by_macs(cands), measured = rank_by_accuracy(alone);
    std::vector<SensitivityResult> prev(2);
    for (double t : {0.0, 0.5, 1.0, 2.0, 4.0, 100.0}) {
      for (int k = 0; k < 2; ++k) {
        const auto& order = k ? measured : by_macs;
        const SensitivityResult r = convert_greedily(n, order, 0.85, t, eval);
        CHECK(100 * (0.85 - r.accuracy) <= t + 1e-9);
        for (const auto& s : r.steps) CHECK(s.kept == (100 * (0.85 - s.accuracy) <= t + 1e-9));
        if (t == 100.0) CHECK(kept_count(r) == n);
        if (!prev[k].steps.empty()) {
          // In rank order the decisions agree up to the first difference, where the more
          // tolerant threshold keeps the layer the stricter one refused.
          for (size_t j = 0; j < r.steps.size(); ++j)
            if (r.steps[j].kept != prev[k].steps[j].kept) {
              CHECK(r.steps[j].kept);
              break;
            }
          // Least sensitive first on an additive evaluator, the kept layers are a prefix of the
          // ranking: a more tolerant threshold never converts fewer.
          if (k == 1) CHECK(kept_count(r) >= kept_count(prev[k]));
        }
        prev[k] = r;
      }
    }
  }
}

TEST_CASE("sensitivity conversion: by MACs, a more tolerant threshold may convert fewer layers") {
  // The largest layer costs 1.0 point, the two after it 0.4 each: at 0.9 points the large one is
  // refused and both small ones kept; at 1.0 the large one is kept and blocks both. Greedy in a
  // fixed order, as LionHeart's: stated in mapper/search/README.md.
  const auto eval = additive(0.9, {1.0, 0.4, 0.4});
  CHECK(kept_count(convert_greedily(3, {0, 1, 2}, 0.9, 0.9, eval)) == 2);
  CHECK(kept_count(convert_greedily(3, {0, 1, 2}, 0.9, 1.0, eval)) == 1);
}

TEST_CASE("sensitivity conversion: deterministic") {
  const auto eval = additive(0.8, {0.3, 0.9, 0.2, 1.5, 0.1});
  const SensitivityResult a = convert_greedily(5, {4, 2, 0, 1, 3}, 0.8, 1.2, eval);
  const SensitivityResult b = convert_greedily(5, {4, 2, 0, 1, 3}, 0.8, 1.2, eval);
  CHECK(a.analog == b.analog);
  REQUIRE(a.steps.size() == b.steps.size());
  for (size_t i = 0; i < a.steps.size(); ++i) {
    CHECK(a.steps[i].candidate == b.steps[i].candidate);
    CHECK(a.steps[i].accuracy == b.steps[i].accuracy);
  }
}
