// A sweep's deployment step (mapper/sweep/deploy_step.h) and the accuracy its fronts
// compare (`--accuracy trained|deployed`, mapper/sweep/pareto.h), without processes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "hw/soc_description.h"
#include "mapper/sweep/deploy_step.h"
#include "mapper/sweep/pareto.h"
#include "mapper/sweep/pareto_quality.h"
#include "mapper/sweep/plan.h"
#include "proto/error.h"

using namespace odimo;
using sweep::AccuracyKind;

namespace {

proto::SearchReport run(const std::string& label, double trained, double deployed, double latency_us,
                        const std::string& kind = "search", uint64_t seed = 1) {
  proto::SearchReport r;
  r.set_label(label);
  r.set_kind(kind);
  r.set_soc("diana");
  r.set_seed(seed);
  r.set_test_accuracy(trained);
  r.set_replayed(true);
  r.mutable_simulated()->set_latency_us(latency_us);
  r.mutable_simulated()->set_energy_uj(latency_us / 10);
  if (deployed >= 0) r.mutable_deployed()->set_test_accuracy(deployed);
  return r;
}

const sweep::ResultPoint& find(const std::vector<sweep::ResultPoint>& pts, const std::string& label) {
  const auto it = std::find_if(pts.begin(), pts.end(), [&](const auto& p) { return p.label == label; });
  REQUIRE(it != pts.end());
  return *it;
}

SocDescription diana_without_adc() {
  proto::Soc p = load_soc("diana").soc;
  for (auto& cu : *p.mutable_cu())
    if (cu.has_aimc()) cu.mutable_aimc()->clear_adc_bits();
  return build_soc(p, "diana-noadc");
}

proto::SweepPoint point(const std::string& kind, uint64_t seed) {
  proto::SweepPoint p;
  p.set_kind(kind);
  p.set_soc("diana");
  p.set_seed(seed);
  return p;
}

}  // namespace

TEST_CASE("accuracy: trained is the search's test accuracy, deployed the integer pipeline's") {
  const proto::SearchReport r = run("lambda=1", 0.8, 0.7, 10);
  CHECK(sweep::accuracy(r) == 0.8);
  CHECK(sweep::accuracy(r, AccuracyKind::kTrained) == 0.8);
  CHECK(sweep::accuracy(r, AccuracyKind::kDeployed) == 0.7);
  CHECK_THROWS_AS(sweep::accuracy(run("greedy", 0.8, -1, 10), AccuracyKind::kDeployed), Error);
  CHECK(sweep::parse_accuracy("deployed", "--accuracy") == AccuracyKind::kDeployed);
  CHECK_THROWS_WITH_AS(sweep::parse_accuracy("float", "--accuracy"),
                       "--accuracy: 'float': expected trained or deployed", Error);
}

TEST_CASE("group_runs on the deployed accuracy: fronts, hypervolumes and dominance change with it") {
  // Trained, the baseline is dominated (0.80 vs 0.78, slower); deployed, the search point loses
  // 10 points on the integer pipelines and the baseline none: not dominated any more.
  const std::vector<std::pair<std::string, proto::SearchReport>> runs = {
      {"a", run("lambda=1", 0.80, 0.70, 10)}, {"b", run("all:digital", 0.78, 0.78, 12, "baseline")}};
  const auto trained = sweep::group_runs(runs), deployed = sweep::group_runs(runs, AccuracyKind::kDeployed);
  CHECK(find(trained, "all:digital").acc.mean == doctest::Approx(0.78));
  CHECK(find(trained, "lambda=1").acc.mean == doctest::Approx(0.80));
  CHECK(find(deployed, "lambda=1").acc.mean == doctest::Approx(0.70));
  for (const auto* pts : {&trained, &deployed}) {  // both accuracies kept for the table
    CHECK(find(*pts, "lambda=1").has_deployed);
    CHECK(find(*pts, "lambda=1").trained.mean == doctest::Approx(0.80));
    CHECK(find(*pts, "lambda=1").deployed.mean == doctest::Approx(0.70));
  }
  CHECK(!find(trained, "all:digital").front_latency);
  CHECK(find(deployed, "all:digital").front_latency);
  const sweep::Quality qt = sweep::pareto_quality(trained, false),
                       qd = sweep::pareto_quality(deployed, false);
  REQUIRE(qt.dominated_by.size() == 1);
  CHECK(qt.dominated_by[0].second != nullptr);
  CHECK(qd.dominated_by[0].second == nullptr);
  CHECK(qd.search != doctest::Approx(qt.search));
}

