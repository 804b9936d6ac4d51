// mapper/sweep without processes: spec checks, plan expansion, point names, the
// Pareto fronts, the Slurm script and the run tally.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "mapper/search_files/search_config.h"
#include "mapper/sweep/pareto.h"
#include "mapper/sweep/pareto_quality.h"
#include "mapper/sweep/plan.h"
#include "mapper/sweep/run.h"
#include "mapper/sweep/slurm.h"
#include "proto/error.h"

using namespace odimo;

namespace {

proto::SweepSpec tiny_spec() {
  proto::SweepSpec s;
  s.set_name("t");
  s.add_soc("diana");
  s.set_net("tiny");
  s.set_dataset("synthetic");
  s.add_lambda(1);
  s.add_lambda(0.5);
  s.add_baseline("all");
  s.add_seed(1);
  s.add_seed(2);
  return s;
}

proto::SearchReport report(const std::string& label, double accuracy, double latency_us, double energy_uj,
                           uint64_t seed = 1, const std::string& kind = "search") {
  proto::SearchReport r;
  r.set_label(label);
  r.set_kind(kind);
  r.set_soc("diana");
  r.set_seed(seed);
  r.set_test_accuracy(accuracy);
  r.set_replayed(true);
  r.mutable_simulated()->set_latency_us(latency_us);
  r.mutable_simulated()->set_energy_uj(energy_uj);
  return r;
}

sweep::ResultPoint point(const std::string& label, double accuracy, double latency_us, double energy_uj,
                         const std::string& kind = "search") {
  return sweep::group_runs({{"d", report(label, accuracy, latency_us, energy_uj, 1, kind)}}).at(0);
}

bool has_args(const proto::SweepPoint& p, const std::string& a, const std::string& b) {
  for (int i = 0; i + 1 < p.search_args_size(); ++i)
    if (p.search_args(i) == a && p.search_args(i + 1) == b) return true;
  return false;
}

}  // namespace

TEST_CASE("format_number gives the shortest text that reads back") {
  CHECK(sweep::format_number(0.1) == "0.1");
  CHECK(sweep::format_number(30) == "30");
  CHECK(sweep::format_number(1e-7) == "1e-07");
}

TEST_CASE(
    "expand with pretrain_epochs: one odimo train point per seed first, every other point starts from it") {
  proto::SweepSpec s = tiny_spec();
  s.set_pretrain_epochs(3);
  sweep::check_spec(s, "");
  const auto points = sweep::expand(s);
  REQUIRE(points.size() == 10);  // 2 pretraining + 2 seeds x 4
  for (int i : {0, 1}) {
    CHECK(points[i].kind() == "pretrain");
    CHECK(points[i].command() == "train");
    CHECK(!points[i].has_init_from());
    CHECK(has_args(points[i], "--epochs", "3"));
    CHECK(has_args(points[i], "--seed", std::to_string(i + 1)));
  }
  CHECK(points[0].label() == "pretrain seed=1");
  for (size_t i = 2; i < points.size(); ++i) {
    REQUIRE(points[i].has_init_from());
    CHECK(points[i].init_from() == (points[i].seed() == 1 ? 0 : 1));
    CHECK(points[i].command().empty());
  }
  s.set_pretrain_epochs(-1);
  CHECK_THROWS_WITH_AS(sweep::check_spec(s, "x.pbtxt"),
                       "x.pbtxt: field 'pretrain_epochs': -1 must be in [0, 100000]", Error);
}

TEST_CASE("point names have at least three digits, more for large plans") {
  proto::SweepPlan plan;
  plan.set_points(6);
  CHECK(sweep::point_name(plan, 3) == "point-003");
  plan.set_points(1500);
  CHECK(sweep::point_name(plan, 7) == "point-0007");
}

