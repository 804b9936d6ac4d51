// A sweep's read-noise grid and chip instances without processes: the plan's expansion per
// level (mapper/sweep/noise_grid.h), the deployment's arguments, and the reduction over chip
// instances (mean, sample std, worst; the error bar) and per level (mapper/sweep/pareto.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "mapper/search_files/search_config.h"
#include "mapper/sweep/deploy_step.h"
#include "mapper/sweep/noise_grid.h"
#include "mapper/sweep/pareto.h"
#include "mapper/sweep/plan.h"
#include "proto/error.h"

using namespace odimo;
using sweep::AccuracyKind;

namespace {

proto::SweepSpec grid_spec() {
  proto::SweepSpec s;
  s.set_name("t");
  s.add_soc("diana");
  s.set_net("tiny");
  s.set_dataset("synthetic");
  s.add_lambda(4);
  s.add_noise_aware_lambda(4);
  s.add_baseline("greedy");
  s.add_seed(1);
  s.add_seed(2);
  s.add_aimc_noise_lsb(0.5);
  s.add_aimc_noise_lsb(2);
  s.set_deploy_chips(5);
  return s;
}

// One seed's deployment on chip instances of the given accuracies (none: the ideal chip).
proto::SearchReport deployed_run(const std::string& label, uint64_t seed, const std::vector<double>& chips,
                                 double ideal = 0.5) {
  proto::SearchReport r;
  r.set_label(label);
  r.set_kind("search");
  r.set_soc("diana");
  r.set_seed(seed);
  r.set_test_accuracy(0.9);
  r.set_replayed(true);
  r.mutable_simulated()->set_latency_us(10);
  r.mutable_simulated()->set_energy_uj(1);
  proto::DeployReport& d = *r.mutable_deployed();
  double sum = 0;
  for (double a : chips) d.add_chip_test_accuracy(a), sum += a;
  d.set_chips(int(chips.size()));
  d.set_test_accuracy(chips.empty() ? ideal : sum / double(chips.size()));
  return r;
}

}  // namespace

TEST_CASE(
    "expand with a noise grid: per level, per seed the lambdas, the noise-aware lambdas, the baselines") {
  proto::SweepSpec s = grid_spec();
  sweep::check_spec(s, "");
  const auto points = sweep::expand(s);
  REQUIRE(points.size() == 12);  // 2 levels x 2 seeds x 3
  const char* labels[] = {
      "lambda=4 noise=0.5lsb seed=1", "lambda=4 aware noise=0.5lsb seed=1", "greedy noise=0.5lsb seed=1",
      "lambda=4 noise=0.5lsb seed=2", "lambda=4 aware noise=0.5lsb seed=2", "greedy noise=0.5lsb seed=2",
      "lambda=4 noise=2lsb seed=1",   "lambda=4 aware noise=2lsb seed=1",   "greedy noise=2lsb seed=1",
      "lambda=4 noise=2lsb seed=2",   "lambda=4 aware noise=2lsb seed=2",   "greedy noise=2lsb seed=2"};
  for (size_t i = 0; i < points.size(); ++i) {
    const proto::SweepPoint& p = points[i];
    CHECK(p.label() == labels[i]);
    CHECK(p.config().label() == p.label());
    REQUIRE(p.has_aimc_noise_lsb());
    CHECK(p.aimc_noise_lsb() == (i < 6 ? 0.5 : 2));
    CHECK(p.seed() == (i % 6 < 3 ? 1u : 2u));
    CHECK_NOTHROW(search::check_search_config(p.config(), ""));
    const bool aware = p.label().find(" aware") != std::string::npos;
    CHECK(p.config().adc_aware() == aware);  // the noise-blind search and baselines: no noise in training
    if (aware) {
      CHECK(!p.config().has_adc_noise());
      CHECK(p.config().adc_noise_lsb() == p.aimc_noise_lsb());
    } else {
      CHECK(!p.config().has_adc_noise_lsb());
      CHECK(p.config().adc_noise() == 0);
    }
  }
  // A noise-blind point's search is its first level's: copied when that one is done.
  for (size_t i = 0; i < points.size(); ++i) {
    const bool copies = i >= 6 && points[i].label().find(" aware") == std::string::npos;
    REQUIRE(points[i].has_search_from() == copies);
    if (copies) CHECK(points[i].search_from() == int(i) - 6);
  }
  // The same spec plans the same points: deterministic order and bytes.
  const auto again = sweep::expand(s);
  for (size_t i = 0; i < points.size(); ++i)
    CHECK(again[i].SerializeAsString() == points[i].SerializeAsString());
}