TEST_CASE("group_runs: a run without a deployment") {
  const std::vector<std::pair<std::string, proto::SearchReport>> runs = {
      {"out/point-000", run("lambda=1 seed=1", 0.8, 0.7, 10, "search", 1)},
      {"out/point-001", run("lambda=1 seed=2", 0.8, -1, 10, "search", 2)}};
  const auto pts = sweep::group_runs(runs);  // trained: fine, no deployed accuracy shown
  CHECK(!pts.at(0).has_deployed);
  CHECK_THROWS_WITH_AS(sweep::group_runs(runs, AccuracyKind::kDeployed),
                       doctest::Contains("out/point-001/report.json: field 'deployed': missing"), Error);
}

TEST_CASE("deploy_step: which points deploy, with which arguments") {
  CHECK(sweep::deployable(load_soc("diana")));
  CHECK(sweep::deployable(load_soc("darkside")));
  std::string why;
  CHECK(!sweep::deployable(diana_without_adc(), &why));
  CHECK(why.find("adc_bits") != std::string::npos);

  proto::SweepSpec s;
  s.set_threads(1);
  const auto a = sweep::deploy_args(s, point("search", 3), "OUT/point-001");
  CHECK(a == std::vector<std::string>{"OUT/point-001", "--threads", "1", "--seed", "3", "--quiet"});
  CHECK(sweep::deploy_args(s, point("pretrain", 3), "OUT/point-000").empty());
  s.set_deploy_images(500);
  s.set_deploy_aimc_noise(0.05);
  const auto b = sweep::deploy_args(s, point("baseline", 1), "D");
  CHECK(std::find(b.begin(), b.end(), "--images") + 1 == std::find(b.begin(), b.end(), "500"));
  CHECK(std::find(b.begin(), b.end(), "0.05") != b.end());
  s.set_deploy(false);
  CHECK(sweep::deploy_args(s, point("search", 1), "D").empty());
  CHECK(!sweep::awaits_deployment(s, run("x", 0.5, -1, 1)));
  s.clear_deploy();
  CHECK(sweep::awaits_deployment(s, run("x", 0.5, -1, 1)));
  CHECK(!sweep::awaits_deployment(s, run("x", 0.5, 0.4, 1)));
}

TEST_CASE("check_deploy names the field and the value") {
  proto::SweepSpec s;
  const std::vector<SocDescription> noadc = {diana_without_adc()};
  sweep::check_deploy(s, noadc, "x.pbtxt");  // by default such a SoC is simply not deployed
  s.set_deploy(true);
  CHECK_THROWS_WITH_AS(sweep::check_deploy(s, noadc, "x.pbtxt"),
                       doctest::Contains("x.pbtxt: field 'deploy': true, but SoC 'diana' cannot be deployed"),
                       Error);
  s.clear_deploy();
  s.set_deploy_images(-1);
  CHECK_THROWS_WITH_AS(sweep::check_deploy(s, noadc, "x.pbtxt"),
                       "x.pbtxt: field 'deploy_images': -1 must be in [0, 16777216] (0: the whole test set)",
                       Error);
  s.set_deploy_images(0);
  s.set_deploy_aimc_noise(std::nan(""));
  CHECK_THROWS_WITH_AS(sweep::check_deploy(s, noadc, ""), doctest::Contains("field 'deploy_aimc_noise': nan"),
                       Error);
}