TEST_CASE("expand: per seed the lambdas then the baselines, 'all' on each CU but the host") {
  proto::SweepSpec s = tiny_spec();
  sweep::check_spec(s, "");
  CHECK(s.finetune_epochs() == 1);  // defaults filled
  const auto points = sweep::expand(s);
  REQUIRE(points.size() == 8);  // 2 seeds x (2 lambdas + all:digital + all:aimc)
  for (size_t i = 0; i < points.size(); ++i) CHECK(points[i].index() == int(i));
  CHECK(points[0].label() == "lambda=1 seed=1");
  CHECK(points[2].label() == "all:digital seed=1");
  CHECK(points[7].label() == "all:aimc seed=2");
  // Every search point and baseline holds its whole search configuration, checked.
  for (const auto& p : points) {
    REQUIRE(p.has_config());
    CHECK(p.search_args().empty());
    CHECK(p.config().soc() == "diana");
    CHECK(p.config().label() == p.label());
    CHECK_NOTHROW(search::check_search_config(p.config(), ""));
  }
  CHECK(points[1].config().lambda() == 0.5);
  CHECK(points[1].config().warmup_epochs() == 1);
  CHECK(points[3].config().baseline() == "all:aimc");
  CHECK(!points[3].config().has_lambda());
  // A baseline gets a search point's whole budget, all of it fine-tuning.
  CHECK(points[3].config().warmup_epochs() == 0);
  CHECK(points[3].config().search_epochs() == 0);
  CHECK(points[3].config().finetune_epochs() == 4);
  CHECK(points[5].config().seed() == 2);
  // The spec's defaults: its own (threads 1), else the search's (learning rates).
  CHECK(points[0].config().threads() == 1);
  CHECK(points[0].config().lr() == search::default_search_config().lr());
}

TEST_CASE("check_spec names the field and the value") {
  proto::SweepSpec s = tiny_spec();
  s.add_lambda(-2);
  CHECK_THROWS_WITH_AS(sweep::check_spec(s, "x.pbtxt"),
                       "x.pbtxt: field 'lambda': '-2': expected a number in [0, 1e+06]", Error);
  s = tiny_spec();
  s.add_baseline("all:dwe");
  CHECK_THROWS_WITH_AS(sweep::check_spec(s, ""),
                       "field 'baseline': 'all:dwe': SoC 'diana' has no such compute unit", Error);
}

TEST_CASE("adc_aware and adc_noise reach every point's search configuration; noise needs adc_aware") {
  proto::SweepSpec s = tiny_spec();
  s.set_adc_aware(true);
  s.set_adc_noise(0.05);
  sweep::check_spec(s, "");
  for (const auto& p : sweep::expand(s)) {
    CHECK(p.config().adc_noise() == 0.05);
    CHECK(p.config().adc_aware());
  }
  s.set_adc_aware(false);
  CHECK_THROWS_WITH_AS(sweep::check_spec(s, "x.pbtxt"),
                       "x.pbtxt: field 'adc_noise': 0.05 needs adc_aware: true", Error);
  s.set_adc_aware(true);
  s.set_adc_noise(-1);
  CHECK_THROWS_WITH_AS(sweep::check_spec(s, "x.pbtxt"), "x.pbtxt: field 'adc_noise': -1 must be in [0, 10]",
                       Error);
}

TEST_CASE("conv_branch_threshold: unset, every point takes the search's default; set, every point has it") {
  proto::SweepSpec s = tiny_spec();
  sweep::check_spec(s, "");
  for (const auto& p : sweep::expand(s))
    CHECK(p.config().conv_branch_threshold() == search::default_search_config().conv_branch_threshold());
  s.set_conv_branch_threshold(0);  // the full conv branch, as the Darkside reference spec pins it
  sweep::check_spec(s, "");
  for (const auto& p : sweep::expand(s)) {
    CHECK(p.config().has_conv_branch_threshold());
    CHECK(p.config().conv_branch_threshold() == 0);
  }
  for (double bad : {-0.5, 1.5, std::nan("")}) {
    s.set_conv_branch_threshold(bad);
    CHECK_THROWS_WITH_AS(sweep::check_spec(s, "x.pbtxt"),
                         doctest::Contains("x.pbtxt: field 'conv_branch_threshold': "), Error);
  }
}