TEST_CASE("expand with a noise grid and adc_aware: every search point and baseline trains at its level") {
  proto::SweepSpec s = grid_spec();
  s.clear_noise_aware_lambda();
  s.set_adc_aware(true);
  sweep::check_spec(s, "");
  const auto points = sweep::expand(s);
  REQUIRE(points.size() == 8);
  for (const auto& p : points) {
    CHECK(p.config().adc_aware());
    CHECK(p.config().adc_noise_lsb() == p.aimc_noise_lsb());
    CHECK(!p.has_search_from());  // trained at its level: a search of its own
  }
  CHECK(points[1].label() == "greedy noise=0.5lsb seed=1");
}

TEST_CASE("without a noise grid the points are as before: no level, no noise word") {
  proto::SweepSpec s = grid_spec();
  s.clear_aimc_noise_lsb();
  s.clear_noise_aware_lambda();
  s.set_adc_aware(true);
  s.set_adc_noise_lsb(1.5);
  sweep::check_spec(s, "");
  const auto points = sweep::expand(s);
  REQUIRE(points.size() == 4);
  CHECK(points[0].label() == "lambda=4 seed=1");
  CHECK(!points[0].has_aimc_noise_lsb());
  CHECK(points[0].config().adc_noise_lsb() == 1.5);  // the spec's training noise in LSBs
  CHECK(!points[0].config().has_adc_noise());
  CHECK(sweep::noise_levels(s).size() == 1);
  CHECK(!sweep::noise_levels(s).front());
}

