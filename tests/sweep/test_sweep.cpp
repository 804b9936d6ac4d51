// mapper/sweep without processes: spec checks, plan expansion, point names, the
// Pareto fronts, the Slurm script and the run tally.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "mapper/sweep/pareto.h"
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

sweep::ResultPoint point(const std::string& label, double accuracy, double latency_us, double energy_uj) {
  sweep::ResultPoint p;
  p.report.set_label(label);
  p.report.set_kind("search");
  p.report.set_test_accuracy(accuracy);
  p.report.set_replayed(true);
  p.report.mutable_simulated()->set_latency_us(latency_us);
  p.report.mutable_simulated()->set_energy_uj(energy_uj);
  return p;
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
  CHECK(has_args(points[1], "--lambda", "0.5"));
  CHECK(has_args(points[3], "--baseline", "all:aimc"));
  CHECK(has_args(points[3], "--epochs", "0,0,4"));  // a baseline gets a search point's whole budget
  CHECK(has_args(points[5], "--seed", "2"));
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

TEST_CASE("pareto_svg escapes labels") {
  std::vector<sweep::ResultPoint> pts = {point("a<b", 0.9, 10, 5), point("c&d", 0.8, 20, 1)};
  sweep::mark_fronts(pts);
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
  job.plan_dir = "/p", job.out = "/o w", job.max_parallel = 2, job.time = "01:00:00";
  job.task_command = {"/bin/odimo", "sweep", "run", "--index-from-env", "/p", "-o", "/o w"};
  const std::string s = sweep::slurm_script(job, plan);
  CHECK(s.find("#SBATCH --array=0-5%2\n") != std::string::npos);
  CHECK(s.find("#SBATCH --time=01:00:00\n") != std::string::npos);
  CHECK(s.find("#SBATCH --partition") == std::string::npos);
  CHECK(s.find("\n/bin/odimo sweep run --index-from-env /p -o '/o w'\n") != std::string::npos);
}

TEST_CASE("Tally: a failed point makes the summary's status 1 and names its log") {
  sweep::Run run{"plan", "out", {}, {"lambda=1", "all:aimc"}};
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