TEST_CASE("mark_fronts: a point cheaper and as accurate as another dominates it") {
  std::vector<sweep::ResultPoint> pts = {point("a", 0.9, 10, 5), point("b", 0.8, 20, 1),
                                         point("c", 0.8, 30, 6)};
  sweep::mark_fronts(pts);
  CHECK(pts[0].front_latency);
  CHECK(!pts[1].front_latency);  // a is faster and more accurate
  CHECK(pts[1].front_energy);    // but b uses the least energy
  CHECK(!pts[2].front_latency);
  CHECK(!pts[2].front_energy);
}

TEST_CASE("group_runs: one point per label over the seeds, mean and sample std, fronts on the means") {
  const auto pts = sweep::group_runs({{"a1", report("lambda=1 seed=1", 0.80, 10, 5, 1)},
                                      {"a2", report("lambda=1 seed=2", 0.84, 14, 5, 2)},
                                      {"b1", report("greedy seed=2", 0.83, 11, 6, 2, "baseline")},
                                      {"b2", report("greedy seed=1", 0.81, 13, 6, 1, "baseline")}});
  REQUIRE(pts.size() == 2);
  const auto& g = pts[0];  // baselines sort before search points
  CHECK(g.label == "greedy");
  CHECK(g.runs.size() == 2);
  CHECK(g.runs[0].seed() == 1);  // seed order
  CHECK(g.acc.mean == doctest::Approx(0.82));
  CHECK(g.acc.std == doctest::Approx(std::sqrt(0.0002)));  // sample std of 0.81, 0.83
  CHECK(g.latency.mean == doctest::Approx(12));
  const auto& l = pts[1];
  CHECK(l.label == "lambda=1");
  CHECK(l.acc.mean == doctest::Approx(0.82));
  CHECK(l.latency.mean == doctest::Approx(12));
  CHECK(l.latency.std == doctest::Approx(std::sqrt(8.0)));
  CHECK(l.front_latency);  // equal means: neither dominates
  CHECK(g.front_latency);
  CHECK(l.front_energy);  // 5 < 6 uJ at the same accuracy
  CHECK(!g.front_energy);
  CHECK(sweep::label_without_seed("all:aimc seed=12 soc=diana-aimc2304") == "all:aimc soc=diana-aimc2304");
}

TEST_CASE("hypervolume: hand-computed areas, points beyond the reference add nothing") {
  const sweep::Reference ref{0.5, 100};
  CHECK(sweep::hypervolume({}, ref) == 0);
  CHECK(sweep::hypervolume({{0.9, 20}}, ref) == doctest::Approx(0.4 * 80));
  // (0.8, 10) and (0.9, 50): 0.3 x 90 + 0.1 x 50 = 32
  CHECK(sweep::hypervolume({{0.9, 50}, {0.8, 10}}, ref) == doctest::Approx(32));
  // a dominated point (0.7, 60) and points worse than the reference change nothing
  CHECK(sweep::hypervolume({{0.9, 50}, {0.8, 10}, {0.7, 60}, {0.4, 1}, {0.95, 120}}, ref) ==
        doctest::Approx(32));
  // three steps: (0.6, 10), (0.7, 30), (0.9, 60): 0.1 x 90 + 0.1 x 70 + 0.2 x 40 = 24
  CHECK(sweep::hypervolume({{0.7, 30}, {0.9, 60}, {0.6, 10}}, ref) == doctest::Approx(24));
}