TEST_CASE("check_noise names the field and the value") {
  auto refused = [](proto::SweepSpec s) {
    try {
      sweep::check_spec(s, "x.pbtxt");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  proto::SweepSpec s = grid_spec();
  s.add_aimc_noise_lsb(-1);
  CHECK(refused(s) ==
        "x.pbtxt: field 'aimc_noise_lsb': '-1': expected a level in [0, 1024] (sigma in ADC LSBs)");
  s = grid_spec(), s.add_aimc_noise_lsb(std::nan(""));
  CHECK(refused(s).find("field 'aimc_noise_lsb': 'nan'") != std::string::npos);
  s = grid_spec(), s.add_aimc_noise_lsb(1e6);
  CHECK(refused(s).find("field 'aimc_noise_lsb': '1e+06'") != std::string::npos);
  s = grid_spec(), s.add_aimc_noise_lsb(2);
  CHECK(refused(s) == "x.pbtxt: field 'aimc_noise_lsb': 2 is listed twice");
  s = grid_spec(), s.set_deploy_aimc_noise(0.05);
  CHECK(refused(s).find("deploy_aimc_noise is 0.05 too") != std::string::npos);
  s = grid_spec(), s.set_adc_aware(true);
  CHECK(refused(s).find("field 'noise_aware_lambda': adc_aware: true already") != std::string::npos);
  s = grid_spec(), s.clear_aimc_noise_lsb();
  CHECK(refused(s) ==
        "x.pbtxt: field 'noise_aware_lambda': needs aimc_noise_lsb: the levels its searches train at");
  s = grid_spec(), s.add_noise_aware_lambda(-3);
  CHECK(refused(s).find("field 'noise_aware_lambda': '-3'") != std::string::npos);
  s = grid_spec(), s.set_deploy_chips(-1);
  CHECK(refused(s) == "x.pbtxt: field 'deploy_chips': -1 must be in [0, 1000] (0: the ideal chip)");
  s = grid_spec(), s.set_deploy_chips(1001);
  CHECK(refused(s).find("field 'deploy_chips': 1001 must be in [0, 1000]") != std::string::npos);
  s = grid_spec(), s.set_deploy(false);
  CHECK(refused(s).find("field 'deploy_chips': 5 chip instances, but deploy: false") != std::string::npos);
  s = grid_spec(), s.clear_noise_aware_lambda(), s.set_deploy_chips(0), s.set_deploy(false);
  CHECK(refused(s).find("field 'aimc_noise_lsb': deploy: false and no noise-aware search") !=
        std::string::npos);
  s = grid_spec(), s.clear_aimc_noise_lsb(), s.clear_noise_aware_lambda(), s.set_adc_noise_lsb(1);
  CHECK(refused(s) == "x.pbtxt: field 'adc_noise_lsb': 1 needs adc_aware: true");
  s.set_adc_aware(true), s.set_adc_noise(0.1);
  CHECK(refused(s).find("field 'adc_noise_lsb': 1: adc_noise is set too") != std::string::npos);
}

TEST_CASE("noise words: written, read back and removed from labels") {
  CHECK(sweep::noise_word(0.5) == " noise=0.5lsb");
  CHECK(sweep::noise_word(std::nullopt).empty());
  CHECK(sweep::label_noise("lambda=4 aware noise=0.5lsb seed=2") == 0.5);
  CHECK(sweep::label_noise("lambda=4 noise=0lsb") == 0.0);
  CHECK(!sweep::label_noise("lambda=4 seed=2"));
  CHECK(!sweep::label_noise("lambda=4 noise=xlsb"));
  CHECK(sweep::label_without_noise("greedy noise=2lsb soc=diana") == "greedy soc=diana");
}

TEST_CASE("deploy_args: a point at a level deploys with that read noise in LSBs, on the spec's chips") {
  proto::SweepSpec s = grid_spec();
  s.set_threads(1);
  sweep::check_spec(s, "");
  const auto points = sweep::expand(s);
  const auto a = sweep::deploy_args(s, points[7], "D");  // lambda=4 aware noise=2lsb seed=1
  CHECK(a == std::vector<std::string>{"D", "--threads", "1", "--seed", "1", "--quiet", "--aimc-noise", "2lsb",
                                      "--chips", "5"});
  proto::SweepPoint zero = points[0];
  zero.set_aimc_noise_lsb(0);  // level 0: no read noise, the chips' mismatch only
  CHECK(sweep::deploy_args(s, zero, "D") ==
        std::vector<std::string>{"D", "--threads", "1", "--seed", "1", "--quiet", "--chips", "5"});
}

TEST_CASE("group_runs over chip instances: every seed's instances pooled, the worst, the error bar") {
  const std::vector<std::pair<std::string, proto::SearchReport>> runs = {
      {"a", deployed_run("lambda=4 noise=1lsb seed=1", 1, {0.80, 0.84, 0.82})},
      {"b", deployed_run("lambda=4 noise=1lsb seed=2", 2, {0.70, 0.74, 0.72})}};
  const auto deployed = sweep::group_runs(runs, AccuracyKind::kDeployed);
  REQUIRE(deployed.size() == 1);
  const sweep::ResultPoint& p = deployed[0];
  CHECK(p.chips == 3);
  CHECK(p.chip.mean == doctest::Approx(0.77));
  // sample std of the six instances around 0.77: squares 2 x (0.0009 + 0.0049 + 0.0025) = 0.0166, / 5
  CHECK(p.chip.std == doctest::Approx(std::sqrt(0.0166 / 5)));
  CHECK(p.worst_chip == doctest::Approx(0.70));
  CHECK(p.deployed.mean == doctest::Approx(0.77));             // the mean of the seeds' chip means
  CHECK(p.deployed.std == doctest::Approx(std::sqrt(0.005)));  // over the seeds: 0.82, 0.72
  CHECK(p.acc_err_over_chips);
  CHECK(p.acc_err == doctest::Approx(p.chip.std));
  const auto trained = sweep::group_runs(runs, AccuracyKind::kTrained);
  CHECK(!trained[0].acc_err_over_chips);  // the trained accuracy's bar is over the seeds
  CHECK(trained[0].acc_err == trained[0].acc.std);
  CHECK(trained[0].chips == 3);  // the table still shows the chips
  // The SVG: a vertical bar of +- chip.std on the deployed accuracy; none on the trained one
  // (both seeds 0.9, the same latency and energy: nothing to draw).
  const auto svg = sweep::pareto_svg(deployed, "t"), trained_svg = sweep::pareto_svg(trained, "t");
  CHECK(svg.find("accuracy: over all chip instances") != std::string::npos);
  CHECK(svg.find("<path d='M") != std::string::npos);
  CHECK(trained_svg.find("bars: ±1 std over seeds</text>") != std::string::npos);
  CHECK(trained_svg.find("<path d='M") == std::string::npos);
}

TEST_CASE("group_runs: a point on the ideal chip has no chip statistics; a mix of both is refused") {
  const auto ideal = sweep::group_runs({{"a", deployed_run("greedy", 1, {}, 0.6)}}, AccuracyKind::kDeployed);
  CHECK(ideal[0].chips == 0);
  CHECK(!ideal[0].acc_err_over_chips);
  CHECK(ideal[0].acc_err == 0);
  CHECK_THROWS_WITH_AS(sweep::group_runs({{"out/p0", deployed_run("greedy seed=1", 1, {0.6, 0.7})},
                                          {"out/p1", deployed_run("greedy seed=2", 2, {}, 0.6)}}),
                       doctest::Contains("out/p1/report.json: field 'deployed.chips': 0 but out/p0"), Error);
}

TEST_CASE("fronts per SoC and level: keys in level order, one SVG per level") {
  sweep::Fronts f;
  f.svg_dir = "OUT";
  const sweep::FrontKey none{"diana", std::nullopt}, half{"diana", 0.5}, two{"diana", 2};
  f.groups[two], f.groups[half];
  CHECK(f.groups.begin()->first.name() == "diana noise=0.5lsb");  // 0.5 before 2, not as text
  CHECK(f.svg_path(two) == "OUT/pareto-noise2lsb.svg");
  f.groups.clear(), f.groups[none];
  CHECK(f.svg_path(none) == "OUT/pareto.svg");
  f.groups[{"darkside", std::nullopt}];
  CHECK(f.svg_path(none) == "OUT/pareto-diana.svg");
  f.groups[half];
  CHECK(f.svg_path(half) == "OUT/pareto-diana-noise0.5lsb.svg");
  CHECK(!(none < none));
  CHECK(none < half);
}