TEST_CASE("pareto_quality: reference point, both hypervolumes, the search point dominating each baseline") {
  const std::vector<sweep::ResultPoint> pts = {
      point("lambda=1", 0.86, 300, 12), point("lambda=2", 0.85, 320, 11),
      point("greedy", 0.845, 330, 12.5, "baseline"), point("all:digital", 0.87, 500, 15, "baseline")};
  const sweep::Quality q = sweep::pareto_quality(pts, false);
  CHECK(q.ref.accuracy == doctest::Approx(0.835));  // least accurate 0.845 - 0.01
  CHECK(q.ref.cost == doctest::Approx(550));        // 500 x 1.1
  CHECK(q.search == doctest::Approx(0.025 * 250));  // lambda=2 is dominated by lambda=1
  CHECK(q.baselines == doctest::Approx(0.01 * 220 + 0.025 * 50));
  REQUIRE(q.dominated_by.size() == 2);
  for (const auto& [b, by] : q.dominated_by) {
    if (b->label == "greedy") {
      REQUIRE(by);
      CHECK(by->label == "lambda=1");  // the most accurate of the two dominating it
      CHECK(sweep::is_heuristic(*b));
    } else {
      CHECK(!by);  // all:digital is the most accurate
      CHECK(!sweep::is_heuristic(*b));
    }
  }
  const sweep::Quality e = sweep::pareto_quality(pts, true);
  CHECK(e.ref.cost == doctest::Approx(16.5));
}

TEST_CASE("pareto_svg: error bars for several seeds, labels of coinciding points do not overlap") {
  auto pts = sweep::group_runs({{"a", report("greedy", 0.8455, 323.8, 12.66, 1, "baseline")},
                                {"b", report("lambda=2 seed=1", 0.8462, 337.0, 12.79, 1)},
                                {"c", report("lambda=2 seed=2", 0.8472, 335.0, 12.70, 2)},
                                {"d", report("all:digital", 0.8655, 518.5, 15.61, 1, "baseline")}});
  const std::string svg = sweep::pareto_svg(pts, "t");
  CHECK(svg.find("<path d='M") != std::string::npos);  // error bars of lambda=2
  // The two labels near (324..337 us, 84.6 %) are on different rows or sides.
  auto attr = [&](const std::string& label) {
    const size_t at = svg.rfind("<text", svg.find(">" + label + "</text>"));
    return svg.substr(at, svg.find('>', at) - at);
  };
  CHECK(attr("greedy") != attr("lambda=2"));
  CHECK(svg.find(">300<") != std::string::npos);  // round ticks (a 50 or 100 us step)
}

TEST_CASE("pareto_svg escapes labels") {
  std::vector<sweep::ResultPoint> pts = {point("a<b", 0.9, 10, 5), point("c&d", 0.8, 20, 1)};
  const std::string svg = sweep::pareto_svg(pts, "t");
  CHECK(svg.find("a&lt;b") != std::string::npos);
  CHECK(svg.find("c&amp;d") != std::string::npos);
  CHECK(svg.find("a<b") == std::string::npos);
}

TEST_CASE("slurm_script: one array task per point, words quoted for the shell") {
  CHECK(sweep::shell_quoted("/a/b-c.d") == "/a/b-c.d");
  CHECK(sweep::shell_quoted("a b") == "'a b'");
  CHECK(sweep::shell_quoted("it's") == "'it'\\''s'");
  proto::SweepPlan plan;
  plan.set_points(6);
  plan.mutable_spec()->set_name("t");
  plan.mutable_spec()->set_threads(2);
  sweep::SlurmJob job;
  job.plan_dir = "/p q", job.out = "/o", job.max_parallel = 2, job.time = "01:00:00";
  job.task_command = {"/bin/odimo", "sweep", "run", "--index-from-env", "/p q", "-o", "/o"};
  const std::string s = sweep::slurm_script(job, plan);
  CHECK(s.find("#SBATCH --array=0-5%2\n") != std::string::npos);
  CHECK(s.find("#SBATCH --time=01:00:00\n") != std::string::npos);
  CHECK(s.find("#SBATCH --partition") == std::string::npos);
  CHECK(s.find("\n/bin/odimo sweep run --index-from-env '/p q' -o /o\n") != std::string::npos);
  // An #SBATCH line is read by Slurm, not the shell: what it cannot hold is refused.
  for (const std::string bad : {"/o w", "/o\nrm -rf ~", "/o$(touch x)", "/o'"}) {
    sweep::SlurmJob j = job;
    j.out = bad;
    CHECK_THROWS_AS(sweep::slurm_script(j, plan), Error);
  }
  sweep::SlurmJob j = job;
  j.partition = "gpu\n#SBATCH --account=x";
  CHECK_THROWS_WITH_AS(sweep::slurm_script(j, plan),
                       "--partition: the character '0x0a' cannot be written into a Slurm #SBATCH line "
                       "(allowed: letters, digits and /._-+=:,@%)",
                       Error);
}

TEST_CASE("slurm_script with pretraining: the array is the pretraining, task 0 submits the rest afterok") {
  proto::SweepPlan plan;
  plan.set_points(6);
  plan.mutable_spec()->set_name("t");
  plan.mutable_spec()->set_threads(1);
  sweep::SlurmJob job;
  job.plan_dir = "/p", job.out = "/o", job.max_parallel = 2;
  job.task_command = {"/bin/odimo", "sweep", "run", "--index-from-env", "/p", "-o", "/o"};
  const std::string s = sweep::slurm_script(job, plan, 1);
  CHECK(s.find("#SBATCH --array=0-0%2\n") != std::string::npos);
  CHECK(s.find("mkdir /o/logs/searches-submitted") != std::string::npos);
  CHECK(s.find("sbatch --dependency=afterok:\"$SLURM_ARRAY_JOB_ID\" --array=1-5%2 ") != std::string::npos);
  CHECK(s.find("--wrap='/bin/odimo sweep run --index-from-env /p -o /o'") != std::string::npos);
}

TEST_CASE("Tally: a failed point makes the summary's status 1 and names its log") {
  sweep::Run run{"plan", "out", {}, {"lambda=1", "all:aimc"}, {-1, -1}};
  run.plan.set_points(2);
  sweep::Tally tally;
  std::ostringstream log;
  tally.add(run, 0, sweep::Outcome::kSkipped, log);
  CHECK(tally.summary(run, log, true) == 0);
  tally.add(run, 1, sweep::Outcome::kFailed, log);
  CHECK(log.str().find("FAILED  point-001 (all:aimc) (see out/logs/point-001.log)") != std::string::npos);
  CHECK(tally.summary(run, log, true) == 1);
  CHECK(log.str().find("computed 0, skipped 1, failed 1 of 2 points in out") != std::string::npos);
}

TEST_CASE("group_runs: points of different networks, inputs, data sets or targets share no front") {
  proto::SearchReport a = report("lambda=1 seed=1", 0.8, 10, 5, 1),
                      b = report("lambda=2 seed=1", 0.7, 5, 2, 1);
  a.set_network("tiny"), b.set_network("tiny");
  CHECK(sweep::group_runs({{"a", a}, {"b", b}}).size() == 2);
  b.set_network("resnet8");
  CHECK_THROWS_WITH_AS(
      sweep::group_runs({{"a", a}, {"b", b}}),
      "b/report.json: field 'network': 'resnet8' but a/report.json has 'tiny': one front compares "
      "points of one SoC, network, input, data set and target (give the results of each to its "
      "own odimo pareto)",
      Error);
  b.set_network("tiny"), b.set_dataset("cifar10:/d");
  CHECK_THROWS_WITH_AS(sweep::group_runs({{"a", a}, {"b", b}}), doctest::Contains("field 'dataset'"), Error);
  b.set_dataset(""), b.set_input("3x32x32");
  CHECK_THROWS_WITH_AS(sweep::group_runs({{"a", a}, {"b", b}}), doctest::Contains("field 'input'"), Error);
  b.set_input(""), b.set_target("energy");
  CHECK_THROWS_WITH_AS(sweep::group_runs({{"a", a}, {"b", b}}), doctest::Contains("field 'target'"), Error);
}
